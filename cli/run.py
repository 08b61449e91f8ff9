"""`vitrina run`: the whole service on one machine, with embedded Redis and MongoDB when unset.

Children are restarted when they die (a few times, then everything stops);
Ctrl-C stops the children first, then the servers, so no data is lost.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from cli.services import Service, ServiceError, free_port, start_mongo, start_redis, stop_process
from settings import Settings

log = logging.getLogger("vitrina.run")
MAX_RESTARTS = 5
RESTART_WINDOW_S = 60.0


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
            return _supervise(parts, env, stopping)
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


def _supervise(parts: list[str], env: dict[str, str], stopping: list[bool]) -> int:
    children = {part: _spawn(part, env) for part in parts}
    restarts: dict[str, list[float]] = {part: [] for part in parts}
    try:
        while not stopping[0]:
            time.sleep(0.5)
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
        return 0
    finally:
        log.info("stopping %s", ", ".join(children))
        for child in children.values():
            stop_process(child, timeout_s=20)
