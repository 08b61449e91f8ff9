"""Queue depth and live workers sampled over time, for the panel's charts."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from redis.asyncio import Redis

from jobs.names import Keys

KEEP_S = 7 * 24 * 3600


@dataclass(frozen=True)
class Sample:
    at: float
    waiting: int
    workers: int


def _key(keys: Keys) -> str:
    return f"{keys.prefix}:samples"


async def record_sample(
    redis: Redis, keys: Keys, waiting: int, workers: int, at: float | None = None
) -> None:
    now = time.time() if at is None else at
    member = json.dumps({"at": now, "waiting": waiting, "workers": workers})
    async with redis.pipeline(transaction=True) as pipe:
        pipe.zadd(_key(keys), {member: now})
        pipe.zremrangebyscore(_key(keys), "-inf", now - KEEP_S)
        await pipe.execute()


async def samples_since(redis: Redis, keys: Keys, since: float) -> list[Sample]:
    members = await redis.zrangebyscore(_key(keys), since, "+inf")
    return [Sample(**json.loads(m)) for m in members]
