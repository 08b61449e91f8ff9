"""Messages and chats as the fake server stores them."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

EventKind = Literal["sent", "edited", "deleted"]


class ChatMessage(Mapping[str, Any]):
    """One message in a chat; reads like the Telegram ``Message`` JSON it currently is.

    ``m["text"]``, ``m.get("caption")`` and the properties below give the current state;
    ``edits`` holds the earlier versions (oldest first).
    """

    def __init__(self, data: dict[str, Any], *, method: str, from_bot: bool) -> None:
        self.data = data
        self.method = method  # API method (or user action) that created it
        self.from_bot = from_bot
        self.edits: list[dict[str, Any]] = []
        self.deleted = False
        self.photo_bytes: bytes | None = None  # original bytes of a photo
        self.document_bytes: bytes | None = None
        self.keyboard: dict[str, Any] | None = None  # reply_markup as sent, any kind

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return f"<ChatMessage {describe(self)}>"

    @property
    def message_id(self) -> int:
        return int(self.data["message_id"])

    @property
    def text(self) -> str | None:
        return self.data.get("text")

    @property
    def caption(self) -> str | None:
        return self.data.get("caption")

    @property
    def photo(self) -> list[dict[str, Any]] | None:
        return self.data.get("photo")

    @property
    def document(self) -> dict[str, Any] | None:
        return self.data.get("document")

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        return self.data.get("reply_markup")

    @property
    def media_group_id(self) -> str | None:
        return self.data.get("media_group_id")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline keyboard buttons, row by row, flattened."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def edit(self, changes: dict[str, Any], removed: tuple[str, ...] = ()) -> None:
        self.edits.append(copy.deepcopy(self.data))
        for key in removed:
            self.data.pop(key, None)
        self.data.update(changes)
        self.data["edit_date"] = int(time.time())


@dataclass
class ChatEvent:
    kind: EventKind
    message: ChatMessage


@dataclass
class Chat:
    """A chat with the bot: a private one with one user, or a group ("group",
    "supergroup") where `user` is the member who writes and `title` names the group."""

    user: dict[str, Any]
    type: str = "private"
    title: str | None = None
    chat_id: int | None = None  # a group's own (negative) id; a private chat's is the user's
    left: bool = False  # the bot left the group (leaveChat)
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    events: list[ChatEvent] = field(default_factory=list)  # what the bot did, in order
    actions: list[str] = field(default_factory=list)  # sendChatAction history
    blocked: bool = False
    _next_id: int = 1
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def id(self) -> int:
        return self.chat_id if self.chat_id is not None else int(self.user["id"])

    def as_json(self) -> dict[str, Any]:
        if self.type != "private":
            return {"id": self.id, "type": self.type, "title": self.title or "Group"}
        chat = {"id": self.id, "type": "private", "first_name": self.user["first_name"]}
        for key in ("last_name", "username"):
            if self.user.get(key):
                chat[key] = self.user[key]
        return chat

    def new_message(self, sender: dict[str, Any], body: dict[str, Any], method: str) -> ChatMessage:
        data = {
            "message_id": self._next_id,
            "from": sender,
            "chat": self.as_json(),
            "date": int(time.time()),
            **body,
        }
        self._next_id += 1
        message = ChatMessage(data, method=method, from_bot=bool(sender.get("is_bot")))
        self.messages[message.message_id] = message
        if message.from_bot:
            self.record("sent", message)
        return message

    def record(self, kind: EventKind, message: ChatMessage) -> None:
        self.events.append(ChatEvent(kind, message))
        self._changed.set()
        self._changed = asyncio.Event()

    async def changed(self, timeout: float) -> None:
        """Wait until the bot does something in this chat (or the timeout passes)."""
        event = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)


def describe(message: ChatMessage) -> str:
    """A one-line summary for failure dumps."""
    parts = [f"#{message.message_id}"]
    if message.text is not None:
        parts.append(f"text={_short(message.text)}")
    if message.photo:
        biggest = message.photo[-1]
        parts.append(f"photo={biggest['width']}x{biggest['height']}")
    if message.document:
        parts.append(f"document={message.document.get('file_name')!r}")
    if message.caption is not None:
        parts.append(f"caption={_short(message.caption)}")
    if message.media_group_id:
        parts.append(f"album={message.media_group_id}")
    if message.buttons:
        labels = [f"{b['text']}->{b.get('callback_data') or b.get('url')}" for b in message.buttons]
        parts.append(f"buttons={labels}")
    if message.deleted:
        parts.append("(deleted)")
    return " ".join(parts)


def _short(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
