"""Every state-changing job action of the panel and the scheduler, behind one interface.

Views and scheduled tasks call a JobControl; only its implementation writes a job's
status. Today that is StreamJobControl, built on storage.jobs and the job streams;
the job lifecycle module will take its place behind the same interface.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from redis.asyncio import Redis

from jobs.events import publish
from jobs.messages import EventType, JobEvent, JobMessage
from jobs.names import Keys
from jobs.notices import Notice, NoticeKind, send_notice
from jobs.queue import JobQueue, QueueFull
from panel import audit
from storage.jobs import PANEL_CHAT_ID, Job
from storage.status import JobStatus
from storage.store import Storage

log = logging.getLogger(__name__)
RETRY_KEEPS = {
    "chat_id",
    "lang",
    "style",
    "count",
    "seed",
    "engine",
    "user_prompt",
    "model_prompt",
    "negative_prompt",
    "input_image_id",
    "label",
}


class ActionRefused(Exception):
    """The action cannot be done; `reason` names its text in locales (panel-refused-…)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ReapReport:
    failed: list[str] = field(default_factory=list)  # ids of the jobs the reaper ended


class JobControl(Protocol):
    async def submit(self, job: Job, actor: str) -> Job:
        """Records and queues a new job."""
        ...

    async def cancel(self, job_id: str, actor: str) -> None:
        """Cancels a queued job at once, a running one at its worker's next step."""
        ...

    async def retry(self, job_id: str, actor: str) -> str:
        """Queues a finished job again, as a new job with its parameters; the new id."""
        ...

    async def requeue_dead(self, entry_id: str, actor: str) -> str:
        """Puts a dead-lettered job back in the queue with fresh attempts; its job id."""
        ...

    async def redeliver(self, job_id: str, actor: str) -> None:
        """Sends a finished job's album to its chat again."""
        ...

    async def reap(self) -> ReapReport:
        """Fails the jobs that should long have finished, and tells their users."""
        ...


class StreamJobControl:
    def __init__(
        self, storage: Storage, redis: Redis, keys: Keys, queue: JobQueue, reap_after_s: float
    ) -> None:
        self._storage = storage
        self._redis = redis
        self._keys = keys
        self._queue = queue
        self._reap_after_s = reap_after_s

    async def submit(self, job: Job, actor: str) -> Job:
        await self._storage.jobs.create(job)
        try:
            entry_id = await self._queue.enqueue(JobMessage(job_id=job.id, chat_id=job.chat_id))
        except QueueFull:
            await self._storage.jobs.delete(job.id)
            raise ActionRefused("panel-refused-queue-full") from None
        await self._storage.jobs.update(job.id, entry_id=entry_id)
        await self._audit(actor, "submit", job.id)
        return job

    async def cancel(self, job_id: str, actor: str) -> None:
        job = await self._job(job_id)
        if job.status.finished:
            raise ActionRefused("panel-refused-finished")
        await self._queue.request_cancel(job.id)
        if await self._storage.jobs.cancel_queued(job.id):
            # A running job's worker reports its own cancellation.
            await self._event(job, EventType.CANCELLED)
        await self._audit(actor, "cancel", job.id)

    async def retry(self, job_id: str, actor: str) -> str:
        job = await self._job(job_id)
        if not job.status.finished:
            raise ActionRefused("panel-refused-unfinished")
        if job.images_expired:
            raise ActionRefused("panel-refused-expired")
        again = Job(**job.model_dump(include=RETRY_KEEPS), parent_job_id=job.id)
        await self.submit(again, actor)
        await self._audit(actor, "retry", f"{job.id} → {again.id}")
        return again.id

    async def requeue_dead(self, entry_id: str, actor: str) -> str:
        entries = await self._redis.xrange(self._keys.dead, entry_id, entry_id)
        if not entries:
            raise ActionRefused("panel-refused-no-dead-letter")
        message = JobMessage.from_fields(entries[0][1]).model_copy(update={"attempt": 1})
        job = await self._job(message.job_id)
        if not await self._storage.jobs.requeue(job.id):
            raise ActionRefused("panel-refused-unfinished")
        try:
            new_entry = await self._queue.enqueue(message)
        except QueueFull:
            await self._storage.jobs.finish(job.id, JobStatus.FAILED, error=job.error)
            raise ActionRefused("panel-refused-queue-full") from None
        await self._storage.jobs.update(job.id, entry_id=new_entry)
        await self._redis.xdel(self._keys.dead, entry_id)
        await self._audit(actor, "requeue", job.id)
        return job.id

    async def redeliver(self, job_id: str, actor: str) -> None:
        job = await self._job(job_id)
        if job.status != JobStatus.DONE or job.chat_id == PANEL_CHAT_ID:
            raise ActionRefused("panel-refused-nothing-to-send")
        if job.images_expired:
            raise ActionRefused("panel-refused-expired")
        notice = Notice(kind=NoticeKind.RESEND, chat_id=job.chat_id, job_id=job.id)
        await send_notice(self._redis, self._keys, notice)
        await self._audit(actor, "resend", job.id)

    async def reap(self) -> ReapReport:
        before = datetime.now(UTC) - timedelta(seconds=self._reap_after_s)
        failed = []
        for job in await self._storage.jobs.unfinished_before(before):
            # A worker that still holds it drops it at its next step.
            await self._queue.request_cancel(job.id)
            error = f"unfinished {self._reap_after_s:.0f} s after it was made; ended by the reaper"
            if await self._storage.jobs.finish(job.id, JobStatus.FAILED, error=error):
                await self._event(job, EventType.FAILED)
                failed.append(job.id)
        if failed:
            log.warning("reaper failed %d jobs: %s", len(failed), ", ".join(failed))
            await self._audit("scheduler", "reap", ", ".join(failed))
        return ReapReport(failed)

    async def _job(self, job_id: str) -> Job:
        job = await self._storage.jobs.get(job_id)
        if job is None:
            raise ActionRefused("panel-refused-no-job")
        return job

    async def _event(self, job: Job, kind: EventType) -> None:
        await publish(
            self._redis, self._keys, JobEvent(type=kind, job_id=job.id, chat_id=job.chat_id)
        )

    async def _audit(self, actor: str, action: str, target: str) -> None:
        log.info("%s: %s %s", actor, action, target)
        await audit.record(self._redis, self._keys, actor, action, target)
