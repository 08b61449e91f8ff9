"""The daily image quota and the per-chat limit on active jobs, taken in one Lua script.

Counted per Telegram user as well as per chat (a new group chat is no fresh quota), for
the UTC day computed once when the job is submitted and kept on its record, so a job
given back after midnight is given back to the day it was taken from. Each hash holds
one field per job, so taking again for the same job (a retried call) counts once and
giving back is exact.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from redis.asyncio import Redis

from jobs.names import Keys

QUOTA_TTL_S = 2 * 24 * 3600
# A job still counted as active this long after it was submitted was lost to a crash that
# the reaper has not repaired yet; it no longer holds its chat back.
ACTIVE_STALE_S = 24 * 3600

# KEYS: user hash, chat hash, active set. ARGV: job id, images, limit, active limit, now,
# ttl, stale-before. Returns {"ok", used} or {"quota", used} or {"busy", active}.
TAKE = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  return {'ok', 0}
end
local images, limit, active_limit = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[7])
local active = redis.call('ZCARD', KEYS[3])
if active >= active_limit then
  return {'busy', active}
end
local function used(key)
  local total = 0
  for _, v in ipairs(redis.call('HVALS', key)) do total = total + tonumber(v) end
  return total
end
local most = math.max(used(KEYS[1]), used(KEYS[2]))
if most + images > limit then
  return {'quota', most}
end
for i = 1, 2 do
  redis.call('HSET', KEYS[i], ARGV[1], images)
  redis.call('EXPIRE', KEYS[i], ARGV[6])
end
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
redis.call('EXPIRE', KEYS[3], ARGV[6])
return {'ok', most + images}
"""


def utc_day(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class Taken:
    ok: bool
    reason: str  # "ok", "quota" (the day's images are used) or "busy" (too many active)
    count: int  # images used today, or jobs active in the chat


class Quota:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys
        self._take = redis.register_script(TAKE)

    async def take(
        self,
        job_id: str,
        user_id: int,
        chat_id: int,
        day: str,
        images: int,
        limit: int,
        active_limit: int,
    ) -> Taken:
        now = time.time()
        keys = [
            self._keys.quota_user(user_id, day),
            self._keys.quota_chat(chat_id, day),
            self._keys.active(chat_id),
        ]
        args = [job_id, images, limit, active_limit, now, QUOTA_TTL_S, now - ACTIVE_STALE_S]
        reason, count = await self._take(keys=keys, args=args)
        return Taken(reason == "ok", str(reason), int(count))

    async def give_back(self, job_id: str, user_id: int, chat_id: int, day: str) -> None:
        """Returns the job's images to the day it took them from; harmless when repeated."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hdel(self._keys.quota_user(user_id, day), job_id)
            pipe.hdel(self._keys.quota_chat(chat_id, day), job_id)
            await pipe.execute()

    async def release_active(self, chat_id: int, job_id: str) -> None:
        """The job no longer holds its chat's active slot (it finished)."""
        await self._redis.zrem(self._keys.active(chat_id), job_id)

    async def used(self, user_id: int, chat_id: int, day: str) -> int:
        values = [
            sum(int(v) for v in await self._redis.hvals(key))
            for key in (self._keys.quota_user(user_id, day), self._keys.quota_chat(chat_id, day))
        ]
        return max(values)
