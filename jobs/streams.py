"""Reading a Redis stream through a consumer group, including entries left by a dead consumer.

A reader whose stream or group is gone (a Redis that lost its data) makes them again
and goes on, rather than failing every round until someone restarts it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from jobs.queue import ensure_group


@dataclass(frozen=True)
class Entry:
    id: str
    fields: dict[str, str]
    reclaimed: bool = False  # taken over from a consumer that stopped without acking

    @property
    def added_at(self) -> float:
        """When Redis added the entry (its id starts with that time in milliseconds)."""
        return int(self.id.split("-", 1)[0]) / 1000


@dataclass(frozen=True)
class PendingEntry:
    id: str
    consumer: str
    idle_ms: int
    deliveries: int  # how many times the group handed it out (Redis's delivery counter)


class GroupReader:
    def __init__(self, redis: Redis, stream: str, group: str, consumer: str) -> None:
        self._redis = redis
        self.stream = stream
        self.group = group
        self.consumer = consumer

    async def ensure_group(self) -> None:
        await ensure_group(self._redis, self.stream, self.group)

    async def reclaim(self, min_idle_ms: int, count: int) -> list[Entry]:
        """XAUTOCLAIM: entries another consumer read but never acknowledged."""
        try:
            _, claimed, _ = await self._redis.xautoclaim(
                self.stream, self.group, self.consumer, min_idle_ms, "0-0", count=count
            )
        except ResponseError as exc:
            await self._ensure_group_if_gone(exc)
            return []
        return [Entry(i, f, reclaimed=True) for i, f in claimed if f]

    async def pending(self, count: int, min_idle_ms: int = 0) -> list[PendingEntry]:
        """XPENDING: entries read and not yet acknowledged, oldest first, with their holder."""
        rows = await self._redis.xpending_range(
            self.stream, self.group, "-", "+", count, idle=min_idle_ms or None
        )
        return [
            PendingEntry(
                r["message_id"], r["consumer"], r["time_since_delivered"], r["times_delivered"]
            )
            for r in rows
        ]

    async def claim(self, ids: list[str], min_idle_ms: int) -> list[Entry]:
        """XCLAIM: takes these entries over, each only if still idle that long (so two
        claimers racing for one entry cannot both win)."""
        if not ids:
            return []
        claimed = await self._redis.xclaim(self.stream, self.group, self.consumer, min_idle_ms, ids)
        return [Entry(i, f, reclaimed=True) for i, f in claimed if f]

    async def touch(self, ids: list[str]) -> None:
        """Resets the idle time of entries this consumer holds (XCLAIM JUSTID, which leaves
        the delivery counter alone): a consumer that is alive keeps its claim."""
        if ids:
            await self._redis.xclaim(self.stream, self.group, self.consumer, 0, ids, justid=True)

    async def read_own(self, count: int) -> list[Entry]:
        """Entries this consumer read and never acknowledged (after an outage or a restart
        under the same name), without waiting."""
        reply = await self._redis.xreadgroup(
            self.group, self.consumer, {self.stream: "0"}, count=count
        )
        return [Entry(i, f, reclaimed=True) for _, entries in reply or [] for i, f in entries if f]

    async def read(self, count: int, block_ms: int, ack: Sequence[str] = ()) -> list[Entry]:
        """New entries for this consumer, waiting up to block_ms for the first; `ack`,
        entries handled since the last read, are acknowledged in the same round trip."""
        new = {self.stream: ">"}
        try:
            if not ack:
                reply = await self._redis.xreadgroup(
                    self.group, self.consumer, new, count=count, block=block_ms
                )
            else:
                async with self._redis.pipeline(transaction=False) as pipe:
                    pipe.xack(self.stream, self.group, *ack)
                    pipe.xreadgroup(self.group, self.consumer, new, count=count, block=block_ms)
                    reply = (await pipe.execute())[-1]
        except ResponseError as exc:
            await self._ensure_group_if_gone(exc)
            return []
        return [Entry(i, f) for _, entries in reply or [] for i, f in entries]

    async def _ensure_group_if_gone(self, error: ResponseError) -> None:
        if "NOGROUP" not in str(error):
            raise error
        await self.ensure_group()  # from the stream's first entry: none added since is lost

    async def ack(self, *ids: str) -> None:
        if ids:
            await self._redis.xack(self.stream, self.group, *ids)
