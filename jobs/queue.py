"""Producer side of the jobs stream: enqueue within the queue limit, queue position, cancel
requests, and trimming acknowledged entries."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from jobs.messages import JobMessage
from jobs.names import WORKERS_GROUP, Keys

CANCEL_TTL_S = 24 * 3600

# Jobs not yet handed to a worker, counted in Redis. The stream and its group are made
# here when missing (as XGROUP CREATE MKSTREAM), so neither script needs a round trip of
# its own first. KEYS: stream. ARGV: group, limit (the count stops there).
WAITING_FUNCTION = """
local function waiting(stream, group, limit)
  redis.pcall('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM')  -- BUSYGROUP: it exists
  for _, entry in ipairs(redis.call('XINFO', 'GROUPS', stream)) do
    local info = {}
    for i = 1, #entry, 2 do info[entry[i]] = entry[i + 1] end
    if info['name'] == group then
      if info['lag'] then
        return tonumber(info['lag'])
      end
      local after = redis.call('XRANGE', stream, '(' .. info['last-delivered-id'], '+',
                               'COUNT', limit)
      return #after
    end
  end
  return 0
end
"""
WAITING = WAITING_FUNCTION + "return waiting(KEYS[1], ARGV[1], ARGV[2])"
# The queue-limit check and the XADD in one step, so a hundred people pressing Generate at
# once cannot all pass the check. ARGV: group, limit, then field/value pairs. Returns the
# new entry id, or false when the queue is full.
ENQUEUE = (
    WAITING_FUNCTION
    + """
if waiting(KEYS[1], ARGV[1], ARGV[2]) >= tonumber(ARGV[2]) then
  return false
end
return redis.call('XADD', KEYS[1], '*', unpack(ARGV, 3))
"""
)


class QueueFull(RuntimeError):
    """The jobs stream holds as many waiting jobs as the settings allow."""


class JobQueue:
    def __init__(self, redis: Redis, keys: Keys, limit: int) -> None:
        self._redis = redis
        self._keys = keys
        self._limit = limit
        self._enqueue = redis.register_script(ENQUEUE)
        self._waiting = redis.register_script(WAITING)

    async def ensure_group(self) -> None:
        await ensure_group(self._redis, self._keys.jobs, WORKERS_GROUP)

    async def enqueue(self, message: JobMessage, limit: int | None = None) -> str:
        """Adds the job; returns its stream entry id. Raises QueueFull past the limit
        (`limit` overrides the queue's own: re-queueing what was already queued once)."""
        fields = [v for pair in message.to_fields().items() for v in pair]
        args = [WORKERS_GROUP, limit or self._limit, *fields]
        entry_id = await self._enqueue(keys=[self._keys.jobs], args=args)
        if not entry_id:
            raise QueueFull(f"{self._limit} jobs are waiting")
        return entry_id

    async def waiting(self) -> int:
        """Jobs not yet delivered to any worker (counted up to the queue limit)."""
        return int(await self._waiting(keys=[self._keys.jobs], args=[WORKERS_GROUP, self._limit]))

    async def positions(self) -> dict[str, int]:
        """The queue positions of the jobs no worker has taken yet, by job id: 1 for the
        next one a worker takes (up to the queue limit; one read for all of them)."""
        try:
            groups = await self._redis.xinfo_groups(self._keys.jobs)
        except ResponseError as exc:
            if "no such key" not in str(exc):
                raise
            return {}  # no stream: nothing waits
        last = next((g["last-delivered-id"] for g in groups if g["name"] == WORKERS_GROUP), "0-0")
        entries = await self._redis.xrange(self._keys.jobs, f"({last}", "+", count=self._limit)
        waiting = [fields["job_id"] for _, fields in entries if "job_id" in fields]
        return {job_id: place for place, job_id in enumerate(waiting, start=1)}

    async def request_cancel(self, job_id: str) -> None:
        await self._redis.set(self._keys.cancel(job_id), "1", ex=CANCEL_TTL_S)

    async def is_cancelled(self, job_id: str) -> bool:
        return bool(await self._redis.exists(self._keys.cancel(job_id)))


async def ensure_group(redis: Redis, stream: str, group: str) -> None:
    """Creates the stream and its consumer group once; harmless when they exist."""
    try:
        await redis.xgroup_create(stream, group, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


async def trim_acknowledged(redis: Redis, stream: str, group: str) -> int:
    """Removes the entries every reader of the group has acknowledged, and only those: all
    before the oldest pending entry, or before the next undelivered one when none pends."""
    if not await redis.exists(stream):
        return 0
    groups = [g for g in await redis.xinfo_groups(stream) if g["name"] == group]
    if not groups:
        return 0
    pending = await redis.xpending(stream, group)
    if pending["pending"]:
        keep_from = pending["min"]
    else:
        ms, seq = groups[0]["last-delivered-id"].split("-")
        keep_from = f"{ms}-{int(seq) + 1}"
    return await redis.xtrim(stream, minid=keep_from, approximate=False)
