"""Long-running loops that survive their errors instead of dying with them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from pymongo.errors import ConnectionFailure, ExecutionTimeout, WTimeoutError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
# A service that cannot be reached (or answered too late): wait for it, it is no bug.
# Not every OSError: a damaged image file is one too (PIL's UnidentifiedImageError).
OUTAGES = (
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionFailure,
    ExecutionTimeout,
    WTimeoutError,
    ConnectionError,
    TimeoutError,
)
MAX_PAUSE_S = 5.0  # a service back from an outage is used again within seconds


async def run_until(stop: asyncio.Event, name: str, step: Callable[[], Awaitable[None]]) -> None:
    """Calls `step` until `stop` is set. A lost connection or any other error is logged and
    waited out (1 s, doubling up to 5 s) and the loop goes on, so a background loop never
    dies of one error and the process recovers by itself once the service is back."""
    pause = 1.0
    while not stop.is_set():
        try:
            await step()
            pause = 1.0
        except OUTAGES as exc:
            log.warning("%s: %s: %s; retrying in %.0f s", name, type(exc).__name__, exc, pause)
        except Exception:
            log.exception("%s failed; going on in %.0f s", name, pause)
        else:
            continue
        await pause_unless_stopped(stop, pause)
        pause = min(pause * 2, MAX_PAUSE_S)


async def pause_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    """Sleeps `seconds`, or less when `stop` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def through_outages(
    action: Callable[[], Awaitable[object]], name: str, deadline_s: float = 600.0
) -> object:
    """Runs `action` until it gets past an outage (waiting 0.5 s, doubling up to 10 s), for
    steps that must not be lost half-way; other errors and a longer outage are raised."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + deadline_s
    pause = 0.5
    while True:
        try:
            return await action()
        except OUTAGES as exc:
            if loop.time() + pause > give_up:
                raise
            log.warning("%s: %s; retrying in %.1f s", name, exc, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 10.0)
