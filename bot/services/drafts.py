"""The draft of the next job, kept in the chat's FSM data while the user chooses."""

from __future__ import annotations

import secrets

from aiogram.fsm.context import FSMContext
from pydantic import BaseModel, Field

from bot.services.deps import BotDeps
from catalog.cutouts import CutoutChoice
from jobs.label_requests import known_label
from locales import Translator
from storage.chats import Chat
from storage.jobs import Job


class Draft(BaseModel):
    """What the user has chosen so far for the job they are about to start."""

    upload_id: str
    # Carried by every button of this draft: a button of an older draft (stale) or one
    # someone made up (forged) does not match, and changes nothing.
    token: str = Field(default_factory=lambda: secrets.token_hex(4))
    style: str | None = None
    count: int | None = None
    user_prompt: str | None = None
    model_prompt: str | None = None
    negative_prompt: str | None = None
    label: str | None = None
    cutout: CutoutChoice = CutoutChoice.AUTO

    @property
    def complete(self) -> bool:
        return self.style is not None and self.count is not None


async def load_draft(state: FSMContext) -> Draft | None:
    data = await state.get_data()
    return Draft.model_validate(data["draft"]) if "draft" in data else None


async def save_draft(state: FSMContext, draft: Draft) -> None:
    await state.update_data(draft=draft.model_dump())


async def with_label(draft: Draft, deps: BotDeps) -> Draft:
    """Fills in the product's category once a worker has predicted it."""
    if draft.label is None:
        draft.label = await known_label(deps.redis, deps.keys, draft.upload_id)
    return draft


def job_from_draft(draft: Draft, chat: Chat, seed: int) -> Job:
    return Job(
        chat_id=chat.chat_id,
        lang=chat.lang,
        style=draft.style,
        count=draft.count,
        seed=seed,
        user_prompt=draft.user_prompt,
        model_prompt=draft.model_prompt,
        negative_prompt=draft.negative_prompt,
        input_image_id=draft.upload_id,
        label=draft.label,
        cutout=draft.cutout,
    )


def draft_from_job(job: Job) -> Draft:
    """A new draft with everything a job was asked with, to look at and start again."""
    keep = {"style", "count", "user_prompt", "model_prompt", "negative_prompt", "label", "cutout"}
    return Draft(upload_id=job.input_image_id, **job.model_dump(include=keep))


def options_text(t: Translator, draft: Draft) -> str:
    """Above the options keyboard: what the job will be made with."""
    style = t.get(f"style-{draft.style}")
    if draft.cutout == CutoutChoice.AUTO:
        return t.get("options-choose", style=style, count=draft.count)
    choice = t.get(f"cutout-choice-{draft.cutout}")
    return t.get("cutout-chosen", choice=choice, style=style, count=draft.count)
