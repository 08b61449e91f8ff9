"""pytest fixtures for the suggestions tests: the fake cloud, an HTTP session, a Redis client."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from redis.asyncio import Redis

from suggestions import Suggester
from tests.support.yandexfake.cloud import FakeYandexCloud, fake_yandex_cloud


@pytest.fixture
async def yandex() -> AsyncIterator[FakeYandexCloud]:
    async with fake_yandex_cloud() as cloud:
        yield cloud
    assert not cloud.violations, "requests broke the documented protocol"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    # Bytes answers, unlike the bot's own client: the suggestions must read both.
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def make_suggester(
    yandex: FakeYandexCloud, redis_client: Redis, http: aiohttp.ClientSession, redis_url: str
) -> Callable[..., Suggester]:
    """Suggesters on the fake cloud sharing a fresh key prefix; keywords override settings."""
    prefix = f"test:{uuid.uuid4().hex[:10]}"

    def make(**overrides: Any) -> Suggester:
        settings = yandex.settings(redis_url=redis_url, stream_prefix=prefix, **overrides)
        return Suggester.create(settings, redis_client, http)

    return make
