"""The repositories of one database, opened together."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo import AsyncMongoClient

from storage.chats import ChatRepo
from storage.images import ImageStore
from storage.indexes import ensure_indexes
from storage.jobs import JobRepo
from storage.mongo import connect


@dataclass(frozen=True)
class Forgotten:
    """What forget_chat removed."""

    chats: int
    jobs: int
    images: int


@dataclass
class Storage:
    client: AsyncMongoClient
    chats: ChatRepo
    jobs: JobRepo
    images: ImageStore

    @classmethod
    async def open(cls, url: str, db_name: str) -> Storage:
        client = connect(url)
        db = client[db_name]
        await ensure_indexes(db)
        return cls(client, ChatRepo(db["chats"]), JobRepo(db["jobs"]), ImageStore(db))

    async def forget_chat(self, chat_id: int) -> Forgotten:
        """Deletes everything kept about a chat: its record, its jobs, and every image it
        sent or was made for it (the admin panel's "Delete data", and /forget)."""
        image_ids = set(await self.images.ids(chat_id=chat_id))
        skip, page = 0, 500
        while jobs := await self.jobs.for_chat(chat_id, skip, page):
            for job in jobs:
                image_ids.update([job.input_image_id, *job.result_image_ids])
                image_ids.update([job.mask_image_id] if job.mask_image_id else [])
            skip += len(jobs)
        images = await self.images.delete_many(sorted(image_ids))
        jobs_deleted = await self.jobs.delete_for_chat(chat_id)
        chats = await self.chats.delete(chat_id)
        return Forgotten(chats=chats, jobs=jobs_deleted, images=images)

    async def close(self) -> None:
        await self.client.close()
