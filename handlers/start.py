"""/start, /help and /language."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.services.deps import BotDeps
from keyboards import builders
from keyboards.callbacks import LanguageCb
from locales import Translator, user_text

router = Router(name="start")


@router.message(CommandStart())
async def start(message: Message, t: Translator, state: FSMContext) -> None:
    await state.clear()
    name = user_text(message.from_user.first_name if message.from_user else "", limit=64)
    await message.answer(t.get("start-greeting", name=name))
    await message.answer(t.get("start-hint"))


@router.message(Command("help"))
async def help_(message: Message, t: Translator) -> None:
    await message.answer(t.get("help-text"))


@router.message(Command("language"))
async def language(message: Message, t: Translator) -> None:
    await message.answer(t.get("language-choose"), reply_markup=builders.languages())


@router.callback_query(LanguageCb.filter(F.lang.in_({"ru", "en"})))
async def language_chosen(query: CallbackQuery, callback_data: LanguageCb, deps: BotDeps) -> None:
    await deps.db.chats.set_language(query.from_user.id, callback_data.lang)
    text = Translator.load(callback_data.lang).get("language-set")
    if query.message:
        await query.message.edit_text(text)
