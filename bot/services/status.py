"""The texts of a job's status message, and of why a job was not taken: rendered here only."""

from __future__ import annotations

from jobs.lifecycle import Refused
from jobs.messages import JobEvent
from locales import Translator
from storage.jobs import Job
from storage.status import JobStatus, Stage

FINAL_TEXTS = {
    JobStatus.DONE: "status-done",
    JobStatus.FAILED: "status-failed",
    JobStatus.CANCELLED: "status-cancelled",
}
REFUSALS = {"quota": "error-quota", "busy": "error-busy", "queue-full": "error-queue-full"}


def queued_text(t: Translator, position: int) -> str:
    return (
        t.get("status-queued", position=position) if position > 1 else t.get("status-queued-next")
    )


def progress_text(t: Translator, event: JobEvent) -> str:
    if event.stage == Stage.PAINTING:
        return t.get("status-painting", done=event.done, total=event.total)
    if event.stage == Stage.SAVING:
        return t.get("status-saving")
    if event.stage == Stage.CUTTING:
        return t.get("status-cutting")
    return queued_text(t, 1)


def final_text(t: Translator, job: Job) -> str:
    """What the status message says once the job has finished."""
    return t.get(FINAL_TEXTS[job.status])


def refusal_text(t: Translator, refusal: Refused) -> str:
    return t.get(REFUSALS[refusal.reason], limit=refusal.limit)
