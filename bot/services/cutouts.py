"""The cut-out check: a worker cuts the draft's photo out as a choice says (jobs/previews.py),
and the chat sees it small on a checkerboard, with the other ways to cut under it."""

from __future__ import annotations

import asyncio
import contextlib

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile

from bot.services.deps import BotDeps
from bot.services.drafts import Draft
from catalog.cutouts import CutoutChoice
from jobs.previews import Preview, known_preview, request_preview
from keyboards import builders
from locales import Translator

# The button that asked waits for its answer: within the time Telegram gives one. A cut
# takes a second or two, so a longer wait means the workers are busy.
PREVIEW_WAIT_S = 12.0
POLL_S = 0.25


async def show_cutout(
    bot: Bot, chat_id: int, t: Translator, deps: BotDeps, draft: Draft, choice: CutoutChoice
) -> None:
    """Sends the draft's photo cut out as `choice` says, or why it could not be, with the
    other choices under it; tells the user to try later when no worker answers in time."""
    preview = await known_preview(deps.redis, deps.keys, draft.upload_id, choice)
    if preview is None:
        preparing = await bot.send_message(chat_id, t.get("cutout-preparing"))
        await request_preview(deps.redis, deps.keys, draft.upload_id, choice)
        preview = await _answer(deps, draft.upload_id, choice)
        if preview is None:
            busy = t.get("cutout-busy")
            await bot.edit_message_text(busy, chat_id=chat_id, message_id=preparing.message_id)
            return
        with contextlib.suppress(TelegramBadRequest):  # already gone: nothing to tidy
            await bot.delete_message(chat_id, preparing.message_id)
    name = t.get(f"cutout-choice-{choice}")
    usable = preview.image is not None and preview.unsure is None
    markup = builders.cutout_choices(t, choice, usable, draft.token)
    if preview.image is None:
        await bot.send_message(chat_id, t.get("cutout-failed", choice=name), reply_markup=markup)
        return
    photo = BufferedInputFile(preview.image, filename="cutout.jpg")
    caption = t.get("cutout-shown" if usable else "cutout-doubtful", choice=name)
    await bot.send_photo(chat_id, photo, caption=caption, reply_markup=markup)


async def _answer(deps: BotDeps, image_id: str, choice: CutoutChoice) -> Preview | None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PREVIEW_WAIT_S
    while (preview := await known_preview(deps.redis, deps.keys, image_id, choice)) is None:
        if loop.time() >= deadline:
            return None
        await asyncio.sleep(POLL_S)
    return preview
