"""Worker side of the jobs stream: take jobs, acknowledge, retry with back-off, dead-letter."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from redis.asyncio import Redis

from jobs.messages import JobMessage
from jobs.names import WORKERS_GROUP, Keys
from jobs.streams import Entry, GroupReader

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    entry_id: str
    message: JobMessage


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_s: float = 2.0

    def delay(self, attempt: int) -> float:
        return self.backoff_s * 2 ** (attempt - 1)


class JobConsumer:
    def __init__(
        self, redis: Redis, keys: Keys, consumer: str, policy: RetryPolicy, claim_idle_s: float
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._policy = policy
        self._claim_idle_ms = int(claim_idle_s * 1000)
        self._reader = GroupReader(redis, keys.jobs, WORKERS_GROUP, consumer)

    async def start(self) -> None:
        await self._reader.ensure_group()

    async def take(self, count: int, block_ms: int) -> list[Delivery]:
        """Due retries first, then jobs a crashed worker left, then new jobs."""
        await self._release_due_retries()
        entries = await self._reader.reclaim(self._claim_idle_ms, count)
        deliveries = [await self._after_crash(e) for e in entries]
        taken = [d for d in deliveries if d is not None]
        if not taken:
            taken = [self._decode(e) for e in await self._reader.read(count, block_ms)]
        return taken

    async def ack(self, delivery: Delivery) -> None:
        await self._reader.ack(delivery.entry_id)

    async def retry(self, delivery: Delivery, reason: str) -> bool:
        """Schedules another attempt after a back-off; False (and dead-lettered) when spent."""
        message = delivery.message
        if message.attempt >= self._policy.max_attempts:
            await self.dead_letter(delivery, reason)
            return False
        due = time.time() + self._policy.delay(message.attempt)
        retry = message.model_copy(update={"attempt": message.attempt + 1})
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(self._keys.delayed, {retry.model_dump_json(): due})
            pipe.xack(self._keys.jobs, WORKERS_GROUP, delivery.entry_id)
            await pipe.execute()
        return True

    async def dead_letter(self, delivery: Delivery, reason: str) -> None:
        fields = {**delivery.message.to_fields(), "reason": reason[:500]}
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xadd(self._keys.dead, fields, maxlen=10_000, approximate=True)
            pipe.xack(self._keys.jobs, WORKERS_GROUP, delivery.entry_id)
            await pipe.execute()
        log.error("job %s dead-lettered: %s", delivery.message.job_id, reason)

    async def _after_crash(self, entry: Entry) -> Delivery | None:
        """A reclaimed job counts as a failed attempt: it may be what crashed the worker."""
        delivery = self._decode(entry)
        log.warning("job %s reclaimed from a stopped worker", delivery.message.job_id)
        if delivery.message.attempt >= self._policy.max_attempts:
            await self.dead_letter(delivery, "worker stopped while processing it")
            return None
        return Delivery(
            delivery.entry_id,
            delivery.message.model_copy(update={"attempt": delivery.message.attempt + 1}),
        )

    async def _release_due_retries(self) -> None:
        due = await self._redis.zrangebyscore(self._keys.delayed, "-inf", time.time())
        for raw in due:
            # ZREM decides which worker moves it, so a retry is enqueued once.
            if await self._redis.zrem(self._keys.delayed, raw):
                message = JobMessage.model_validate_json(raw)
                await self._redis.xadd(self._keys.jobs, message.to_fields())

    @staticmethod
    def _decode(entry: Entry) -> Delivery:
        return Delivery(entry.id, JobMessage.from_fields(entry.fields))
