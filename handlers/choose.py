"""Choosing the style, the number of images and the background text, then Generate."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.services.deps import BotDeps
from bot.services.drafts import (
    Draft,
    job_from_draft,
    load_draft,
    options_text,
    save_draft,
    with_label,
)
from bot.services.launch import launch, new_seed
from catalog import style_ids
from handlers.states import Flow, draft_or_refuse, refuse
from keyboards import builders
from keyboards.callbacks import CountCb, OptionCb, StyleCb
from locales import Translator, user_text
from runtime.logs import log_context
from storage.chats import Chat

router = Router(name="choose")
MAX_PROMPT_CHARS = 300


@router.callback_query(StyleCb.filter(F.style.in_(style_ids())))
async def style_chosen(
    query: CallbackQuery,
    callback_data: StyleCb,
    callback_answer: CallbackAnswer,
    t: Translator,
    state: FSMContext,
    deps: BotDeps,
) -> None:
    draft = await draft_or_refuse(callback_answer, t, state, callback_data.d)
    if draft is None:
        return
    draft.style = callback_data.style
    await save_draft(state, draft)
    if draft.style == "custom" and not draft.user_prompt:
        await state.set_state(Flow.prompt)
        await query.message.edit_text(t.get("prompt-ask"))
        return
    await _ask_count(query.message, t, state, draft, deps, edit=True)


@router.callback_query(CountCb.filter())
async def count_chosen(
    query: CallbackQuery,
    callback_data: CountCb,
    callback_answer: CallbackAnswer,
    t: Translator,
    state: FSMContext,
    deps: BotDeps,
) -> None:
    draft = await draft_or_refuse(callback_answer, t, state, callback_data.d)
    if draft is None:
        return
    if callback_data.count not in _counts(deps):  # a button from older settings, or made up
        refuse(callback_answer, t.get("error-expired"))
        return
    draft.count = callback_data.count
    await save_draft(state, draft)
    await state.set_state(Flow.options)
    await query.message.edit_text(
        options_text(t, draft), reply_markup=builders.options(t, draft.token).as_markup()
    )


@router.callback_query(OptionCb.filter(F.action == "own"))
async def own_background(
    query: CallbackQuery,
    callback_data: OptionCb,
    callback_answer: CallbackAnswer,
    t: Translator,
    state: FSMContext,
) -> None:
    if await draft_or_refuse(callback_answer, t, state, callback_data.d) is None:
        return
    await state.set_state(Flow.prompt)
    await query.message.answer(t.get("prompt-ask"))


@router.message(Flow.prompt, F.text)
async def prompt_written(message: Message, t: Translator, state: FSMContext, deps: BotDeps) -> None:
    draft = await load_draft(state)
    if draft is None:
        await message.answer(t.get("error-photo-missing"))
        return
    text = message.text.strip()
    if len(text) > MAX_PROMPT_CHARS:
        await message.answer(t.get("prompt-too-long", max=MAX_PROMPT_CHARS))
        return
    draft = await with_label(draft, deps)
    prompt = await deps.suggester.to_model_prompt(
        text, t.lang, style=draft.style or "custom", category=draft.label
    )
    draft.user_prompt = text
    draft.model_prompt, draft.negative_prompt = prompt.prompt, prompt.negative_prompt
    await save_draft(state, draft)
    await message.answer(t.get("prompt-saved", text=user_text(text)))
    if draft.count is None:
        await _ask_count(message, t, state, draft, deps, edit=False)
        return
    await state.set_state(Flow.options)
    markup = builders.options(t, draft.token).as_markup()
    await message.answer(options_text(t, draft), reply_markup=markup)


@router.callback_query(OptionCb.filter(F.action == "generate"))
async def generate(
    query: CallbackQuery,
    callback_data: OptionCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    t: Translator,
    state: FSMContext,
    deps: BotDeps,
    chat_record: Chat,
) -> None:
    draft = await draft_or_refuse(callback_answer, t, state, callback_data.d)
    if draft is None:
        return
    if not draft.complete:  # a Generate button from an older draft
        refuse(callback_answer, t.get("error-expired"))
        return
    job = job_from_draft(await with_label(draft, deps), chat_record, new_seed())
    # The keyboard stays when the job could not start, so the user can try again.
    with log_context(job_id=job.id):
        if await launch(bot, t, chat_record, job, deps, user_id=query.from_user.id):
            await query.message.edit_reply_markup(reply_markup=None)


async def _ask_count(
    message: Message, t: Translator, state: FSMContext, draft: Draft, deps: BotDeps, edit: bool
) -> None:
    text = t.get("count-choose", style=t.get(f"style-{draft.style}"))
    markup = builders.counts(t, _counts(deps), draft.token)
    await state.set_state(Flow.count)
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.answer(text, reply_markup=markup)


def _counts(deps: BotDeps) -> list[int]:
    settings = deps.settings
    return [n for n in settings.image_counts if 1 <= n <= settings.max_images_per_job]
