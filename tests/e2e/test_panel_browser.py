"""The admin panel in a real browser (Debian's Chromium driven by Playwright) against the
real panel, bot and worker processes, real Redis, the MongoDB-protocol server and the fake
Telegram Bot API: log in, read the dashboard, find a chat and ban it, retry a failed job,
and make images with Try it."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from cryptography.fernet import Fernet
from playwright.async_api import Browser, Page, async_playwright, expect
from redis.asyncio import Redis

from cli.services import free_port
from jobs.names import Keys
from storage.status import JobStatus
from storage.store import Storage
from tests.support.e2e import START_TIMEOUT_S, Service, StartService
from tests.support.panel import ACCOUNT, PASSWORD, PASSWORD_HASH, seed_busy_week, seed_job
from tests.support.photos import product_photo
from tests.support.services import REPO_ROOT
from tests.support.waiting import eventually

CHROMIUM = Path("/usr/bin/chromium")
# Flags for a headless browser in a container that must not reach the internet.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# A job goes through the queue and a CPU worker: generous, never a timing assumption.
JOB_TIMEOUT_MS = 240_000
SCREENSHOT = REPO_ROOT / "docs" / "panel-dashboard.png"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is missing (`make test` installs it as root)"
)


class Panel:
    def __init__(self, service: Service, url: str, storage: Storage) -> None:
        self.service, self.url, self.storage = service, url, storage


@pytest.fixture(scope="module")
async def panel(start_service: StartService) -> AsyncIterator[Panel]:
    port = free_port()
    env = {
        "PANEL_PORT": str(port),
        "PANEL_PASSWORD_HASH": PASSWORD_HASH,
        "PANEL_SECRET_KEY": Fernet.generate_key().decode(),
        "WORKER_METRICS_PORT": "0",
        "BOT_METRICS_PORT": "0",
    }
    async with start_service(worker=True, extra_env=env) as service:
        settings = service.settings
        storage = await Storage.open(settings.mongo_url, settings.mongo_db)
        redis = Redis.from_url(settings.redis_url, decode_responses=True)
        await seed_busy_week(storage, redis, Keys(settings.stream_prefix))
        service.start("panel")
        url = f"http://127.0.0.1:{port}"
        await eventually(lambda: _healthy(service, url), START_TIMEOUT_S, 0.5, "panel start")
        try:
            yield Panel(service, url, storage)
        finally:
            await redis.aclose()
            await storage.client.drop_database(settings.mongo_db)
            await storage.close()


async def _healthy(service: Service, url: str) -> bool:
    service._check_alive("panel")
    try:
        async with aiohttp.ClientSession() as http, http.get(f"{url}/healthz") as resp:
            return resp.status == 200
    except aiohttp.ClientError:
        return False


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser, panel: Panel) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1440, "height": 1100}, locale="en-US")
    opened = await context.new_page()
    await opened.goto(f"{panel.url}/login")
    await opened.get_by_label("Account").fill(ACCOUNT)
    await opened.get_by_label("Password").fill(PASSWORD)
    await opened.get_by_role("button", name="Log in").click()
    await expect(opened.get_by_role("heading", name="Dashboard")).to_be_visible()
    yield opened
    await context.close()


async def test_without_a_session_every_page_shows_the_login(browser, panel):
    context = await browser.new_context()
    anonymous = await context.new_page()
    for path in ("/", "/chats", "/jobs", "/workers", "/try", "/audit"):
        await anonymous.goto(panel.url + path)
        await expect(
            anonymous.get_by_role("heading", name="Log in to the Vitrina panel")
        ).to_be_visible()
    await anonymous.get_by_label("Account").fill(ACCOUNT)
    await anonymous.get_by_label("Password").fill("не тот пароль")
    await anonymous.get_by_role("button", name="Log in").click()
    await expect(anonymous.get_by_role("alert")).to_have_text("Wrong account or password.")
    await context.close()


async def test_the_dashboard_shows_the_seeded_week(page, tmp_path):
    await expect(page.locator(".card").first).to_be_visible()
    assert await page.locator("svg.chart").count() == 4
    assert await page.locator("svg.chart rect.done").count() >= 7
    assert await page.locator("svg.chart polyline").count() == 2
    await expect(page.get_by_role("cell", name="diffusion").first).to_be_visible()
    await expect(page.get_by_text("Workers alive").first).to_be_visible()
    shot = tmp_path / "dashboard.png"
    await page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG")
    if os.environ.get("UPDATE_SCREENSHOTS"):  # refreshes the picture in README
        shutil.copy(shot, SCREENSHOT)


async def test_an_admin_finds_a_chat_and_bans_it(page, panel):
    user = panel.service.telegram.user(chat_id=4_321_001, username="sofa_seller", first_name="Vera")
    await user.send_text("/start")
    await user.wait_for(lambda m: "Hello" in (m.text or ""))
    await page.get_by_role("link", name="Chats").click()
    await page.get_by_label("Chat id, @username or name").fill("sofa_sel")
    await page.get_by_role("button", name="Search").click()
    await page.get_by_role("link", name="4321001").click()
    await expect(page.get_by_role("heading", name="Chat 4321001")).to_be_visible()
    await page.get_by_role("button", name="Ban").click()
    await expect(page.get_by_text("The chat is banned")).to_be_visible()
    await expect(page.get_by_role("button", name="Unban")).to_be_visible()
    told = await user.wait_for(lambda m: "closed for this chat" in (m.text or ""), 120)
    assert told is not None
    assert (await panel.storage.chats.get(4_321_001)).banned


async def test_an_admin_retries_a_failed_job_and_the_user_gets_the_album(page, panel):
    user = panel.service.telegram.user(chat_id=4_321_002, username="lamp_shop")
    await user.send_text("/start")
    await user.wait_for(lambda m: "Hello" in (m.text or ""))
    failed = await seed_job(panel.storage, 4_321_002, JobStatus.FAILED, results=0, engine="studio")
    await page.goto(f"{panel.url}/jobs?status=failed")
    await page.get_by_role("link", name=failed.id[:8]).click()
    await expect(page.get_by_text("ran out of memory")).to_be_visible()
    await page.get_by_role("button", name="Retry").click()
    # The same job is queued again (one record per request); its page shows it done.
    await expect(page).to_have_url(re.compile(rf"/jobs/{failed.id}$"))
    await expect(page.locator("h1 .status.done")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    await _images_loaded(page, 3)  # the original and two results
    album = await user.wait_for(lambda m: m.photo_bytes is not None, timeout=JOB_TIMEOUT_MS / 1000)
    assert album is not None


async def test_try_it_makes_images_through_the_queue(page, panel, tmp_path):
    photo = tmp_path / "sofa.jpg"
    photo.write_bytes(product_photo((320, 240)))
    await page.get_by_role("link", name="Try it").click()
    await page.get_by_label("Product photo").set_input_files(str(photo))
    await page.get_by_label("Style").select_option("studio-white")
    await page.locator("select[name=count]").select_option("2")
    await page.get_by_role("button", name="Generate").click()
    await expect(page).to_have_url(re.compile(r"/jobs/\w+$"))
    await expect(page.locator("h1 .status.done")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    await _images_loaded(page, 3)  # the original and two results


async def _images_loaded(page: Page, count: int) -> None:
    """The gallery's images are there and decoded by the browser."""
    images = page.locator(".gallery img:not([alt='product mask'])")
    await expect(images).to_have_count(count)
    widths = await images.evaluate_all("imgs => imgs.map(i => i.complete && i.naturalWidth)")
    assert all(w and w > 0 for w in widths), widths
