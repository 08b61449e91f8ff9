"""Alerts to the admins: the queue does not move, no worker is alive, failures jump.

Each alert is sent once when it starts and once, as resolved, when it clears; what is
firing is kept in Redis, so a scheduler that takes over does not repeat it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from redis.asyncio import Redis

from jobs.heartbeat import alive_workers
from jobs.names import WORKERS_GROUP, Keys
from jobs.queue import JobQueue
from panel.metrics import ALERTS_KEY
from scheduler.admins import Admins
from scheduler.metrics import ALERT_FIRING
from settings import Settings
from storage.status import JobStatus
from storage.store import Storage


@dataclass(frozen=True)
class Finding:
    name: str  # also the locales key: alert-<name>, alert-<name>-resolved
    firing: bool
    args: dict[str, Any]


class Alerts:
    def __init__(
        self,
        settings: Settings,
        redis: Redis,
        keys: Keys,
        storage: Storage,
        queue: JobQueue,
        admins: Admins,
    ) -> None:
        self._settings = settings
        self._redis = redis
        self._keys = keys
        self._storage = storage
        self._queue = queue
        self._admins = admins
        self._firing_key = f"{keys.prefix}:{ALERTS_KEY}"
        self._progress_key = f"{keys.prefix}:alerts-queue-progress"

    async def check(self) -> list[str]:
        """Tells the admins what started or stopped; returns the texts' keys sent."""
        sent = []
        for finding in await self.findings():
            was_firing = await self._redis.hexists(self._firing_key, finding.name)
            ALERT_FIRING.labels(alert=finding.name).set(int(finding.firing))
            if finding.firing and not was_firing:
                await self._redis.hset(self._firing_key, finding.name, json.dumps(finding.args))
                sent.append(f"alert-{finding.name}")
            elif was_firing and not finding.firing:
                await self._redis.hdel(self._firing_key, finding.name)
                sent.append(f"alert-{finding.name}-resolved")
            else:
                continue
            await self._admins.tell(sent[-1], **finding.args)
        return sent

    async def findings(self) -> list[Finding]:
        waiting = await self._queue.waiting()
        workers = len(await alive_workers(self._redis, self._keys))
        return [
            Finding("no-workers", workers == 0, {"workers": workers}),
            await self._queue_stuck(waiting),
            await self._failure_rate(),
        ]

    async def _queue_stuck(self, waiting: int) -> Finding:
        """Stuck: jobs wait and the workers' group has taken none for the threshold."""
        taken = await self._last_taken()
        now = time.time()
        seen = await self._redis.hgetall(self._progress_key)
        if waiting == 0 or seen.get("taken") != taken:
            await self._redis.hset(self._progress_key, mapping={"taken": taken, "since": now})
            still = 0.0
        else:
            still = now - float(seen["since"])
        minutes = round(still / 60)
        stuck = waiting > 0 and still >= self._settings.alert_queue_stuck_s
        return Finding("queue-stuck", stuck, {"waiting": waiting, "minutes": minutes})

    async def _last_taken(self) -> str:
        await self._queue.ensure_group()
        for group in await self._redis.xinfo_groups(self._keys.jobs):
            if group["name"] == WORKERS_GROUP:
                return str(group["last-delivered-id"])
        return ""

    async def _failure_rate(self) -> Finding:
        window = self._settings.alert_window_s
        since = datetime.now(UTC) - timedelta(seconds=window)
        counts = await self._storage.jobs.outcomes_since(since)
        finished = counts[JobStatus.DONE] + counts[JobStatus.FAILED]
        rate = counts[JobStatus.FAILED] / finished if finished else 0.0
        firing = (
            finished >= self._settings.alert_min_jobs and rate >= self._settings.alert_failure_rate
        )
        args = {"percent": round(rate * 100), "finished": finished, "minutes": round(window / 60)}
        return Finding("failure-rate", firing, args)
