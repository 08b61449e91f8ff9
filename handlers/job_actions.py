"""Buttons on a job: cancel it, run it again, change its style, get its images again, check
the cut-out of one whose product could not be cut out."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.services.cutouts import show_cutout
from bot.services.delivery import send_files_once
from bot.services.deps import BotDeps
from bot.services.drafts import Draft, draft_from_job, save_draft
from bot.services.launch import cancel_job, launch, new_seed, rerun_of
from handlers.states import Flow, answer_at_once, refuse
from keyboards import builders
from keyboards.callbacks import JobAction, JobCb
from locales import Translator
from runtime.logs import log_context
from storage.chats import Chat
from storage.jobs import Job
from storage.status import JobStatus

router = Router(name="job_actions")
ACTIVE_LOOKBACK = 5  # /cancel looks at the chat's newest jobs


@router.callback_query(JobCb.filter(F.action == JobAction.CANCEL))
async def cancel_button(
    query: CallbackQuery,
    callback_data: JobCb,
    callback_answer: CallbackAnswer,
    t: Translator,
    deps: BotDeps,
) -> None:
    job = await _own_job(query, callback_data.job_id, callback_answer, t, deps)
    if job is not None:
        callback_answer.text = await cancel_job(job, t, deps)


@router.message(Command("cancel"))
async def cancel_command(
    message: Message, bot: Bot, t: Translator, state: FSMContext, deps: BotDeps
) -> None:
    await state.set_state(None)
    newest = await deps.db.jobs.for_chat(message.chat.id, 0, ACTIVE_LOOKBACK)
    active = [job for job in newest if not job.status.finished]
    if not active:
        await message.answer(t.get("cancel-nothing"))
        return
    for job in active:
        text = await cancel_job(job, t, deps)
    await message.answer(text)


@router.callback_query(
    JobCb.filter(F.action.in_({JobAction.REGENERATE, JobAction.MORE, JobAction.RERUN}))
)
async def run_again(
    query: CallbackQuery,
    callback_data: JobCb,
    callback_answer: CallbackAnswer,
    t: Translator,
    deps: BotDeps,
    chat_record: Chat,
) -> None:
    job = await _own_job(query, callback_data.job_id, callback_answer, t, deps)
    if job is None:
        return
    # "More like this" continues the same seed sequence; the others draw a fresh one.
    seed = job.seed + job.count if callback_data.action == JobAction.MORE else new_seed()
    rerun = rerun_of(job, seed, t.lang)
    with log_context(job_id=rerun.id, parent_job_id=job.id):
        await launch(query.bot, t, chat_record, rerun, deps, user_id=query.from_user.id)


@router.callback_query(JobCb.filter(F.action == JobAction.CHANGE_STYLE))
async def change_style(
    query: CallbackQuery,
    callback_data: JobCb,
    callback_answer: CallbackAnswer,
    t: Translator,
    state: FSMContext,
    deps: BotDeps,
) -> None:
    job = await _own_job(query, callback_data.job_id, callback_answer, t, deps)
    if job is None:
        return
    draft = Draft(upload_id=job.input_image_id, count=job.count, label=job.label, cutout=job.cutout)
    await save_draft(state, draft)
    await state.set_state(Flow.style)
    await query.message.answer(t.get("style-choose"), reply_markup=builders.styles(t, draft.token))


@router.callback_query(JobCb.filter(F.action == JobAction.CHECK_CUTOUT))
async def check_cutout(
    query: CallbackQuery,
    callback_data: JobCb,
    callback_answer: CallbackAnswer,
    t: Translator,
    state: FSMContext,
    deps: BotDeps,
) -> None:
    """A job's cut-out, from under its album or from the message of a job whose product
    could not be cut out: the job's draft again, and the cut-out check."""
    job = await _own_job(query, callback_data.job_id, callback_answer, t, deps)
    if job is None:
        return
    await answer_at_once(query, callback_answer)
    draft = draft_from_job(job)
    await save_draft(state, draft)
    await state.set_state(Flow.options)
    await show_cutout(query.bot, query.message.chat.id, t, deps, draft, draft.cutout)


@router.callback_query(JobCb.filter(F.action.in_({JobAction.FILES, JobAction.RESEND})))
async def send_again(
    query: CallbackQuery,
    callback_data: JobCb,
    callback_answer: CallbackAnswer,
    t: Translator,
    deps: BotDeps,
) -> None:
    job = await _own_job(query, callback_data.job_id, callback_answer, t, deps)
    if job is None:
        return
    if job.status != JobStatus.DONE:
        refuse(callback_answer, t.get("error-job-missing"))
        return
    # Stored images sent again: no quota is taken, but each goes out once at a time (the
    # album through the notifier's exactly-once delivery, the files under a lock).
    if callback_data.action == JobAction.FILES:
        if not await send_files_once(query.bot, deps, job):
            callback_answer.text = t.get("files-sending")
    else:
        await deps.lifecycle.redeliver(job.id)


async def _own_job(
    query: CallbackQuery, job_id: str, callback_answer: CallbackAnswer, t: Translator, deps: BotDeps
) -> Job | None:
    """The job a button names, when it is this chat's; otherwise the user is told."""
    job = await deps.db.jobs.get(job_id)
    if job is None or job.chat_id != query.message.chat.id:
        refuse(callback_answer, t.get("error-job-missing"))
        return None
    if job.images_expired:
        refuse(callback_answer, t.get("error-images-expired"))
        return None
    return job
