"""The conversation's handlers through the real Dispatcher (tests/support/conversation.py)."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramNetworkError
from aiogram.types import Document
from pymongo.errors import AutoReconnect

from bot.notifier import Notifier
from keyboards.callbacks import CountCb, JobAction, JobCb, OptionCb, StyleCb
from storage.jobs import Delivery
from storage.status import JobStatus
from tests.support.conversation import Conversation, buttons
from tests.support.notifying import delivered
from tests.support.photos import product_photo
from tests.support.waiting import eventually


async def test_start_greets_in_the_users_language(chat: Conversation):
    chat.lang = "ru"
    await chat.send(text="/start")
    greeting, hint = chat.sent()
    assert greeting.text.startswith("Здравствуйте, Anna!") and "файлом" in hint.text


async def test_a_photo_is_stored_and_answered_with_the_styles(chat: Conversation):
    await chat.send_photo(product_photo())
    [reply] = chat.sent()
    assert reply.text == "Got the photo. Choose a style:"
    assert any(
        b.startswith(StyleCb(style="studio-white").pack()) for b in buttons(reply.reply_markup)
    )
    files = chat.deps.db.client[chat.deps.settings.mongo_db]["images.files"]
    [original] = await files.find({"metadata.chat_id": chat.chat_id}).to_list()
    assert original["metadata"]["kind"] == "original"
    requests = await chat.deps.redis.xrange(chat.deps.keys.label_requests)
    assert str(original["_id"]) in [fields["image_id"] for _, fields in requests]


async def test_style_count_generate_queues_one_job_and_answers_each_button_once(
    chat: Conversation,
):
    await chat.send_photo(product_photo())
    ahead = await chat.deps.job_queue.waiting()  # the session's Dispatcher shares one queue
    for data in (
        StyleCb(style="loft").pack(),
        CountCb(count=2).pack(),
        OptionCb(action="generate").pack(),
    ):
        await chat.press_button(data)
    assert len(chat.answers()) == 3 and all(a.text is None for a in chat.answers())
    [job] = await chat.deps.db.jobs.for_chat(chat.chat_id, 0, 10)
    assert (job.status, job.style, job.count) == (JobStatus.QUEUED, "loft", 2)
    status = chat.sent()[-1]
    next_up = "⏳ In the queue, you are next."
    assert status.text == (next_up if ahead == 0 else f"⏳ In the queue, position {ahead + 1}.")
    assert buttons(status.reply_markup) == [JobCb(action=JobAction.CANCEL, job_id=job.id).pack()]
    entries = await chat.deps.redis.xrange(chat.deps.keys.jobs)
    assert [f["job_id"] for _, f in entries].count(job.id) == 1


async def test_a_button_of_a_forgotten_draft_is_refused_with_one_alert(chat: Conversation):
    await chat.press(StyleCb(style="loft").pack())
    [answer] = chat.answers()
    assert answer.show_alert and answer.text.startswith("This button is out of date")
    assert chat.sent() == []


async def test_a_failing_handler_answers_the_button_once_with_an_apology(
    chat: Conversation, monkeypatch: pytest.MonkeyPatch
):
    async def broken(job_id: str) -> None:
        raise RuntimeError("storage is on fire")

    monkeypatch.setattr(chat.deps.db.jobs, "get", broken)
    await chat.press(JobCb(action=JobAction.RESEND, job_id="x" * 32).pack())
    [answer] = chat.answers()
    assert (
        answer.show_alert
        and answer.text == "Something went wrong on my side. Please try again in a minute."
    )


async def test_a_banned_chat_gets_one_polite_refusal(chat: Conversation):
    await chat.send(text="/start")
    await chat.deps.db.chats.set_banned(chat.chat_id, True)
    await chat.send(text="/help")
    assert chat.sent()[-1].text == "Access to the bot is closed for this chat."
    await chat.press(StyleCb(style="loft").pack())
    [answer] = chat.answers()
    assert answer.show_alert and answer.text == "Access to the bot is closed for this chat."


async def test_cancel_stops_a_queued_job_at_once(chat: Conversation):
    await chat.send_photo(product_photo())
    for data in (StyleCb(style="loft").pack(), CountCb(count=1).pack()):
        await chat.press_button(data)
    await chat.press_button(OptionCb(action="generate").pack())
    await chat.send(text="/cancel")
    [job] = await chat.deps.db.jobs.for_chat(chat.chat_id, 0, 10)
    # Cancelled at once; the notifier edits its status message from the outbox.
    assert (job.status, job.delivery) == (JobStatus.CANCELLED, Delivery.PENDING)
    assert chat.sent()[-1].text == "Cancelled."


async def test_a_document_that_is_not_an_image_is_refused(chat: Conversation):
    document = Document(file_id="doc", file_unique_id="d", mime_type="application/pdf")
    await chat.send(document=document)
    assert chat.sent()[-1].text.startswith("This doesn't look like an image")


async def test_mongodb_down_is_answered_with_try_again_in_a_minute(
    chat: Conversation, monkeypatch: pytest.MonkeyPatch
):
    async def down(*args: object, **kwargs: object) -> None:
        raise AutoReconnect("connection refused")

    monkeypatch.setattr(chat.deps.db.chats, "touch", down)
    await chat.send(text="/help")
    assert (
        chat.sent()[-1].text == "I can't reach my storage right now. Please try again in a minute."
    )
    await chat.press(StyleCb(style="loft").pack())
    [answer] = chat.answers()
    assert answer.show_alert and answer.text.startswith("I can't reach my storage")


async def test_a_chat_with_two_jobs_running_is_asked_to_wait(chat: Conversation):
    await chat.send_photo(product_photo())
    for data in (StyleCb(style="loft").pack(), CountCb(count=1).pack()):
        await chat.press_button(data)
    generate = chat.button(OptionCb(action="generate").pack())
    for _ in range(3):
        await chat.press(generate)
    assert chat.sent()[-1].text.startswith("You already have 2 jobs in progress")
    assert len(await chat.deps.db.jobs.for_chat(chat.chat_id, 0, 10)) == 2


async def test_a_status_message_telegram_refuses_leaves_one_apology_and_no_job(
    chat: Conversation, monkeypatch: pytest.MonkeyPatch
):
    """The job is queued before its status message is posted; when Telegram refuses the
    message, the job is called off and the user hears one apology, nothing else, and
    keeps their quota and their choices (Generate can be pressed again)."""
    await chat.send_photo(product_photo())
    for data in (StyleCb(style="loft").pack(), CountCb(count=2).pack()):
        await chat.press_button(data)
    sent_before = len(chat.sent())

    async def refused(*args: object, **kwargs: object) -> None:
        raise TelegramNetworkError(method=None, message="Telegram is unreachable")

    with monkeypatch.context() as patched:
        patched.setattr(chat.bot, "send_message", refused)
        await chat.press_button(OptionCb(action="generate").pack())
    [*_, answer] = chat.answers()
    assert answer.show_alert and answer.text.startswith("Something went wrong on my side")
    [job] = await chat.deps.db.jobs.for_chat(chat.chat_id, 0, 10)
    assert (job.status, job.sent_status) == (JobStatus.CANCELLED, True)
    assert await chat.deps.lifecycle.quota.used(chat.chat_id, chat.chat_id, job.quota_day) == 0
    Notifier(chat.bot, chat.deps, "refused-test").deliver_soon(job.id, job.chat_id)
    await eventually(lambda: delivered(chat, job.id), what="the outcome is settled")
    assert len(chat.sent()) == sent_before, "the called-off job says nothing of its own"
    assert chat.button(OptionCb(action="generate").pack())  # the choices are kept
