"""Anything the conversation does not expect: a hint, never silence; a button nobody
handles (out of date, or made up) is answered so, and changes nothing."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from handlers.states import refuse
from locales import Translator

log = logging.getLogger(__name__)
router = Router(name="fallback")


@router.message()
async def anything_else(message: Message, t: Translator) -> None:
    await message.answer(t.get("fallback-text"))


@router.callback_query()
async def unknown_button(
    query: CallbackQuery, callback_answer: CallbackAnswer, t: Translator
) -> None:
    log.info("unknown button data refused: %r", (query.data or "")[:64])
    refuse(callback_answer, t.get("error-expired"))
