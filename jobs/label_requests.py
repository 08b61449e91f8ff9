"""The product's category for an uploaded photo: asked of a worker, kept in Redis a while.

The bot asks as soon as a photo arrives; by the time the user wants background
suggestions the worker has usually answered. No answer just means "a product".
"""

from __future__ import annotations

from redis.asyncio import Redis

from jobs.names import WORKERS_GROUP, Keys
from jobs.streams import GroupReader

LABEL_TTL_S = 7 * 24 * 3600
REQUESTS_MAXLEN = 10_000


async def request_label(redis: Redis, keys: Keys, image_id: str) -> None:
    await redis.xadd(
        keys.label_requests, {"image_id": image_id}, maxlen=REQUESTS_MAXLEN, approximate=True
    )


async def save_label(redis: Redis, keys: Keys, image_id: str, label: str) -> None:
    await redis.set(keys.label(image_id), label, ex=LABEL_TTL_S)


async def known_label(redis: Redis, keys: Keys, image_id: str) -> str | None:
    return await redis.get(keys.label(image_id))


def label_reader(redis: Redis, keys: Keys, consumer: str) -> GroupReader:
    return GroupReader(redis, keys.label_requests, WORKERS_GROUP, consumer)
