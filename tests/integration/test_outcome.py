"""A finished job's outcome sent by the notifier: the album recorded the moment Telegram
confirms it, the status line and the "What next?" message recorded with the delivery's
end, and a delivery cut short after the album sending only what is missing. The record's
`rev` counts its writes. Real Redis and MongoDB; the Bot API is the recording MockedBot."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from aiogram.methods import EditMessageText, SendChatAction, SendMessage, SendPhoto
from PIL import Image

from bot import notifier as notifier_module
from bot.notifier import Notifier
from bot.services import delivery
from bot.services.status import final_text
from jobs.delivery import DeliveryLeases
from locales import Translator
from storage.jobs import Delivery, Job
from storage.renditions import album_jpeg
from storage.status import JobStatus
from tests.support.conversation import Conversation
from tests.support.notifying import delivered, events_handled, notifier_running, stored_job
from tests.support.photos import product_photo
from tests.support.waiting import eventually

STATUS_MESSAGE = 778
EN = Translator.load("en")


async def _finished(chat: Conversation, **fields) -> Job:
    image = await chat.deps.db.images.put(product_photo(), "result.png", kind="result")
    defaults = {"status_message_id": STATUS_MESSAGE, "result_image_ids": [image]}
    return await stored_job(
        chat, status=JobStatus.DONE, delivery=Delivery.PENDING, **{**defaults, **fields}
    )


async def _sent_once(chat: Conversation, job: Job, what: str) -> Job:
    Notifier(chat.bot, chat.deps, "outcome-test").deliver_soon(job.id, job.chat_id)
    return await eventually(lambda: delivered(chat, job.id), what=what)


def _albums(chat: Conversation) -> list[SendPhoto]:
    return [c for c in chat.bot.session.called(SendPhoto) if c.chat_id == chat.chat_id]


def _status_edits(chat: Conversation) -> list[str]:
    return [
        c.text
        for c in chat.bot.session.called(EditMessageText)
        if c.chat_id == chat.chat_id and c.message_id == STATUS_MESSAGE
    ]


def _actions(chat: Conversation) -> list[SendMessage]:
    return [c for c in chat.bot.session.called(SendMessage) if c.chat_id == chat.chat_id]


async def test_an_outcome_is_sent_in_three_writes_to_its_record(chat: Conversation):
    done = await _finished(chat)
    sent = await _sent_once(chat, done, "the outcome is sent")

    assert len(_albums(chat)) == 1
    assert _status_edits(chat) == [final_text(EN, sent)]
    assert len(_actions(chat)) == 1
    assert sent.sent_album_ids and sent.sent_status and sent.sent_actions_id is not None
    # The lease, the album's ids, then the status and the actions with the end.
    assert sent.rev - done.rev == 3


async def test_an_album_photo_the_worker_stored_is_sent_as_it_is(chat: Conversation, monkeypatch):
    """The bot makes no JPEG of its own (a decode and an encode per image, on the process
    every chat shares) where the worker stored the album's photo beside the result."""
    stored = album_jpeg(Image.new("RGB", (64, 48), (200, 30, 30)))
    photo = await chat.deps.db.images.put(stored, "result.jpg", kind="album")

    def no_conversion(png: bytes) -> bytes:
        raise AssertionError("the stored album photo is converted again")

    monkeypatch.setattr(delivery, "album_photo", no_conversion)
    done = await _finished(chat, album_image_ids=[photo])
    await _sent_once(chat, done, "the outcome is sent")
    [album] = _albums(chat)
    assert album.photo.data == stored


async def test_a_delivery_cut_short_after_the_album_sends_only_the_rest(chat: Conversation):
    """The notifier that sent the album and edited the status died before the "What
    next?" message: the next one edits the status again (Telegram answers "not modified",
    nothing shows) and sends the follow-up once, never the album."""
    done = await _finished(chat, sent_album_ids=[41])
    sent = await _sent_once(chat, done, "the rest is sent")

    assert _albums(chat) == []
    assert len(_actions(chat)) == 1
    assert sent.sent_album_ids == [41] and sent.sent_actions_id is not None


async def test_a_final_event_carrying_an_old_copy_of_the_record_sends_nothing_again(
    chat: Conversation,
):
    """A final event carries the record as its transition wrote it, and the notifier
    starts from that copy; an event that comes again after the delivery (its copy still
    says "pending") loses the compare-and-set, reads the record and sends nothing."""
    deps = chat.deps
    done = await _finished(chat)
    async with notifier_running(chat, "outcome-test"):
        await deps.lifecycle.announce(done)
        sent = await eventually(lambda: delivered(chat, done.id), what="the outcome")
        await deps.lifecycle.announce(done)  # the same copy, now out of date
        await eventually(lambda: events_handled(deps), what="the second event is read")
        await asyncio.sleep(1.0)  # when a second album would have gone out
    assert len(_albums(chat)) == 1
    assert len(_actions(chat)) == 1
    assert (await deps.db.jobs.get(done.id)).rev == sent.rev


async def test_a_final_events_photos_are_read_beside_the_delivery_lease(
    chat: Conversation, monkeypatch
):
    """A final event names the album's images, so they are read (and made JPEG) while the
    delivery's lease is taken, and sent as soon as it is. Here the lease waits for a
    photo's read: one after the other, it would never be taken."""
    deps = chat.deps
    done = await _finished(chat)
    photo_read = asyncio.Event()
    get, take = deps.db.images.get, DeliveryLeases.take

    async def reading(image_id: str) -> bytes:
        data = await get(image_id)
        photo_read.set()
        return data

    async def after_the_photos(self, job_id, seen=None):
        await asyncio.wait_for(photo_read.wait(), 30)
        return await take(self, job_id, seen)

    monkeypatch.setattr(deps.db.images, "get", reading)
    monkeypatch.setattr(DeliveryLeases, "take", after_the_photos)
    async with notifier_running(chat, "outcome-test"):
        await deps.lifecycle.announce(done)
        await eventually(lambda: delivered(chat, done.id), what="the outcome")
    assert len(_albums(chat)) == 1
    # Read in a moment: no "sending a photo", whose reply would hold the album back.
    assert chat.bot.session.called(SendChatAction) == []


async def test_an_album_read_for_a_noticeable_time_shows_sending_a_photo_once(
    chat: Conversation, monkeypatch
):
    monkeypatch.setattr(delivery, "NOTICEABLE_S", 0.0)  # every read takes "too long"
    done = await _finished(chat)
    await _sent_once(chat, done, "the outcome is sent")
    assert len(_albums(chat)) == 1
    actions = chat.bot.session.called(SendChatAction)
    assert [(a.chat_id, a.action) for a in actions] == [(chat.chat_id, "upload_photo")]


async def test_an_album_done_before_its_status_message_was_noted_waits_for_it_there_only(
    chat: Conversation, monkeypatch
):
    """A job is queued before its status message is posted, so its outcome can come
    first (a fast failure, a slow Telegram). The album goes at once; the status line
    waits for the message's id, then edits that message: no second status message."""
    monkeypatch.setattr(notifier_module, "STATUS_POSTING_RETRY_S", 0.2)
    monkeypatch.setattr(notifier_module, "OUTBOX_EVERY_S", 0.1)
    deps = chat.deps
    done = await _finished(chat, status_message_id=None, status_posting="outcome-test")
    async with notifier_running(chat, "outcome-test"):
        await deps.lifecycle.announce(done)
        await eventually(lambda: _albums(chat), what="the album is sent")
        await asyncio.sleep(1.0)  # the status line is held back meanwhile
        waiting = await deps.db.jobs.get(done.id)
        assert waiting.delivery == Delivery.PENDING and not waiting.sent_status
        assert _status_edits(chat) == [] and _actions(chat) == []
        await deps.db.jobs.note(done.id, status_message_id=STATUS_MESSAGE, status_posting="")
        sent = await eventually(lambda: delivered(chat, done.id), what="the rest is sent")
    assert len(_albums(chat)) == 1
    assert _status_edits(chat) == [final_text(EN, sent)]
    assert len(_actions(chat)) == 1  # the "What next?" message, and no status of its own
    assert sent.delivery_tries == 0  # waiting for the message is no failed try


@pytest.mark.parametrize("poster", ["outcome-test", "stopped-bot"])
async def test_a_status_message_never_noted_is_waited_for_while_it_may_come_only(
    chat: Conversation, poster: str
):
    """Its bot stopped before noting the message's id (its heartbeat is gone), or the
    grace has passed: the outcome is told in a message of its own at once."""
    grace = notifier_module.STATUS_POSTING_GRACE_S
    created = datetime.now(UTC) - timedelta(seconds=grace + 1 if poster == "outcome-test" else 0)
    failed = await stored_job(
        chat,
        status=JobStatus.FAILED,
        error="boom",
        delivery=Delivery.PENDING,
        status_posting=poster,
        created_at=created,
    )
    async with notifier_running(chat, "outcome-test"):  # alive: its heartbeat beats
        await chat.deps.lifecycle.announce(failed)
        sent = await eventually(lambda: delivered(chat, failed.id), what="the outcome is told")
    assert [m.text for m in _actions(chat)] == [final_text(EN, sent)]
