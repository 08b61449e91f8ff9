"""Image bytes in GridFS: the users' originals and every result."""

from __future__ import annotations

import contextlib
from typing import Any

from bson import ObjectId
from gridfs import AsyncGridFSBucket, NoFile
from pymongo.asynchronous.database import AsyncDatabase

BUCKET = "images"


class ImageNotFound(LookupError):
    pass


class ImageStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self._bucket = AsyncGridFSBucket(db, bucket_name=BUCKET)

    async def put(self, data: bytes, filename: str, **metadata: Any) -> str:
        file_id = await self._bucket.upload_from_stream(filename, data, metadata=metadata)
        return str(file_id)

    async def get(self, image_id: str) -> bytes:
        try:
            stream = await self._bucket.open_download_stream(ObjectId(image_id))
        except NoFile:
            raise ImageNotFound(image_id) from None
        return await stream.read()

    async def find_ids(self, metadata: dict[str, Any]) -> list[str]:
        """Ids of the images whose metadata matches, e.g. {"chat_id": 5}."""
        query = {f"metadata.{key}": value for key, value in metadata.items()}
        return [str(grid_out._id) async for grid_out in self._bucket.find(query)]

    async def delete(self, image_id: str) -> None:
        with contextlib.suppress(NoFile):
            await self._bucket.delete(ObjectId(image_id))
