"""Worker heartbeats: a key per worker that expires when the worker stops beating."""

from __future__ import annotations

import json
import time
from typing import Any

from redis.asyncio import Redis

from jobs.names import Keys


async def beat(redis: Redis, keys: Keys, worker: str, info: dict[str, Any], ttl_s: float) -> None:
    payload = json.dumps({**info, "worker": worker, "at": time.time()})
    await redis.set(keys.heartbeat(worker), payload, px=int(ttl_s * 1000))


async def alive_workers(redis: Redis, keys: Keys) -> list[dict[str, Any]]:
    found = [k async for k in redis.scan_iter(match=keys.heartbeat_pattern, count=100)]
    values = await redis.mget(found) if found else []
    return [json.loads(v) for v in values if v]


async def forget(redis: Redis, keys: Keys, worker: str) -> None:
    await redis.delete(keys.heartbeat(worker))
