"""Inline keyboards of the conversation. Texts come from the caller's translator."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from catalog import style_ids
from catalog.cutouts import CutoutChoice
from keyboards.callbacks import (
    CountCb,
    CutoutCb,
    ForgetCb,
    HistoryCb,
    JobAction,
    JobCb,
    LanguageCb,
    OptionCb,
    StyleCb,
)
from keyboards.suggest import SuggestCb
from locales import LANGUAGES, Translator


def styles(t: Translator, token: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for style_id in style_ids():
        kb.button(text=t.get(f"style-{style_id}"), callback_data=StyleCb(style=style_id, d=token))
    kb.adjust(2)
    return kb.as_markup()


def counts(t: Translator, options: Sequence[int], token: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for n in options:
        kb.button(text=t.get("count-button", count=n), callback_data=CountCb(count=n, d=token))
    kb.adjust(len(options))
    return kb.as_markup()


def options(t: Translator, token: str) -> InlineKeyboardBuilder:
    """Generate / write my own; other features add their rows to the returned builder."""
    kb = InlineKeyboardBuilder()
    kb.button(text=t.get("options-generate"), callback_data=OptionCb(action="generate", d=token))
    kb.button(text=t.get("suggest-button"), callback_data=SuggestCb(action="show", d=token))
    kb.button(text=t.get("options-own"), callback_data=OptionCb(action="own", d=token))
    kb.button(text=t.get("cutout-check-button"), callback_data=CutoutCb(action="check", d=token))
    kb.adjust(1)
    return kb


def cutout_choices(
    t: Translator, shown: CutoutChoice, usable: bool, token: str
) -> InlineKeyboardMarkup:
    """Under a cut-out preview: the other ways to cut, Use this one (when it is usable)
    and Back to the options."""
    kb = InlineKeyboardBuilder()
    others = [choice for choice in CutoutChoice if choice != shown]
    for choice in others:
        kb.button(
            text=t.get(f"cutout-choice-{choice}"),
            callback_data=CutoutCb(action="check", choice=choice, d=token),
        )
    if usable:
        kb.button(
            text=t.get("cutout-use"), callback_data=CutoutCb(action="use", choice=shown, d=token)
        )
    kb.button(text=t.get("cutout-back"), callback_data=CutoutCb(action="back", d=token))
    kb.adjust(2, 2, 1, 1)
    return kb.as_markup()


def cutout_check(t: Translator, job_id: str) -> InlineKeyboardMarkup:
    """Under a job that could not cut its product out."""
    kb = InlineKeyboardBuilder()
    action = JobCb(action=JobAction.CHECK_CUTOUT, job_id=job_id)
    kb.button(text=t.get("cutout-check-button"), callback_data=action)
    return kb.as_markup()


def job_running(t: Translator, job_id: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(
        text=t.get("button-cancel"), callback_data=JobCb(action=JobAction.CANCEL, job_id=job_id)
    )
    return kb.as_markup()


def results(t: Translator, job_id: str) -> InlineKeyboardMarkup:
    """Under an album. The cut-out check is here too: a product cut out wrong shows only
    in the album, and the check leads to a run with a way of cutting that looks right."""
    kb = InlineKeyboardBuilder()
    for action, key in (
        (JobAction.REGENERATE, "button-regenerate"),
        (JobAction.MORE, "button-more"),
        (JobAction.CHANGE_STYLE, "button-change-style"),
        (JobAction.FILES, "button-files"),
        (JobAction.CHECK_CUTOUT, "cutout-check-button"),
    ):
        kb.button(text=t.get(key), callback_data=JobCb(action=action, job_id=job_id))
    kb.adjust(2)
    return kb.as_markup()


def history(
    t: Translator, jobs: Sequence[tuple[str, bool]], page: int, has_next: bool
) -> InlineKeyboardMarkup | None:
    """Run again (and Send again for a done job) per (job id, done) of a history page,
    then the page buttons."""
    kb = InlineKeyboardBuilder()
    for number, (job_id, done) in enumerate(jobs, start=1):
        kb.row(*_history_item(t, job_id, done, number))
    pages = _history_pages(t, page, has_next)
    if pages:
        kb.row(*pages)
    return kb.as_markup() if list(kb.buttons) else None


def _history_item(
    t: Translator, job_id: str, done: bool, number: int
) -> list[InlineKeyboardButton]:
    """One row for the job numbered `number` on a history page."""
    row = [
        InlineKeyboardButton(
            text=t.get("button-rerun", n=number),
            callback_data=JobCb(action=JobAction.RERUN, job_id=job_id).pack(),
        )
    ]
    if done:
        row.append(
            InlineKeyboardButton(
                text=t.get("button-resend", n=number),
                callback_data=JobCb(action=JobAction.RESEND, job_id=job_id).pack(),
            )
        )
    return row


def _history_pages(t: Translator, page: int, has_next: bool) -> list[InlineKeyboardButton]:
    row = []
    if page > 0:
        row.append(
            InlineKeyboardButton(
                text=t.get("button-prev"), callback_data=HistoryCb(page=page - 1).pack()
            )
        )
    if has_next:
        row.append(
            InlineKeyboardButton(
                text=t.get("button-next"), callback_data=HistoryCb(page=page + 1).pack()
            )
        )
    return row


def forget(t: Translator, token: str) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=t.get("forget-yes"), callback_data=ForgetCb(action="yes", token=token))
    kb.button(text=t.get("forget-no"), callback_data=ForgetCb(action="no", token=token))
    kb.adjust(1)
    return kb.as_markup()


def languages() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for lang in LANGUAGES:
        # Each language is named in itself, so anyone can find their own.
        name = Translator.load(lang).get("language-name")
        kb.button(text=name, callback_data=LanguageCb(lang=lang))
    return kb.as_markup()
