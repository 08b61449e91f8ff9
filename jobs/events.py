"""The events stream: progress and outcomes of jobs, for the bot's notifier."""

from __future__ import annotations

from redis.asyncio import Redis

from jobs.messages import JobEvent
from jobs.names import NOTIFIERS_GROUP, Keys
from jobs.streams import GroupReader

EVENTS_MAXLEN = 100_000


async def publish(redis: Redis, keys: Keys, event: JobEvent) -> None:
    await redis.xadd(keys.events, event.to_fields(), maxlen=EVENTS_MAXLEN, approximate=True)


def event_reader(redis: Redis, keys: Keys, consumer: str) -> GroupReader:
    return GroupReader(redis, keys.events, NOTIFIERS_GROUP, consumer)
