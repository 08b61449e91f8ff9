"""Worker side of the jobs stream: take jobs (retries that are due, jobs of dead workers,
then new ones), keep a claim alive, acknowledge, defer a retry, dead-letter.

Which job runs, and how many attempts it has had, is decided by the job's record
(`jobs/lifecycle.py`); this module only moves stream entries.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from redis.asyncio import Redis

from jobs.messages import JobMessage
from jobs.names import WORKERS_GROUP, Keys
from jobs.streams import Entry, GroupReader

log = logging.getLogger(__name__)

# Moves due retries from the delayed set back into the stream, each exactly once, in one
# step (a crash between ZREM and XADD would lose the job). Members are "job_id chat_id"
# or "job_id chat_id photo_id".
RELEASE_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, member in ipairs(due) do
  redis.call('ZREM', KEYS[1], member)
  local job, chat, photo = string.match(member, '^(%S+) (%S+) ?(%S*)$')
  if job then
    local fields = {'job_id', job, 'chat_id', chat}
    if photo ~= '' then
      table.insert(fields, 'photo_id')
      table.insert(fields, photo)
    end
    redis.call('XADD', KEYS[2], '*', unpack(fields))
  end
end
return #due
"""
# An entry read by a worker that is starting up is not taken from it in its first second.
DEAD_CLAIM_MIN_IDLE_MS = 1000
# Due retries are put back at most this often: a retry waits seconds anyway (its back-off),
# and a worker taking one job after another would otherwise pay a round trip for each.
RELEASE_EVERY_S = 1.0


@dataclass(frozen=True)
class Claim:
    """A jobs-stream entry this worker holds until it acknowledges it."""

    entry_id: str
    message: JobMessage
    reclaimed: bool = False


def delayed_member(message: JobMessage) -> str:
    return " ".join(v for v in (message.job_id, str(message.chat_id), message.photo_id) if v)


class JobConsumer:
    def __init__(
        self, redis: Redis, keys: Keys, consumer: str, claim_idle_s: float, heartbeat_s: float
    ) -> None:
        self._redis = redis
        self._keys = keys
        self.name = consumer
        self._claim_idle_ms = int(claim_idle_s * 1000)
        self._recover_every_s = heartbeat_s
        self._next_recovery = 0.0
        self._next_release = 0.0
        self._reader = GroupReader(redis, keys.jobs, WORKERS_GROUP, consumer)
        self._release = redis.register_script(RELEASE_DUE)

    async def start(self) -> None:
        await self._reader.ensure_group()

    async def take(self, count: int, block_ms: int) -> list[Claim]:
        """Due retries are put back first (once a second); then entries this worker left
        unacknowledged (an outage), entries of workers whose heartbeat is gone, entries idle
        past the claim timeout; then new jobs."""
        if time.monotonic() >= self._next_release:
            await self._release(keys=[self._keys.delayed, self._keys.jobs], args=[time.time()])
            self._next_release = time.monotonic() + RELEASE_EVERY_S
        if time.monotonic() >= self._next_recovery:
            self._next_recovery = time.monotonic() + self._recover_every_s
            recovered = await self._recover(count)
            if recovered:
                return recovered
        return [self._decode(e) for e in await self._reader.read(count, block_ms)]

    async def _recover(self, count: int) -> list[Claim]:
        entries = await self._reader.read_own(count)
        if len(entries) < count:
            entries += await self._from_dead_workers(count - len(entries))
        if len(entries) < count:
            entries += await self._reader.reclaim(self._claim_idle_ms, count - len(entries))
        return [self._decode(e) for e in entries]

    async def _from_dead_workers(self, count: int) -> list[Entry]:
        """Entries held by consumers whose heartbeat expired: a killed worker's jobs are
        taken over within its heartbeat's lifetime, not after the claim timeout."""
        pending = await self._reader.pending(100, DEAD_CLAIM_MIN_IDLE_MS)
        holders = {p.consumer for p in pending if p.consumer != self.name}
        dead = {h for h in holders if not await self._redis.exists(self._keys.heartbeat(h))}
        ids = [p.id for p in pending if p.consumer in dead][:count]
        if ids:
            log.warning("taking over %d job(s) of stopped workers %s", len(ids), sorted(dead))
        return await self._reader.claim(ids, DEAD_CLAIM_MIN_IDLE_MS)

    async def keep(self, claims: list[Claim]) -> None:
        """This worker is alive and still painting these: nobody may take them over."""
        await self._reader.touch([c.entry_id for c in claims])

    async def ack(self, claim: Claim) -> None:
        await ack(self._redis, self._keys, claim)

    @staticmethod
    def _decode(entry: Entry) -> Claim:
        return Claim(entry.id, JobMessage.from_fields(entry.fields), entry.reclaimed)


async def ack(redis: Redis, keys: Keys, claim: Claim) -> None:
    await redis.xack(keys.jobs, WORKERS_GROUP, claim.entry_id)


async def defer(redis: Redis, keys: Keys, claim: Claim, due: float) -> None:
    """Acknowledges the entry and puts the job back in the stream at `due`, atomically."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.zadd(keys.delayed, {delayed_member(claim.message): due})
        pipe.xack(keys.jobs, WORKERS_GROUP, claim.entry_id)
        await pipe.execute()


async def dead_letter(redis: Redis, keys: Keys, claim: Claim, reason: str) -> None:
    """Records the job in the dead letters and acknowledges its entry, atomically."""
    letter = claim.message.model_copy(update={"record": ""})  # the record says it all
    fields = {**letter.to_fields(), "reason": reason[:500]}
    async with redis.pipeline(transaction=True) as pipe:
        pipe.xadd(keys.dead, fields, maxlen=10_000, approximate=True)
        pipe.xack(keys.jobs, WORKERS_GROUP, claim.entry_id)
        await pipe.execute()
    log.error("job %s dead-lettered: %s", claim.message.job_id, reason)
