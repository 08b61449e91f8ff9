"""Long-running loops that ride out a Redis or MongoDB outage instead of dying with it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from pymongo.errors import ConnectionFailure
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
OUTAGES = (RedisConnectionError, RedisTimeoutError, ConnectionFailure, OSError)
MAX_PAUSE_S = 30.0


async def run_until(stop: asyncio.Event, name: str, step: Callable[[], Awaitable[None]]) -> None:
    """Calls `step` until `stop` is set; on a lost connection waits (doubling up to 30 s)
    and goes on, so the process recovers by itself once the service is back."""
    pause = 1.0
    while not stop.is_set():
        try:
            await step()
            pause = 1.0
        except OUTAGES as exc:
            log.warning("%s: %s; retrying in %.0f s", name, exc, pause)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)
            pause = min(pause * 2, MAX_PAUSE_S)
