"""Repositories on a real MongoDB-protocol server (nx-27017, or MONGO_URL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient, monitoring

from storage.chats import ChatRepo
from storage.images import ImageNotFound, ImageStore
from storage.jobs import Job
from storage.status import JobStatus
from storage.store import Storage


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


class Commands(monitoring.CommandListener):
    """The commands a client sent, as (name, collection)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.sent.append((event.command_name, str(event.command[event.command_name])))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_an_upload_sends_only_its_inserts(settings, storage: Storage):
    """The bucket's indexes are made at start-up, so an upload checks none of them (on
    nx-27017 that check scanned every stored file and created an index each time)."""
    commands = Commands()
    watched = AsyncMongoClient(settings.mongo_url, event_listeners=[commands])
    try:
        images = ImageStore(watched[settings.mongo_db])
        await storage.images.put(b"first", "first.png")  # the bucket is not empty
        image_id = await images.put(bytes(300_000), "result.png", job_id="j1", kind="result")
        assert commands.sent == [("insert", "images.chunks"), ("insert", "images.files")]
        assert await storage.images.get(image_id) == bytes(300_000)
        assert await storage.images.ids(job_id="j1") == [image_id]
    finally:
        await watched.close()


async def test_a_known_chat_is_touched_in_one_round_trip(settings, storage: Storage):
    """Every update touches its chat: the record comes back with the update itself."""
    await storage.chats.touch(1002, "ru", "boris", "Boris")
    commands = Commands()
    watched = AsyncMongoClient(settings.mongo_url, event_listeners=[commands])
    try:
        chat = await ChatRepo(watched[settings.mongo_db]["chats"]).touch(1002, "en", "bob", "Bob")
        assert commands.sent == [("findAndModify", "chats")]
        assert (chat.lang, chat.username, chat.first_name) == ("ru", "bob", "Bob")
        assert chat.last_seen.tzinfo is not None
        assert await storage.chats.get(1002) == chat
    finally:
        await watched.close()
