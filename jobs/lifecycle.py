"""The one owner of a job's life: the only code that moves a job between states.

    QUEUED ──start──▶ RUNNING ──succeed──▶ DONE
      ▲  │              │  │
      │  └──cancel──▶ CANCELLED ◀──stop_cancelled
      └──fail_or_retry──┘  └──fail_or_retry (attempts spent, or a crash too many)──▶ FAILED

Every transition is a compare-and-set on the job's record (`JobRepo.swap`), decided on
the record as read: repeating a step after a crash finds the job already moved and does
nothing twice. The record is the source of truth; the events stream only nudges the
notifier (outbox): a final transition marks the outcome `delivery=pending` in the same
write, and the notifier finds and sends what is pending whether or not its event arrived.

Who calls what (nothing else writes a job's status):

- bot and panel: `submit(job, user_id=, quota_limit=, post_status=, poster=)` (quota,
  record and queue, undone as a unit when a step fails, then the status message, which
  calls the job off when it cannot be posted; raises `Refused`),
  `cancel(job_id)`, `retry(job_id)` (a failed or cancelled job as a new attempt),
  `requeue_dead(job_id)` (a dead letter back into the queue), `redeliver(job_id)` (send a
  finished job's outcome to its chat again), `reap()` (repairs stuck jobs; one caller at
  a time by a Redis lock; returns None when another holds it);
- workers: `start(claim, worker)`, or its two halves `runnable(claim, worker)` then
  `run(claim, job, worker)` (its inputs read in between), `keep(jobs, worker)` (extends
  the leases while painting),
  `progress(job, stage, done, total)`, `succeed(claim, job, worker, **results)`,
  `fail_or_retry(claim, job, worker, reason, permanent=, kind=)`, `stop_cancelled(claim, job,
  worker)`, `release(jobs, worker)` (a stopping worker gives its jobs up);
- the notifier: `jobs.delivery.DeliveryLeases` for the delivery record of a finished job.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from redis.asyncio import Redis

from jobs import reaper
from jobs.consumer import Claim, ack, dead_letter, defer
from jobs.events import publish
from jobs.messages import EventType, JobEvent, JobMessage
from jobs.names import Keys
from jobs.queue import JobQueue, QueueFull
from jobs.quota import Quota, utc_day
from runtime.faults import fault_point
from storage.jobs import Delivery, ErrorKind, Job
from storage.status import JobStatus, Stage
from storage.store import Storage

log = logging.getLogger(__name__)
MAX_RACES = 20  # re-reads of a record another process keeps changing, before giving up
FINAL_EVENTS = {
    JobStatus.DONE: EventType.DONE,
    JobStatus.FAILED: EventType.FAILED,
    JobStatus.CANCELLED: EventType.CANCELLED,
}


@dataclass(frozen=True)
class Policy:
    max_attempts: int = 3
    backoff_s: float = 2.0
    lease_s: float = 30.0  # a running job's owner must extend its lease within this
    queue_limit: int = 200
    chat_active_jobs: int = 2
    reap_grace_s: float = 60.0  # a job stuck this long past its due time is repaired

    @classmethod
    def from_settings(cls, settings: Any) -> Policy:
        return cls(
            max_attempts=settings.max_attempts,
            backoff_s=settings.retry_backoff_s,
            lease_s=3 * settings.worker_heartbeat_s,
            queue_limit=settings.queue_limit,
            chat_active_jobs=settings.chat_active_jobs,
            reap_grace_s=max(60.0, 6 * settings.worker_heartbeat_s),
        )

    def delay(self, attempt: int) -> float:
        return self.backoff_s * 2 ** (max(attempt, 1) - 1)


class Refused(Exception):
    """Submit refused the job: `reason` is "quota", "busy" or "queue-full"; `limit` is the
    limit that was reached."""

    def __init__(self, reason: str, limit: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


class Cancel(StrEnum):
    CANCELLED = "cancelled"  # it was queued: cancelled at once
    REQUESTED = "requested"  # it is running: its worker stops it at its next step
    TOO_LATE = "too-late"  # it had already finished
    MISSING = "missing"


Decide = Callable[[Job], dict[str, Any] | None]
PostStatus = Callable[[int], Awaitable[int | None]]


class Lifecycle:
    def __init__(self, redis: Redis, keys: Keys, storage: Storage, policy: Policy) -> None:
        self.redis = redis
        self.keys = keys
        self.storage = storage
        self.policy = policy
        self.queue = JobQueue(redis, keys, policy.queue_limit)
        self.quota = Quota(redis, keys)

    # -- the record ------------------------------------------------------------------

    async def change(
        self, job: Job | None, decide: Decide, *, read_back: bool = False
    ) -> Job | None:
        """Applies what `decide` says to the record, deciding again on the fresh record
        whenever another process changed it first; None when `decide` refuses. With
        `read_back`, the record returned is as stored (`JobRepo.swap_and_read`). For this
        module and its helpers (`jobs.reaper`, `jobs.delivery`) only."""
        swap = self.storage.jobs.swap_and_read if read_back else self.storage.jobs.swap
        for _ in range(MAX_RACES):
            if job is None:
                return None
            fields = decide(job)
            if fields is None:
                return None
            moved = await swap(job, **fields)
            if moved is not None:
                return moved
            job = await self.storage.jobs.get(job.id)
        raise RuntimeError(f"job {job.id if job else '?'} keeps changing under us")

    @staticmethod
    def _final(status: JobStatus, **fields: Any) -> dict[str, Any]:
        now = time.time()
        return {
            **fields,
            "status": status,
            "owner": "",
            "lease_until": 0.0,
            "finished_ts": now,
            "finished_at": _utc(now),
            "delivery": Delivery.PENDING,
            "delivery_due": 0.0,
        }

    async def _finished(self, job: Job, give_back: bool) -> None:
        """After a final transition: the quota when the user is not to pay, the chat's
        active slot, and the nudge to the notifier (the record already says it all)."""
        if give_back:
            await self._refund(job)
        # Side by side: the slot is free long before the outcome reaches the chat (a
        # delivery takes several round trips), so the user's next job finds it free.
        await asyncio.gather(self.quota.release_active(job.chat_id, job.id), self.announce(job))

    async def _refund(self, job: Job) -> None:
        if job.quota_day and job.user_id is not None:
            await self.quota.give_back(job.id, job.user_id, job.chat_id, job.quota_day)

    async def announce(self, job: Job) -> None:
        """Tells the notifiers that a finished job's outcome waits to be sent."""
        if job.status in FINAL_EVENTS and job.delivery == Delivery.PENDING:
            event = JobEvent(
                type=FINAL_EVENTS[job.status],
                job_id=job.id,
                chat_id=job.chat_id,
                record=job.model_dump_json(),
            )
            await publish(self.redis, self.keys, event)

    # -- the bot and the panel ----------------------------------------------------------

    async def submit(
        self,
        job: Job,
        *,
        user_id: int,
        quota_limit: int,
        post_status: PostStatus | None = None,
        poster: str = "",
    ) -> Job:
        """Takes the quota and an active slot, records and queues the job, then posts its
        status message (`post_status(position)` returns its message id; `poster` names the
        bot posting it) and notes it on the record. Queued first: a worker takes the job
        while the message is on its way to Telegram, a round trip across the internet. A
        step up to the queueing that fails undoes the ones before it; a status message
        that cannot be posted calls the job off without a word in the chat (the caller
        says why). `Refused` says why a job was not taken."""
        day = utc_day()  # once: the day whose quota it takes is the day it is given back to
        # The queue's length is only shown (the limit is checked with the XADD): read beside.
        taken, waiting = await asyncio.gather(
            self.quota.take(
                job.id,
                user_id,
                job.chat_id,
                day,
                job.count,
                quota_limit,
                self.policy.chat_active_jobs,
            ),
            self.queue.waiting(),
            return_exceptions=True,
        )
        if isinstance(taken, BaseException):
            raise taken
        if not taken.ok:
            limit = quota_limit if taken.reason == "quota" else self.policy.chat_active_jobs
            raise Refused(taken.reason, limit)
        job = job.model_copy(update={"user_id": user_id, "quota_day": day, "rev": 0})
        created = False
        try:
            if isinstance(waiting, BaseException):
                raise waiting  # the quota just taken is given back below
            queued = {
                "position": waiting + 1,
                "queued_ts": time.time(),
                "status_posting": poster if post_status is not None else "",
            }
            job = job.model_copy(update=queued)
            await self.storage.jobs.create(job)
            created = True
            # With a copy of the record as stored; the limit is checked here, atomically.
            await self.queue.enqueue(JobMessage.of(job))
        except Exception as exc:
            await self._undo_submit(job, created)
            if isinstance(exc, QueueFull):
                raise Refused("queue-full", self.policy.queue_limit) from None
            raise
        log.info("job %s queued for chat %s at position %s", job.id, job.chat_id, job.position)
        if post_status is None:
            return job
        return await self._post_status(job, post_status)

    async def _undo_submit(self, job: Job, created: bool) -> None:
        await self.quota.give_back(job.id, job.user_id or job.chat_id, job.chat_id, job.quota_day)
        await self.quota.release_active(job.chat_id, job.id)
        if created:
            await self.storage.jobs.delete(job.id)

    async def _post_status(self, job: Job, post_status: PostStatus) -> Job:
        """Posts the queued job's status message and notes its id on the record (not a
        change of the job's state: no revision, so a worker's copy stays current)."""
        fault_point("lifecycle.before_status")  # queued, its status message not posted
        try:
            message_id = await post_status(job.position or 1)
        except Exception:
            await self._withdraw(job)
            raise
        posted = {"status_message_id": message_id, "status_posting": ""}
        try:
            await self.storage.jobs.note(job.id, **posted)
        except Exception:
            # The job goes on; its delivery finishes without this message once it stops
            # waiting for the id (see the notifier).
            log.exception("job %s: its status message %s not noted", job.id, message_id)
            return job
        return job.model_copy(update=posted)

    async def _withdraw(self, job: Job) -> None:
        """Calls off a job whose status message could not be posted: cancelled at once
        while queued, stopped by its worker once running; its quota given back either way
        (the system failed, not the user), its outcome says nothing more in the chat."""
        was_queued = False

        def decide(j: Job) -> dict[str, Any] | None:
            nonlocal was_queued
            was_queued = j.status == JobStatus.QUEUED
            silent = {"status_posting": "", "sent_status": True}
            return self._final(JobStatus.CANCELLED, **silent) if was_queued else silent

        try:
            await self.queue.request_cancel(job.id)
            withdrawn = await self.change(job, decide)
            if withdrawn is not None and was_queued:
                await self._finished(withdrawn, give_back=True)
            elif withdrawn is not None and not withdrawn.status.finished:
                await self._refund(withdrawn)  # a job done meanwhile is sent, and paid for
        except Exception:
            log.exception("job %s: not called off after its status message failed", job.id)

    async def cancel(self, job_id: str) -> Cancel:
        """By its user or an admin: a queued job ends at once (its quota given back); a
        running one is stopped by its worker at the next step."""
        job = await self.storage.jobs.get(job_id)
        if job is None:
            return Cancel.MISSING
        if job.status.finished:
            return Cancel.TOO_LATE
        await self.queue.request_cancel(job_id)
        cancelled = await self.change(
            job,
            lambda j: self._final(JobStatus.CANCELLED) if j.status == JobStatus.QUEUED else None,
        )
        if cancelled is None:
            fresh = await self.storage.jobs.get(job_id)
            return Cancel.TOO_LATE if fresh and fresh.status.finished else Cancel.REQUESTED
        await self._finished(cancelled, give_back=True)
        return Cancel.CANCELLED

    async def retry(self, job_id: str) -> Job | None:
        """A failed or cancelled job queued again as a new attempt (attempts start over; no
        quota is taken: an admin or the system decided it). None when it is not failed or
        cancelled."""

        def decide(j: Job) -> dict[str, Any] | None:
            if j.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
                return None
            return {
                "status": JobStatus.QUEUED,
                "attempts": 0,
                "error": None,
                "error_kind": None,
                "queued_ts": time.time(),
                "finished_ts": 0.0,
                "finished_at": None,
                **_fresh_delivery(),
                "delivery": Delivery.NONE,
            }

        job = await self.change(await self.storage.jobs.get(job_id), decide)
        if job is None:
            return None
        await self.redis.delete(self.keys.cancel(job_id))
        await self._requeue(job)
        return job

    async def requeue_dead(self, job_id: str) -> Job | None:
        """A dead-lettered job back in the queue, its dead letters removed."""
        dead = await self.redis.xrange(self.keys.dead, count=10_000)
        ids = [entry_id for entry_id, fields in dead if fields.get("job_id") == job_id]
        job = await self.retry(job_id)
        if job is not None and ids:
            await self.redis.xdel(self.keys.dead, *ids)
        return job

    async def redeliver(self, job_id: str) -> bool:
        """Sends a finished job's outcome (its album, or why there is none) to its chat
        again, through the notifier's outbox: False when the job is not finished."""
        job = await self.change(
            await self.storage.jobs.get(job_id),
            lambda j: (
                {**_fresh_delivery(), "delivery": Delivery.PENDING} if j.status.finished else None
            ),
        )
        if job is not None:
            await self.announce(job)
        return job is not None

    async def _requeue(self, job: Job) -> None:
        """Back into the stream past the queue limit: it was admitted once already."""
        await self.queue.enqueue(JobMessage.of(job), limit=2**31)

    async def reap(self) -> reaper.Report | None:
        """Repairs jobs stuck QUEUED without a stream entry or RUNNING without a live
        worker, forgets finished jobs' active slots and trims the streams. One caller at a
        time (a Redis lock); None when another holds it."""
        return await reaper.reap(self)

    # -- workers ------------------------------------------------------------------------

    async def start(self, claim: Claim, worker: str) -> Job | None:
        """The job of a stream entry, now running on `worker`; None when it must not run
        (the entry is then settled: acknowledged, re-announced or dead-lettered)."""
        job = await self.runnable(claim, worker)
        return None if job is None else await self.run(claim, job, worker)

    async def runnable(self, claim: Claim, worker: str, read: bool = False) -> Job | None:
        """`start`'s first half, which writes nothing for a job that may run: the job,
        or None when it must not run (the entry settled). `run` then marks it running;
        a worker may read the job's inputs meanwhile. A new entry's copy of the record as
        queued is taken as it is, with no round trip: a queued job may run, and `run`'s
        compare-and-set finds a record that moved since (a cancel moves it). Otherwise,
        or when `read`, decided on the record and the cancel request."""
        # A reclaimed entry's job was started before: only its record says how it stands.
        if claim.message.record and not (read or claim.reclaimed):
            return Job.model_validate_json(claim.message.record)
        job_id = claim.message.job_id
        job, cancelled = await asyncio.gather(
            self.storage.jobs.get(job_id), self.queue.is_cancelled(job_id)
        )
        if job is None or job.status.finished:
            if job is not None:  # what a crash may have cut short after the transition
                await self.quota.release_active(job.chat_id, job.id)
                await self.announce(job)
            await ack(self.redis, self.keys, claim)
            return None
        if cancelled and job.status == JobStatus.QUEUED:
            await self.cancel(job.id)
            await ack(self.redis, self.keys, claim)
            return None
        now = time.time()
        crashed = job.status == JobStatus.RUNNING and job.owner != worker
        if crashed and job.lease_until >= now:
            return None  # its worker is alive and extends the lease; the entry waits
        if crashed and job.attempts >= self.policy.max_attempts:
            reason = f"its worker stopped while painting it, {job.attempts} times"
            await self._give_up(claim, job, worker, reason)
            return None
        return job

    async def run(self, claim: Claim, job: Job, worker: str) -> Job | None:
        """`start`'s second half: the runnable job, now running on `worker`; None when it
        must not run after all. When the record moved since `job` was read (or copied into
        the entry), it is decided again on the record as it is, and the entry settled as
        `runnable` settles it."""
        decide = self._start_on(worker)
        fields = decide(job)
        started = None if fields is None else await self.storage.jobs.swap(job, **fields)
        if started is None:  # decided again from the start: a crashed job's attempts count
            fresh = await self.runnable(claim, worker, read=True)
            started = None if fresh is None else await self.change(fresh, decide)
        if started is not None and started.attempts > 1 and claim.reclaimed:
            log.warning("job %s: attempt %d after a stopped worker", job.id, started.attempts)
        return started

    def _start_on(self, worker: str) -> Decide:
        now = time.time()

        def decide(j: Job) -> dict[str, Any] | None:
            if j.status == JobStatus.RUNNING and j.owner == worker:
                return {"lease_until": now + self.policy.lease_s}  # its own, after an outage
            if j.status == JobStatus.QUEUED or (
                j.status == JobStatus.RUNNING and j.lease_until < now
            ):
                return {
                    "status": JobStatus.RUNNING,
                    "owner": worker,
                    "worker": worker,  # kept after the job ends, for the panel's timeline
                    "lease_until": now + self.policy.lease_s,
                    "attempts": j.attempts + 1,
                    "started_at": _utc(now),
                }
            return None

        return decide

    async def keep(self, jobs: list[Job], worker: str) -> list[str]:
        """Extends the leases of the jobs `worker` is painting; the ids of those it no
        longer holds (cancelled, or taken over after it was thought dead)."""
        until = time.time() + self.policy.lease_s
        lost = []
        for job in jobs:
            kept = await self.change(
                await self.storage.jobs.get(job.id),
                lambda j: (
                    {"lease_until": until}
                    if j.status == JobStatus.RUNNING and j.owner == worker
                    else None
                ),
            )
            if kept is None:
                lost.append(job.id)
        return lost

    async def progress(self, job: Job, stage: Stage, done: int = 0, total: int = 0) -> None:
        event = JobEvent(
            type=EventType.PROGRESS,
            job_id=job.id,
            chat_id=job.chat_id,
            status_message_id=job.status_message_id,
            lang=job.lang,
            queued_at=job.queued_ts,
            stage=stage,
            done=done,
            total=total,
        )
        await publish(self.redis, self.keys, event)

    def _owned(self, worker: str, fields: dict[str, Any]) -> Decide:
        return lambda j: fields if j.status == JobStatus.RUNNING and j.owner == worker else None

    async def succeed(self, claim: Claim, job: Job, worker: str, **results: Any) -> bool:
        """DONE with its results; False when `worker` no longer held the job."""
        done = await self.change(job, self._owned(worker, self._final(JobStatus.DONE, **results)))
        if done is None:
            return await self._settle_lost(claim, job)
        fault_point("worker.after_store")
        await self._finished(done, give_back=False)
        fault_point("worker.before_ack")
        await ack(self.redis, self.keys, claim)
        return True

    async def fail_or_retry(
        self,
        claim: Claim,
        job: Job,
        worker: str,
        reason: str,
        permanent: bool = False,
        kind: ErrorKind | None = None,
    ) -> JobStatus | None:
        """Another attempt after a back-off, or FAILED (dead-lettered, quota given back)
        when the attempts are spent or retrying cannot help; a failure's `kind` is kept on
        the record for the chat. None when `worker` no longer held the job."""
        current = await self.storage.jobs.get(job.id) or job
        if permanent or current.attempts >= self.policy.max_attempts:
            gave_up = await self._give_up(claim, current, worker, reason, kind)
            return JobStatus.FAILED if gave_up else None
        due = time.time() + self.policy.delay(current.attempts)
        fields = {
            "status": JobStatus.QUEUED,
            "owner": "",
            "lease_until": 0.0,
            "error": reason[:500],
            "retry_at": due,
            "queued_ts": due,
        }
        queued = await self.change(current, self._owned(worker, fields))
        if queued is None:
            await self._settle_lost(claim, job)
            return None
        await defer(self.redis, self.keys, claim, due)
        return JobStatus.QUEUED

    async def _give_up(
        self, claim: Claim, job: Job, worker: str, reason: str, kind: ErrorKind | None = None
    ) -> bool:
        now = time.time()

        def decide(j: Job) -> dict[str, Any] | None:
            mine = j.status == JobStatus.RUNNING and (j.owner == worker or j.lease_until < now)
            if not (mine or j.status == JobStatus.QUEUED):
                return None
            return self._final(JobStatus.FAILED, error=reason[:500], error_kind=kind)

        failed = await self.change(job, decide)
        if failed is None:
            await self._settle_lost(claim, job)
            return False
        await dead_letter(self.redis, self.keys, claim, reason)
        await self._finished(failed, give_back=True)
        return True

    async def stop_cancelled(self, claim: Claim, job: Job, worker: str) -> None:
        """The worker stopped a job its user cancelled while it ran."""
        cancelled = await self.change(job, self._owned(worker, self._final(JobStatus.CANCELLED)))
        if cancelled is None:
            await self._settle_lost(claim, job)
            return
        await self._finished(cancelled, give_back=False)
        await ack(self.redis, self.keys, claim)

    async def _settle_lost(self, claim: Claim, job: Job) -> bool:
        """The worker lost the job: a finished one's entry is done with, a job that
        another worker took over keeps its entry for that worker."""
        fresh = await self.storage.jobs.get(job.id)
        if fresh is None or fresh.status.finished:
            await ack(self.redis, self.keys, claim)
        return False

    async def release(self, jobs: list[Job], worker: str) -> None:
        """A worker stopping past its deadline gives its jobs up at once: their leases end
        now, so another worker takes them over without waiting for them to expire."""
        for job in jobs:
            await self.change(
                await self.storage.jobs.get(job.id), self._owned(worker, {"lease_until": 0.0})
            )


def _fresh_delivery() -> dict[str, Any]:
    return {
        "delivery_owner": "",
        "delivery_lease_until": 0.0,
        "delivery_due": 0.0,
        "delivery_tries": 0,
        "sent_status": False,
        "sent_album_ids": [],
        "sent_actions_id": None,
    }


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
