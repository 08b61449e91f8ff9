"""The photos a worker keeps after reading them: the same bytes as stored, within a
bound of bytes and of age, read again once out of it."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY

from inference.worker.originals import RecentOriginals
from storage.images import ImageNotFound, ImageStore
from storage.store import Storage


class CountedImages:
    """The real store, counting its reads."""

    def __init__(self, store: ImageStore) -> None:
        self._store = store
        self.reads = 0

    async def put(self, data: bytes, filename: str) -> str:
        return await self._store.put(data, filename)

    async def get(self, image_id: str) -> bytes:
        self.reads += 1
        return await self._store.get(image_id)


def photos_read(source: str) -> float:
    name = "vitrina_worker_photos_read_total"
    return REGISTRY.get_sample_value(name, {"source": source}) or 0.0


async def test_a_photo_kept_is_the_stored_bytes_read_once(storage: Storage):
    images = CountedImages(storage.images)
    photo = await images.put(b"\x89PNG photo bytes", "original.png")
    originals = RecentOriginals(images)
    kept, stored = photos_read("kept"), photos_read("gridfs")
    assert [await originals.read(photo) for _ in range(3)] == [b"\x89PNG photo bytes"] * 3
    assert images.reads == 1
    # The worker's metrics say how often a photo came from memory.
    assert (photos_read("kept") - kept, photos_read("gridfs") - stored) == (2, 1)


async def test_a_photo_larger_than_the_bound_is_read_each_time(storage: Storage):
    images = CountedImages(storage.images)
    photo = await images.put(b"x" * 1000, "original.png")
    originals = RecentOriginals(images, capacity=999)
    for _ in range(2):
        assert len(await originals.read(photo)) == 1000
    assert images.reads == 2


async def test_the_photo_read_longest_ago_makes_room_for_a_new_one(storage: Storage):
    images = CountedImages(storage.images)
    old, new = [await images.put(b"x" * 600, f"{n}.png") for n in ("old", "new")]
    originals = RecentOriginals(images, capacity=1000)
    await originals.read(old)
    await originals.read(new)
    await originals.read(new)
    await originals.read(old)
    assert images.reads == 3


async def test_a_photo_is_kept_for_its_time_only(storage: Storage):
    images = CountedImages(storage.images)
    photo = await images.put(b"photo", "original.png")
    originals = RecentOriginals(images, keep_s=0.2)
    await originals.read(photo)
    await asyncio.sleep(0.3)
    await originals.read(photo)
    assert images.reads == 2


async def test_a_missing_photo_is_said_to_be_missing(storage: Storage):
    with pytest.raises(ImageNotFound):
        await RecentOriginals(storage.images).read("0123456789abcdef01234567")
