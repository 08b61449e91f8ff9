"""The cut-out check in the chat: look before painting, try another way, use it; the choice
goes into the job and its re-runs; a job whose product could not be cut out says so and
offers the check. A stand-in worker answers the previews through real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendPhoto

from bot.notifier import Notifier
from bot.services import cutouts
from catalog.cutouts import CutoutChoice
from jobs.previews import Preview, save_preview
from keyboards.callbacks import CountCb, CutoutCb, JobAction, JobCb, OptionCb, StyleCb
from storage.jobs import Delivery, ErrorKind, Job
from storage.status import JobStatus
from tests.support.conversation import Conversation, buttons
from tests.support.notifying import delivered
from tests.support.photos import product_photo
from tests.support.waiting import eventually

JPEG = b"\xff\xd8\xff\xe0 a small checkerboard picture"


UNSURE = "the product could not be cut out"


@asynccontextmanager
async def stand_in(chat: Conversation, automatic: Preview) -> AsyncIterator[list[str]]:
    """Answers every preview request: the automatic cut-out with `automatic`, any other
    with a picture. Yields the choices asked for, in order."""
    redis, keys = chat.deps.redis, chat.deps.keys
    asked: list[str] = []

    stopped = asyncio.Event()

    async def serve() -> None:
        last = "0-0"
        while not stopped.is_set():
            reply = await redis.xread({keys.preview_requests: last}, block=100)
            for _, entries in reply or []:
                for entry_id, fields in entries:
                    last = entry_id
                    choice = CutoutChoice(fields["choice"])
                    asked.append(choice)
                    preview = automatic if choice == CutoutChoice.AUTO else Preview(image=JPEG)
                    await save_preview(redis, keys, fields["image_id"], choice, preview)

    # Stopped between reads, not cancelled inside one: a blocking XREAD cancelled half-way
    # can leave the client's connection mid-reply.
    task = asyncio.create_task(serve())
    try:
        yield asked
    finally:
        stopped.set()
        await task


@pytest.fixture
async def stand_in_worker(chat: Conversation) -> AsyncIterator[list[str]]:
    """A worker to which the automatic cut-out finds nothing of a product."""
    async with stand_in(chat, Preview(image=None, unsure=UNSURE)) as asked:
        yield asked


async def options_shown(chat: Conversation) -> None:
    await chat.send_photo(product_photo())
    for data in (StyleCb(style="loft").pack(), CountCb(count=1).pack()):
        await chat.press_button(data)


def check_button(choice: CutoutChoice | None = None) -> str:
    return CutoutCb(action="check", choice=choice).pack().rsplit(":", 1)[0]


async def test_check_try_another_way_use_it_and_generate_with_it(
    chat: Conversation, stand_in_worker: list[str]
):
    await options_shown(chat)
    await chat.press_button(check_button())
    assert chat.texts()[-1].startswith("😔 This way (automatic) could not cut")
    failed = chat.sent()[-1].reply_markup
    assert not [b for b in buttons(failed) if b.startswith("cc:use")], "nothing to use"
    await chat.press_button(check_button(CutoutChoice.TIGHTER))
    [photo] = chat.bot.session.called(SendPhoto)
    assert photo.caption.startswith("✂️ This is the product as it will be cut out (tighter)")
    assert "✂️ Cutting the product out so you can take a look…" in chat.texts()
    await chat.press_button(CutoutCb(action="use", choice=CutoutChoice.TIGHTER).pack()[:-1])
    assert chat.texts()[-1] == "✂️ Cut-out: tighter. Style: Loft, images: 1. Ready?"
    await chat.press_button(OptionCb(action="generate").pack())
    [job] = await chat.deps.db.jobs.for_chat(chat.chat_id, 0, 10)
    assert job.cutout == CutoutChoice.TIGHTER
    assert stand_in_worker[-2:] == [CutoutChoice.AUTO, CutoutChoice.TIGHTER]

    await chat.press(JobCb(action=JobAction.MORE, job_id=job.id).pack())
    rerun, _ = await chat.deps.db.jobs.for_chat(chat.chat_id, 0, 10)
    assert (rerun.parent_job_id, rerun.cutout) == (job.id, CutoutChoice.TIGHTER)


async def test_a_preview_already_made_is_shown_without_asking_again(
    chat: Conversation, stand_in_worker: list[str]
):
    await options_shown(chat)
    await chat.press_button(check_button())
    await chat.press_button(check_button(CutoutChoice.LOOSER))
    asked = len(stand_in_worker)
    await chat.press_button(check_button(CutoutChoice.LOOSER))
    assert len(chat.bot.session.called(SendPhoto)) == 2 and len(stand_in_worker) == asked


async def test_a_doubtful_automatic_cutout_is_shown_but_cannot_be_used(chat: Conversation):
    async with stand_in(chat, Preview(image=JPEG, unsure=UNSURE)):
        await options_shown(chat)
        await chat.press_button(check_button())
    [photo] = chat.bot.session.called(SendPhoto)
    assert photo.caption.startswith("😔 This is what the automatic cut-out found")
    choices = buttons(photo.reply_markup)
    assert not [b for b in choices if b.startswith("cc:use")], "a doubtful cut-out is not used"
    assert [b for b in choices if b.startswith(check_button(CutoutChoice.HOLES_FILLED))]


async def test_no_worker_answering_in_time_is_said_kindly(
    chat: Conversation, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(cutouts, "PREVIEW_WAIT_S", 0.3)
    await options_shown(chat)
    before = len(chat.bot.session.calls)
    await chat.press_button(check_button())
    [edit] = chat.bot.session.called(EditMessageText)[-1:]
    assert edit.text.startswith("⏳ The workers are busy right now")
    assert chat.bot.session.called(SendPhoto) == []
    # The button was answered at once, not after the wait, and only once.
    calls = chat.bot.session.calls[before:]
    answers = [i for i, call in enumerate(calls) if isinstance(call, AnswerCallbackQuery)]
    assert answers == [0]


async def test_an_unsure_cutout_is_told_with_the_check_which_restores_the_job(
    chat: Conversation, stand_in_worker: list[str]
):
    chat.lang = "ru"
    await options_shown(chat)
    await chat.press_button(OptionCb(action="generate").pack())
    [queued] = await chat.deps.db.jobs.for_chat(chat.chat_id, 0, 10)
    failed = Job(
        **queued.model_dump(exclude={"id", "status", "delivery", "error_kind"}),
        status=JobStatus.FAILED,
        error_kind=ErrorKind.UNSURE_CUTOUT,
        delivery=Delivery.PENDING,
    )
    await chat.deps.db.jobs.create(failed)

    notifier = Notifier(chat.bot, chat.deps, "cutout-test")
    notifier.deliver_soon(failed.id, failed.chat_id)
    await eventually(lambda: delivered(chat, failed.id), what="the failed job's outcome is sent")
    [status] = [
        c
        for c in chat.bot.session.called(EditMessageText)
        if c.message_id == failed.status_message_id
    ][-1:]
    assert status.text.startswith("😔 Не удалось надёжно вырезать товар")
    check = JobCb(action=JobAction.CHECK_CUTOUT, job_id=failed.id).pack()
    assert buttons(status.reply_markup) == [check]

    await chat.press(check)
    assert chat.texts()[-1].startswith("😔 Этим способом (автоматически)")
    await chat.press_button(check_button(CutoutChoice.HOLES_FILLED))
    await chat.press_button(CutoutCb(action="use").pack().rsplit(":", 2)[0])
    assert chat.texts()[-1].startswith("✂️ Вырезка: не вырезать отверстия. Стиль: Лофт")


async def _done_job(chat: Conversation, cutout: CutoutChoice) -> Job:
    """The chat's job, finished by a worker whose automatic cut-out was not sure."""
    await options_shown(chat)
    await chat.press_button(OptionCb(action="generate").pack())
    [queued] = await chat.deps.db.jobs.for_chat(chat.chat_id, 0, 10)
    image = await chat.deps.db.images.put(product_photo(), "result.jpg", kind="result")
    finished = {
        "status": JobStatus.DONE,
        "cutout": cutout,
        "result_image_ids": [image],
        "cutout_doubt": "the product's colours are close to the background's along its outline",
        "delivery": Delivery.PENDING,
    }
    done = Job(**{**queued.model_dump(exclude={"id"}), **finished})
    await chat.deps.db.jobs.create(done)
    Notifier(chat.bot, chat.deps, "cutout-test").deliver_soon(done.id, done.chat_id)
    await eventually(lambda: delivered(chat, done.id), what="the album is sent")
    return done


async def test_a_doubtful_cutout_is_told_under_the_album_with_the_check(
    chat: Conversation, stand_in_worker: list[str]
):
    chat.lang = "ru"
    done = await _done_job(chat, CutoutChoice.AUTO)
    assert chat.bot.session.called(SendPhoto), "the album went out all the same"
    actions = chat.sent()[-1]
    assert actions.text.startswith("Что дальше? ✂️ На этом фото товар трудно отделить от фона")
    check = JobCb(action=JobAction.CHECK_CUTOUT, job_id=done.id).pack()
    assert check in buttons(actions.reply_markup)

    await chat.press(check)
    assert stand_in_worker[0] == CutoutChoice.AUTO, "the job's own photo is cut out to look at"
    await chat.press_button(check_button(CutoutChoice.TIGHTER))
    await chat.press_button(CutoutCb(action="use").pack().rsplit(":", 2)[0])
    assert chat.texts()[-1].startswith("✂️ Вырезка: плотнее по контуру. Стиль: Лофт")


async def test_a_cutout_the_user_chose_is_not_questioned_under_the_album(
    chat: Conversation, stand_in_worker: list[str]
):
    done = await _done_job(chat, CutoutChoice.HOLES_FILLED)
    actions = chat.sent()[-1]
    assert actions.text == "What next?"
    check = JobCb(action=JobAction.CHECK_CUTOUT, job_id=done.id).pack()
    assert check in buttons(actions.reply_markup), "the check is under every album"
