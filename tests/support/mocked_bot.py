"""A Bot whose session answers in process, for handler tests through `Dispatcher.feed_update`.

In the manner of aiogram's own tests/mocked_bot.py, but answering every method the
handlers use the way the Bot API documents it (sent and edited messages come back as
Message objects with fresh ids, answers and chat actions as True, files by getFile),
so no response has to be queued by hand. Every call is recorded in order.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    GetMe,
    LeaveChat,
    SendChatAction,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.types import Chat, File, Message, User
from yarl import URL

BOT_ID = 42


class MockedSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod[Any]] = []
        self.files: dict[str, bytes] = {}
        self.unsized: set[str] = set()  # files getFile answers without a file_size
        self.broken: set[str] = set()  # files whose download fails like a Telegram 502
        self._message_ids = itertools.count(1000)

    async def make_request(
        self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        self.calls.append(method)
        return self._answer(method)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        file_id = url.rsplit("/", 1)[-1]
        if file_id in self.broken:
            # What aiohttp raises for raise_for_status: its text quotes the URL, token and all.
            info = aiohttp.RequestInfo(URL(url), "GET", {}, URL(url))  # type: ignore[arg-type]
            raise aiohttp.ClientResponseError(info, (), status=502, message="Bad Gateway")
        data = self.files[file_id]
        for start in range(0, max(len(data), 1), chunk_size):
            yield data[start : start + chunk_size]

    async def close(self) -> None:
        pass

    def called(self, method: type[TelegramMethod[Any]]) -> list[Any]:
        return [call for call in self.calls if isinstance(call, method)]

    def _answer(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, SendMessage | SendPhoto):
            return self._message(method.chat_id, next(self._message_ids), method)
        if isinstance(method, SendMediaGroup):
            return [
                self._message(method.chat_id, next(self._message_ids), method) for _ in method.media
            ]
        if isinstance(method, EditMessageText | EditMessageReplyMarkup):
            return self._message(method.chat_id, method.message_id, method)
        kinds = AnswerCallbackQuery | SendChatAction | LeaveChat | SetMyCommands | DeleteMessage
        if isinstance(method, kinds):
            return True
        if isinstance(method, GetMe):
            return User(id=BOT_ID, is_bot=True, first_name="Vitrina", username="vitrina_bot")
        if isinstance(method, GetFile):
            data = self.files[method.file_id]
            return File(
                file_id=method.file_id,
                file_unique_id=f"u{method.file_id}",
                file_size=None if method.file_id in self.unsized else len(data),
                file_path=f"photos/{method.file_id}",
            )
        raise NotImplementedError(f"the mocked Bot API has no answer for {type(method).__name__}")

    @staticmethod
    def _message(chat_id: int | str, message_id: int, method: Any) -> Message:
        return Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=Chat(id=int(chat_id), type="private"),
            from_user=User(id=BOT_ID, is_bot=True, first_name="Vitrina"),
            text=getattr(method, "text", None),
            reply_markup=getattr(method, "reply_markup", None),
        )


class MockedBot(Bot):
    session: MockedSession

    def __init__(self, token: str = f"{BOT_ID}:TEST") -> None:
        super().__init__(token, session=MockedSession())

    def add_file(self, file_id: str, data: bytes) -> None:
        """A file a user sent: served by getFile and its download."""
        self.session.files[file_id] = data
