"""The photos a worker read lately, kept for its next use of the same photo.

One upload is read by a worker up to three times within a minute (for its product's
category, for a cut-out preview, for its job), and a content manager asks for more of
the same photo (Regenerate, More like this, another style): each use would read the
original from GridFS again, megabytes on the job's path. A stored image never changes
under its id, so a copy kept here is always right. Kept for minutes at most: a photo
deleted meanwhile (/forget, retention) has no job left to ask for it, and leaves the
worker's memory with its time.
"""

from __future__ import annotations

import asyncio

from cachetools import TTLCache
from PIL import Image

from inference.worker.images import decode_image
from inference.worker.metrics import PHOTOS_READ
from storage.images import ImageStore

# About a dozen phone photos, kept as stored: decoded copies would take ten times the
# memory, and an engine may change the image it is given.
KEPT_BYTES = 64 * 2**20
KEPT_S = 600.0


class RecentOriginals:
    def __init__(
        self, images: ImageStore, capacity: int = KEPT_BYTES, keep_s: float = KEPT_S
    ) -> None:
        self._images = images
        # Bounded by bytes and by age; cachetools rather than our own: functools' cache
        # counts entries only, and neither expires.
        self._kept: TTLCache[str, bytes] = TTLCache(capacity, keep_s, getsizeof=len)

    async def read(self, image_id: str) -> bytes:
        """The stored image's bytes (ImageNotFound when there is none)."""
        data = self._kept.get(image_id)
        if data is not None:
            PHOTOS_READ.labels(source="kept").inc()
            return data
        data = await self._images.get(image_id)
        PHOTOS_READ.labels(source="gridfs").inc()
        if len(data) <= self._kept.maxsize:
            self._kept[image_id] = data
        return data

    async def decoded(self, image_id: str) -> Image.Image:
        """The photo decoded to its real tones, off the event loop."""
        return await asyncio.to_thread(decode_image, await self.read(image_id))
