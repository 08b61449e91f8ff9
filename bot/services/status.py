"""The texts of a job's status message, rendered here only."""

from __future__ import annotations

from jobs.messages import JobEvent
from locales import Translator
from storage.status import Stage


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
