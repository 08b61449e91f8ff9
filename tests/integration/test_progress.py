"""A job's status message while it runs: at most one edit a second with the newest step
(Telegram's pace for one chat), the first a second after the message was posted, and no
step after the outcome.
The notifier reads real events from real Redis; the Bot API is the recording MockedBot."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram.methods import EditMessageText

from bot import notifier as notifier_module
from bot.services.status import final_text, queued_text
from jobs.steps import STEP_EVERY_S
from locales import Translator
from storage.jobs import Delivery, Job
from storage.status import JobStatus, Stage
from tests.support.conversation import Conversation
from tests.support.notifying import (
    chat_job,
    delivered,
    events_handled,
    notifier_running,
    stored_job,
)
from tests.support.redis_watch import commands_sent
from tests.support.waiting import eventually

STATUS_MESSAGE = 777
EN = Translator.load("en")


def edits(chat: Conversation) -> list[str]:
    return [
        call.text
        for call in chat.bot.session.called(EditMessageText)
        if call.chat_id == chat.chat_id and call.message_id == STATUS_MESSAGE
    ]


async def test_a_status_message_shows_the_newest_step_at_most_once_a_second(chat: Conversation):
    deps = chat.deps
    job = await stored_job(
        chat, count=4, status=JobStatus.RUNNING, status_message_id=STATUS_MESSAGE
    )
    async with notifier_running(chat, "progress-test"):
        cutting_published = time.monotonic()
        await deps.lifecycle.progress(job, Stage.CUTTING, 0, 4)
        await eventually(lambda: edits(chat), what="the first step is shown")
        for done in (1, 2, 3):
            await deps.lifecycle.progress(job, Stage.PAINTING, done, 4)
        await eventually(lambda: len(edits(chat)) >= 2, what="the newest step is shown")
        assert time.monotonic() - cutting_published >= STEP_EVERY_S
        assert edits(chat) == [EN.get("status-cutting"), EN.get("status-painting", done=3, total=4)]

        # A step the notifier has not shown when the outcome arrives is never shown.
        await deps.lifecycle.progress(job, Stage.SAVING, 4, 4)
        sent = await _failed_and_told(chat, job)
        await asyncio.sleep(2 * STEP_EVERY_S)  # when a stale step would have come
        assert edits(chat)[-1] == final_text(EN, sent)
        assert EN.get("status-saving") not in edits(chat)


async def test_a_job_done_within_a_second_of_its_status_message_shows_no_step(
    chat: Conversation, monkeypatch
):
    """The status message was just posted: its first step waits a second, and an outcome
    that comes meanwhile is all the message shows (two edits so soon would be more than
    Telegram's pace, and a flicker). The pause is made long here, so that a slow machine
    cannot outlast it; the notifier's stop ends it, and a step kept would show then."""
    monkeypatch.setattr(notifier_module, "STEP_EVERY_S", 60.0)
    async with _first_step_read(chat, "fast-test") as job:
        sent = await _failed_and_told(chat, job)
    assert edits(chat) == [final_text(EN, sent)]


async def test_a_jobs_steps_are_forgotten_a_pace_after_the_last_one_shown(
    chat: Conversation, monkeypatch
):
    """Another bot may deliver the outcome: a job's pacing is not kept waiting for it."""
    monkeypatch.setattr(notifier_module, "STEP_EVERY_S", 0.2)
    job = await stored_job(chat, status=JobStatus.RUNNING, status_message_id=STATUS_MESSAGE)
    async with notifier_running(chat, "forget-test") as notifier:
        await chat.deps.lifecycle.progress(job, Stage.CUTTING, 0, 1)
        await eventually(lambda: edits(chat), what="the step is shown")
        await eventually(lambda: not notifier._steps, what="the job's pacing is dropped")
    assert edits(chat) == [EN.get("status-cutting")]


async def test_steps_of_a_job_taken_before_its_status_message_was_posted_find_it(
    chat: Conversation, monkeypatch
):
    """The worker's copy of the record was taken from the queue before the status message
    was posted, so its steps name no message: the notifier reads the record for it, once
    for the job, and shows no step while the message is still on its way."""
    monkeypatch.setattr(notifier_module, "STEP_EVERY_S", 0.2)
    deps = chat.deps
    job = await stored_job(chat, count=2, status=JobStatus.RUNNING, status_posting="bot-1")
    reads: list[str] = []
    get = deps.db.jobs.get

    async def read(job_id: str) -> Job | None:
        reads.append(job_id)
        return await get(job_id)

    monkeypatch.setattr(deps.db.jobs, "get", read)
    async with notifier_running(chat, "posting-test"):
        await deps.lifecycle.progress(job, Stage.CUTTING, 0, 2)
        await eventually(lambda: reads, what="the record is read for the message")
        await eventually(lambda: events_handled(deps), what="the step is read")
        await deps.db.jobs.note(job.id, status_message_id=STATUS_MESSAGE, status_posting="")
        for done in (1, 2):
            await deps.lifecycle.progress(job, Stage.PAINTING, done, 2)
            await eventually(
                lambda d=done: EN.get("status-painting", done=d, total=2) in edits(chat),
                what=f"step {done} is shown",
            )
    assert edits(chat) == [EN.get("status-painting", done=d, total=2) for d in (1, 2)]
    assert reads == [job.id, job.id], "read until the message was noted, then kept"


@asynccontextmanager
async def _first_step_read(chat: Conversation, notifier: str) -> AsyncIterator[Job]:
    """A running job whose first step a running notifier has read (until the block ends)."""
    deps = chat.deps
    job = await stored_job(chat, status=JobStatus.RUNNING, status_message_id=STATUS_MESSAGE)
    async with notifier_running(chat, notifier):
        await deps.lifecycle.progress(job, Stage.CUTTING, 0, 1)
        await eventually(lambda: events_handled(deps), what="the step is read")
        yield job


async def _failed_and_told(chat: Conversation, job: Job) -> Job:
    """The job fails (as a worker would record it) and its outcome reaches the chat."""
    deps = chat.deps
    fields = {"status": JobStatus.FAILED, "error": "boom", "delivery": Delivery.PENDING}
    failed = await deps.db.jobs.swap(await deps.db.jobs.get(job.id), **fields)
    await deps.lifecycle.announce(failed)
    return await eventually(lambda: delivered(chat, job.id), what="the outcome is told")


async def test_the_events_loop_looks_for_a_dead_bots_events_now_and_then(chat: Conversation):
    """XAUTOCLAIM finds events a dead bot read and never acknowledged; they wait a minute
    anyway, so the loop asks every few seconds, not once per event it reads."""
    deps = chat.deps
    job = await stored_job(chat, count=5, status=JobStatus.RUNNING)
    async with (
        notifier_running(chat, "reclaim-test"),
        commands_sent(deps.redis, deps.keys.events) as sent,
    ):
        for done in range(5):
            await deps.lifecycle.progress(job, Stage.PAINTING, done, 5)
            await asyncio.sleep(0.1)
        await eventually(lambda: events_handled(deps), what="the events are handled")
    assert sent.count("XREADGROUP") >= 2, "the events came one by one"
    assert sent.count("XAUTOCLAIM") <= 1


async def test_a_step_read_long_after_it_was_published_is_not_shown(
    chat: Conversation, monkeypatch
):
    """A dead bot's events are taken over after a minute; by then the job may be long
    finished, and its status message must keep the outcome. Here every step counts as
    late (the limit set to nothing)."""
    monkeypatch.setattr(notifier_module, "PROGRESS_STALE_S", 0.0)
    async with _first_step_read(chat, "stale-test"):
        await asyncio.sleep(0.5)  # when its edit would have gone out
    assert edits(chat) == []


async def test_the_status_messages_of_queued_jobs_follow_the_queue(chat: Conversation):
    """Each queued job's status message shows its place, read for all of them at once
    from the jobs stream; a message that says another place is corrected."""
    deps = chat.deps
    messages = iter([801, 802])

    async def post_status(position: int) -> int:
        return next(messages)

    jobs = [
        await deps.lifecycle.submit(
            chat_job(chat, seed=i),
            user_id=chat.chat_id,
            quota_limit=100,
            post_status=post_status,
        )
        for i in range(2)
    ]
    for job in jobs:
        await deps.db.jobs.note(job.id, position=99)  # what the messages say now
    places = await deps.job_queue.positions()
    assert places[jobs[1].id] == places[jobs[0].id] + 1
    async with notifier_running(chat, "positions-test"):
        for job, message in zip(jobs, (801, 802), strict=True):
            text = queued_text(EN, places[job.id])
            await eventually(
                lambda m=message, t=text: _shown(chat, m, t),
                what=f"message {message} shows place {places[job.id]}",
            )
            assert (await deps.db.jobs.get(job.id)).position == places[job.id]


def _shown(chat: Conversation, message_id: int, text: str) -> bool:
    return any(
        call.chat_id == chat.chat_id and call.message_id == message_id and call.text == text
        for call in chat.bot.session.called(EditMessageText)
    )
