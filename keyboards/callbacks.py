"""Typed callback data of every inline button (Telegram allows 64 bytes each)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from aiogram.filters.callback_data import CallbackData

from catalog.cutouts import CutoutChoice

# A draft's buttons carry its token (`d`): see bot/services/drafts.py.


class StyleCb(CallbackData, prefix="st"):
    style: str
    d: str = ""


class CountCb(CallbackData, prefix="n"):
    count: int
    d: str = ""


class OptionCb(CallbackData, prefix="op"):
    action: str  # "generate" | "own"
    d: str = ""


class CutoutCb(CallbackData, prefix="cc"):
    """Show the cut-out as `choice` (None: the draft's own), use it, or go back."""

    action: Literal["check", "use", "back"]
    choice: CutoutChoice | None = None
    d: str = ""


class JobAction(StrEnum):
    CANCEL = "x"
    REGENERATE = "r"
    MORE = "m"
    CHANGE_STYLE = "s"
    FILES = "f"
    RERUN = "a"
    RESEND = "e"
    CHECK_CUTOUT = "c"  # the cut-out of a job's photo, to look at and start again


class JobCb(CallbackData, prefix="j"):
    action: JobAction
    job_id: str


class HistoryCb(CallbackData, prefix="h"):
    page: int


class LanguageCb(CallbackData, prefix="lg"):
    lang: str


class ForgetCb(CallbackData, prefix="fg"):
    action: str  # "yes" | "no"
    token: str  # the one /forget issued, so a forged or stale press changes nothing
