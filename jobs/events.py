"""The events stream: progress and outcomes of jobs, for the bot's notifier.

An outcome's event only nudges the notifier: the job's record says what is to be sent
(`jobs/delivery.py`), so a lost event delays a delivery, never loses it. Acknowledged
entries are trimmed by the reaper; the cap below only bounds a stream nobody reads.
"""

from __future__ import annotations

from redis.asyncio import Redis

from jobs.messages import JobEvent
from jobs.names import NOTIFIERS_GROUP, Keys
from jobs.streams import GroupReader

EVENTS_MAXLEN = 1_000_000


async def publish(redis: Redis, keys: Keys, event: JobEvent) -> None:
    await redis.xadd(keys.events, event.to_fields(), maxlen=EVENTS_MAXLEN, approximate=True)


def event_reader(redis: Redis, keys: Keys, consumer: str) -> GroupReader:
    return GroupReader(redis, keys.events, NOTIFIERS_GROUP, consumer)
