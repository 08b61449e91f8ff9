"""/history: the chat's earlier jobs, newest first, a page at a time."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.deps import BotDeps
from jobs.status import JobStatus
from keyboards import builders
from keyboards.callbacks import HistoryCb
from locales import Translator
from storage.jobs import Job

router = Router(name="history")
PAGE_SIZE = 5
PROMPT_PREVIEW_CHARS = 60


@router.message(Command("history"))
async def history(message: Message, t: Translator, deps: BotDeps) -> None:
    text, markup = await render_page(message.chat.id, 0, t, deps)
    await message.answer(text, reply_markup=markup)


@router.callback_query(HistoryCb.filter())
async def history_page(
    query: CallbackQuery, callback_data: HistoryCb, t: Translator, deps: BotDeps
) -> None:
    text, markup = await render_page(query.message.chat.id, max(callback_data.page, 0), t, deps)
    await query.answer()
    await query.message.edit_text(text, reply_markup=markup)


async def render_page(
    chat_id: int, page: int, t: Translator, deps: BotDeps
) -> tuple[str, InlineKeyboardMarkup | None]:
    jobs = await deps.db.jobs.for_chat(chat_id, page * PAGE_SIZE, PAGE_SIZE + 1)
    if not jobs and page == 0:
        return t.get("history-empty"), None
    shown = jobs[:PAGE_SIZE]
    lines = [t.get("history-title", page=page + 1)]
    lines += [f"{i + 1}. {_line(job, t)}" for i, job in enumerate(shown)]
    return "\n".join(lines), _keyboard(shown, page, len(jobs) > PAGE_SIZE, t)


def _line(job: Job, t: Translator) -> str:
    args = {
        "when": job.created_at.strftime("%d.%m %H:%M"),
        "style": t.get(f"style-{job.style}"),
        "count": job.count,
        "status": t.get(f"history-status-{job.status}"),
    }
    if job.user_prompt:
        return t.get("history-item-prompt", prompt=job.user_prompt[:PROMPT_PREVIEW_CHARS], **args)
    return t.get("history-item", **args)


def _keyboard(
    jobs: list[Job], page: int, has_next: bool, t: Translator
) -> InlineKeyboardMarkup | None:
    kb = InlineKeyboardBuilder()
    for i, job in enumerate(jobs):
        row = builders.history_item(t, job.id, job.status == JobStatus.DONE, number=i + 1)
        kb.row(*row)
    pages = builders.history_pages(t, page, has_next)
    if pages is not None:
        kb.row(*pages)
    return kb.as_markup() if list(kb.buttons) else None
