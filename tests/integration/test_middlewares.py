"""Bot middlewares against real Redis."""

from __future__ import annotations

from aiogram.types import Chat
from redis.asyncio import Redis

from bot.middlewares import ThrottlingMiddleware
from jobs.names import Keys


class Deps:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis = redis
        self.keys = keys


async def test_throttling_lets_the_limit_through_per_chat_and_drops_the_rest(redis, settings):
    deps = Deps(redis, Keys(settings.stream_prefix))
    throttle = ThrottlingMiddleware(limit=3, window_s=3600)
    handled: list[int] = []

    async def handler(event, data):
        handled.append(data["event_chat"].id)
        return "ok"

    for chat_id in (1, 1, 1, 1, 1, 2):
        data = {"event_chat": Chat(id=chat_id, type="private"), "deps": deps}
        await throttle(handler, object(), data)
    assert handled == [1, 1, 1, 2]
