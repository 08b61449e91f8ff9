"""Buttons of the background suggestions: one idea a row, then More ideas and Write my own.

An idea's text stays server-side in Redis; its button carries only the short id, so
callback data keeps within Telegram's 64 bytes whatever the idea says.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from keyboards.callbacks import OptionCb
from locales import Translator
from suggestions import Suggestion


class SuggestCb(CallbackData, prefix="sg"):
    action: Literal["show", "more", "pick"]
    id: str = ""  # the suggestion's short id, for "pick"
    d: str = ""  # the draft's token


def ideas_markup(
    t: Translator, suggestions: Sequence[Suggestion], token: str
) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for suggestion in suggestions:
        kb.button(
            text=suggestion.text, callback_data=SuggestCb(action="pick", id=suggestion.id, d=token)
        )
    kb.button(text=t.get("suggest-more"), callback_data=SuggestCb(action="more", d=token))
    kb.button(text=t.get("options-own"), callback_data=OptionCb(action="own", d=token))
    kb.adjust(*([1] * len(suggestions)), 1, 1)
    return kb.as_markup()
