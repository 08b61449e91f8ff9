"""Suggest backgrounds: ideas for this product and style as buttons, More ideas, and a pick.

"Write my own" is the options keyboard's own button (handlers/choose.py); the ideas'
texts stay in Redis and their buttons carry only short ids.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from bot.services.deps import BotDeps
from bot.services.drafts import save_draft
from bot.services.ideas import SHOWN, ideas_for, remember_shown
from handlers.states import draft_or_refuse, refuse
from keyboards import builders
from keyboards.suggest import SuggestCb, ideas_markup
from locales import Translator

router = Router(name="suggest")


@router.callback_query(SuggestCb.filter(F.action == "show"))
async def show(
    query: CallbackQuery,
    callback_data: SuggestCb,
    callback_answer: CallbackAnswer,
    t: Translator,
    state: FSMContext,
    deps: BotDeps,
) -> None:
    draft = await draft_or_refuse(callback_answer, t, state, callback_data.d)
    if draft is None:
        return
    # YandexGPT may take seconds: say so at once, then turn this message into the ideas.
    waiting = await query.message.answer(t.get("suggest-thinking"))
    ideas = await ideas_for(draft, t, deps, shown=[])
    await remember_shown(state, [], ideas)
    await waiting.edit_text(
        t.get("suggest-choose"), reply_markup=ideas_markup(t, ideas, draft.token)
    )


@router.callback_query(SuggestCb.filter(F.action == "more"))
async def more(
    query: CallbackQuery,
    callback_data: SuggestCb,
    callback_answer: CallbackAnswer,
    t: Translator,
    state: FSMContext,
    deps: BotDeps,
) -> None:
    draft = await draft_or_refuse(callback_answer, t, state, callback_data.d)
    if draft is None:
        return
    shown: list[str] = (await state.get_data()).get(SHOWN, [])
    ideas = await ideas_for(draft, t, deps, shown=shown)
    await remember_shown(state, shown, ideas)
    await query.message.edit_reply_markup(reply_markup=ideas_markup(t, ideas, draft.token))


@router.callback_query(SuggestCb.filter(F.action == "pick"))
async def pick(
    query: CallbackQuery,
    callback_data: SuggestCb,
    callback_answer: CallbackAnswer,
    t: Translator,
    state: FSMContext,
    deps: BotDeps,
) -> None:
    draft = await draft_or_refuse(callback_answer, t, state, callback_data.d)
    if draft is None:
        return
    suggestion = await deps.suggester.recall(callback_data.id)
    if suggestion is None:
        refuse(callback_answer, t.get("suggest-expired"))
        return
    draft.user_prompt = suggestion.text
    draft.model_prompt, draft.negative_prompt = suggestion.prompt, suggestion.negative_prompt
    await save_draft(state, draft)
    # The ideas message becomes "Background: …" with Generate under it.
    await query.message.edit_text(
        t.get("prompt-saved", text=suggestion.text),
        reply_markup=builders.options(t, draft.token).as_markup(),
    )
