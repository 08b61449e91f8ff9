"""Jobs: what was asked, where it stands, and which images it made."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pymongo.asynchronous.collection import AsyncCollection

from storage.status import JobStatus

# Jobs made in the panel's "Try it" belong to this chat id, which no Telegram chat has.
PANEL_CHAT_ID = 0
UNFINISHED = [JobStatus.QUEUED, JobStatus.RUNNING]


def _now() -> datetime:
    return datetime.now(UTC)


class Job(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(default_factory=lambda: uuid.uuid4().hex, alias="_id")
    chat_id: int
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
    mask_image_id: str | None = None
    label: str | None = None
    parent_job_id: str | None = None
    status: JobStatus = JobStatus.QUEUED
    status_message_id: int | None = None
    entry_id: str | None = None  # in the jobs stream, for its queue position
    position: int | None = None  # the queue position its status message shows
    attempts: int = 0
    error: str | None = None
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


class JobRepo:
    def __init__(self, collection: AsyncCollection) -> None:
        self._col = collection

    async def create(self, job: Job) -> Job:
        await self._col.insert_one(job.to_doc())
        return job

    async def get(self, job_id: str) -> Job | None:
        doc = await self._col.find_one({"_id": job_id})
        return Job.model_validate(doc) if doc else None

    async def update(self, job_id: str, **fields: Any) -> None:
        await self._col.update_one({"_id": job_id}, {"$set": {**fields, "updated_at": _now()}})

    async def start(self, job_id: str, attempt: int, worker: str | None = None) -> Job | None:
        """Marks a queued (or retried) job running; None if it was cancelled or finished."""
        now = _now()
        fields = {"status": JobStatus.RUNNING, "attempts": attempt, "started_at": now}
        doc = await self._col.find_one_and_update(
            {"_id": job_id, "status": {"$in": UNFINISHED}},
            {"$set": {**fields, "updated_at": now, **({"worker": worker} if worker else {})}},
            return_document=True,
        )
        return Job.model_validate(doc) if doc else None

    async def finish(self, job_id: str, status: JobStatus, **fields: Any) -> bool:
        """Moves an unfinished job to a final status; False if it had already finished."""
        now = _now()
        result = await self._col.update_one(
            {"_id": job_id, "status": {"$in": UNFINISHED}},
            {"$set": {**fields, "status": status, "finished_at": now, "updated_at": now}},
        )
        return result.modified_count == 1

    async def requeue(self, job_id: str) -> bool:
        """Moves a failed or cancelled job back to queued; False if it is not finished so."""
        result = await self._col.update_one(
            {"_id": job_id, "status": {"$in": [JobStatus.FAILED, JobStatus.CANCELLED]}},
            {"$set": {"status": JobStatus.QUEUED, "error": None, "updated_at": _now()}},
        )
        return result.modified_count == 1

    async def cancel_queued(self, job_id: str) -> bool:
        """Cancels a job no worker has started; False if it is running or finished."""
        now = _now()
        result = await self._col.update_one(
            {"_id": job_id, "status": JobStatus.QUEUED},
            {"$set": {"status": JobStatus.CANCELLED, "finished_at": now, "updated_at": now}},
        )
        return result.modified_count == 1

    async def queued(self, limit: int) -> list[Job]:
        cursor = self._col.find({"status": JobStatus.QUEUED}).sort("created_at", 1)
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

    async def stale_running(self, before: datetime) -> list[Job]:
        cursor = self._col.find({"status": JobStatus.RUNNING, "updated_at": {"$lt": before}})
        return [Job.model_validate(d) async for d in cursor]

    async def unfinished_before(self, before: datetime, limit: int = 1000) -> list[Job]:
        """Jobs created before `before` that have not finished."""
        match = {"status": {"$in": UNFINISHED}, "created_at": {"$lt": before}}
        return [Job.model_validate(d) async for d in self._col.find(match).limit(limit)]

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

    async def older_than(self, before: datetime) -> list[Job]:
        cursor = self._col.find({"created_at": {"$lt": before}})
        return [Job.model_validate(d) async for d in cursor]

    async def all_for_chat(self, chat_id: int) -> list[Job]:
        return [Job.model_validate(d) async for d in self._col.find({"chat_id": chat_id})]

    async def delete(self, job_id: str) -> None:
        await self._col.delete_one({"_id": job_id})
