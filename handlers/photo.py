"""Receiving the product photo: a compressed photo or an image sent as a file."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from handlers.deps import BotDeps
from handlers.states import Draft, Flow, save_draft
from handlers.uploads import ACCEPTED_MIME, UploadRejected, check_image
from jobs.labels import request_label
from keyboards import builders
from locales import Translator

log = logging.getLogger(__name__)
router = Router(name="photo")
MB = 1024 * 1024


@router.message(F.photo)
async def photo(
    message: Message, bot: Bot, t: Translator, state: FSMContext, deps: BotDeps
) -> None:
    largest = message.photo[-1]
    await _accept(message, bot, t, state, deps, largest.file_id, largest.file_size)


@router.message(F.document)
async def document(
    message: Message, bot: Bot, t: Translator, state: FSMContext, deps: BotDeps
) -> None:
    doc = message.document
    if doc.mime_type and doc.mime_type not in ACCEPTED_MIME:
        await message.answer(t.get("error-not-image"))
        return
    await _accept(message, bot, t, state, deps, doc.file_id, doc.file_size)


async def _accept(
    message: Message,
    bot: Bot,
    t: Translator,
    state: FSMContext,
    deps: BotDeps,
    file_id: str,
    size: int | None,
) -> None:
    max_bytes = deps.settings.max_upload_mb * MB
    if size is not None and size > max_bytes:
        await message.answer(t.get("error-too-large", limit=deps.settings.max_upload_mb))
        return
    data = (await bot.download(file_id)).getvalue()
    try:
        checked = check_image(data, max_bytes)
    except UploadRejected as refusal:
        log.info("chat %s: upload refused (%s)", message.chat.id, refusal.key)
        await message.answer(t.get(refusal.key, **refusal.args_for_text))
        return
    upload_id = await deps.db.images.put(
        checked.data,
        f"original.{checked.format.lower()}",
        chat_id=message.chat.id,
        kind="original",
        telegram_file_id=file_id,
    )
    await request_label(deps.redis, deps.keys, upload_id)
    await save_draft(state, Draft(upload_id=upload_id))
    await state.set_state(Flow.style)
    await message.reply(t.get("style-choose"), reply_markup=builders.styles(t))
