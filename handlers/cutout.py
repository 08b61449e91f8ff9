"""The cut-out check from the options keyboard: look, try another way, use it, go back.

The check of a finished job (from under its album, or after a job whose product could
not be cut out) starts in handlers/job_actions.py, from the job's own parameters.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from bot.services.cutouts import show_cutout
from bot.services.deps import BotDeps
from bot.services.drafts import options_text, save_draft
from handlers.states import Flow, answer_at_once, draft_or_refuse
from keyboards import builders
from keyboards.callbacks import CutoutCb
from locales import Translator

router = Router(name="cutout")


@router.callback_query(CutoutCb.filter(F.action == "check"))
async def check(
    query: CallbackQuery,
    callback_data: CutoutCb,
    callback_answer: CallbackAnswer,
    t: Translator,
    state: FSMContext,
    deps: BotDeps,
) -> None:
    draft = await draft_or_refuse(callback_answer, t, state, callback_data.d)
    if draft is None:
        return
    await answer_at_once(query, callback_answer)
    choice = callback_data.choice or draft.cutout
    await show_cutout(query.bot, query.message.chat.id, t, deps, draft, choice)


@router.callback_query(CutoutCb.filter(F.action.in_({"use", "back"})))
async def use_or_back(
    query: CallbackQuery,
    callback_data: CutoutCb,
    callback_answer: CallbackAnswer,
    t: Translator,
    state: FSMContext,
) -> None:
    draft = await draft_or_refuse(callback_answer, t, state, callback_data.d)
    if draft is None:
        return
    if callback_data.action == "use" and callback_data.choice is not None:
        draft.cutout = callback_data.choice
        await save_draft(state, draft)
    await state.set_state(Flow.options)
    await query.message.edit_reply_markup(reply_markup=None)
    markup = builders.options(t, draft.token).as_markup()
    await query.message.answer(options_text(t, draft), reply_markup=markup)
