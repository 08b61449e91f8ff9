"""The admin panel over real HTTP: health, metrics, and the overview behind a login."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from pydantic import SecretStr

from cli.services import free_port
from jobs.messages import JobMessage
from jobs.names import Keys
from jobs.queue import JobQueue
from panel.app import init_app
from settings import Settings


@pytest.fixture
async def panel(settings: Settings) -> AsyncIterator[str]:
    settings = settings.model_copy(
        update={"panel_admin_password": SecretStr("s3cret"), "panel_port": free_port()}
    )
    runner = web.AppRunner(init_app(settings))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", settings.panel_port).start()
    yield f"http://127.0.0.1:{settings.panel_port}"
    await runner.cleanup()


async def test_metrics_report_the_queue_depth(panel, redis, settings):
    await JobQueue(redis, Keys(settings.stream_prefix), 10).enqueue(
        JobMessage(job_id="a", chat_id=1)
    )
    async with aiohttp.ClientSession() as http, http.get(f"{panel}/metrics") as resp:
        body = await resp.text()
    assert resp.status == 200
    assert "vitrina_queue_depth 1.0" in body
    assert "vitrina_workers_alive 0.0" in body


async def test_overview_needs_the_admin_password(panel):
    async with aiohttp.ClientSession() as http:
        async with http.get(panel) as anonymous:
            assert anonymous.status == 401
        async with http.get(panel, headers=basic("admin", "wrong")) as wrong:
            assert wrong.status == 401
        headers = {"Accept-Language": "ru-RU,ru;q=0.9", **basic("admin", "s3cret")}
        async with http.get(panel, headers=headers) as ok:
            assert ok.status == 200
            assert "Заданий в очереди" in await ok.text()


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


async def test_health(panel):
    async with aiohttp.ClientSession() as http, http.get(f"{panel}/healthz") as resp:
        assert resp.status == 200 and (await resp.json())["ok"] is True


async def test_overview_shows_chats_that_deleted_their_data(panel, storage):
    from storage.forget import forget_chat

    await storage.chats.touch(31, "en", "a", "A")
    await forget_chat(storage, 31)
    async with (
        aiohttp.ClientSession() as http,
        http.get(panel, headers=basic("admin", "s3cret")) as ok,
    ):
        page = await ok.text()
    assert "Chats that deleted their data in 24 h</th><td>1<" in page
