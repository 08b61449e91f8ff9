"""Buttons on a job: cancel it, run it again, change its style, get its images again."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from handlers.delivery import send_album, send_files
from handlers.deps import BotDeps
from handlers.launch import launch, new_seed
from handlers.states import Draft, Flow, save_draft
from jobs.status import JobStatus
from keyboards import builders
from keyboards.callbacks import JobAction, JobCb
from locales import Translator
from storage.chats import Chat
from storage.jobs import Job

router = Router(name="job_actions")


@router.callback_query(JobCb.filter(F.action == JobAction.CANCEL))
async def cancel_button(
    query: CallbackQuery, callback_data: JobCb, t: Translator, deps: BotDeps
) -> None:
    job = await _own_job(query, callback_data.job_id, t, deps)
    if job is not None:
        await query.answer(await cancel_job(job, t, deps, query.bot))


@router.message(Command("cancel"))
async def cancel_command(
    message: Message, bot: Bot, t: Translator, state: FSMContext, deps: BotDeps
) -> None:
    await state.set_state(None)
    active = [
        j for j in await deps.db.jobs.for_chat(message.chat.id, 0, 5) if not j.status.finished
    ]
    if not active:
        await message.answer(t.get("cancel-nothing"))
        return
    for job in active:
        text = await cancel_job(job, t, deps, bot)
    await message.answer(text)


async def cancel_job(job: Job, t: Translator, deps: BotDeps, bot: Bot) -> str:
    """Cancels at once while queued; a running job stops at its next step (the worker says so)."""
    if job.status.finished:
        return t.get("cancel-too-late")
    await deps.job_queue.request_cancel(job.id)
    if await deps.db.jobs.cancel_queued(job.id) and job.status_message_id:
        await bot.edit_message_text(
            t.get("status-cancelled"), chat_id=job.chat_id, message_id=job.status_message_id
        )
    return t.get("cancel-done")


@router.callback_query(
    JobCb.filter(F.action.in_({JobAction.REGENERATE, JobAction.MORE, JobAction.RERUN}))
)
async def run_again(
    query: CallbackQuery, callback_data: JobCb, t: Translator, deps: BotDeps, chat_record: Chat
) -> None:
    job = await _own_job(query, callback_data.job_id, t, deps)
    if job is None:
        return
    await query.answer()
    # "More like this" continues the same seed sequence; the others draw a fresh one.
    seed = job.seed + job.count if callback_data.action == JobAction.MORE else new_seed()
    # The chat's language now, which /language may have changed since.
    again = job.model_copy(update={"seed": seed, "parent_job_id": job.id, "lang": t.lang})
    await launch(query.bot, t, chat_record, _fresh(again), deps)


@router.callback_query(JobCb.filter(F.action == JobAction.CHANGE_STYLE))
async def change_style(
    query: CallbackQuery, callback_data: JobCb, t: Translator, state: FSMContext, deps: BotDeps
) -> None:
    job = await _own_job(query, callback_data.job_id, t, deps)
    if job is None:
        return
    await save_draft(state, Draft(upload_id=job.input_image_id, count=job.count, label=job.label))
    await state.set_state(Flow.style)
    await query.answer()
    await query.message.answer(t.get("style-choose"), reply_markup=builders.styles(t))


@router.callback_query(JobCb.filter(F.action.in_({JobAction.FILES, JobAction.RESEND})))
async def send_again(
    query: CallbackQuery, callback_data: JobCb, t: Translator, deps: BotDeps
) -> None:
    job = await _own_job(query, callback_data.job_id, t, deps)
    if job is None:
        return
    if job.status != JobStatus.DONE:
        await query.answer(t.get("error-job-missing"), show_alert=True)
        return
    await query.answer()
    if callback_data.action == JobAction.FILES:
        await send_files(query.bot, deps.db, job)
    else:
        await send_album(query.bot, deps.db, job, t)


def _fresh(job: Job) -> Job:
    """A new job record with another's parameters."""
    keep = {
        "chat_id",
        "lang",
        "style",
        "count",
        "seed",
        "engine",
        "user_prompt",
        "model_prompt",
        "negative_prompt",
        "input_image_id",
        "label",
        "parent_job_id",
    }
    return Job(**job.model_dump(include=keep))


async def _own_job(query: CallbackQuery, job_id: str, t: Translator, deps: BotDeps) -> Job | None:
    job = await deps.db.jobs.get(job_id)
    if job is None or job.chat_id != query.message.chat.id:
        await query.answer(t.get("error-job-missing"), show_alert=True)
        return None
    return job
