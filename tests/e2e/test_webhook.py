"""Production delivery: the bot behind a webhook that only Telegram's secret token opens."""

from __future__ import annotations

import aiohttp
import pytest

from cli.services import free_port

SECRET = "s3cret-token_42"


def webhook_env() -> dict[str, str]:
    port = free_port()
    return {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/hook",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }


@pytest.fixture(scope="module")
async def service(start_service):
    async with start_service(worker=False, extra_env=webhook_env()) as service:
        yield service


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


async def test_the_webhook_answers_its_health_check(service):
    url = f"http://127.0.0.1:{service.extra_env['WEBHOOK_PORT']}/healthz"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        assert await response.json() == {"ok": True}
