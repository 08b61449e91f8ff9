"""Image bytes in GridFS: the users' originals and every result.

Files are written and read in GridFS's own layout (any GridFS tool reads and deletes
them), but not through pymongo's bucket for those two steps: the bucket writes one file
at a time, each in two commands (its chunks, then its files document), and reads one in
two (the files document, then its chunks). An album and its mask are written together
in two commands whatever their number, and a file is read in one, off its chunks: its
files document is written only after all its chunks, and an image id is handed out only
after that, so the chunks of an id anyone holds are all there (until it is deleted: a
read then finds none, or a gap where the chunks are being removed).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bson import Int64, ObjectId
from bson.errors import InvalidId
from gridfs import DEFAULT_CHUNK_SIZE, AsyncGridFSBucket, NoFile
from pymongo.asynchronous.database import AsyncDatabase

BUCKET = "images"


@dataclass(frozen=True)
class NewImage:
    """One file to store: its bytes, its name, and metadata to find it by."""

    data: bytes
    filename: str
    metadata: dict[str, Any] = field(default_factory=dict)


class ImageNotFound(LookupError):
    pass


class ImageStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self._bucket = AsyncGridFSBucket(db, bucket_name=BUCKET)
        self._files = db[f"{BUCKET}.files"]
        self._chunks = db[f"{BUCKET}.chunks"]

    async def put(self, data: bytes, filename: str, **metadata: Any) -> str:
        return (await self.put_many([NewImage(data, filename, metadata)]))[0]

    async def put_many(self, images: list[NewImage]) -> list[str]:
        """Stores the images together, all chunks in one command and all files documents
        in another, sent side by side; their ids, in order. The bucket's indexes are made
        at start-up (`storage.indexes`), so no write here checks them (pymongo's bucket
        does, before every file: on nx-27017 a scan of every stored file)."""
        if not images:
            return []  # an empty insert is an error to MongoDB's drivers
        ids = [ObjectId() for _ in images]
        chunks = [
            {"files_id": file_id, "n": n, "data": image.data[at : at + DEFAULT_CHUNK_SIZE]}
            for file_id, image in zip(ids, images, strict=True)
            for n, at in enumerate(range(0, len(image.data), DEFAULT_CHUNK_SIZE))
        ]
        now = datetime.now(UTC)
        files = [
            {
                "_id": file_id,
                "filename": image.filename,
                "metadata": image.metadata,
                "chunkSize": DEFAULT_CHUNK_SIZE,
                "length": Int64(len(image.data)),
                "uploadDate": now,
            }
            for file_id, image in zip(ids, images, strict=True)
        ]
        # Side by side, in one round trip's time: no reader knows these ids before the
        # caller records them, so a files document is never read before its chunks are
        # there. When one half fails, the other is deleted.
        written = await asyncio.gather(
            *([self._chunks.insert_many(chunks)] if chunks else []),
            self._files.insert_many(files),
            return_exceptions=True,
        )
        failure = next((w for w in written if isinstance(w, BaseException)), None)
        if failure is not None:
            with contextlib.suppress(Exception):
                await self.delete_many(str(file_id) for file_id in ids)
            raise failure
        return [str(file_id) for file_id in ids]

    async def get(self, image_id: str) -> bytes:
        try:
            file_id = ObjectId(image_id)
        except InvalidId:
            raise ImageNotFound(image_id) from None
        cursor = self._chunks.find({"files_id": file_id}, projection={"n": 1, "data": 1})
        chunks = [c async for c in cursor.sort("n", 1)]
        if not chunks:  # no such file, or an empty one: its files document says which
            return await self._get_by_bucket(file_id)
        if [c["n"] for c in chunks] != list(range(len(chunks))):
            raise ImageNotFound(f"{image_id}: chunks missing (being deleted?)")
        return b"".join(c["data"] for c in chunks)

    async def _get_by_bucket(self, file_id: ObjectId) -> bytes:
        try:
            stream = await self._bucket.open_download_stream(file_id)
        except NoFile:
            raise ImageNotFound(str(file_id)) from None
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
