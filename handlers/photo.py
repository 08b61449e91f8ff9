"""Receiving the product photo: a compressed photo or an image sent as a file."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from bot.services.deps import BotDeps
from bot.services.drafts import Draft, save_draft
from bot.services.uploads import ACCEPTED_MIME, UploadRejected, receive_upload
from handlers.states import Flow
from keyboards import builders
from locales import Translator

log = logging.getLogger(__name__)
router = Router(name="photo")


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
    try:
        upload_id = await receive_upload(bot, deps, message.chat.id, file_id, size)
    except UploadRejected as refusal:
        log.info("chat %s: upload refused (%s)", message.chat.id, refusal.key)
        await message.answer(t.get(refusal.key, **refusal.args_for_text))
        return
    await save_draft(state, Draft(upload_id=upload_id))
    await state.set_state(Flow.style)
    await message.reply(t.get("style-choose"), reply_markup=builders.styles(t))
