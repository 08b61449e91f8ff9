"""Everything the fake server knows, shared by the HTTP layer, handlers and fake users."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError, bad_request
from .files import FileStore
from .messages import Chat, ChatMessage
from .updates import UpdateQueue


@dataclass
class ApiCall:
    """One request the bot made; ``error`` is the description when it was refused."""

    method: str
    params: dict[str, Any]
    error_code: int | None = None
    error: str | None = None
    result: Any = None
    at: float = field(default_factory=time.perf_counter)  # when it arrived

    @property
    def ok(self) -> bool:
        return self.error_code is None


@dataclass
class BotState:
    bot_user: dict[str, Any]
    chats: dict[int, Chat] = field(default_factory=dict)
    files: FileStore = field(default_factory=FileStore)
    updates: UpdateQueue = field(default_factory=UpdateQueue)
    requests: list[ApiCall] = field(default_factory=list)
    # callback query id -> None while unanswered, then answerCallbackQuery params
    callback_answers: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    # setWebhook's url and secret_token; an empty url means long polling
    webhook: dict[str, Any] = field(default_factory=lambda: {"url": "", "secret_token": None})
    _media_group_seq: int = 13_000_000_000_000_000

    def chat(self, chat_id: Any) -> Chat:
        """The chat a bot request targets, with Telegram's errors for bad targets."""
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        try:
            chat = self.chats.get(int(chat_id))
        except (TypeError, ValueError):
            chat = None
        if chat is None:
            raise bad_request("chat not found")
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.left:
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")
        return chat

    def bot_message(self, chat: Chat, message_id: int | None, missing: str) -> ChatMessage:
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None or message.deleted:
            raise bad_request(missing)
        return message

    def next_media_group_id(self) -> str:
        self._media_group_seq += 1
        return str(self._media_group_seq)
