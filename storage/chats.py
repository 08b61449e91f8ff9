"""Chats: language, ban flag and quota override per Telegram chat."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field, field_validator
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError


class Chat(BaseModel):
    chat_id: int
    lang: str = "en"
    username: str | None = None
    first_name: str | None = None
    banned: bool = False
    daily_quota: int | None = None  # None: the settings' default
    # When the chat last asked to forget its images and history (/forget).
    forgotten_at: datetime | None = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    last_seen: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @field_validator("created_at", "last_seen", "forgotten_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        # nx-27017 returns a datetime written by an update as naive text; it was UTC.
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


# A chat's `last_seen` is kept to within this: the panel lists chats by it.
SEEN_WITHIN = timedelta(minutes=1)


class ChatRepo:
    def __init__(self, collection: AsyncCollection) -> None:
        self._col = collection

    async def touch(
        self, chat_id: int, lang: str, username: str | None, first_name: str | None
    ) -> Chat:
        """Records that the chat spoke now (to within SEEN_WITHIN: every update of a chat
        comes here, and a read costs less than a write); creates it with `lang` on first
        contact."""
        now = datetime.now(UTC)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as stored: BSON's ms
        seen = {"last_seen": now, "username": username, "first_name": first_name}
        chat = await self.get(chat_id)
        if chat is not None:
            if (chat.username, chat.first_name) == (username, first_name) and (
                timedelta(0) <= now - chat.last_seen < SEEN_WITHIN
            ):
                return chat
            await self._col.update_one({"chat_id": chat_id}, {"$set": seen})
            return chat.model_copy(update=seen)
        # Insert-then-update on first contact rather than $setOnInsert, which nx-27017 does
        # not apply.
        chat = Chat(chat_id=chat_id, lang=lang, created_at=now, **seen)
        try:
            await self._col.insert_one(chat.model_dump())
            return chat
        except DuplicateKeyError:  # another update created it meanwhile
            await self._col.update_one({"chat_id": chat_id}, {"$set": seen})
        return await self.get(chat_id)

    async def get(self, chat_id: int) -> Chat | None:
        doc = await self._col.find_one({"chat_id": chat_id}, projection={"_id": False})
        return Chat.model_validate(doc) if doc else None

    async def ensure(self, chat_id: int) -> None:
        """Creates the chat's record when it has none (an admin may ban before first contact)."""
        if await self._col.find_one({"chat_id": chat_id}, projection={"_id": True}) is None:
            with contextlib.suppress(DuplicateKeyError):  # created meanwhile: as good
                await self._col.insert_one(Chat(chat_id=chat_id).model_dump())

    async def forgotten_since(self, since: datetime) -> int:
        """Chats that asked to forget their data since then (compared here, not in the query:
        nx-27017 keeps an updated datetime as text)."""
        cursor = self._col.find({"forgotten_at": {"$ne": None}}, projection={"_id": False})
        return sum([Chat.model_validate(d).forgotten_at >= since async for d in cursor])

    async def mark_forgotten(self, chat_id: int, when: datetime) -> None:
        """Keeps the ban and the quota override, drops who the user is."""
        fields = {"forgotten_at": when, "username": None, "first_name": None}
        await self._col.update_one({"chat_id": chat_id}, {"$set": fields})

    async def set_language(self, chat_id: int, lang: str) -> None:
        await self._col.update_one({"chat_id": chat_id}, {"$set": {"lang": lang}})

    async def set_banned(self, chat_id: int, banned: bool) -> None:
        await self._col.update_one({"chat_id": chat_id}, {"$set": {"banned": banned}})

    async def set_daily_quota(self, chat_id: int, quota: int | None) -> None:
        await self._col.update_one({"chat_id": chat_id}, {"$set": {"daily_quota": quota}})

    async def page(self, skip: int, limit: int, query: str = "") -> list[Chat]:
        """Chats by last activity; `query` is a chat id or part of a username or name."""
        cursor = self._col.find(_search(query), projection={"_id": False}).sort("last_seen", -1)
        return [Chat.model_validate(d) async for d in cursor.skip(skip).limit(limit)]

    async def count(self, query: str = "", **match: Any) -> int:
        """Chats matching the search `query` (as `page` reads it) and the fields in `match`."""
        return await self._col.count_documents({**_search(query), **match})

    async def count_created_since(self, since: datetime) -> int:
        return await self._col.count_documents({"created_at": {"$gte": since}})


def _search(query: str) -> dict[str, Any]:
    query = query.strip().lstrip("@")
    if not query:
        return {}
    if re.fullmatch(r"-?\d+", query):
        return {"chat_id": int(query)}
    pattern = {"$regex": re.escape(query), "$options": "i"}
    return {"$or": [{"username": pattern}, {"first_name": pattern}]}
