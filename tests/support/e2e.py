"""Runs the real bot and worker processes against the fake Telegram server and real services."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from redis.asyncio import Redis

from cli.services import stop_process
from jobs.heartbeat import alive_workers
from jobs.names import Keys
from keyboards.callbacks import CountCb, OptionCb, StyleCb
from settings import Settings
from tests.support.services import isolated_settings
from tests.support.tgfake import ChatMessage, FakeUser, TelegramServer
from tests.support.waiting import eventually

TOKEN = "123456:TEST-TOKEN"
# A cold start on a fresh environment imports torch, diffusers and transformers for the
# first time (compiling their bytecode), which takes minutes on two cores.
START_TIMEOUT_S = 300.0


@dataclass
class Service:
    """The bot and workers of one test module, sharing one fake Telegram server. Each
    process has a key ("bot", "worker", "worker-2"...), its own log file and, for fault
    tests, its own extra environment (VITRINA_FAULTS arms a fault point in it only)."""

    settings: Settings
    telegram: TelegramServer
    workdir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    token: str = TOKEN
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        s = self.settings
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
        env.pop("VITRINA_FAULTS", None)
        env.update(
            {
                "BOT_TOKEN": self.token,
                "TELEGRAM_API_URL": self.telegram.api_url,
                "REDIS_URL": s.redis_url,
                "MONGO_URL": s.mongo_url,
                "MONGO_DB": s.mongo_db,
                "STREAM_PREFIX": s.stream_prefix,
                "MODELS_DIR": str(s.models_dir),
                "RETRY_BACKOFF_S": "0.1",
                "WORKER_HEARTBEAT_S": "0.5",
                "DAILY_QUOTA": str(s.daily_quota),
            }
        )
        return {**env, **self.extra_env, **(extra or {})}

    def start(self, part: str, key: str | None = None, env: dict[str, str] | None = None) -> str:
        key = key or part
        log = open(self.workdir / f"{key}.log", "ab")  # noqa: SIM115  (closed with the process)
        self.processes[key] = subprocess.Popen(
            [sys.executable, "-m", "cli", part],
            env=self.env(env),
            cwd=self.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        return key

    async def start_bot(self, key: str = "bot", env: dict[str, str] | None = None) -> None:
        """Starts a bot; ready once it polls for updates or has set its webhook."""
        before = len(self.telegram.calls("getUpdates")) + len(self.telegram.calls("setWebhook"))
        self.start("bot", key, env)

        def ready() -> bool:
            self._check_alive(key)
            calls = self.telegram.calls("getUpdates") + self.telegram.calls("setWebhook")
            return len(calls) > before

        await eventually(ready, START_TIMEOUT_S, what=lambda: f"bot start:\n{self.log(key)}")

    async def start_worker(self, key: str = "worker", env: dict[str, str] | None = None) -> None:
        """Starts a worker; ready once its own heartbeat is in Redis."""
        self.start("worker", key, env)
        redis = Redis.from_url(self.settings.redis_url, decode_responses=True)
        keys = Keys(self.settings.stream_prefix)
        name = self.worker_name(key)

        async def ready() -> bool:
            self._check_alive(key)
            return any(w["worker"] == name for w in await alive_workers(redis, keys))

        try:
            what = lambda: f"worker start:\n{self.log(key)}"  # noqa: E731
            await eventually(ready, START_TIMEOUT_S, interval=0.2, what=what)
        finally:
            await redis.aclose()

    def worker_name(self, key: str) -> str:
        """The consumer name a worker process gives itself (host-pid)."""
        return f"{socket.gethostname()}-{self.processes[key].pid}"

    def kill(self, key: str) -> None:
        """SIGKILL, as an out-of-memory kill or a lost machine would."""
        process = self.processes.pop(key)
        process.kill()
        process.wait()

    async def exited(self, key: str, timeout: float = START_TIMEOUT_S) -> int:
        """Waits for a process to end by itself (a fault point, a stop deadline)."""
        process = self.processes[key]
        what = lambda: f"{key} to exit:\n{self.log(key)}"  # noqa: E731
        await eventually(lambda: process.poll() is not None, timeout, what=what)
        del self.processes[key]
        return process.returncode

    def stop(self, part: str) -> None:
        process = self.processes.pop(part, None)
        if process is not None:
            stop_process(process, timeout_s=15)

    def stop_all(self) -> None:
        for part in list(self.processes):
            self.stop(part)

    def logs(self) -> dict[str, str]:
        """Everything each process wrote, whole."""
        return {p.stem: p.read_text(errors="replace") for p in self.workdir.glob("*.log")}

    def log(self, part: str) -> str:
        path = self.workdir / f"{part}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def _check_alive(self, part: str) -> None:
        process = self.processes[part]
        if process.poll() is not None:
            raise RuntimeError(f"{part} exited with {process.returncode}:\n{self.log(part)}")


def albums(telegram: TelegramServer, chat_id: int) -> int:
    """Albums (or single photos) Telegram accepted for a chat: what its user received."""
    return sum(
        1
        for method in ("sendMediaGroup", "sendPhoto")
        for call in telegram.calls(method)
        if call.ok and str(call.params.get("chat_id")) == str(chat_id)
    )


@asynccontextmanager
async def running_service(
    settings: Settings,
    workdir: Path,
    *,
    worker: bool,
    extra_env: dict[str, str] | None = None,
    token: str = TOKEN,
) -> AsyncIterator[Service]:
    """A fake Telegram server with the real bot process, and a worker when asked."""
    async with TelegramServer(token=token) as telegram:
        service = Service(settings, telegram, workdir, extra_env or {}, token)
        try:
            if worker:
                await service.start_worker()
            await service.start_bot()
            yield service
        finally:
            service.stop_all()


StartService = Callable[..., AbstractAsyncContextManager[Service]]


@pytest.fixture(scope="session")
def start_service(
    redis_url: str, mongo_url: str, tmp_path_factory: pytest.TempPathFactory
) -> StartService:
    """Starts a service of its own (database, key prefix, Telegram server, processes):
    `async with start_service(worker=True, daily_quota=3) as service: ...`. A test module
    shares one through a module-scoped fixture; a test that depends on queue state or
    counts gets its own through a function-scoped one."""

    def start(
        *,
        worker: bool,
        extra_env: dict[str, str] | None = None,
        token: str = TOKEN,
        **overrides: object,
    ) -> AbstractAsyncContextManager[Service]:
        # A test may bring servers of its own (to restart them): redis_url=, mongo_url=.
        redis = str(overrides.pop("redis_url", redis_url))
        mongo = str(overrides.pop("mongo_url", mongo_url))
        settings = isolated_settings(redis, mongo, **overrides)
        workdir = Path(tmp_path_factory.mktemp("e2e"))
        return running_service(settings, workdir, worker=worker, extra_env=extra_env, token=token)

    return start


def button(message: ChatMessage, prefix: str) -> str:
    """The callback data of the message's button that starts with `prefix`: a draft's
    buttons end with its token, so tests name them by the rest (`StyleCb(style=...).pack()`)."""
    for data in (b.get("callback_data", "") for b in message.buttons):
        if data.startswith(prefix):
            return data
    raise LookupError(f"no button {prefix!r} on {message!r}")


def has_button(message: ChatMessage, prefix: str) -> bool:
    return any(b.get("callback_data", "").startswith(prefix) for b in message.buttons)


async def press(user: FakeUser, message: ChatMessage, prefix: str) -> str:
    """Presses the message's button whose data starts with `prefix`."""
    return await user.press(message, button(message, prefix))


async def choose(user: FakeUser, style: str, count: int) -> ChatMessage:
    """Style → count on the style keyboard the bot just sent; returns the options message."""
    styles = await user.wait_for(lambda m: bool(m.buttons))
    await press(user, styles, StyleCb(style=style).pack())
    counts = await user.wait_for(lambda m: has_button(m, CountCb(count=count).pack()))
    await press(user, counts, CountCb(count=count).pack())
    return await user.wait_for(lambda m: has_button(m, OptionCb(action="generate").pack()))


async def order(
    user: FakeUser, photo: bytes, style: str = "minimal", count: int = 2
) -> ChatMessage:
    """Photo → style → count → generate; returns the status message."""
    await user.send_photo(photo)
    await press(user, await choose(user, style, count), OptionCb(action="generate").pack())
    return await user.wait_for(lambda m: "⏳" in (m.text or ""))
