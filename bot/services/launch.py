"""Starting, re-running and cancelling a job: quota, record, queue and status message."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime

from aiogram import Bot
from redis.asyncio import Redis

from bot.services.deps import BotDeps
from bot.services.status import queued_text
from jobs.messages import JobMessage
from jobs.names import Keys
from jobs.queue import QueueFull
from keyboards import builders
from locales import Translator
from storage.chats import Chat
from storage.jobs import Job

log = logging.getLogger(__name__)
QUOTA_TTL_S = 2 * 24 * 3600


def new_seed() -> int:
    return secrets.randbelow(2**31)


async def launch(bot: Bot, t: Translator, chat: Chat, job: Job, deps: BotDeps) -> Job | None:
    """Queues the job and posts its status message; tells the user why when it can't."""
    limit = chat.daily_quota if chat.daily_quota is not None else deps.settings.daily_quota
    if not await _take_quota(deps.redis, deps.keys, job.chat_id, job.count, limit):
        await bot.send_message(job.chat_id, t.get("error-quota", limit=limit))
        return None
    # The status message exists before a worker can take the job, so every event
    # about the job finds the message to edit.
    position = await deps.job_queue.waiting() + 1
    status = await bot.send_message(
        job.chat_id, queued_text(t, position), reply_markup=builders.job_running(t, job.id)
    )
    job.status_message_id, job.position = status.message_id, position
    await deps.db.jobs.create(job)
    try:
        entry_id = await deps.job_queue.enqueue(JobMessage(job_id=job.id, chat_id=job.chat_id))
    except QueueFull:
        await _give_back_quota(deps.redis, deps.keys, job.chat_id, job.count)
        await deps.db.jobs.delete(job.id)
        await bot.edit_message_text(
            t.get("error-queue-full"), chat_id=job.chat_id, message_id=status.message_id
        )
        return None
    await deps.db.jobs.update(job.id, entry_id=entry_id)
    log.info("job %s queued for chat %s at position %d", job.id, job.chat_id, position)
    return job


def rerun_of(job: Job, seed: int, lang: str) -> Job:
    """A new job record with another's parameters, a new seed, in the chat's language now."""
    keep = {
        "chat_id",
        "style",
        "count",
        "engine",
        "user_prompt",
        "model_prompt",
        "negative_prompt",
        "input_image_id",
        "label",
    }
    return Job(**job.model_dump(include=keep), seed=seed, lang=lang, parent_job_id=job.id)


async def cancel_job(job: Job, t: Translator, deps: BotDeps, bot: Bot) -> str:
    """Cancels at once while queued; a running job stops at its next step (the worker says so).
    Returns what to tell the user."""
    if job.status.finished:
        return t.get("cancel-too-late")
    await deps.job_queue.request_cancel(job.id)
    if await deps.db.jobs.cancel_queued(job.id) and job.status_message_id:
        await bot.edit_message_text(
            t.get("status-cancelled"), chat_id=job.chat_id, message_id=job.status_message_id
        )
    return t.get("cancel-done")


async def _take_quota(redis: Redis, keys: Keys, chat_id: int, images: int, limit: int) -> bool:
    key = keys.quota(chat_id, datetime.now(UTC).strftime("%Y-%m-%d"))
    used = await redis.incrby(key, images)
    await redis.expire(key, QUOTA_TTL_S)
    if used > limit:
        await redis.decrby(key, images)
        return False
    return True


async def _give_back_quota(redis: Redis, keys: Keys, chat_id: int, images: int) -> None:
    await redis.decrby(keys.quota(chat_id, datetime.now(UTC).strftime("%Y-%m-%d")), images)
