"""The MongoDB commands a client sends, watched through PyMongo's command monitoring."""

from __future__ import annotations

from pymongo import monitoring


class Commands(monitoring.CommandListener):
    """The commands a client sent, as (name, collection)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        # Starts and replies in the order they happened: ("sent" or "answered", name).
        self.timeline: list[tuple[str, str]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.sent.append((event.command_name, str(event.command[event.command_name])))
        self.timeline.append(("sent", event.command_name))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self.timeline.append(("answered", event.command_name))

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass
