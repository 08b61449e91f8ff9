"""Graceful shutdown: SIGINT and SIGTERM set an event the process's main loop waits on."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable

from aiohttp import web

from runtime.heap import settle_after_start


def stop_event() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM; call it from the running loop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def serve_until_stopped(
    app: web.Application,
    host: str,
    port: int,
    when_listening: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Serves the app until SIGINT/SIGTERM, then closes it (and its cleanup_ctx).
    `when_listening` runs once the port accepts connections: the place to tell others
    where to send requests."""
    stop = stop_event()
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        if when_listening is not None:
            await when_listening()
        settle_after_start()
        await stop.wait()
    finally:
        await runner.cleanup()
