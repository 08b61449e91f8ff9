"""The scheduler's Prometheus metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

RUNS = Counter(
    "vitrina_scheduled_runs_total", "Scheduled task runs by task and outcome", ["task", "outcome"]
)
LEADER = Gauge("vitrina_scheduler_leader", "1 while this scheduler holds the lock and works")
ALERT_FIRING = Gauge("vitrina_scheduler_alert_firing", "1 while an alert is firing", ["alert"])
RETENTION_REMOVED = Counter(
    "vitrina_retention_removed_total", "What image retention removed", ["kind"]
)
