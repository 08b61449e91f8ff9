"""Production delivery: the bot behind a webhook that only Telegram's secret token opens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cli.services import free_port
from tests.conftest import isolated_settings
from tests.e2e_harness import Service, running_service

# Generous: the first test of a module also waits for a cold process start.
pytestmark = pytest.mark.timeout(600)
SECRET = "s3cret-token_42"


@pytest.fixture(scope="module")
async def service(
    redis_url: str, mongo_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Service]:
    port = free_port()
    extra_env = {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/hook",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }
    settings = isolated_settings(redis_url, mongo_url)
    workdir = Path(tmp_path_factory.mktemp("e2e-webhook"))
    async with running_service(settings, workdir, worker=False, extra_env=extra_env) as svc:
        yield svc


async def test_updates_arrive_by_webhook_only_with_the_secret_token(service):
    [call] = service.telegram.calls("setWebhook")
    assert call.params["secret_token"] == SECRET
    assert not service.telegram.calls("getUpdates")
    user = service.telegram.user(30_001, language_code="en", first_name="Ivan")
    await user.send_text("/start")
    assert await service.telegram.deliver_to_webhook(secret_token="forged") == [401]
    await user.expect_silence(1.0)
    assert await service.telegram.deliver_to_webhook() == [200]
    assert (await user.wait_for()).text.startswith("Hello, Ivan!")
