"""The notifier at work in handler tests: a job of the chat stored as a worker would
leave it, the notifier running on the session's deps, and what it has done."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.notifier import Notifier
from bot.services.deps import BotDeps
from storage.jobs import Delivery, Job
from tests.support.conversation import Conversation


def chat_job(chat: Conversation, **fields: Any) -> Job:
    """A one-image job of the chat, with `fields` over the defaults."""
    defaults = {"lang": "en", "style": "minimal", "count": 1, "seed": 1, "input_image_id": "photo"}
    return Job(chat_id=chat.chat_id, **{**defaults, **fields})


async def stored_job(chat: Conversation, **fields: Any) -> Job:
    """`chat_job`, in its record."""
    return await chat.deps.db.jobs.create(chat_job(chat, **fields))


@asynccontextmanager
async def notifier_running(chat: Conversation, name: str) -> AsyncIterator[Notifier]:
    """The notifier's loops (events, outbox, queue positions) until the block ends."""
    notifier = Notifier(chat.bot, chat.deps, name)
    stop = asyncio.Event()
    running = asyncio.create_task(notifier.run(stop))
    try:
        yield notifier
    finally:
        stop.set()
        await running


async def delivered(chat: Conversation, job_id: str) -> Job | None:
    """The job once its outcome has been sent to the chat."""
    job = await chat.deps.db.jobs.get(job_id)
    return job if job is not None and job.delivery == Delivery.DONE else None


async def events_handled(deps: BotDeps) -> bool:
    """Every event read by a notifier and acknowledged."""
    groups = await deps.redis.xinfo_groups(deps.keys.events)
    return all(g["pending"] == 0 and g.get("lag") == 0 for g in groups)
