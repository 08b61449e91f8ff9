"""Reading a Redis stream through a consumer group, including entries left by a dead consumer."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from jobs.queue import ensure_group


@dataclass(frozen=True)
class Entry:
    id: str
    fields: dict[str, str]
    reclaimed: bool = False  # taken over from a consumer that stopped without acking


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
        _, claimed, _ = await self._redis.xautoclaim(
            self.stream, self.group, self.consumer, min_idle_ms, "0-0", count=count
        )
        return [Entry(i, f, reclaimed=True) for i, f in claimed if f]

    async def read(self, count: int, block_ms: int) -> list[Entry]:
        """New entries for this consumer, waiting up to block_ms for the first."""
        reply = await self._redis.xreadgroup(
            self.group, self.consumer, {self.stream: ">"}, count=count, block=block_ms
        )
        return [Entry(i, f) for _, entries in reply or [] for i, f in entries]

    async def ack(self, *ids: str) -> None:
        if ids:
            await self._redis.xack(self.stream, self.group, *ids)
