"""/forget: after the user confirms, the chat's images, jobs, drafts and suggestion
cache are deleted. The quota already used today and a ban stay: forgetting is no way
around either."""

from __future__ import annotations

import logging
import secrets

from aiogram.fsm.context import FSMContext

from bot.services.album import chat_patterns
from bot.services.deps import BotDeps
from bot.services.ideas import SHOWN
from storage.forget import Forgotten, forget_chat

log = logging.getLogger(__name__)
# The confirmation button works this long, once.
CONFIRM_TTL_S = 600


def _pending_key(deps: BotDeps, chat_id: int) -> str:
    return f"{deps.keys.prefix}:forget:{chat_id}"


async def ask(deps: BotDeps, chat_id: int) -> str:
    """A new confirmation token for the chat's Yes/No buttons (an older one stops working)."""
    token = secrets.token_hex(6)
    await deps.redis.set(_pending_key(deps, chat_id), token, ex=CONFIRM_TTL_S)
    return token


async def take_confirmation(deps: BotDeps, chat_id: int, token: str) -> bool:
    """True once for the token this chat was last given; a made-up, stale or repeated
    press is False and changes nothing."""
    key = _pending_key(deps, chat_id)
    if await deps.redis.get(key) != token:
        return False
    return bool(await deps.redis.delete(key))  # of two presses at once, one wins


async def drop_confirmation(deps: BotDeps, chat_id: int, token: str) -> None:
    if await deps.redis.get(_pending_key(deps, chat_id)) == token:
        await deps.redis.delete(_pending_key(deps, chat_id))


async def forget_everything(deps: BotDeps, state: FSMContext, chat_id: int) -> Forgotten:
    """Stops the chat's unfinished jobs, then deletes what it left in MongoDB and Redis."""
    data = await state.get_data()
    jobs = await deps.db.jobs.all_for_chat(chat_id)
    for job in jobs:
        if not job.status.finished:
            await deps.lifecycle.cancel(job.id)
    texts = {job.user_prompt for job in jobs if job.user_prompt}
    draft_text = (data.get("draft") or {}).get("user_prompt")
    if draft_text:
        texts.add(draft_text)
    forgotten = await forget_chat(deps.db, chat_id)
    await deps.suggester.forget(sorted(texts), data.get(SHOWN, []))
    keys = [deps.keys.label(image_id) for image_id in forgotten.image_ids]
    for pattern in chat_patterns(deps, chat_id):
        keys += [key async for key in deps.redis.scan_iter(pattern)]
    if keys:
        await deps.redis.delete(*keys)
    await state.clear()
    log.info("chat forgotten: %d jobs, %d images", forgotten.jobs, forgotten.images)
    return forgotten
