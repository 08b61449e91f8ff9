"""The repositories of one database, opened together."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo import AsyncMongoClient

from storage.chats import ChatRepo
from storage.images import ImageStore
from storage.indexes import ensure_indexes
from storage.jobs import JobRepo
from storage.mongo import connect


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

    async def ping(self) -> None:
        """Raises when MongoDB cannot be reached (within the client's operation timeout)."""
        await self.client.admin.command("ping")

    async def close(self) -> None:
        await self.client.close()
