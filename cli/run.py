"""`vitrina run`: the whole service on one machine, with embedded Redis and MongoDB when unset.

Children are restarted when they die or when their health check fails while Redis and
MongoDB answer (a worker that is up but stuck: `cli/healthcheck.py`), a few times, then
everything stops. Ctrl-C stops the children first, then the servers, so no data is lost.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from cli.healthcheck import check
from cli.services import Service, ServiceError, free_port, start_mongo, start_redis, stop_process
from settings import Settings

log = logging.getLogger("vitrina.run")
MAX_RESTARTS = 5
RESTART_WINDOW_S = 60.0
HEALTH_EVERY_S = 10.0
UNHEALTHY_ROUNDS = 3  # checks failed in a row before a part is restarted


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="everything, with embedded defaults")
    parser.set_defaults(func=run_all)


def run_all(args: argparse.Namespace) -> int:
    settings = Settings()
    stopping = _stop_on_signals()
    try:
        with ExitStack() as stack:
            env = dict(os.environ)
            env["REDIS_URL"] = settings.redis_url or stack.enter_context(
                _embedded(start_redis(settings.var_dir / "redis", free_port()))
            )
            env["MONGO_URL"] = settings.mongo_url or stack.enter_context(
                _embedded(start_mongo(settings.var_dir / "mongo", free_port()))
            )
            parts = ["worker", "panel", "scheduler"]
            if settings.bot_token is None:
                log.warning("BOT_TOKEN is not set: running without the Telegram bot")
            else:
                parts.append("bot")
            log.info(
                "starting %s (panel on http://%s:%d)",
                ", ".join(parts),
                settings.panel_host,
                settings.panel_port,
            )
            health = Settings(redis_url=env["REDIS_URL"], mongo_url=env["MONGO_URL"])
            return _supervise(parts, env, stopping, health)
    except ServiceError as exc:
        log.error("%s", exc)
        return 1


@contextmanager
def _embedded(service: Service) -> Iterator[str]:
    log.info("embedded %s at %s", service.name, service.url)
    try:
        yield service.url
    finally:
        service.stop()


def _stop_on_signals() -> list[bool]:
    stopping = [False]

    def handler(signum: int, frame: object) -> None:
        stopping[0] = True

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    return stopping


def _spawn(part: str, env: dict[str, str]) -> subprocess.Popen:
    # Own process group: Ctrl-C in the terminal reaches this supervisor only,
    # which then stops each part in order.
    return subprocess.Popen([sys.executable, "-m", "cli", part], env=env, start_new_session=True)


@dataclass
class Watch:
    """A part's health as the supervisor saw it: checked only once it has been healthy (a
    cold start may take minutes), restarted after UNHEALTHY_ROUNDS failed checks."""

    healthy_once: bool = False
    failures: int = 0


def _supervise(
    parts: list[str], env: dict[str, str], stopping: list[bool], settings: Settings
) -> int:
    children = {part: _spawn(part, env) for part in parts}
    watches = {part: Watch() for part in parts}
    restarts: dict[str, list[float]] = {part: [] for part in parts}
    next_check = time.monotonic() + HEALTH_EVERY_S
    try:
        while not stopping[0]:
            time.sleep(0.5)
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + HEALTH_EVERY_S
                for part, child in children.items():
                    _watch_health(part, child, watches[part], settings)
            for part, child in list(children.items()):
                if child.poll() is None:
                    continue
                recent = [t for t in restarts[part] if time.monotonic() - t < RESTART_WINDOW_S]
                if len(recent) >= MAX_RESTARTS:
                    log.error("%s keeps exiting (code %s); stopping", part, child.returncode)
                    return 1
                log.warning("%s exited with code %s; restarting", part, child.returncode)
                restarts[part] = [*recent, time.monotonic()]
                children[part] = _spawn(part, env)
                watches[part] = Watch()
        return 0
    finally:
        log.info("stopping %s", ", ".join(children))
        for child in children.values():
            if child.poll() is None:
                child.terminate()  # all at once: workers finish their batches side by side
        for part, child in children.items():
            grace = settings.worker_stop_timeout_s + 10 if part == "worker" else 20
            stop_process(child, timeout_s=grace)


def _watch_health(part: str, child: subprocess.Popen, watch: Watch, settings: Settings) -> None:
    """Stops a part whose own health failed UNHEALTHY_ROUNDS times while Redis and MongoDB
    answered (restarting it then helps; during an outage it would not): the exit is then
    handled like any other, by a restart."""
    if child.poll() is not None:
        return
    name = f"{socket.gethostname()}-{child.pid}"
    health = asyncio.run(check(part, settings, None if part == "panel" else name))
    if health.ok:
        watch.healthy_once, watch.failures = True, 0
        return
    if not watch.healthy_once or health.services:
        return
    watch.failures += 1
    if watch.failures >= UNHEALTHY_ROUNDS:
        log.error("%s is unhealthy (%s); restarting it", part, "; ".join(health.part))
        stop_process(child, timeout_s=20)
