"""Production delivery of updates: a webhook guarded by Telegram's secret token header."""

from __future__ import annotations

import asyncio
import signal
from urllib.parse import urlparse

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from settings import Settings


async def serve_webhook(bot: Bot, dp: Dispatcher, settings: Settings) -> None:
    if settings.webhook_secret is None:
        raise SystemExit("WEBHOOK_SECRET must be set with WEBHOOK_URL")
    secret = settings.webhook_secret.get_secret_value()
    path = urlparse(settings.webhook_url).path or "/"
    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(app, path=path)
    setup_application(app, dp, bot=bot)
    await bot.set_webhook(settings.webhook_url, secret_token=secret, drop_pending_updates=False)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
