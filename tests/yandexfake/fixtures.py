"""pytest fixtures for the suggestions tests: the fake cloud, an HTTP session, a Redis client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.yandexfake.cloud import FakeYandexCloud, fake_yandex_cloud


@pytest.fixture
async def yandex() -> AsyncIterator[FakeYandexCloud]:
    async with fake_yandex_cloud() as cloud:
        yield cloud
    assert not cloud.violations, "requests broke the documented protocol"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
