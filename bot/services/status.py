"""The texts of a job's status message, and of why a job was not taken: rendered here only."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from jobs.lifecycle import Refused
from jobs.messages import JobEvent
from keyboards import builders
from locales import Translator
from storage.jobs import ErrorKind, Job
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
    if _unsure_cutout(job):
        return t.get("status-unsure-cutout")
    return t.get(FINAL_TEXTS[job.status])


def final_markup(t: Translator, job: Job) -> InlineKeyboardMarkup | None:
    """The buttons under a finished job's status message: the cut-out check when its
    product could not be cut out, so that no album of wrong images is ever the answer."""
    return builders.cutout_check(t, job.id) if _unsure_cutout(job) else None


def _unsure_cutout(job: Job) -> bool:
    return job.status == JobStatus.FAILED and job.error_kind == ErrorKind.UNSURE_CUTOUT


def refusal_text(t: Translator, refusal: Refused) -> str:
    return t.get(REFUSALS[refusal.reason], limit=refusal.limit)
