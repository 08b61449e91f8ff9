"""Composition root of the admin panel: an aiohttp app with its clients in cleanup_ctx."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import session_middleware

from jobs.lifecycle import Lifecycle, Policy
from jobs.names import Keys
from panel import filters
from panel.appkeys import (
    CONTROL,
    KEYS,
    PASSWORD_HASH,
    QUEUE,
    REDIS,
    SETTINGS,
    STORAGE,
    SUGGESTER,
    THROTTLE,
)
from panel.auth import LoginThrottle
from panel.credentials import password_hash, secret_key
from panel.job_control import JobControl
from panel.views import setup_routes
from panel.views.common import error_pages
from panel.web import CookieStorage, require_admin, require_csrf, security_headers
from runtime.clients import redis_client
from runtime.signals import serve_until_stopped
from settings import Settings
from storage.store import Storage
from suggestions import Suggester

TEMPLATES = Path(__file__).resolve().parent / "templates"
MB = 1024 * 1024


def init_app(settings: Settings) -> web.Application:
    cookies = CookieStorage(
        secret_key(settings),
        max_age=settings.panel_session_hours * 3600,
        always_secure=settings.panel_https,
    )
    app = web.Application(
        # Outermost first: the session, then headers on every answer, then error pages
        # around the login and CSRF guards.
        middlewares=[
            session_middleware(cookies),
            security_headers,
            error_pages,
            require_admin,
            require_csrf,
        ],
        client_max_size=(settings.max_upload_mb + 1) * MB,  # Try it's photo upload
    )
    app[SETTINGS] = settings
    app[KEYS] = Keys(settings.stream_prefix)
    app[PASSWORD_HASH] = password_hash(settings)
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(TEMPLATES),
        filters=filters.FILTERS,
        autoescape=True,
    )
    app.cleanup_ctx.append(_clients)
    setup_routes(app)
    return app


async def _clients(app: web.Application) -> AsyncIterator[None]:
    settings, keys = app[SETTINGS], app[KEYS]
    app[REDIS] = redis = redis_client(settings.redis_url)
    app[STORAGE] = storage = await Storage.open(settings.mongo_url, settings.mongo_db)
    lifecycle = Lifecycle(redis, keys, storage, Policy.from_settings(settings))
    app[QUEUE] = lifecycle.queue
    app[CONTROL] = JobControl(lifecycle, redis, keys)
    app[THROTTLE] = LoginThrottle(
        redis, keys.prefix, settings.panel_login_attempts, settings.panel_login_window_s
    )
    http = aiohttp.ClientSession()  # for Yandex Translate of Try it's prompts
    app[SUGGESTER] = Suggester.create(settings, redis, http)
    yield
    await http.close()
    await storage.close()
    await redis.aclose()


async def serve(settings: Settings) -> None:
    if not settings.redis_url or not settings.mongo_url:
        raise SystemExit("the panel needs REDIS_URL and MONGO_URL (`vitrina run` sets both)")
    await serve_until_stopped(init_app(settings), settings.panel_host, settings.panel_port)
