"""/forget: a confirmation button, then the chat's images, jobs, drafts and suggestion
cache are gone; the quota and a ban are not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiogram.methods import EditMessageText

from keyboards.callbacks import CountCb, ForgetCb, OptionCb, StyleCb
from storage.forget import forget_chat
from storage.images import ImageNotFound
from storage.jobs import Job
from storage.status import JobStatus
from storage.store import Storage
from suggestions import Suggestion
from tests.support.conversation import Conversation
from tests.support.photos import product_photo

EXPIRED = "This button is out of date. Send a photo to start again."


async def a_finished_job(chat: Conversation) -> Job:
    """A done job with its original, two results and a mask in GridFS."""
    images = chat.deps.db.images
    original = await images.put(product_photo(), "original.jpeg", chat_id=chat.chat_id)
    job = await chat.deps.db.jobs.create(
        Job(
            chat_id=chat.chat_id,
            lang="en",
            style="loft",
            count=2,
            seed=1,
            input_image_id=original,
            user_prompt="на белом мраморе",
            status=JobStatus.DONE,
        )
    )
    results = [await images.put(b"png", f"{job.id}-{i}.png", job_id=job.id) for i in (1, 2)]
    mask = await images.put(b"mask", f"{job.id}-mask.png", job_id=job.id, kind="mask")
    album = [await images.put(b"jpeg", f"{job.id}-1.jpg")]  # found by the record alone
    await chat.deps.db.jobs.note(
        job.id, result_image_ids=results, album_image_ids=album, mask_image_id=mask
    )
    return job


async def chat_images(chat: Conversation, job_ids: list[str]) -> list[str]:
    images = chat.deps.db.images
    ids = await images.ids(chat_id=chat.chat_id)
    for job_id in job_ids:
        ids += await images.ids(job_id=job_id)
    return ids


async def test_forget_deletes_everything_after_confirmation(chat: Conversation):
    deps = chat.deps
    done = await a_finished_job(chat)
    await chat.send_photo(product_photo())  # a queued job with its own upload
    for prefix in (StyleCb(style="loft").pack(), CountCb(count=1).pack()):
        await chat.press_button(prefix)
    await chat.press_button(OptionCb(action="generate").pack())
    await chat.send_photo(product_photo())  # a draft in progress
    idea = Suggestion.make(text="x", lang="en", prompt="p", negative_prompt="n", source="library")
    await deps.suggester.remember(idea)
    state = chat.dp.fsm.get_context(chat.bot, chat_id=chat.chat_id, user_id=chat.chat_id)
    await state.update_data(suggest_shown=[idea.id])
    jobs = await deps.db.jobs.for_chat(chat.chat_id, 0, 10)
    assert len(jobs) == 2 and len(await chat_images(chat, [done.id])) == 6
    [album_photo] = (await deps.db.jobs.get(done.id)).album_image_ids

    await chat.send(text="/forget")
    assert chat.texts()[-1].startswith("Delete every photo you sent me")
    await chat.press_button("fg:yes:")

    assert await deps.db.jobs.for_chat(chat.chat_id, 0, 10) == []
    assert await chat_images(chat, [j.id for j in jobs]) == []
    with pytest.raises(ImageNotFound):
        await deps.db.images.get(album_photo)
    assert await state.get_data() == {} and await state.get_state() is None
    assert await deps.suggester.recall(idea.id) is None
    record = await deps.db.chats.get(chat.chat_id)
    assert record.forgotten_at is not None and record.first_name is None
    [edit] = [e for e in chat.bot.session.called(EditMessageText) if "deleted" in e.text]
    assert edit.text.startswith("Done: deleted 2 jobs and 7 images.")
    queued = next(j for j in jobs if j.status == JobStatus.QUEUED)
    assert await deps.job_queue.is_cancelled(queued.id), "a running job is told to stop"


async def test_a_repeated_stale_or_forged_confirmation_deletes_nothing(chat: Conversation):
    await a_finished_job(chat)
    await chat.send(text="/forget")
    yes = chat.button("fg:yes:")
    await chat.press(ForgetCb(action="yes", token="0" * 12).pack())  # forged
    await chat.send(text="/forget")  # a newer question: the first button is stale now
    await chat.press(yes)
    assert [a.text for a in chat.answers()] == [EXPIRED, EXPIRED]
    assert len(await chat.deps.db.jobs.for_chat(chat.chat_id, 0, 10)) == 1
    await chat.press_button("fg:yes:")
    await chat.press_button("fg:yes:")  # pressed twice: the second is stale
    assert chat.answers()[-1].text == EXPIRED
    assert await chat.deps.db.jobs.for_chat(chat.chat_id, 0, 10) == []


async def test_keeping_the_data_keeps_it(chat: Conversation):
    await a_finished_job(chat)
    await chat.send(text="/forget")
    await chat.press_button("fg:no:")
    assert [e.text for e in chat.bot.session.called(EditMessageText)] == ["Nothing was deleted."]
    assert len(await chat.deps.db.jobs.for_chat(chat.chat_id, 0, 10)) == 1


async def test_forgetting_keeps_the_ban_and_the_quota_override(storage: Storage):
    await storage.chats.touch(555, "en", "bob", "Bob")
    await storage.chats.set_banned(555, True)
    await storage.chats.set_daily_quota(555, 3)
    before = datetime.now(UTC)
    forgotten = await forget_chat(storage, 555)
    assert (forgotten.jobs, forgotten.images) == (0, 0)
    record = await storage.chats.get(555)
    assert record.banned and record.daily_quota == 3
    assert record.forgotten_at >= before and record.username is None
    assert await storage.chats.forgotten_since(before) == 1


async def test_forget_chat_leaves_other_chats_alone(storage: Storage):
    mine = await storage.images.put(b"a", "original.jpeg", chat_id=1)
    theirs = await storage.images.put(b"b", "original.jpeg", chat_id=2)
    for chat_id, image in ((1, mine), (2, theirs)):
        await storage.jobs.create(
            Job(chat_id=chat_id, lang="en", style="loft", count=1, seed=1, input_image_id=image)
        )
    forgotten = await forget_chat(storage, 1)
    assert forgotten.image_ids == {mine}
    assert await storage.images.get(theirs) == b"b"
    assert len(await storage.jobs.for_chat(2, 0, 5)) == 1
