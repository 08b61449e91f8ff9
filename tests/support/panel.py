"""The admin panel for tests: its settings, a logged-in HTTP client, and seeded data."""

from __future__ import annotations

import math
import random
import re
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web
from cryptography.fernet import Fernet
from pydantic import SecretStr
from redis.asyncio import Redis

from cli.services import free_port
from jobs.names import Keys
from jobs.samples import record_sample
from panel.app import init_app
from panel.auth import hash_password
from settings import Settings
from storage.chats import Chat
from storage.jobs import Job
from storage.status import JobStatus
from storage.store import Storage
from tests.support.photos import product_photo

# Not ASCII on purpose: the login must take any Unicode password.
PASSWORD = "пароль-Ünïcode-🔑"
ACCOUNT = "admin"
ADMIN_ID = 777
BOT_TOKEN = "123456:TEST-TOKEN"
# Hashing once keeps the suite fast: scrypt costs a tenth of a second on purpose.
PASSWORD_HASH = hash_password(PASSWORD)
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def panel_settings(settings: Settings, **overrides: Any) -> Settings:
    values = {
        "panel_port": free_port(),
        "panel_password_hash": SecretStr(PASSWORD_HASH),
        "panel_secret_key": SecretStr(Fernet.generate_key().decode()),
        "admin_ids": [ADMIN_ID],
        "bot_token": SecretStr(BOT_TOKEN),
    }
    return settings.model_copy(update={**values, **overrides})


@asynccontextmanager
async def running_panel(settings: Settings) -> AsyncIterator[tuple[str, web.Application]]:
    app = init_app(settings)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", settings.panel_port).start()
    try:
        yield f"http://127.0.0.1:{settings.panel_port}", app
    finally:
        await runner.cleanup()


class PanelClient:
    """An HTTP client of the panel that keeps its cookies and knows the CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        # unsafe: aiohttp keeps no cookies of an IP address (127.0.0.1) otherwise.
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    async def close(self) -> None:
        await self.http.close()

    async def get(self, path: str, **kwargs: Any) -> tuple[int, str, aiohttp.ClientResponse]:
        async with self.http.get(self.base + path, allow_redirects=False, **kwargs) as resp:
            text = await resp.text(errors="replace")
        if found := CSRF.search(text):
            self.csrf = found.group(1)
        return resp.status, text, resp

    async def post(
        self, path: str, data: dict[str, Any] | aiohttp.FormData | None = None, csrf: bool = True
    ) -> tuple[int, str, aiohttp.ClientResponse]:
        if isinstance(data, aiohttp.FormData):
            if csrf:
                data.add_field("csrf", self.csrf)
        else:
            data = {**(data or {}), **({"csrf": self.csrf} if csrf else {})}
        async with self.http.post(self.base + path, data=data, allow_redirects=False) as resp:
            text = await resp.text(errors="replace")
        return resp.status, text, resp

    async def login(self, password: str = PASSWORD, account: str = ACCOUNT) -> int:
        await self.get("/login")
        status, _, _ = await self.post("/login", {"account": account, "password": password})
        if status == 303:
            await self.get("/")  # a login starts a new session with its own CSRF token
        return status


@asynccontextmanager
async def panel_client(base: str, login: bool = True) -> AsyncIterator[PanelClient]:
    client = PanelClient(base)
    try:
        if login:
            assert await client.login() == 303
        yield client
    finally:
        await client.close()


async def seed_chat(storage: Storage, chat_id: int, username: str = "buyer", **fields: Any) -> Chat:
    chat = await storage.chats.touch(chat_id, "en", username, "Anna")
    for name, value in fields.items():
        await storage.chats._col.update_one({"chat_id": chat_id}, {"$set": {name: value}})
    return await storage.chats.get(chat_id) or chat


async def seed_job(
    storage: Storage,
    chat_id: int,
    status: JobStatus = JobStatus.DONE,
    *,
    age: timedelta = timedelta(minutes=5),
    results: int = 2,
    engine: str = "studio",
    **fields: Any,
) -> Job:
    """A job record with a real photo, and its results when done."""
    created = datetime.now(UTC) - age
    photo = await storage.images.put(product_photo(), "original.jpeg", chat_id=chat_id)
    job = Job(
        chat_id=chat_id,
        lang="en",
        style="minimal",
        count=results or 2,
        seed=1,
        engine=engine,
        input_image_id=photo,
        status=status,
        created_at=created,
        updated_at=created,
        user_prompt="on white marble",
        model_prompt="a product on white marble, studio light",
        **fields,
    )
    if status != JobStatus.QUEUED:
        job.started_at, job.attempts, job.worker = created + timedelta(seconds=2), 1, "w-1"
    if status.finished:
        job.finished_at = created + timedelta(seconds=9)
    if status == JobStatus.DONE:
        job.result_image_ids = [
            await storage.images.put(product_photo(fmt="PNG"), f"{job.id}-{i}.png", kind="result")
            for i in range(results)
        ]
        job.album_image_ids = [
            await storage.images.put(product_photo(), f"{job.id}-{i}.jpg", kind="album")
            for i in range(results)
        ]
    if status == JobStatus.FAILED:
        job.error = job.error or "RuntimeError: the model ran out of memory"
    return await storage.jobs.create(job)


def unique_id() -> int:
    return int(uuid.uuid4().int % 10**9) + 1000


async def seed_busy_week(storage: Storage, redis: Redis, keys: Keys) -> list[Job]:
    """A week of a busy bot: jobs of several chats, engines and outcomes every day, and a
    day of queue samples; what the dashboard's screenshot shows."""
    rng = random.Random(7)
    chats = [await seed_chat(storage, 10_000 + i, username=f"shop_{i}") for i in range(6)]
    jobs = []
    for day in range(7):
        for _ in range(4 + 3 * (6 - day) + rng.randrange(4)):
            age = timedelta(days=day, hours=rng.uniform(0, 20 if day else 2))
            status = JobStatus.FAILED if rng.random() < 0.12 else JobStatus.DONE
            engine = "diffusion" if rng.random() < 0.4 else "studio"
            job = await seed_job(
                storage,
                rng.choice(chats).chat_id,
                status,
                age=age,
                results=0 if status == JobStatus.FAILED else 1,
                engine=engine,
            )
            wait, run = (
                rng.uniform(0.5, 20),
                rng.uniform(8, 40) if engine == "diffusion" else rng.uniform(1, 4),
            )
            started = job.created_at + timedelta(seconds=wait)
            await storage.jobs.note(
                job.id, started_at=started, finished_at=started + timedelta(seconds=run)
            )
            jobs.append(job)
    now = time.time()
    for minute in range(0, 24 * 60, 10):
        at = now - 24 * 3600 + minute * 60
        waiting = max(0, round(6 * math.sin(minute / 140) + rng.uniform(-1, 3)))
        await record_sample(redis, keys, waiting, 2 if minute < 20 * 60 else 3, at=at)
    return jobs
