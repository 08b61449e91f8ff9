"""The admin panel over real HTTP: who may enter, and that every page works on real data."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from pydantic import SecretStr

from catalog.cutouts import CutoutChoice
from jobs.messages import JobMessage
from jobs.names import Keys
from jobs.queue import JobQueue
from panel.auth import sign_telegram_login
from panel.web import PUBLIC
from settings import Settings
from storage.jobs import ErrorKind
from storage.status import JobStatus
from tests.support.panel import (
    ADMIN_ID,
    BOT_TOKEN,
    PASSWORD,
    panel_client,
    panel_settings,
    running_panel,
    seed_busy_week,
    seed_chat,
    seed_job,
)


@pytest.fixture
async def panel(settings: Settings, storage):
    async with running_panel(panel_settings(settings)) as (base, app):
        yield base, app


SAMPLE_PARAMS = {"chat_id": "1", "job_id": "nope", "image_id": "nope", "entry_id": "1-0"}


async def test_every_page_and_action_without_a_session_goes_to_the_login_page(panel):
    base, app = panel
    guarded = [
        (
            route.method,
            route.resource.canonical,
            route.resource.url_for(
                **{
                    k: v
                    for k, v in SAMPLE_PARAMS.items()
                    if "{" + k + "}" in route.resource.canonical
                }
            ),
        )
        for route in app.router.routes()
        if route.name not in PUBLIC and route.method in {"GET", "POST"}
    ]
    assert len(guarded) >= 15
    async with panel_client(base, login=False) as client:
        for method, canonical, url in guarded:
            call = client.get if method == "GET" else client.post
            status, _, resp = await call(str(url))
            assert status == 303, (method, canonical, status)
            assert resp.headers["Location"].startswith("/login"), (method, canonical)


async def test_password_login_opens_the_panel_and_logout_closes_it(panel):
    base, _ = panel
    async with panel_client(base) as client:
        status, html, resp = await client.get("/")
        assert status == 200 and "Jobs today" in html
        assert resp.headers["Content-Security-Policy"].startswith("default-src 'self'")
        status, _, resp = await client.post("/logout")
        assert status == 303 and resp.headers["Location"] == "/login"
        status, _, resp = await client.get("/chats")
        assert status == 303 and resp.headers["Location"].startswith("/login")


async def test_the_session_cookie_is_encrypted_httponly_and_lax(panel):
    base, _ = panel
    async with panel_client(base, login=False) as client:
        await client.get("/login")
        _, _, resp = await client.post("/login", {"account": "admin", "password": PASSWORD})
        cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "admin" not in cookie.split(";")[0]  # the content is encrypted


async def test_over_https_the_cookie_is_secure(settings, storage):
    secure = panel_settings(settings, panel_https=True)
    async with running_panel(secure) as (base, _), panel_client(base, login=False) as client:
        _, _, resp = await client.get("/login")
        assert "Secure" in resp.headers["Set-Cookie"]


@pytest.mark.parametrize("password", ["wrong", "неверный пароль", "🔑" * 50, "a\x00b"])
async def test_wrong_passwords_of_any_alphabet_are_refused_cleanly(panel, password):
    base, _ = panel
    async with panel_client(base, login=False) as client:
        status, html, _ = await client.get("/login")
        assert status == 200
        assert await client.login(password=password) == 401
        status, html, _ = await client.post("/login", {"account": "admin", "password": password})
        assert status == 401 and "Wrong account or password" in html
        assert (await client.get("/"))[0] == 303


async def test_a_form_body_that_is_not_utf8_is_refused_cleanly(panel):
    base, _ = panel
    async with panel_client(base, login=False) as client:
        await client.get("/login")
        body = f"account=admin&password=%FF%FE%C3&csrf={client.csrf}".encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        async with client.http.post(
            f"{base}/login", data=body, headers=headers, allow_redirects=False
        ) as resp:
            assert resp.status in (400, 401)


async def test_a_post_without_its_csrf_token_is_refused(panel, storage):
    base, _ = panel
    await seed_chat(storage, 4242)
    async with panel_client(base) as client:
        status, html, _ = await client.post("/chats/4242/ban", csrf=False)
        assert status == 403 and "The form has expired" in html
        status, _, _ = await client.post("/chats/4242/ban", {"csrf": "forged"}, csrf=False)
        assert status == 403
    assert not (await storage.chats.get(4242)).banned


async def test_login_is_throttled_per_account_and_per_address(settings, storage):
    limited = panel_settings(settings, panel_login_attempts=3)
    async with running_panel(limited) as (base, _), panel_client(base, login=False) as client:
        for _ in range(3):
            assert await client.login(password="wrong") == 401
        assert await client.login() == 429  # even the right password, for a while
        assert await client.login(account="someone-else") == 429  # the address is blocked too


def telegram_query(**fields: str) -> str:
    values = {"id": str(ADMIN_ID), "first_name": "Олег", "username": "oleg"}
    values["auth_date"] = str(int(time.time()))
    return "&".join(
        f"{k}={v}" for k, v in sign_telegram_login({**values, **fields}, BOT_TOKEN).items()
    )


async def test_telegram_login_lets_an_admin_in(panel):
    base, _ = panel
    async with panel_client(base, login=False) as client:
        params = sign_telegram_login(
            {"id": str(ADMIN_ID), "first_name": "Олег", "auth_date": str(int(time.time()))},
            BOT_TOKEN,
        )
        status, _, resp = await client.get("/login/telegram", params=params)
        assert status == 303 and resp.headers["Location"] == "/"
        status, html, _ = await client.get("/")
        assert status == 200 and "Олег" in html


@pytest.mark.parametrize(
    ("fields", "tamper", "message"),
    [
        ({}, {"hash": "0" * 64}, "did not check out"),
        ({}, {"first_name": "Mallory"}, "did not check out"),
        ({}, {"hash": "ü" * 64}, "did not check out"),
        ({"auth_date": str(int(time.time()) - 2 * 24 * 3600)}, {}, "too old"),
        ({"id": "31337"}, {}, "not an administrator"),
    ],
)
async def test_forged_old_or_foreign_telegram_logins_are_refused(panel, fields, tamper, message):
    base, _ = panel
    values = {"id": str(ADMIN_ID), "first_name": "Oleg", "auth_date": str(int(time.time()))}
    params = {**sign_telegram_login({**values, **fields}, BOT_TOKEN), **tamper}
    async with panel_client(base, login=False) as client:
        status, html, _ = await client.get("/login/telegram", params=params)
        assert status == 403 and message in html
        assert (await client.get("/"))[0] == 303


async def test_metrics_need_an_admin_or_the_token_and_never_scan_redis(settings, storage, redis):
    token_settings = panel_settings(settings, metrics_token=SecretStr("scrape-me"))
    await JobQueue(redis, Keys(settings.stream_prefix), 10).enqueue(
        JobMessage(job_id="a", chat_id=1)
    )
    async with running_panel(token_settings) as (base, _):
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/metrics") as anonymous:
                assert anonymous.status == 401
            async with http.get(f"{base}/metrics", headers={"Authorization": "Bearer no"}) as bad:
                assert bad.status == 401
            scans = await _scans(redis)
            headers = {"Authorization": "Bearer scrape-me"}
            async with http.get(f"{base}/metrics", headers=headers) as ok:
                body = await ok.text()
            assert await _scans(redis) == scans
        assert ok.status == 200
        assert "vitrina_queue_depth 1.0" in body and "vitrina_workers_alive 0.0" in body
        assert 'vitrina_jobs_last_day{status="done"}' in body
        async with panel_client(base) as client:
            assert (await client.get("/metrics"))[0] == 200


async def _scans(redis) -> int:
    stats = await redis.info("commandstats")
    return sum(stats.get(f"cmdstat_{c}", {}).get("calls", 0) for c in ("scan", "keys"))


async def test_health(panel):
    base, _ = panel
    async with aiohttp.ClientSession() as http, http.get(f"{base}/healthz") as resp:
        assert resp.status == 200 and (await resp.json())["ok"] is True


async def test_every_page_shows_seeded_data(panel, storage):
    base, _ = panel
    chat = await seed_chat(storage, 5150, username="tile_shop")
    done = await seed_job(storage, chat.chat_id, cutout_doubt="the outline runs off the frame")
    failed = await seed_job(storage, chat.chat_id, JobStatus.FAILED, results=0)
    unsure = await seed_job(
        storage,
        chat.chat_id,
        JobStatus.FAILED,
        results=0,
        cutout=CutoutChoice.TIGHTER,
        error_kind=ErrorKind.UNSURE_CUTOUT,
    )
    async with panel_client(base) as client:
        pages = {
            "/": ["Jobs today", failed.id[:8]],
            "/chats": ["@tile_shop"],
            "/chats?q=TILE": ["@tile_shop"],
            "/chats?q=5150": ["@tile_shop"],
            "/chats?q=nobody": ["No chats found"],
            f"/chats/{chat.chat_id}": [
                done.id[:8],
                failed.id[:8],
                "on white marble",
                "Model prompt",
            ],
            "/jobs": [done.id[:8], failed.id[:8]],
            "/jobs?status=failed": [failed.id[:8]],
            f"/jobs/{done.id}": ["w-1", "result 2", "not sure</dt><dd>the outline runs off the"],
            f"/jobs/{failed.id}": ["ran out of memory", "Cut-out</dt><dd>automatic"],
            f"/jobs/{unsure.id}": ["tighter", "could not be cut out reliably: "],
            "/workers": ["No worker is alive"],
            "/sandbox": ["Product photo"],
            "/audit": ["Audit log"],
        }
        for path, expected in pages.items():
            status, html, _ = await client.get(path.replace("/sandbox", "/try"))
            assert status == 200, path
            for text in expected:
                assert text in html, (path, text)
        assert "ran out of memory" not in (await client.get("/jobs?status=done"))[1]
        for image_id in (done.input_image_id, done.result_image_ids[0]):
            status, _, resp = await client.get(f"/images/{image_id}")
            assert status == 200 and resp.content_type.startswith("image/")
            status, _, resp = await client.get(f"/images/{image_id}/thumb")
            assert status == 200 and resp.content_type == "image/jpeg"
        assert (await client.get("/images/000000000000000000000000"))[0] == 404
        assert (await client.get("/jobs/nope"))[0] == 404
        assert (await client.get("/chats/31337"))[0] == 404


async def test_the_language_follows_the_switch(panel):
    base, _ = panel
    async with panel_client(base) as client:
        await client.get("/lang/ru?next=/chats")
        status, html, _ = await client.get("/chats")
        assert status == 200 and "Последняя активность" in html
        status, _, resp = await client.get("/lang/en?next=https://evil.example/")
        assert resp.headers["Location"] == "/"


async def test_the_dashboard_sums_up_a_busy_week(panel, storage, redis, settings):
    base, _ = panel
    jobs = await seed_busy_week(storage, redis, Keys(settings.stream_prefix))
    async with panel_client(base) as client:
        status, html, _ = await client.get("/")
    assert status == 200, html
    assert html.count("<svg") == 4 and "<polyline" in html
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    week = [j for j in jobs if j.created_at >= midnight - timedelta(days=6)]
    assert f"7 days: {len(week)}" in html
