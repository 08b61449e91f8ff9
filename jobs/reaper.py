"""The reaper: repairs jobs that a crash left stuck, run periodically by one process at a
time (a Redis lock). Called as `Lifecycle.reap()`; the scheduler and the workers call it.

- QUEUED with no entry in the jobs stream (the bot stopped between recording and
  queueing it, or Redis lost the entry) and no retry waiting: queued again;
- RUNNING whose lease expired and whose entry no worker holds any more: queued again,
  or failed with a message to its user when its attempts are spent (a job whose entry a
  worker still holds is that worker's, or is taken over by the next worker that looks);
- a chat's active-job slots held by finished jobs: freed;
- the jobs and events streams: trimmed of acknowledged entries.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jobs.consumer import Claim, dead_letter
from jobs.messages import JobMessage
from jobs.names import NOTIFIERS_GROUP, WORKERS_GROUP
from jobs.queue import trim_acknowledged
from storage.jobs import Job
from storage.status import JobStatus

if TYPE_CHECKING:
    from jobs.lifecycle import Lifecycle

log = logging.getLogger(__name__)
LOCK_S = 120
RELEASE_LOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
MAX_SCAN = 10_000


@dataclass
class Report:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    freed_slots: int = 0
    trimmed: int = 0


async def reap(lc: Lifecycle) -> Report | None:
    key, token = lc.keys.lock("reaper"), uuid.uuid4().hex
    if not await lc.redis.set(key, token, nx=True, ex=LOCK_S):
        return None
    try:
        report = Report()
        report.trimmed = await trim_acknowledged(lc.redis, lc.keys.jobs, WORKERS_GROUP)
        report.trimmed += await trim_acknowledged(lc.redis, lc.keys.events, NOTIFIERS_GROUP)
        present = await _jobs_in_queue(lc)
        await _repair_queued(lc, present, report)
        await _repair_running(lc, present, report)
        report.freed_slots = await _free_slots(lc)
        if report.requeued or report.failed:
            log.warning("reaper: queued again %s, failed %s", report.requeued, report.failed)
        return report
    finally:
        await lc.redis.eval(RELEASE_LOCK, 1, key, token)


async def _jobs_in_queue(lc: Lifecycle) -> set[str]:
    """Jobs with an entry waiting for a worker or held by one, or a retry waiting."""
    await lc.queue.ensure_group()
    pending = {
        p["message_id"]
        for p in await lc.redis.xpending_range(lc.keys.jobs, WORKERS_GROUP, "-", "+", MAX_SCAN)
    }
    [group] = [g for g in await lc.redis.xinfo_groups(lc.keys.jobs) if g["name"] == WORKERS_GROUP]
    last = _entry_key(group["last-delivered-id"])
    present = {
        fields["job_id"]
        for entry_id, fields in await lc.redis.xrange(lc.keys.jobs, count=MAX_SCAN)
        if entry_id in pending or _entry_key(entry_id) > last
    }
    delayed = await lc.redis.zrange(lc.keys.delayed, 0, -1)
    return present | {member.split(" ", 1)[0] for member in delayed}


async def _repair_queued(lc: Lifecycle, present: set[str], report: Report) -> None:
    stale = time.time() - lc.policy.reap_grace_s
    for job in await lc.storage.jobs.in_status(JobStatus.QUEUED):
        if job.id not in present and job.queued_ts < stale:
            await lc._requeue(job)
            report.requeued.append(job.id)


async def _repair_running(lc: Lifecycle, present: set[str], report: Report) -> None:
    stale = time.time() - lc.policy.reap_grace_s
    for job in await lc.storage.jobs.in_status(JobStatus.RUNNING):
        if job.id in present or job.lease_until >= stale:
            continue
        if job.attempts >= lc.policy.max_attempts:
            if await _fail(lc, job):
                report.failed.append(job.id)
            continue
        requeued = await lc.change(job, _back_to_queue(stale))
        if requeued is not None:
            await lc._requeue(requeued)
            report.requeued.append(job.id)


def _back_to_queue(stale: float) -> Any:
    def decide(j: Job) -> dict[str, Any] | None:
        if j.status != JobStatus.RUNNING or j.lease_until >= stale:
            return None
        now = time.time()
        return {"status": JobStatus.QUEUED, "owner": "", "lease_until": 0.0, "queued_ts": now}

    return decide


async def _fail(lc: Lifecycle, job: Job) -> bool:
    reason = f"no worker finished it in {job.attempts} attempts"
    stale = time.time() - lc.policy.reap_grace_s
    failed = await lc.change(
        job,
        lambda j: (
            lc._final(JobStatus.FAILED, error=reason)
            if j.status == JobStatus.RUNNING and j.lease_until < stale
            else None
        ),
    )
    if failed is None:
        return False
    claim = Claim("0-0", JobMessage.of(job))
    await dead_letter(lc.redis, lc.keys, claim, reason)
    await lc._finished(failed, give_back=True)
    return True


async def _free_slots(lc: Lifecycle) -> int:
    freed = 0
    pattern = lc.keys.active(0).rsplit(":", 1)[0] + ":*"
    async for key in lc.redis.scan_iter(match=pattern, count=200):
        for job_id in await lc.redis.zrange(key, 0, -1):
            job = await lc.storage.jobs.get(job_id)
            if job is None or job.status.finished:
                freed += await lc.redis.zrem(key, job_id)
    return freed


def _entry_key(entry_id: str) -> tuple[int, int]:
    ms, seq = entry_id.split("-")
    return int(ms), int(seq)
