"""The /healthz answer of a part that serves HTTP: 200 while Redis and MongoDB answer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

TIMEOUT_S = 3.0


async def healthz(checks: dict[str, Callable[[], Awaitable[object]]]) -> web.Response:
    """Runs each named check within TIMEOUT_S: 200 when all answer, 503 naming the rest."""
    failed = {}
    for name, check in checks.items():
        try:
            await asyncio.wait_for(check(), TIMEOUT_S)
        except Exception as exc:
            failed[name] = f"{type(exc).__name__}: {exc}"
    if failed:
        return web.json_response({"ok": False, "failed": failed}, status=503)
    return web.json_response({"ok": True})
