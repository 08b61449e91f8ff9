"""Suggest backgrounds: ideas for this product and style as buttons, More ideas, and a pick.

"Write my own" is the options keyboard's own button (handlers/choose.py); the ideas'
texts stay in Redis and their buttons carry only short ids.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from handlers.deps import BotDeps
from handlers.states import Draft, draft_or_refuse, save_draft, with_label
from keyboards import builders
from keyboards.suggest import SuggestCb, ideas_markup
from locales import Translator
from suggestions import Suggestion

router = Router(name="suggest")
PAGE = 4
SHOWN = "suggest_shown"  # FSM data: ids of the ideas this chat has seen, for More ideas
MAX_SHOWN = 40  # the library wraps around long before this


@router.callback_query(SuggestCb.filter(F.action == "show"))
async def show(query: CallbackQuery, t: Translator, state: FSMContext, deps: BotDeps) -> None:
    draft = await draft_or_refuse(query, t, state)
    if draft is None:
        return
    await query.answer()
    # YandexGPT may take seconds: say so at once, then turn this message into the ideas.
    waiting = await query.message.answer(t.get("suggest-thinking"))
    ideas = await _suggest(draft, t, deps, shown=[])
    await state.update_data({SHOWN: [i.id for i in ideas]})
    await waiting.edit_text(t.get("suggest-choose"), reply_markup=ideas_markup(t, ideas))


@router.callback_query(SuggestCb.filter(F.action == "more"))
async def more(query: CallbackQuery, t: Translator, state: FSMContext, deps: BotDeps) -> None:
    draft = await draft_or_refuse(query, t, state)
    if draft is None:
        return
    await query.answer()
    shown: list[str] = (await state.get_data()).get(SHOWN, [])
    ideas = await _suggest(draft, t, deps, shown=shown)
    await state.update_data({SHOWN: (shown + [i.id for i in ideas])[-MAX_SHOWN:]})
    await query.message.edit_reply_markup(reply_markup=ideas_markup(t, ideas))


@router.callback_query(SuggestCb.filter(F.action == "pick"))
async def pick(
    query: CallbackQuery, callback_data: SuggestCb, t: Translator, state: FSMContext, deps: BotDeps
) -> None:
    draft = await draft_or_refuse(query, t, state)
    if draft is None:
        return
    suggestion = await deps.suggester.recall(callback_data.id)
    if suggestion is None:
        await query.answer(t.get("suggest-expired"), show_alert=True)
        return
    await query.answer()
    draft.user_prompt = suggestion.text
    draft.model_prompt, draft.negative_prompt = suggestion.prompt, suggestion.negative_prompt
    await save_draft(state, draft)
    await _offer_generate(query.message, t, suggestion)


async def _suggest(
    draft: Draft, t: Translator, deps: BotDeps, shown: list[str]
) -> list[Suggestion]:
    draft = await with_label(draft, deps)
    ideas = await deps.suggester.suggest(
        style=draft.style or "custom",
        lang=t.lang,
        category=draft.label,
        user_text=draft.user_prompt,
        count=PAGE,
        exclude=shown,
    )
    for idea in ideas:
        await deps.suggester.remember(idea)
    return ideas


async def _offer_generate(message: Message, t: Translator, suggestion: Suggestion) -> None:
    """The ideas message becomes "Background: …" with Generate under it."""
    await message.edit_text(
        t.get("prompt-saved", text=suggestion.text), reply_markup=builders.options(t).as_markup()
    )
