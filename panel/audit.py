"""What admins did in the panel and what the scheduler did on its own, newest first."""

from __future__ import annotations

import json
import time
from typing import Any

from redis.asyncio import Redis

from jobs.names import Keys

KEEP = 2000


def _key(keys: Keys) -> str:
    return f"{keys.prefix}:audit"


async def record(redis: Redis, keys: Keys, actor: str, action: str, target: str) -> None:
    entry = json.dumps({"at": time.time(), "actor": actor, "action": action, "target": target})
    async with redis.pipeline(transaction=True) as pipe:
        pipe.lpush(_key(keys), entry)
        pipe.ltrim(_key(keys), 0, KEEP - 1)
        await pipe.execute()


async def recent(redis: Redis, keys: Keys, limit: int = 200) -> list[dict[str, Any]]:
    return [json.loads(e) for e in await redis.lrange(_key(keys), 0, limit - 1)]
