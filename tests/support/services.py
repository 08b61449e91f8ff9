"""Real services for the suite: a private redis-server and nx-27017 on free ports.

REDIS_URL / MONGO_URL in the environment point the suite at running servers instead.
Each test gets its own key prefix and database, so tests never see each other's data.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from cli.services import free_port, start_mongo, start_redis
from settings import Settings
from storage.store import Storage

REPO_ROOT = Path(__file__).resolve().parents[2]
MODELS_DIR = REPO_ROOT / "var" / "models"


def isolated_settings(redis_url: str, mongo_url: str, **overrides: object) -> Settings:
    """Settings with a database and key prefix of their own, and no .env."""
    unique = uuid.uuid4().hex[:10]
    values = {
        "redis_url": redis_url,
        "mongo_url": mongo_url,
        "mongo_db": f"test_{unique}",
        "stream_prefix": f"test:{unique}",
        "models_dir": MODELS_DIR,
    }
    return Settings(_env_file=None, **{**values, **overrides})


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if url := os.environ.get("REDIS_URL"):
        yield url
        return
    service = start_redis(tmp_path_factory.mktemp("redis"), free_port(), persist=False)
    yield service.url
    service.stop()


@pytest.fixture(scope="session")
def mongo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if url := os.environ.get("MONGO_URL"):
        yield url
        return
    service = start_mongo(tmp_path_factory.mktemp("mongo"), free_port())
    yield service.url
    service.stop()


@pytest.fixture
def settings(redis_url: str, mongo_url: str, tmp_path: Path) -> Settings:
    return isolated_settings(
        redis_url,
        mongo_url,
        var_dir=tmp_path / "var",
        retry_backoff_s=0.05,
        worker_heartbeat_s=0.5,
    )


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    client = Redis.from_url(settings.redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
async def storage(settings: Settings) -> AsyncIterator[Storage]:
    store = await Storage.open(settings.mongo_url, settings.mongo_db)
    yield store
    await store.client.drop_database(settings.mongo_db)
    await store.close()
