"""Graceful shutdown: SIGINT and SIGTERM set an event the process's main loop waits on."""

from __future__ import annotations

import asyncio
import signal

from aiohttp import web

from runtime.heap import settle_after_start


def stop_event() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM; call it from the running loop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def serve_until_stopped(app: web.Application, host: str, port: int) -> None:
    """Serves the app until SIGINT/SIGTERM, then closes it (and its cleanup_ctx)."""
    stop = stop_event()
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    settle_after_start()
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
