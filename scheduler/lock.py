"""A Redis lock with a time to live that its holder renews: one leader among replicas."""

from __future__ import annotations

import uuid

from redis.asyncio import Redis

# Take the lock when free, renew it when ours; 1 when held after the call.
_HOLD = """
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class LeaderLock:
    def __init__(self, redis: Redis, key: str, ttl_s: float, owner: str | None = None) -> None:
        self._redis = redis
        self._key = key
        self._ttl_ms = max(int(ttl_s * 1000), 1)
        self.token = owner or uuid.uuid4().hex

    async def hold(self) -> bool:
        """Takes or renews the lock; False while another holder has it."""
        return bool(await self._redis.eval(_HOLD, 1, self._key, self.token, self._ttl_ms))

    async def release(self) -> None:
        """Lets another replica take over at once instead of after the time to live."""
        await self._redis.eval(_RELEASE, 1, self._key, self.token)
