"""Every job action of the panel and the scheduler: through the lifecycle, into the audit log.

`jobs.lifecycle` is the only code that moves a job between states; this wraps the
actions an admin takes (and the scheduler's reaper) with what the panel needs around
them: a refusal the admin can read, and a line in the audit log.
"""

from __future__ import annotations

import logging

from redis.asyncio import Redis

from jobs.lifecycle import Cancel, Lifecycle, Refused
from jobs.names import Keys
from jobs.reaper import Report
from panel import audit
from storage.jobs import PANEL_CHAT_ID, Job
from storage.status import JobStatus

log = logging.getLogger(__name__)
# The panel's "Try it" jobs are an admin's: no daily quota, only the queue's limits.
TRY_IT_QUOTA = 1_000_000
REFUSALS = {
    "queue-full": "panel-refused-queue-full",
    "busy": "panel-refused-busy",
    "quota": "panel-refused-busy",
}
CANCEL_REFUSALS = {
    Cancel.TOO_LATE: "panel-refused-finished",
    Cancel.MISSING: "panel-refused-no-job",
}


class ActionRefused(Exception):
    """The action cannot be done; `reason` names its text in locales (panel-refused-…)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class JobControl:
    def __init__(self, lifecycle: Lifecycle, redis: Redis, keys: Keys) -> None:
        self._lifecycle = lifecycle
        self._redis = redis
        self._keys = keys

    async def submit(self, job: Job, actor: str) -> Job:
        """Records and queues a "Try it" job; it has no chat, so no status message."""
        try:
            queued = await self._lifecycle.submit(
                job, user_id=PANEL_CHAT_ID, quota_limit=TRY_IT_QUOTA
            )
        except Refused as refused:
            raise ActionRefused(REFUSALS[refused.reason]) from None
        await self._audit(actor, "submit", queued.id)
        return queued

    async def cancel(self, job_id: str, actor: str) -> None:
        """Cancels a queued job at once, a running one at its worker's next step."""
        outcome = await self._lifecycle.cancel(job_id)
        if outcome in CANCEL_REFUSALS:
            raise ActionRefused(CANCEL_REFUSALS[outcome])
        await self._audit(actor, "cancel", job_id)

    async def retry(self, job_id: str, actor: str) -> str:
        """Queues a failed or cancelled job again, with fresh attempts; its id."""
        await self._retryable(job_id)
        if await self._lifecycle.retry(job_id) is None:
            raise ActionRefused("panel-refused-unfinished")
        await self._audit(actor, "retry", job_id)
        return job_id

    async def requeue_dead(self, job_id: str, actor: str) -> str:
        """Puts a dead-lettered job back in the queue with fresh attempts; its id."""
        await self._retryable(job_id)
        if await self._lifecycle.requeue_dead(job_id) is None:
            raise ActionRefused("panel-refused-unfinished")
        await self._audit(actor, "requeue", job_id)
        return job_id

    async def redeliver(self, job_id: str, actor: str) -> None:
        """Sends a finished job's album to its chat again (through the notifier's outbox)."""
        job = await self._job(job_id)
        if job.status != JobStatus.DONE or job.chat_id == PANEL_CHAT_ID:
            raise ActionRefused("panel-refused-nothing-to-send")
        if job.images_expired:
            raise ActionRefused("panel-refused-expired")
        if not await self._lifecycle.redeliver(job_id):
            raise ActionRefused("panel-refused-nothing-to-send")
        await self._audit(actor, "resend", job_id)

    async def reap(self) -> Report | None:
        """The lifecycle's reaper (None when another process is reaping now)."""
        report = await self._lifecycle.reap()
        if report is not None and (report.requeued or report.failed):
            target = f"requeued {', '.join(report.requeued)}; failed {', '.join(report.failed)}"
            await self._audit("scheduler", "reap", target)
        return report

    async def _retryable(self, job_id: str) -> Job:
        job = await self._job(job_id)
        if not job.status.finished:
            raise ActionRefused("panel-refused-unfinished")
        if job.images_expired:
            raise ActionRefused("panel-refused-expired")
        return job

    async def _job(self, job_id: str) -> Job:
        job = await self._lifecycle.storage.jobs.get(job_id)
        if job is None:
            raise ActionRefused("panel-refused-no-job")
        return job

    async def _audit(self, actor: str, action: str, target: str) -> None:
        log.info("%s: %s %s", actor, action, target)
        await audit.record(self._redis, self._keys, actor, action, target)
