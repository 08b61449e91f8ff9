"""The long-lived clients handlers use, passed to them by the Dispatcher as `deps`."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from jobs.lifecycle import Lifecycle
from jobs.names import Keys
from jobs.queue import JobQueue
from settings import Settings
from storage.store import Storage
from suggestions import Suggester


@dataclass
class BotDeps:
    name: str  # this bot process: its notifier's consumer name and its heartbeat's
    settings: Settings
    redis: Redis
    keys: Keys
    db: Storage
    lifecycle: Lifecycle
    suggester: Suggester

    @property
    def job_queue(self) -> JobQueue:
        return self.lifecycle.queue
