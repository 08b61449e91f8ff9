"""Per-update context and the abuse rules every update passes before a handler.

In order: the log context (chat, user, job), throttling by user and by chat, private
chats only, the chat record with its language and the ban check, and buttons whose
message Telegram no longer shows. Before all of them, an update that finds Redis or
MongoDB down is answered "try again in a minute", never dropped in silence.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, Update, User
from aiogram.utils.callback_answer import CallbackAnswer

from bot.services.deps import BotDeps
from bot.services.groups import refuse_group
from keyboards.callbacks import JobCb
from locales import Translator, pick_language
from runtime.logs import log_context
from runtime.loops import OUTAGES

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class LogContextMiddleware(BaseMiddleware):
    """Binds the update's chat, user and (for a job's button) job to every line logged
    while it is handled. An outer middleware of `dp.update`, after aiogram's own that
    finds the chat and the user."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat: Chat | None = data.get("event_chat")
        user: User | None = data.get("event_from_user")
        fields = {
            "chat_id": chat.id if chat else None,
            "user_id": user.id if user else None,
            "job_id": _job_of(event),
        }
        with log_context(**fields):
            return await handler(event, data)


def _job_of(update: TelegramObject) -> str | None:
    query = update.callback_query if isinstance(update, Update) else None
    if query is None or not query.data or not query.data.startswith(f"{JobCb.__prefix__}:"):
        return None
    try:
        return JobCb.unpack(query.data).job_id
    except (TypeError, ValueError):
        return None


class ThrottlingMiddleware(BaseMiddleware):
    """Lets `limit` updates per `window_s` through per user and, apart, per chat, counted
    in Redis across replicas; past that the sender is told to slow down once per window
    and the rest is dropped. The limit is far above what a person taps: it stops scripts,
    stuck clients and floods, and a new group is no fresh allowance for the same user."""

    def __init__(self, limit: int, window_s: int, clock: Callable[[], float] = time.time) -> None:
        self._limit = limit
        self._window_s = window_s
        self._clock = clock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat: Chat | None = data.get("event_chat")
        user: User | None = data.get("event_from_user")
        if chat is None and user is None:
            return await handler(event, data)
        deps: BotDeps = data["deps"]
        window = int(self._clock()) // self._window_s
        over = await self._count(deps, window, user, chat)
        if not over:
            return await handler(event, data)
        log.info("throttled (%s)", over)
        warned = f"{deps.keys.prefix}:throttle:warned:{over}:{window}"
        if await deps.redis.set(warned, 1, nx=True, ex=self._window_s * 2):
            text = Translator.load(pick_language(user.language_code if user else None))
            await _refuse(event, text.get("error-slow-down"), alert=False)
        elif isinstance(event, CallbackQuery):
            await event.answer()  # the button stops spinning; nothing else happens
        return None

    async def _count(self, deps: BotDeps, window: int, user: User | None, chat: Chat | None) -> str:
        """The first of "user:<id>" and "chat:<id>" past the limit in this window, or ""."""
        names = [f"user:{user.id}"] if user else []
        if chat is not None and (user is None or chat.id != user.id):  # a private chat is its user
            names.append(f"chat:{chat.id}")
        async with deps.redis.pipeline(transaction=False) as pipe:
            for name in names:
                key = f"{deps.keys.prefix}:throttle:{name}:{window}"
                pipe.incr(key)
                pipe.expire(key, self._window_s * 2)
            counts = (await pipe.execute())[::2]
        return next((n for n, c in zip(names, counts, strict=True) if c > self._limit), "")


class PrivateChatsOnly(BaseMiddleware):
    """Vitrina works in private chats: a user's photos, quota and history are theirs. In a
    group it says so once, in the sender's language, and leaves; nothing is stored."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat: Chat | None = data.get("event_chat")
        if chat is None or chat.type == ChatType.PRIVATE:
            return await handler(event, data)
        user: User | None = data.get("event_from_user")
        t = Translator.load(pick_language(user.language_code if user else None))
        await refuse_group(data["bot"], chat.id, t)
        if isinstance(event, CallbackQuery):
            await event.answer()
        return None


class ChatContextMiddleware(BaseMiddleware):
    """Injects `chat_record` and `t` (the chat's Translator); stops updates from a banned
    chat or a banned user, wherever the user writes from."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        chat = data.get("event_chat")
        if user is None or chat is None:
            return await handler(event, data)
        db = data["deps"].db
        record = await db.chats.touch(
            chat.id, pick_language(user.language_code), user.username, user.first_name
        )
        t = Translator.load(record.lang)
        data["chat_record"] = record
        data["t"] = t
        banned = record.banned
        if not banned and user.id != chat.id:
            person = await db.chats.get(user.id)
            banned = person is not None and person.banned
        if banned:
            log.info("refused: banned")
            await _refuse(event, t.get("error-banned"))
            return None
        return await handler(event, data)


class StaleButtonMiddleware(BaseMiddleware):
    """A button under a message Telegram no longer gives the bot (older than 48 hours) or
    under none at all is out of date: said so, nothing done."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, CallbackQuery) and not isinstance(event.message, Message):
            t: Translator = data["t"]
            await event.answer(t.get("error-expired"), show_alert=True)
            return None
        return await handler(event, data)


class ErrorReplyMiddleware(BaseMiddleware):
    """Anything a handler fails with becomes a friendly message; the detail goes to the log.
    A service that cannot be reached is said to be so: "try again in a minute"."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except Exception as exc:
            outage = isinstance(exc, OUTAGES)
            if outage:
                log.warning("a service is down: %r", exc)
            else:
                log.exception("handler failed")
            t: Translator | None = data.get("t")
            if t is None:
                return None
            text = t.get("error-unavailable" if outage else "error-generic")
            answer: CallbackAnswer | None = data.get("callback_answer")
            if answer is not None and not answer.answered:
                # CallbackAnswerMiddleware answers the button with this, once.
                answer.text, answer.show_alert = text, True
            else:
                await _refuse(event, text)
            return None


class ServiceDownMiddleware(BaseMiddleware):
    """Outermost: when Redis or MongoDB cannot be reached (after the clients' own retries),
    the user is asked to try again in a minute, in their language; no update is dropped
    in silence."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except OUTAGES as exc:
            chat = data.get("event_chat")
            log.warning(
                "chat %s: update not served, a service is down: %r", getattr(chat, "id", None), exc
            )
            user: User | None = data.get("event_from_user")
            t = data.get("t") or Translator.load(
                pick_language(user.language_code if user else None)
            )
            try:
                await _refuse(event, t.get("error-unavailable"))
            except TelegramAPIError as error:
                log.warning("chat %s: not told: %s", getattr(chat, "id", None), error)
            return None


async def _refuse(event: TelegramObject, text: str, alert: bool = True) -> None:
    if isinstance(event, Message):
        await event.answer(text)
    elif isinstance(event, CallbackQuery):
        await event.answer(text, show_alert=alert)
