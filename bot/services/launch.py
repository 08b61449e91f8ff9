"""Starting, re-running and cancelling a job, through the job lifecycle (`jobs.lifecycle`).

Every path that makes images (Generate, Regenerate, More like this, a re-run from
/history) comes here, so each takes the quota, respects the queue limit and the chat's
limit on active jobs, and gets one status message.
"""

from __future__ import annotations

import logging
import secrets

from aiogram import Bot

from bot.services.deps import BotDeps
from bot.services.status import queued_text, refusal_text
from jobs.lifecycle import Cancel, Refused
from keyboards import builders
from locales import Translator
from storage.chats import Chat
from storage.jobs import Job

log = logging.getLogger(__name__)


def new_seed() -> int:
    return secrets.randbelow(2**31)


async def launch(
    bot: Bot, t: Translator, chat: Chat, job: Job, deps: BotDeps, user_id: int
) -> Job | None:
    """Queues the job and posts its status message; tells the user why when it can't."""
    limit = chat.daily_quota if chat.daily_quota is not None else deps.settings.daily_quota

    async def post_status(position: int) -> int:
        status = await bot.send_message(
            job.chat_id, queued_text(t, position), reply_markup=builders.job_running(t, job.id)
        )
        return status.message_id

    try:
        return await deps.lifecycle.submit(
            job, user_id=user_id, quota_limit=limit, post_status=post_status, poster=deps.name
        )
    except Refused as refusal:
        log.info("chat %s: job refused (%s)", job.chat_id, refusal.reason)
        await bot.send_message(job.chat_id, refusal_text(t, refusal))
        return None


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
        "cutout",
    }
    return Job(**job.model_dump(include=keep), seed=seed, lang=lang, parent_job_id=job.id)


async def cancel_job(job: Job, t: Translator, deps: BotDeps) -> str:
    """Cancels at once while queued; a running job stops at its next step. The status
    message says so when the notifier delivers the outcome. Returns what to tell the user."""
    outcome = await deps.lifecycle.cancel(job.id)
    if outcome == Cancel.TOO_LATE:
        return t.get("cancel-too-late")
    if outcome == Cancel.MISSING:
        return t.get("error-job-missing")
    return t.get("cancel-done")
