"""A Telegram user chatting with the bot: sends updates, watches what the bot does."""

from __future__ import annotations

import asyncio
import copy
import itertools
from collections.abc import Callable
from typing import Any

from .files import image_size
from .markup import command_entities
from .messages import Chat, ChatMessage
from .report import timeout_report
from .state import BotState

Predicate = Callable[[ChatMessage], bool]
_query_seq = itertools.count(1)


class FakeUser:
    """The user side of one private chat. Get one from ``TelegramServer.user()``."""

    def __init__(self, state: BotState, chat: Chat) -> None:
        self._state = state
        self.chat = chat
        self._cursor = 0  # index in chat.events from which wait_for looks

    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def user(self) -> dict[str, Any]:
        return self.chat.user

    @property
    def messages(self) -> list[ChatMessage]:
        """Messages the bot sent to this chat, oldest first (deleted ones flagged)."""
        return [m for m in self.chat.messages.values() if m.from_bot]

    @property
    def last_message(self) -> ChatMessage | None:
        return self.messages[-1] if self.messages else None

    @property
    def chat_actions(self) -> list[str]:
        """Actions the bot showed in this chat (sendChatAction), in order."""
        return self.chat.actions

    def block_bot(self, blocked: bool = True) -> None:
        """While blocked, every send to this chat fails with 403 like on Telegram."""
        self.chat.blocked = blocked

    # -- user actions: each one becomes an update for getUpdates ----------------------

    async def send_text(self, text: str) -> ChatMessage:
        body: dict[str, Any] = {"text": text}
        if entities := command_entities(text):
            body["entities"] = entities
        return await self._send(body, "text")

    async def send_photo(
        self,
        data: bytes,
        caption: str | None = None,
        forward_origin: dict[str, Any] | None = None,
    ) -> ChatMessage:
        """Send a compressed photo; the bot sees several PhotoSize entries. With
        `forward_origin` (a MessageOrigin object) it is a forwarded photo."""
        body = self._photo_body(data, caption)
        if forward_origin is not None:
            body["forward_origin"] = forward_origin
        message = await self._send(body, "photo")
        message.photo_bytes = data
        return message

    async def send_sticker(self, data: bytes = b"RIFF\0\0\0\0WEBPVP8 ") -> ChatMessage:
        sticker = self._state.files.add_media(
            data, "stickers", ".webp", type="regular", width=512, height=512,
            is_animated=False, is_video=False, emoji="👍",
        )  # fmt: skip
        return await self._send({"sticker": sticker}, "sticker")

    async def send_video(self, data: bytes = b"\0\0\0\x18ftypmp42") -> ChatMessage:
        video = self._state.files.add_media(
            data, "videos", ".mp4", width=640, height=480, duration=3, mime_type="video/mp4"
        )
        return await self._send({"video": video}, "video")

    async def send_voice(self, data: bytes = b"OggS\0") -> ChatMessage:
        voice = self._state.files.add_media(
            data, "voice", ".oga", duration=2, mime_type="audio/ogg"
        )
        return await self._send({"voice": voice}, "voice")

    async def edit_photo(self, message: ChatMessage, data: bytes) -> ChatMessage:
        """Replace the photo of a message the user sent: an edited_message update."""
        sizes = self._state.files.add_photo(data, image_size(data) or (1280, 960))
        return await self._edit(message, {"photo": sizes})

    async def edit_caption(self, message: ChatMessage, caption: str) -> ChatMessage:
        return await self._edit(message, {"caption": caption})

    async def _edit(self, message: ChatMessage, changes: dict[str, Any]) -> ChatMessage:
        self._cursor = len(self.chat.events)
        message.edit(changes)
        self._state.updates.push("edited_message", copy.deepcopy(message.data))
        await asyncio.sleep(0)
        return message

    async def send_album(
        self, photos: list[bytes], caption: str | None = None
    ) -> list[ChatMessage]:
        """Send photos as one album: one update per photo, sharing a media_group_id."""
        group_id = self._state.next_media_group_id()
        sent = []
        for index, data in enumerate(photos):
            body = self._photo_body(data, caption if index == 0 else None)
            message = await self._send({**body, "media_group_id": group_id}, "photo")
            message.photo_bytes = data
            sent.append(message)
        return sent

    async def send_document(
        self,
        data: bytes,
        file_name: str = "file.bin",
        mime_type: str | None = None,
        caption: str | None = None,
        size_known: bool = True,
    ) -> ChatMessage:
        """Send a file; with size_known=False Telegram gave no file_size for it."""
        document = self._state.files.add_document(data, file_name, mime_type, size_known)
        body: dict[str, Any] = {"document": document}
        if caption:
            body["caption"] = caption
        message = await self._send(body, "document")
        message.document_bytes = data
        return message

    def _photo_body(self, data: bytes, caption: str | None) -> dict[str, Any]:
        # Placeholder bytes are allowed for user photos; pretend they are 1280x960.
        sizes = self._state.files.add_photo(data, image_size(data) or (1280, 960))
        return {"photo": sizes, **({"caption": caption} if caption else {})}

    async def _send(self, body: dict[str, Any], kind: str) -> ChatMessage:
        self._cursor = len(self.chat.events)
        message = self.chat.new_message(self.user, body, f"user:{kind}")
        self._state.updates.push("message", copy.deepcopy(message.data))
        await asyncio.sleep(0)
        return message

    async def press(
        self,
        message: ChatMessage | int,
        callback_data: str | None = None,
        *,
        text: str | None = None,
    ) -> str:
        """Press an inline button (by callback_data or by its label); returns the query id."""
        if callback_data is None and text is None:
            raise ValueError("say which button: callback_data or text")
        current = self._current(message)
        button = _find_button(current, callback_data, text)
        self._cursor = len(self.chat.events)
        query_id = str(self.chat_id * 1_000_000 + next(_query_seq))
        self._state.callback_answers[query_id] = None
        query = {
            "id": query_id,
            "from": self.user,
            "message": copy.deepcopy(current.data),
            "chat_instance": str(-7_000_000_000 - self.chat_id),
            "data": button["callback_data"],
        }
        self._state.updates.push("callback_query", query)
        await asyncio.sleep(0)
        return query_id

    def _current(self, message: ChatMessage | int) -> ChatMessage:
        message_id = message if isinstance(message, int) else message.message_id
        current = self.chat.messages.get(message_id)
        if current is None or current.deleted:
            raise LookupError(f"message #{message_id} is not in chat {self.chat_id} any more")
        return current

    # -- waiting for the bot ---------------------------------------------------------

    async def wait_for(
        self, predicate: Predicate | None = None, timeout: float = 30.0
    ) -> ChatMessage:
        """Wait for a bot message, sent or edited since the user's last action, that matches.

        The predicate sees the message's current state; if it raises TypeError,
        KeyError, AttributeError or IndexError (``"x" in m.text`` on a photo) it counts as
        no match. Each match moves the starting point past it, so consecutive calls return
        consecutive bot reactions. On timeout raises ``TimeoutError`` describing everything
        the bot did meanwhile.
        """
        check = _tolerant(predicate)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for index in range(self._cursor, len(self.chat.events)):
                event = self.chat.events[index]
                if event.kind != "deleted" and event.message.from_bot and check(event.message):
                    self._cursor = index + 1
                    return event.message
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError(timeout_report(self._state, self.chat, self._cursor, timeout))
            await self.chat.changed(left)

    async def expect_silence(self, seconds: float = 0.5) -> None:
        """Assert the bot sends/edits nothing in this chat for ``seconds``."""
        start = len(self.chat.events)
        await asyncio.sleep(seconds)
        if len(self.chat.events) > start:
            raise AssertionError(
                timeout_report(self._state, self.chat, start, seconds, silent=True)
            )

    async def wait_callback_answer(self, query_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """The params of the bot's answerCallbackQuery for ``query_id``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (answer := self._state.callback_answers.get(query_id)) is None:
            if loop.time() > deadline:
                raise TimeoutError(
                    f"the bot did not answer callback query {query_id} in {timeout}s"
                )
            await asyncio.sleep(0.01)
        return answer


def _tolerant(predicate: Predicate | None) -> Predicate:
    def check(message: ChatMessage) -> bool:
        if predicate is None:
            return True
        try:
            return bool(predicate(message))
        except (TypeError, KeyError, AttributeError, IndexError):
            return False

    return check


def _find_button(message: ChatMessage, data: str | None, text: str | None) -> dict[str, Any]:
    for button in message.buttons:
        if "callback_data" not in button:
            continue  # url/web_app buttons produce no callback query
        if data in (None, button["callback_data"]) and text in (None, button.get("text")):
            return button
    available = [(b.get("text"), b.get("callback_data")) for b in message.buttons]
    raise LookupError(
        f"no callback button data={data!r} text={text!r} on message #{message.message_id}; "
        f"buttons (text, callback_data): {available}"
    )
