"""The daily report to the admins: the last 24 hours in a few lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from redis.asyncio import Redis

from jobs.heartbeat import alive_workers
from jobs.names import Keys
from jobs.queue import JobQueue
from panel.stats import FIELDS, summarize
from storage.store import Storage


async def daily_report(
    storage: Storage, redis: Redis, keys: Keys, queue: JobQueue, now: datetime | None = None
) -> dict[str, Any]:
    """The arguments of the `report-daily` text."""
    since = (now or datetime.now(UTC)) - timedelta(days=1)
    day = summarize(await storage.jobs.rows(since, FIELDS))
    rate = day.success_rate
    return {
        "jobs": day.jobs,
        "done": day.done,
        "failed": day.failed,
        "images": day.images,
        "users": day.chats,
        "new_users": await storage.chats.count_created_since(since),
        "success": "—" if rate is None else f"{rate * 100:.0f} %",
        "p95": "—" if day.latency_p95 is None else f"{day.latency_p95:.1f}",
        "workers": len(await alive_workers(redis, keys)),
        "waiting": await queue.waiting(),
        "dead": await redis.xlen(keys.dead),
    }
