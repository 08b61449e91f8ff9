"""Anything the conversation does not expect: a hint, never silence."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import Message

from locales import Translator

router = Router(name="fallback")


@router.message()
async def anything_else(message: Message, t: Translator) -> None:
    await message.answer(t.get("fallback-text"))
