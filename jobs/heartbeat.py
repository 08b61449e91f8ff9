"""Worker heartbeats: a key per worker that expires when the worker stops beating, and a
sorted set of the workers by their last beat, so finding the live ones never scans Redis."""

from __future__ import annotations

import json
import time
from typing import Any

from redis.asyncio import Redis

from jobs.names import Keys


async def beat(redis: Redis, keys: Keys, worker: str, info: dict[str, Any], ttl_s: float) -> None:
    now = time.time()
    payload = json.dumps({**info, "worker": worker, "at": now})
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(keys.heartbeat(worker), payload, px=int(ttl_s * 1000))
        pipe.zadd(keys.workers, {worker: now})
        # Workers gone for a day leave the registry; their keys expired long ago.
        pipe.zremrangebyscore(keys.workers, "-inf", now - 24 * 3600)
        await pipe.execute()


async def alive_workers(redis: Redis, keys: Keys) -> list[dict[str, Any]]:
    names = await redis.zrange(keys.workers, 0, -1)
    values = await redis.mget([keys.heartbeat(n) for n in names]) if names else []
    return [json.loads(v) for v in values if v]


async def forget(redis: Redis, keys: Keys, worker: str) -> None:
    async with redis.pipeline(transaction=True) as pipe:
        pipe.delete(keys.heartbeat(worker))
        pipe.zrem(keys.workers, worker)
        await pipe.execute()
