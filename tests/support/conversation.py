"""Handler tests in one process: updates fed to the real Dispatcher (middlewares, FSM in
Redis, storage, queue) with a mocked Bot API session, in the manner of aiogram's tests.

One Dispatcher for the whole session (aiogram attaches each module's Router to one
Dispatcher per process); tests keep apart by chat id.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    SendMessage,
    SendPhoto,
)
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    PhotoSize,
    Update,
    User,
)

from bot.main import build_dispatcher, open_deps
from bot.middlewares import ThrottlingMiddleware
from bot.services.deps import BotDeps
from tests.support.mocked_bot import MockedBot
from tests.support.services import isolated_settings

ADMIN_ID = 9_000_001
# The shared Dispatcher's flood limit: above any test's own pace, low enough to flood.
THROTTLE_LIMIT = 25
_ids = itertools.count(1)


def next_id() -> int:
    return next(_ids)


@dataclass
class Conversation:
    """One user's chat with the bot, fed update by update."""

    dp: Dispatcher
    bot: MockedBot
    deps: BotDeps
    chat_id: int
    lang: str = "en"
    user_id: int | None = None  # another user writing in this chat (a group)
    chat_type: str = "private"
    files: dict[str, int] = field(default_factory=dict)

    @property
    def user(self) -> User:
        return User(
            id=self.user_id or self.chat_id,
            is_bot=False,
            first_name="Anna",
            language_code=self.lang,
        )

    def message(self, **content: object) -> Message:
        extra = {"title": "Shop team"} if self.chat_type != "private" else {}
        return Message(
            message_id=next(_ids),
            date=datetime.now(UTC),
            chat=Chat(id=self.chat_id, type=self.chat_type, **extra),
            from_user=self.user,
            **content,
        )

    async def send(self, **content: object) -> Message:
        message = self.message(**content)
        await self.dp.feed_update(self.bot, Update(update_id=next(_ids), message=message))
        return message

    async def edit(self, message: Message, **content: object) -> None:
        """The user edits `message` (Telegram lets a photo be replaced)."""
        stamp = int(datetime.now(UTC).timestamp())
        edited = message.model_copy(update={**content, "edit_date": stamp})
        await self.dp.feed_update(self.bot, Update(update_id=next(_ids), edited_message=edited))

    def photo_sizes(self, data: bytes, file_size: int | None = -1) -> list[PhotoSize]:
        """The PhotoSize list of a new photo whose bytes the mocked API serves."""
        file_id = f"photo-{next(_ids)}"
        self.bot.add_file(file_id, data)
        size = len(data) if file_size == -1 else file_size
        return [
            PhotoSize(
                file_id=file_id,
                file_unique_id=f"u-{file_id}",
                width=320,
                height=240,
                file_size=size,
            )
        ]

    async def send_photo(self, data: bytes, **content: object) -> Message:
        return await self.send(photo=self.photo_sizes(data), **content)

    async def press(self, data: str, message: Message | None = None) -> None:
        query = CallbackQuery(
            id=str(next(_ids)),
            from_user=self.user,
            chat_instance="ci",
            message=message or self.message(text="…"),
            data=data,
        )
        await self.dp.feed_update(self.bot, Update(update_id=next(_ids), callback_query=query))

    async def press_button(self, prefix: str) -> str:
        """Presses the newest button the bot showed whose data starts with `prefix` (a
        draft's buttons end with its token); returns the data pressed."""
        data = self.button(prefix)
        await self.press(data)
        return data

    def button(self, prefix: str) -> str:
        for markup in reversed(self.markups()):
            for data in buttons(markup):
                if data.startswith(prefix):
                    return data
        raise AssertionError(f"no button {prefix!r} among {[buttons(m) for m in self.markups()]}")

    def markups(self) -> list[InlineKeyboardMarkup]:
        calls = self.bot.session.calls
        kinds = SendMessage | SendPhoto | EditMessageText | EditMessageReplyMarkup
        return [c.reply_markup for c in calls if isinstance(c, kinds) and c.reply_markup]

    def sent(self) -> list[SendMessage]:
        return self.bot.session.called(SendMessage)

    def texts(self) -> list[str]:
        return [m.text for m in self.sent()]

    def answers(self) -> list[AnswerCallbackQuery]:
        return self.bot.session.called(AnswerCallbackQuery)


def buttons(markup: InlineKeyboardMarkup | None) -> list[str]:
    return [b.callback_data for row in (markup.inline_keyboard if markup else []) for b in row]


@pytest.fixture(scope="session")
async def dispatcher(redis_url: str, mongo_url: str) -> AsyncIterator[tuple[Dispatcher, BotDeps]]:
    settings = isolated_settings(
        redis_url,
        mongo_url,
        admin_ids=[ADMIN_ID],
        throttle_limit=THROTTLE_LIMIT,
        max_upload_mb=2,
    )
    async with open_deps(settings) as deps:
        dp = build_dispatcher(deps)
        yield dp, deps
        await dp.storage.close()
        await deps.db.client.drop_database(settings.mongo_db)


@pytest.fixture
def chat(dispatcher: tuple[Dispatcher, BotDeps]) -> Conversation:
    dp, deps = dispatcher
    return Conversation(dp, MockedBot(), deps, chat_id=10_000 + next(_ids))


@pytest.fixture
def frozen_throttle_clock(
    dispatcher: tuple[Dispatcher, BotDeps], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The throttling window stays put while a test floods: no test depends on the clock."""
    dp, _ = dispatcher
    [throttle] = {m for m in dp.message.outer_middleware if isinstance(m, ThrottlingMiddleware)}
    now = datetime.now(UTC).timestamp()
    monkeypatch.setattr(throttle, "_clock", lambda: now)


def kwargs_of(call: Any) -> dict[str, Any]:
    return call.model_dump(exclude_none=True)
