"""Production delivery of updates: a webhook guarded by Telegram's secret token header."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlparse

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.services.deps import BotDeps
from runtime import health
from runtime.signals import serve_until_stopped
from settings import Settings


async def serve_webhook(bot: Bot, dp: Dispatcher, settings: Settings) -> None:
    if settings.webhook_secret is None:
        raise SystemExit("WEBHOOK_SECRET must be set with WEBHOOK_URL")
    secret = settings.webhook_secret.get_secret_value()
    path = urlparse(settings.webhook_url).path or "/"
    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(app, path=path)
    app.router.add_get("/healthz", partial(healthz, dp["deps"]))
    setup_application(app, dp, bot=bot)

    async def set_webhook() -> None:
        # Only once the port listens: Telegram may send the first update at once.
        await bot.set_webhook(settings.webhook_url, secret_token=secret, drop_pending_updates=False)

    await serve_until_stopped(app, settings.webhook_host, settings.webhook_port, set_webhook)


async def healthz(deps: BotDeps, request: web.Request) -> web.Response:
    """200 when the bot can serve updates: Redis and MongoDB answer; 503 otherwise."""
    return await health.healthz({"redis": deps.redis.ping, "mongo": deps.db.ping})
