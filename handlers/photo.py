"""Receiving the product photo: a compressed photo or an image sent as a file, and a
kind answer to everything else people send instead (stickers, videos, voice, albums).

A caption is not read: the background is described on its own step. A forwarded photo
is a photo like any other. An edited message that now holds another picture counts as a
new photo; an edit of the caption alone changes nothing.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.chat_action import ChatActionSender

from bot.services.album import claim_album, remember_file, seen_file
from bot.services.deps import BotDeps
from bot.services.drafts import Draft, save_draft
from bot.services.uploads import UploadRejected, receive_upload, refuse_by_mime
from handlers.states import Flow
from keyboards import builders
from locales import Translator

log = logging.getLogger(__name__)
router = Router(name="photo")


@router.message(F.sticker)
async def sticker(message: Message, t: Translator) -> None:
    await message.answer(t.get("error-sticker"))


@router.message(F.video | F.animation | F.video_note)
async def video(message: Message, t: Translator) -> None:
    await message.answer(t.get("error-video"))


@router.message(F.voice | F.audio)
async def voice(message: Message, t: Translator) -> None:
    await message.answer(t.get("error-voice"))


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
    refusal = refuse_by_mime(doc.mime_type)
    if refusal is not None:
        await message.answer(t.get(refusal.key, **refusal.args_for_text))
        return
    await _accept(message, bot, t, state, deps, doc.file_id, doc.file_size)


@router.edited_message(F.photo | F.document)
async def edited(
    message: Message, bot: Bot, t: Translator, state: FSMContext, deps: BotDeps
) -> None:
    """Telegram lets a sent photo be replaced: the new one is taken like a new message."""
    if await seen_file(deps, message.chat.id, _unique_id(message)):
        return  # only the caption changed: the photo was answered already
    if message.photo:
        await photo(message, bot, t, state, deps)
    else:
        await document(message, bot, t, state, deps)


async def _accept(
    message: Message,
    bot: Bot,
    t: Translator,
    state: FSMContext,
    deps: BotDeps,
    file_id: str,
    size: int | None,
) -> None:
    album = message.media_group_id
    if album is not None and not await claim_album(deps, message.chat.id, album):
        return  # another photo of the same album is being taken: one answer per album
    try:
        # The download and the check may take seconds on a large file.
        async with ChatActionSender.typing(bot=bot, chat_id=message.chat.id):
            upload = await receive_upload(bot, deps, message.chat.id, file_id, size)
    except UploadRejected as refusal:
        log.info("upload refused (%s)", refusal.key)
        await message.answer(t.get(refusal.key, **refusal.args_for_text))
        return
    await remember_file(deps, message.chat.id, _unique_id(message))
    draft = Draft(upload_id=upload.image_id)
    await save_draft(state, draft)
    await state.set_state(Flow.style)
    if upload.inspected.animated:
        await message.answer(t.get("note-animated"))
    if album is not None:
        await message.answer(t.get("note-album"))
    # A reply: in an album it shows which photo was taken.
    await message.reply(t.get("style-choose"), reply_markup=builders.styles(t, draft.token))


def _unique_id(message: Message) -> str:
    if message.photo:
        return message.photo[-1].file_unique_id
    return message.document.file_unique_id
