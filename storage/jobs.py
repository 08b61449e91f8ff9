"""Jobs: what was asked, where it stands, which images it made, and what reached the chat.

A job's record is the source of truth of its life. Its status changes only through
`jobs/lifecycle.py`, by compare-and-set on `rev` (`JobRepo.swap`): a transition applies
only to the revision it was decided on, so two processes never both move a job, and a
step repeated after a crash finds the job already moved. Compare-and-set rather than
a filter on the from-state with `$or`: the embedded MongoDB-protocol server mis-applies
`$or` in updates. Times that are queried (leases, due times) are epoch seconds, which
that server also stores faithfully in updates.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from catalog.cutouts import CutoutChoice
from storage.status import JobStatus

# Jobs made in the panel's "Try it" belong to this chat id, which no Telegram chat has.
PANEL_CHAT_ID = 0
UNFINISHED = [JobStatus.QUEUED, JobStatus.RUNNING]


def _now() -> datetime:
    return datetime.now(UTC)


class Delivery(StrEnum):
    """Whether a finished job's outcome still has to reach its chat (the outbox)."""

    NONE = ""  # not finished yet
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"  # Telegram refused for good (blocked, chat gone) or tries spent


class ErrorKind(StrEnum):
    """Why a failed job failed, where the chat says something particular about it."""

    UNSURE_CUTOUT = "unsure_cutout"  # no method could cut the product out believably


class Job(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(default_factory=lambda: uuid.uuid4().hex, alias="_id")
    chat_id: int
    user_id: int | None = None  # the Telegram user who asked: quota is counted per user too
    lang: str
    style: str
    count: int
    seed: int
    engine: str | None = None  # None: the worker's default
    user_prompt: str | None = None  # what the user wrote, in their language
    model_prompt: str | None = None  # the English prompt given to the model
    negative_prompt: str | None = None
    input_image_id: str
    result_image_ids: list[str] = Field(default_factory=list)
    # The results as the album's photos (`storage.renditions`), in the same order; empty
    # for a job finished before they were stored.
    album_image_ids: list[str] = Field(default_factory=list)
    mask_image_id: str | None = None
    label: str | None = None
    cutout: CutoutChoice = CutoutChoice.AUTO  # how the user asked the product to be cut out
    # Why the automatic cut-out was not sure of the product's outline, when it was not
    # (log language; the chat shows its own hint): the album went out all the same.
    cutout_doubt: str | None = None
    parent_job_id: str | None = None
    status: JobStatus = JobStatus.QUEUED
    rev: int = 0  # bumped by every change of the record: compare-and-set
    status_message_id: int | None = None
    # The bot posting its status message (its name, for its heartbeat), while the message
    # is on its way to the chat: the job is queued first, and the message's id is noted
    # on the record once Telegram has answered (a copy of the record taken meanwhile, the
    # worker's, has no id: read the record for it).
    status_posting: str = ""
    position: int | None = None  # the queue position its status message shows
    attempts: int = 0  # attempts started, crashed ones included
    error: str | None = None
    error_kind: ErrorKind | None = None  # set with a failure the chat explains in its own way
    quota_day: str = ""  # the UTC day whose quota it took ("": none taken)
    owner: str = ""  # the worker running it
    lease_until: float = 0.0  # epoch s; a running job's owner extends it while it paints
    queued_ts: float = Field(default_factory=time.time)  # when it last entered the queue
    retry_at: float = 0.0  # a retried job waits for its back-off until then
    finished_ts: float = 0.0
    delivery: Delivery = Delivery.NONE
    delivery_owner: str = ""  # the notifier sending it
    delivery_lease_until: float = 0.0
    delivery_due: float = 0.0  # not before then (after Telegram asked to wait)
    delivery_tries: int = 0
    sent_status: bool = False  # the status message shows the outcome
    sent_album_ids: list[int] = Field(default_factory=list)
    sent_actions_id: int | None = None  # the "What next?" message under the album
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    worker: str | None = None  # the worker that took it last
    painted_at: datetime | None = None  # the engine had made its images
    delivered_at: datetime | None = None  # the album reached the chat
    timings: dict[str, float] = Field(default_factory=dict)  # seconds per stage
    images_expired: bool = False  # retention removed its images; the record stays

    def to_doc(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)

    def made_image_ids(self) -> list[str]:
        """The images the job made that its record points at: results, their album photos
        and its mask (its photo is the user's, and may serve other jobs)."""
        mask = [self.mask_image_id] if self.mask_image_id else []
        return [*self.result_image_ids, *self.album_image_ids, *mask]


def _compare_and_set(job: Job, fields: dict[str, Any]) -> tuple[dict, dict]:
    stored = {k: str(v) if isinstance(v, StrEnum) else v for k, v in fields.items()}
    changes = {**stored, "rev": job.rev + 1, "updated_at": _now()}
    return {"_id": job.id, "rev": job.rev}, {"$set": changes}


class JobRepo:
    def __init__(self, collection: AsyncCollection) -> None:
        self._col = collection

    async def create(self, job: Job) -> Job:
        await self._col.insert_one(job.to_doc())
        return job

    async def get(self, job_id: str) -> Job | None:
        doc = await self._col.find_one({"_id": job_id})
        return Job.model_validate(doc) if doc else None

    async def swap(self, job: Job, **fields: Any) -> Job | None:
        """Writes `fields` only if the record is still at `job.rev`; the new record, or
        None when another process changed it first (read it again and decide again)."""
        filter_, changes = _compare_and_set(job, fields)
        result = await self._col.update_one(filter_, changes)
        if result.modified_count != 1:
            return None
        return job.model_copy(update={**fields, "rev": job.rev + 1})

    async def swap_and_read(self, job: Job, **fields: Any) -> Job | None:
        """`swap` in the same one round trip, returning the record as stored: with what
        was noted on it meanwhile (`note`), which a copy of the record does not know."""
        filter_, changes = _compare_and_set(job, fields)
        doc = await self._col.find_one_and_update(
            filter_, changes, return_document=ReturnDocument.AFTER
        )
        return Job.model_validate(doc) if doc else None

    async def note(self, job_id: str, **fields: Any) -> None:
        """Informational fields (queue position, stream entry) that decide nothing."""
        if {"status", "rev", "delivery", "owner"} & fields.keys():
            raise ValueError("a job's status changes only through jobs.lifecycle")
        await self._col.update_one({"_id": job_id}, {"$set": fields})

    async def queued(self, limit: int) -> list[Job]:
        cursor = self._col.find({"status": JobStatus.QUEUED}).sort("created_at", 1)
        return [Job.model_validate(d) async for d in cursor.limit(limit)]

    async def in_status(self, status: JobStatus, limit: int = 1000) -> list[Job]:
        cursor = self._col.find({"status": status}).sort("queued_ts", 1)
        return [Job.model_validate(d) async for d in cursor.limit(limit)]

    async def to_deliver(self, now: float, limit: int) -> list[Job]:
        """Finished jobs whose outcome has not reached the chat, due and not leased now."""
        query = {
            "delivery": Delivery.PENDING,
            "delivery_due": {"$lte": now},
            "delivery_lease_until": {"$lt": now},
        }
        cursor = self._col.find(query).sort("finished_ts", 1)
        return [Job.model_validate(d) async for d in cursor.limit(limit)]

    async def for_chat(self, chat_id: int, skip: int, limit: int) -> list[Job]:
        cursor = self._col.find({"chat_id": chat_id}).sort("created_at", -1).skip(skip)
        return [Job.model_validate(d) async for d in cursor.limit(limit)]

    async def count_for_chat(self, chat_id: int) -> int:
        return await self._col.count_documents({"chat_id": chat_id})

    async def count_since(self, since: datetime, **match: Any) -> int:
        return await self._col.count_documents({"created_at": {"$gte": since}, **match})

    async def recent(self, since: datetime, limit: int = 10_000) -> list[Job]:
        cursor = self._col.find({"created_at": {"$gte": since}}).sort("created_at", -1)
        return [Job.model_validate(d) async for d in cursor.limit(limit)]

    async def page(self, skip: int, limit: int, **match: Any) -> list[Job]:
        cursor = self._col.find(match).sort("created_at", -1).skip(skip).limit(limit)
        return [Job.model_validate(d) async for d in cursor]

    async def count(self, **match: Any) -> int:
        return await self._col.count_documents(match)

    async def rows(self, since: datetime, fields: list[str], limit: int = 100_000) -> list[dict]:
        """Only the named fields of the jobs created since `since`, for statistics."""
        cursor = self._col.find({"created_at": {"$gte": since}}, projection=fields)
        return [d async for d in cursor.limit(limit)]

    async def outcomes_since(self, since: datetime) -> dict[JobStatus, int]:
        """Done and failed jobs among those created since `since` (by creation time, which
        is written once: nx-27017 cannot compare times that an update wrote)."""
        counts = {}
        for status in (JobStatus.DONE, JobStatus.FAILED):
            match = {"status": status, "created_at": {"$gte": since}}
            counts[status] = await self._col.count_documents(match)
        return counts

    async def holding_images(self, before: datetime, limit: int) -> list[Job]:
        """Jobs created before `before` whose images retention has not yet removed."""
        match = {"created_at": {"$lt": before}, "images_expired": {"$ne": True}}
        cursor = self._col.find(match).sort("created_at", 1).limit(limit)
        return [Job.model_validate(d) async for d in cursor]

    async def inputs_in_use(self, image_ids: list[str]) -> set[str]:
        """Which of these photos a job whose images are kept still uses."""
        match = {"input_image_id": {"$in": image_ids}, "images_expired": {"$ne": True}}
        cursor = self._col.find(match, projection=["input_image_id"])
        return {d["input_image_id"] async for d in cursor}

    async def mark_images_expired(self, job_id: str) -> None:
        await self._col.update_one({"_id": job_id}, {"$set": {"images_expired": True}})

    async def delete_for_chat(self, chat_id: int) -> int:
        return (await self._col.delete_many({"chat_id": chat_id})).deleted_count

    async def all_for_chat(self, chat_id: int) -> list[Job]:
        return [Job.model_validate(d) async for d in self._col.find({"chat_id": chat_id})]

    async def delete(self, job_id: str) -> None:
        await self._col.delete_one({"_id": job_id})
