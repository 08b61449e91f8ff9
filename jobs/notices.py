"""Notices: messages the panel asks the bot to send to a chat, over a Redis stream.

The panel knows nothing of Telegram; the bot process reads this stream through a
consumer group (several bot replicas share it) and turns each notice into a message.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel
from redis.asyncio import Redis

from jobs.names import NOTIFIERS_GROUP, Keys
from jobs.streams import GroupReader

NOTICES_MAXLEN = 10_000


class NoticeKind(StrEnum):
    BANNED = "banned"  # one polite message to a chat an admin banned
    UNBANNED = "unbanned"


class Notice(BaseModel):
    kind: NoticeKind
    chat_id: int

    def to_fields(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump(exclude_none=True).items()}

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> Notice:
        return cls.model_validate(fields)


async def send_notice(redis: Redis, keys: Keys, notice: Notice) -> str:
    return await redis.xadd(
        keys.notices, notice.to_fields(), maxlen=NOTICES_MAXLEN, approximate=True
    )


def notice_reader(redis: Redis, keys: Keys, consumer: str) -> GroupReader:
    return GroupReader(redis, keys.notices, NOTIFIERS_GROUP, consumer)
