"""Composition root of the admin panel: an aiohttp app with its clients in cleanup_ctx."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web
from redis.asyncio import Redis

from jobs.names import Keys
from jobs.queue import JobQueue
from panel.appkeys import KEYS, QUEUE, REDIS, SETTINGS, STORAGE
from panel.views import setup_routes
from runtime.signals import serve_until_stopped
from settings import Settings
from storage.store import Storage


def init_app(settings: Settings) -> web.Application:
    app = web.Application()
    app[SETTINGS] = settings
    app[KEYS] = Keys(settings.stream_prefix)
    app.cleanup_ctx.append(_clients)
    setup_routes(app)
    return app


async def _clients(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    app[REDIS] = Redis.from_url(settings.redis_url, decode_responses=True)
    app[STORAGE] = await Storage.open(settings.mongo_url, settings.mongo_db)
    app[QUEUE] = JobQueue(app[REDIS], app[KEYS], settings.queue_limit)
    yield
    await app[STORAGE].close()
    await app[REDIS].aclose()


async def serve(settings: Settings) -> None:
    if not settings.redis_url or not settings.mongo_url:
        raise SystemExit("the panel needs REDIS_URL and MONGO_URL (`vitrina run` sets both)")
    await serve_until_stopped(init_app(settings), settings.panel_host, settings.panel_port)
