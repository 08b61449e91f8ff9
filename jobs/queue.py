"""Producer side of the jobs stream: enqueue, queue position, cancel requests."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from jobs.messages import JobMessage
from jobs.names import WORKERS_GROUP, Keys

CANCEL_TTL_S = 24 * 3600


class QueueFull(RuntimeError):
    """The jobs stream holds as many waiting jobs as the settings allow."""


class JobQueue:
    def __init__(self, redis: Redis, keys: Keys, limit: int) -> None:
        self._redis = redis
        self._keys = keys
        self._limit = limit

    async def ensure_group(self) -> None:
        await ensure_group(self._redis, self._keys.jobs, WORKERS_GROUP)

    async def enqueue(self, message: JobMessage) -> str:
        """Adds the job; returns its stream entry id. Raises QueueFull past the limit."""
        if await self.waiting() >= self._limit:
            raise QueueFull(f"{self._limit} jobs are waiting")
        return await self._redis.xadd(self._keys.jobs, message.to_fields())

    async def waiting(self) -> int:
        """Jobs not yet delivered to any worker."""
        await self.ensure_group()
        for group in await self._redis.xinfo_groups(self._keys.jobs):
            if group["name"] == WORKERS_GROUP:
                lag = group.get("lag")
                if lag is not None:
                    return int(lag)
                return await self._count_after(group["last-delivered-id"], "+")
        return 0

    async def position(self, entry_id: str) -> int:
        """1 for the next job a worker takes; 0 once a worker has taken it."""
        await self.ensure_group()
        for group in await self._redis.xinfo_groups(self._keys.jobs):
            if group["name"] == WORKERS_GROUP:
                last = group["last-delivered-id"]
                if _id_le(entry_id, last):
                    return 0
                return await self._count_after(last, entry_id)
        return 0

    async def _count_after(self, after: str, until: str) -> int:
        entries = await self._redis.xrange(self._keys.jobs, f"({after}", until, count=self._limit)
        return len(entries)

    async def request_cancel(self, job_id: str) -> None:
        await self._redis.set(self._keys.cancel(job_id), "1", ex=CANCEL_TTL_S)

    async def is_cancelled(self, job_id: str) -> bool:
        return bool(await self._redis.exists(self._keys.cancel(job_id)))


async def ensure_group(redis: Redis, stream: str, group: str) -> None:
    """Creates the stream and its consumer group once; harmless when they exist."""
    try:
        await redis.xgroup_create(stream, group, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def _id_le(a: str, b: str) -> bool:
    return tuple(map(int, a.split("-"))) <= tuple(map(int, b.split("-")))
