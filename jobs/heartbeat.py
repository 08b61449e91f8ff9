"""Heartbeats: a key per worker (and per bot) that expires when the process stops beating,
and a sorted set of the workers by their last beat, so finding the live ones never scans
Redis.

A beat also says when the process last made progress (its loop finished a step, or its
engine reported painting progress): a process whose beat is fresh but whose progress is
old is alive but stuck, and reported unhealthy.
"""

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


async def beat_key(redis: Redis, key: str, info: dict[str, Any], ttl_s: float) -> None:
    await redis.set(key, json.dumps({**info, "at": time.time()}), px=int(ttl_s * 1000))


async def read_beat(redis: Redis, key: str) -> dict[str, Any] | None:
    raw = await redis.get(key)
    return json.loads(raw) if raw else None


async def alive_workers(redis: Redis, keys: Keys) -> list[dict[str, Any]]:
    names = await redis.zrange(keys.workers, 0, -1)
    values = await redis.mget([keys.heartbeat(n) for n in names]) if names else []
    return [json.loads(v) for v in values if v]


async def forget(redis: Redis, keys: Keys, worker: str) -> None:
    async with redis.pipeline(transaction=True) as pipe:
        pipe.delete(keys.heartbeat(worker))
        pipe.zrem(keys.workers, worker)
        await pipe.execute()
