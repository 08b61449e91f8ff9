"""Image bytes in GridFS: the users' originals and every result."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId
from gridfs import AsyncGridFSBucket, NoFile
from pymongo.asynchronous.database import AsyncDatabase

BUCKET = "images"


class ImageNotFound(LookupError):
    pass


class ImageStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self._bucket = AsyncGridFSBucket(db, bucket_name=BUCKET)
        self._files = db[f"{BUCKET}.files"]

    async def put(self, data: bytes, filename: str, **metadata: Any) -> str:
        upload = self._bucket.open_upload_stream(filename, metadata=metadata)
        # pymongo checks the bucket's indexes before every file (a query on each of its two
        # collections, and on nx-27017 also a createIndexes and a scan of every stored file:
        # 10–25 ms per image). They are created at start-up (`storage.indexes`); a test
        # watches the commands an upload sends, so a pymongo that renames this flag shows.
        object.__setattr__(upload, "_ensured_index", True)
        async with upload:
            await upload.write(data)
        return str(upload._id)

    async def get(self, image_id: str) -> bytes:
        try:
            stream = await self._bucket.open_download_stream(ObjectId(image_id))
        except (NoFile, InvalidId):
            raise ImageNotFound(image_id) from None
        return await stream.read()

    async def delete(self, image_id: str) -> None:
        with contextlib.suppress(NoFile, InvalidId):
            await self._bucket.delete(ObjectId(image_id))

    async def delete_many(self, image_ids: Iterable[str]) -> int:
        deleted = 0
        for image_id in image_ids:
            try:
                await self._bucket.delete(ObjectId(image_id))
            except (NoFile, InvalidId):
                continue
            deleted += 1
        return deleted

    async def count(self) -> int:
        # GridFS files are counted from collection metadata: no scan on MongoDB, and
        # nx-27017 cannot count_documents on a GridFS collection.
        return await self._files.estimated_document_count()

    async def ids(self, **metadata: Any) -> list[str]:
        """Ids of the images whose metadata has these values (equality only: nx-27017)."""
        match = {f"metadata.{k}": v for k, v in metadata.items()}
        return [str(d["_id"]) async for d in self._files.find(match)]

    async def uploaded_before(self, before: datetime, **metadata: Any) -> AsyncIterator[str]:
        """Ids of images uploaded before `before`, read off their ObjectIds (nx-27017 keeps
        `uploadDate` as text and cannot compare ids, so the filter is done here)."""
        match = {f"metadata.{k}": v for k, v in metadata.items()}
        async for doc in self._files.find(match):
            if doc["_id"].generation_time < before:
                yield str(doc["_id"])
