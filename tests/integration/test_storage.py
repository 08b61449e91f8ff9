"""Repositories on a real MongoDB-protocol server (nx-27017, or MONGO_URL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId
from gridfs import AsyncGridFSBucket
from pymongo import AsyncMongoClient

from storage.chats import SEEN_WITHIN, ChatRepo
from storage.images import ImageNotFound, ImageStore, NewImage
from storage.jobs import Job
from storage.status import JobStatus
from storage.store import Storage
from tests.support.mongo_watch import Commands


def a_job(chat_id: int = 42, **fields) -> Job:
    return Job(
        chat_id=chat_id, lang="ru", style="loft", count=2, seed=7, input_image_id="x", **fields
    )


async def test_images_round_trip_through_gridfs(storage: Storage):
    data = bytes(range(256)) * 5000  # spans several GridFS chunks
    image_id = await storage.images.put(data, "original.png", chat_id=42, kind="original")
    assert await storage.images.get(image_id) == data
    await storage.images.delete(image_id)
    with pytest.raises(ImageNotFound):
        await storage.images.get(image_id)


async def test_chat_keeps_its_first_language_and_flags(storage: Storage):
    first = await storage.chats.touch(1001, "ru", "anna", "Anna")
    again = await storage.chats.touch(1001, "en", "anna", "Anna")
    assert (first.lang, again.lang, again.banned) == ("ru", "ru", False)
    await storage.chats.set_language(1001, "en")
    await storage.chats.set_banned(1001, True)
    await storage.chats.set_daily_quota(1001, 3)
    chat = await storage.chats.get(1001)
    assert (chat.lang, chat.banned, chat.daily_quota) == ("en", True, 3)
    assert chat.created_at.tzinfo is not None


async def test_history_is_newest_first_and_paged(storage: Storage):
    for i in range(7):
        await storage.jobs.create(
            a_job(created_at=datetime.now(UTC) + timedelta(seconds=i), user_prompt=f"p{i}")
        )
    await storage.jobs.create(a_job(chat_id=99))
    first = await storage.jobs.for_chat(42, 0, 5)
    second = await storage.jobs.for_chat(42, 5, 5)
    assert [j.user_prompt for j in first] == ["p6", "p5", "p4", "p3", "p2"]
    assert [j.user_prompt for j in second] == ["p1", "p0"]
    assert await storage.jobs.count_for_chat(42) == 7


async def test_a_record_changes_only_at_the_revision_it_was_read(storage: Storage):
    job = await storage.jobs.create(a_job())
    first = await storage.jobs.swap(job, status=JobStatus.RUNNING, owner="w1", lease_until=1.5)
    assert (first.status, first.rev) == (JobStatus.RUNNING, 1)
    assert await storage.jobs.swap(job, status=JobStatus.CANCELLED) is None  # read before
    stored = await storage.jobs.get(job.id)
    assert (stored.status, stored.owner, stored.lease_until, stored.rev) == (
        JobStatus.RUNNING,
        "w1",
        1.5,
        1,
    )


async def test_the_status_is_not_written_outside_the_lifecycle(storage: Storage):
    job = await storage.jobs.create(a_job())
    with pytest.raises(ValueError):
        await storage.jobs.note(job.id, status=JobStatus.DONE)
    await storage.jobs.note(job.id, position=3)
    assert (await storage.jobs.get(job.id)).position == 3


async def test_indexes_are_created_idempotently(settings):
    stores = [await Storage.open(settings.mongo_url, settings.mongo_db) for _ in range(2)]
    try:
        info = await stores[0].client[settings.mongo_db]["chats"].index_information()
        keys = [tuple(v["key"]) for v in info.values()]
        assert (("chat_id", 1),) in keys
    finally:
        await stores[0].client.drop_database(settings.mongo_db)
        await asyncio.gather(*(s.close() for s in stores))


async def test_an_album_is_stored_in_two_commands_and_an_image_read_in_one(
    settings, storage: Storage
):
    """The bucket's indexes are made at start-up, so an upload checks none of them (on
    nx-27017 that check scanned every stored file and created an index each time); an
    album and its mask go in together, however many they are."""
    commands = Commands()
    watched = AsyncMongoClient(settings.mongo_url, event_listeners=[commands])
    try:
        images = ImageStore(watched[settings.mongo_db])
        album = [
            NewImage(bytes([n]) * (300_000 + n), f"{n}.png", {"job_id": "j1", "kind": "result"})
            for n in range(3)
        ]
        *ids, mask = await images.put_many(
            [*album, NewImage(b"mask", "mask.png", {"job_id": "j1"})]
        )
        assert sorted(commands.sent) == [("insert", "images.chunks"), ("insert", "images.files")]
        # Side by side: the second is sent before the first is answered.
        assert [step for step, _ in commands.timeline] == ["sent", "sent", "answered", "answered"]
        commands.sent.clear()
        assert await images.get(ids[2]) == album[2].data  # two chunks
        assert commands.sent == [("find", "images.chunks")]
        assert [await storage.images.get(i) for i in ids] == [a.data for a in album]
        assert await storage.images.get(mask) == b"mask"
        assert sorted(await storage.images.ids(job_id="j1")) == sorted([*ids, mask])
        assert await storage.images.ids(kind="result") == ids
    finally:
        await watched.close()


async def test_an_album_whose_files_documents_fail_leaves_no_chunks(
    settings, storage: Storage, monkeypatch
):
    images = storage.images
    chunks = storage.client[settings.mongo_db]["images.chunks"]
    before = [c["_id"] async for c in chunks.find({}, projection={"_id": True})]

    async def refused(documents, *args, **kwargs):
        raise ConnectionError("MongoDB went away")

    monkeypatch.setattr(images._files, "insert_many", refused)
    with pytest.raises(ConnectionError):
        await images.put_many([NewImage(b"x" * 300_000, "1.png", {"kind": "result"})])
    after = [c["_id"] async for c in chunks.find({}, projection={"_id": True})]
    assert after == before


async def test_images_are_stored_in_gridfs_own_layout(settings, storage: Storage):
    """Any GridFS tool reads what is stored here, and what it stored is read here: the
    same documents as pymongo's bucket writes, an empty file included."""
    bucket = AsyncGridFSBucket(storage.client[settings.mongo_db], bucket_name="images")
    data = bytes(range(256)) * 2000
    ours = await storage.images.put(data, "ours.png", kind="result")
    theirs = await bucket.upload_from_stream("theirs.png", data, metadata={"kind": "result"})
    assert await (await bucket.open_download_stream(ObjectId(ours))).read() == data
    assert await storage.images.get(str(theirs)) == data
    files = storage.client[settings.mongo_db]["images.files"]
    docs = [await files.find_one({"_id": i}) for i in (ObjectId(ours), theirs)]
    assert [{k: type(v) for k, v in d.items()} for d in docs] == [
        {k: type(v) for k, v in docs[1].items()}
    ] * 2
    assert {k: v for k, v in docs[0].items() if k not in ("_id", "filename", "uploadDate")} == {
        k: v for k, v in docs[1].items() if k not in ("_id", "filename", "uploadDate")
    }
    assert await storage.images.put_many([]) == []
    empty = await storage.images.put(b"", "empty.png")
    assert await storage.images.get(empty) == b""
    with pytest.raises(ImageNotFound):
        await storage.images.get(str(ObjectId()))
    with pytest.raises(ImageNotFound):
        await storage.images.get("not-an-id")


async def test_a_chat_that_spoke_lately_is_touched_by_one_read(settings, storage: Storage):
    """Every update touches its chat: within a minute of the last write, with the same
    names, nothing is written (a read costs less than a write, on every update)."""
    first = await storage.chats.touch(1002, "ru", "boris", "Boris")
    async with _watched_chats(settings) as (chats, commands):
        chat = await chats.touch(1002, "en", "boris", "Boris")
        assert commands.sent == [("find", "chats")]
    assert chat == first == await storage.chats.get(1002)
    assert chat.last_seen.tzinfo is not None


async def test_a_chat_is_written_when_its_names_change_or_a_minute_has_passed(
    settings, storage: Storage
):
    await storage.chats.touch(1003, "ru", "boris", "Boris")
    async with _watched_chats(settings) as (chats, commands):
        renamed = await chats.touch(1003, "en", "bob", "Bob")
        assert commands.sent == [("find", "chats"), ("update", "chats")]
    assert (renamed.lang, renamed.username, renamed.first_name) == ("ru", "bob", "Bob")
    assert await storage.chats.get(1003) == renamed

    long_ago = renamed.last_seen - SEEN_WITHIN - timedelta(seconds=1)
    chats_collection = storage.client[settings.mongo_db]["chats"]
    await chats_collection.update_one({"chat_id": 1003}, {"$set": {"last_seen": long_ago}})
    async with _watched_chats(settings) as (chats, commands):
        seen = await chats.touch(1003, "en", "bob", "Bob")
        assert commands.sent == [("find", "chats"), ("update", "chats")]
    assert seen.last_seen > renamed.last_seen
    assert await storage.chats.get(1003) == seen


@asynccontextmanager
async def _watched_chats(settings) -> AsyncIterator[tuple[ChatRepo, Commands]]:
    commands = Commands()
    watched = AsyncMongoClient(settings.mongo_url, event_listeners=[commands])
    try:
        yield ChatRepo(watched[settings.mongo_db]["chats"]), commands
    finally:
        await watched.close()
