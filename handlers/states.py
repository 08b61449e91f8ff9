"""The conversation's FSM states and the draft of the next job kept in FSM data."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery
from pydantic import BaseModel

from handlers.deps import BotDeps
from jobs.labels import known_label
from locales import Translator


class Flow(StatesGroup):
    style = State()
    count = State()
    options = State()
    prompt = State()


class Draft(BaseModel):
    """What the user has chosen so far for the job they are about to start."""

    upload_id: str
    style: str | None = None
    count: int | None = None
    user_prompt: str | None = None
    model_prompt: str | None = None
    negative_prompt: str | None = None
    label: str | None = None


async def load_draft(state: FSMContext) -> Draft | None:
    data = await state.get_data()
    return Draft.model_validate(data["draft"]) if "draft" in data else None


async def save_draft(state: FSMContext, draft: Draft) -> None:
    await state.update_data(draft=draft.model_dump())


async def draft_or_refuse(query: CallbackQuery, t: Translator, state: FSMContext) -> Draft | None:
    """The draft a button acts on; without one the button is out of date, and the user is told."""
    draft = await load_draft(state)
    if draft is None:
        await query.answer(t.get("error-expired"), show_alert=True)
    return draft


async def with_label(draft: Draft, deps: BotDeps) -> Draft:
    """Fills in the product's category once a worker has predicted it."""
    if draft.label is None:
        draft.label = await known_label(deps.redis, deps.keys, draft.upload_id)
    return draft
