"""Scheduled work: the reaper, image retention, queue samples, alerts and the daily report.

Runs as its own part (`vitrina scheduler`); with several replicas one holds a Redis lock
and does the work, the others wait to take over.
"""
