"""A page of /history: the chat's earlier jobs, newest first, with their buttons."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from bot.services.deps import BotDeps
from keyboards import builders
from locales import Translator, user_text
from storage.jobs import Job
from storage.status import JobStatus

PAGE_SIZE = 5
PROMPT_PREVIEW_CHARS = 60


async def history_page(
    chat_id: int, page: int, t: Translator, deps: BotDeps
) -> tuple[str, InlineKeyboardMarkup | None]:
    jobs = await deps.db.jobs.for_chat(chat_id, page * PAGE_SIZE, PAGE_SIZE + 1)
    if not jobs and page == 0:
        return t.get("history-empty"), None
    shown = jobs[:PAGE_SIZE]
    lines = [t.get("history-title", page=page + 1)]
    lines += [f"{i + 1}. {_line(job, t)}" for i, job in enumerate(shown)]
    buttons = [(job.id, job.status == JobStatus.DONE and not job.images_expired) for job in shown]
    return "\n".join(lines), builders.history(t, buttons, page, len(jobs) > PAGE_SIZE)


def _line(job: Job, t: Translator) -> str:
    args = {
        "when": job.created_at.strftime("%d.%m %H:%M"),
        "style": t.get(f"style-{job.style}"),
        "count": job.count,
        # Retention removed the images of old jobs; their records stay and say so.
        "status": t.get(
            "history-status-expired" if job.images_expired else f"history-status-{job.status}"
        ),
    }
    if job.user_prompt:
        prompt = user_text(job.user_prompt, PROMPT_PREVIEW_CHARS)
        return t.get("history-item-prompt", prompt=prompt, **args)
    return t.get("history-item", **args)
