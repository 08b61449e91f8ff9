"""/history: the chat's earlier jobs, newest first, a page at a time."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.services.deps import BotDeps
from bot.services.history import history_page
from keyboards.callbacks import HistoryCb
from locales import Translator

router = Router(name="history")


@router.message(Command("history"))
async def history(message: Message, t: Translator, deps: BotDeps) -> None:
    text, markup = await history_page(message.chat.id, 0, t, deps)
    await message.answer(text, reply_markup=markup)


@router.callback_query(HistoryCb.filter())
async def page(
    query: CallbackQuery, callback_data: HistoryCb, t: Translator, deps: BotDeps
) -> None:
    text, markup = await history_page(query.message.chat.id, max(callback_data.page, 0), t, deps)
    await query.message.edit_text(text, reply_markup=markup)
