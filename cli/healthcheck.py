"""`vitrina healthcheck bot|worker|panel`: exits 0 only when that part can do its work.

Every part needs Redis and MongoDB to answer. A worker (or bot) also needs a heartbeat
fresher than three intervals that says its loop, or its engine's thread, moved on within
WORKER_STALL_S: a process that is up but stuck is not healthy, whatever its heartbeat
thread says. The panel answers its /healthz; the scheduler (standing by, or running the
scheduled work) serves its metrics. Compose's health checks and `vitrina run`'s
supervisor use this.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
import time
import urllib.request
from dataclasses import dataclass, field

from redis.asyncio import Redis

from jobs.names import Keys
from settings import Settings
from storage.mongo import connect

PARTS = ("bot", "worker", "panel", "scheduler")
TIMEOUT_S = 3.0
BOT_STALL_S = 120.0  # the bot's events loop goes round at least every few seconds


@dataclass
class Health:
    services: list[str] = field(default_factory=list)  # Redis or MongoDB not answering
    part: list[str] = field(default_factory=list)  # the part itself: no beat, stuck, no answer

    @property
    def ok(self) -> bool:
        return not self.services and not self.part


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("healthcheck", help="exit 0 when a part can do its work")
    parser.add_argument("part", choices=PARTS)
    parser.add_argument("--name", help="the worker's or bot's name (host-pid); this host's")
    parser.set_defaults(func=run_healthcheck)


def run_healthcheck(args: argparse.Namespace) -> int:
    health = asyncio.run(check(args.part, Settings(), args.name))
    if health.ok:
        print("ok")
        return 0
    print("; ".join(health.services + health.part), file=sys.stderr)
    return 1


async def check(part: str, settings: Settings, name: str | None = None) -> Health:
    health = Health()
    if not settings.redis_url or not settings.mongo_url:
        health.services.append("REDIS_URL and MONGO_URL must be set")
        return health
    redis = Redis.from_url(
        settings.redis_url,
        decode_responses=True,
        socket_timeout=TIMEOUT_S,
        socket_connect_timeout=TIMEOUT_S,
    )
    try:
        await _services(redis, settings, health)
        if not health.services and part in ("bot", "worker"):
            await _beats(redis, part, settings, name, health)
    finally:
        await redis.aclose()
    if part == "panel":
        await asyncio.to_thread(_answers, _panel_url(settings), "panel", health)
    if part == "scheduler" and settings.scheduler_metrics_port:
        url = _local_url(settings.metrics_host, settings.scheduler_metrics_port, "/metrics")
        await asyncio.to_thread(_answers, url, "scheduler", health)
    return health


async def _services(redis: Redis, settings: Settings, health: Health) -> None:
    try:
        await redis.ping()
    except Exception as exc:
        health.services.append(f"redis: {type(exc).__name__}: {exc}")
    mongo = connect(settings.mongo_url, timeout_ms=int(TIMEOUT_S * 1000))
    try:
        await mongo.admin.command("ping")
    except Exception as exc:
        health.services.append(f"mongodb: {type(exc).__name__}: {exc}")
    finally:
        await mongo.close()


async def _beats(
    redis: Redis, part: str, settings: Settings, name: str | None, health: Health
) -> None:
    keys = Keys(settings.stream_prefix)
    key = keys.heartbeat if part == "worker" else keys.bot_heartbeat
    if name is not None:
        names = [name]
    else:  # this host's processes of that part
        pattern = key(f"{socket.gethostname()}-*")
        prefix = key("")
        names = [k.removeprefix(prefix) async for k in redis.scan_iter(match=pattern)]
    if not names:
        health.part.append(f"no {part} heartbeat")
    interval = settings.worker_heartbeat_s
    stall_s = settings.worker_stall_s if part == "worker" else BOT_STALL_S
    now = time.time()
    for each in names:
        raw = await redis.get(key(each))
        beat = json.loads(raw) if raw else None
        if beat is None or now - beat["at"] > 3 * interval:
            health.part.append(f"{part} {each}: no fresh heartbeat")
        elif now - beat.get("progress_at", beat["at"]) > stall_s:
            health.part.append(f"{part} {each}: no progress for {stall_s:.0f} s (stuck)")


def _panel_url(settings: Settings) -> str:
    return _local_url(settings.panel_host, settings.panel_port, "/healthz")


def _local_url(host: str, port: int, path: str) -> str:
    host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return f"http://{host}:{port}{path}"


def _answers(url: str, part: str, health: Health) -> None:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            if response.status != 200:
                health.part.append(f"{part}: {url} answered {response.status}")
    except Exception as exc:
        health.part.append(f"{part}: {type(exc).__name__}: {exc}")
