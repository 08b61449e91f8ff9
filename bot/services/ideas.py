"""Background ideas for a draft, and which of them this chat has already seen."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.fsm.context import FSMContext

from bot.services.deps import BotDeps
from bot.services.drafts import Draft, with_label
from locales import Translator
from suggestions import Suggestion

PAGE = 4
SHOWN = "suggest_shown"  # FSM data: ids of the ideas this chat has seen, for More ideas
MAX_SHOWN = 40  # the library wraps around long before this


async def ideas_for(
    draft: Draft, t: Translator, deps: BotDeps, shown: Sequence[str]
) -> list[Suggestion]:
    """A page of ideas not among `shown`, each kept in Redis for its button."""
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


async def remember_shown(
    state: FSMContext, shown: Sequence[str], ideas: Sequence[Suggestion]
) -> None:
    await state.update_data({SHOWN: [*shown, *(i.id for i in ideas)][-MAX_SHOWN:]})
