"""Typed messages carried by the streams. Everything else about a job lives in MongoDB;
a final event may carry a copy of the record, which MongoDB's own still overrides."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel

from storage.status import Stage

if TYPE_CHECKING:
    from storage.jobs import Job


class JobMessage(BaseModel):
    """One entry of the jobs stream: enough to find the job. Its attempts are counted on
    the job's record, which outlives the entry. `photo_id`, the job's input image (which
    never changes), lets a worker read the photo while it reads the record; `record`, a
    copy of the record as it was queued (JSON), lets it start the job without reading it
    (the start's compare-and-set finds a record changed since). An entry without them
    (an older one, or a retry put back) is served all the same."""

    job_id: str
    chat_id: int
    photo_id: str = ""
    record: str = ""

    @classmethod
    def of(cls, job: Job) -> JobMessage:
        return cls(
            job_id=job.id,
            chat_id=job.chat_id,
            photo_id=job.input_image_id,
            record=job.model_dump_json(),
        )

    def to_fields(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump().items() if v != ""}

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> JobMessage:
        return cls.model_validate(fields)


class EventType(StrEnum):
    PROGRESS = "progress"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class JobEvent(BaseModel):
    """One entry of the events stream, read by the bot's notifier."""

    type: EventType
    job_id: str
    chat_id: int
    stage: Stage | None = None
    done: int = 0
    total: int = 0
    # A progress event's status message and language: the notifier edits the message
    # without reading the job's record, and reads it only when the worker's copy had no
    # message yet (a job is queued before its status message is posted).
    status_message_id: int | None = None
    lang: str | None = None
    # When the job was queued: a step is not shown within a second of that either (see
    # the notifier).
    queued_at: float | None = None
    # A final event's job record (JSON) as its transition wrote it: the notifier starts
    # from it without reading it again; its compare-and-set finds a record changed since.
    record: str | None = None

    def to_fields(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump(exclude_none=True).items()}

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> JobEvent:
        return cls.model_validate(fields)
