"""/forget: delete this chat's images, history and suggestion cache, after a confirmation."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.services import forget
from bot.services.deps import BotDeps
from handlers.states import refuse
from keyboards import builders
from keyboards.callbacks import ForgetCb
from locales import Translator

router = Router(name="forget")


@router.message(Command("forget"))
async def ask(message: Message, t: Translator, deps: BotDeps) -> None:
    token = await forget.ask(deps, message.chat.id)
    await message.answer(t.get("forget-ask"), reply_markup=builders.forget(t, token))


@router.callback_query(ForgetCb.filter(F.action == "yes"))
async def confirmed(
    query: CallbackQuery,
    callback_data: ForgetCb,
    callback_answer: CallbackAnswer,
    t: Translator,
    state: FSMContext,
    deps: BotDeps,
) -> None:
    chat_id = query.message.chat.id
    if not await forget.take_confirmation(deps, chat_id, callback_data.token):
        refuse(callback_answer, t.get("error-expired"))
        return
    done = await forget.forget_everything(deps, state, chat_id)
    await query.message.edit_text(t.get("forget-done", jobs=done.jobs, images=done.images))


@router.callback_query(ForgetCb.filter(F.action == "no"))
async def declined(
    query: CallbackQuery, callback_data: ForgetCb, t: Translator, deps: BotDeps
) -> None:
    await forget.drop_confirmation(deps, query.message.chat.id, callback_data.token)
    await query.message.edit_text(t.get("forget-kept"))
