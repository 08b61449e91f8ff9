"""Per-update context: the chat record, its language, and the ban check."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, User
from aiogram.utils.callback_answer import CallbackAnswer

from locales import Translator, pick_language
from storage.store import Storage

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class ChatContextMiddleware(BaseMiddleware):
    """Injects `chat` and `t` (the chat's Translator); stops updates from banned chats."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        chat = data.get("event_chat")
        if user is None or chat is None:
            return await handler(event, data)
        db: Storage = data["deps"].db
        record = await db.chats.touch(
            chat.id, pick_language(user.language_code), user.username, user.first_name
        )
        t = Translator.load(record.lang)
        data["chat_record"] = record
        data["t"] = t
        if record.banned:
            await _refuse(event, t.get("error-banned"))
            return None
        return await handler(event, data)


class ErrorReplyMiddleware(BaseMiddleware):
    """Anything a handler fails with becomes a friendly message; the detail goes to the log."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except Exception:
            chat = data.get("event_chat")
            log.exception("handler failed in chat %s", chat.id if chat else None)
            t: Translator | None = data.get("t")
            if t is None:
                return None
            answer: CallbackAnswer | None = data.get("callback_answer")
            if answer is not None and not answer.answered:
                # CallbackAnswerMiddleware answers the button with this, once.
                answer.text, answer.show_alert = t.get("error-generic"), True
            else:
                await _refuse(event, t.get("error-generic"))
            return None


async def _refuse(event: TelegramObject, text: str) -> None:
    if isinstance(event, Message):
        await event.answer(text)
    elif isinstance(event, CallbackQuery):
        await event.answer(text, show_alert=True)


class ThrottlingMiddleware(BaseMiddleware):
    """Drops a chat's updates beyond `limit` per `window_s`, counted in Redis across replicas.

    The limit is far above what a person taps; it stops scripts and stuck clients.
    """

    def __init__(self, limit: int = 30, window_s: int = 10) -> None:
        self._limit = limit
        self._window_s = window_s

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat = data.get("event_chat")
        if chat is not None:
            deps = data["deps"]
            key = deps.keys.throttle(chat.id, int(time.time()) // self._window_s)
            count = await deps.redis.incr(key)
            if count == 1:
                await deps.redis.expire(key, self._window_s * 2)
            if count > self._limit:
                log.info("chat %s throttled", chat.id)
                if isinstance(event, CallbackQuery):
                    await event.answer()
                return None
        return await handler(event, data)
