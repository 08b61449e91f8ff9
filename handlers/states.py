"""The conversation's FSM states, and the check every button of a draft makes first."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from bot.services.drafts import Draft, load_draft
from locales import Translator


class Flow(StatesGroup):
    style = State()
    count = State()
    options = State()
    prompt = State()


async def draft_or_refuse(
    callback_answer: CallbackAnswer, t: Translator, state: FSMContext, token: str
) -> Draft | None:
    """The draft a button acts on, when the button is one of its own (`token`); otherwise
    the button is out of date or made up, the user is told and nothing changes."""
    draft = await load_draft(state)
    if draft is None or draft.token != token:
        refuse(callback_answer, t.get("error-expired"))
        return None
    return draft


def refuse(callback_answer: CallbackAnswer, text: str) -> None:
    """The button's answer becomes an alert saying why nothing happened."""
    callback_answer.text, callback_answer.show_alert = text, True


async def answer_at_once(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    """Answers the button now, not after the handler (CallbackAnswerMiddleware's way): for
    handlers that wait seconds for a worker, so the button does not spin that long."""
    callback_answer.disable()
    await query.answer()
