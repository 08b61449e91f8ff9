"""Typed callback data of every inline button (Telegram allows 64 bytes each)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class StyleCb(CallbackData, prefix="st"):
    style: str


class CountCb(CallbackData, prefix="n"):
    count: int


class OptionCb(CallbackData, prefix="op"):
    action: str  # "generate" | "own"


class JobAction(StrEnum):
    CANCEL = "x"
    REGENERATE = "r"
    MORE = "m"
    CHANGE_STYLE = "s"
    FILES = "f"
    RERUN = "a"
    RESEND = "e"


class JobCb(CallbackData, prefix="j"):
    action: JobAction
    job_id: str


class HistoryCb(CallbackData, prefix="h"):
    page: int


class LanguageCb(CallbackData, prefix="lg"):
    lang: str
