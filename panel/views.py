"""Panel pages: health, Prometheus metrics, and the admin overview behind HTTP Basic auth."""

from __future__ import annotations

import base64
import binascii
import hmac
from datetime import UTC, datetime, timedelta
from html import escape

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from jobs.heartbeat import alive_workers
from locales import Translator
from panel.appkeys import KEYS, QUEUE, REDIS, SETTINGS, STORAGE
from panel.metrics import render_metrics


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/", overview)


async def healthz(request: web.Request) -> web.Response:
    await request.app[REDIS].ping()
    return web.json_response({"ok": True})


async def metrics(request: web.Request) -> web.Response:
    body = await render_metrics(request.app[QUEUE], request.app[REDIS], request.app[KEYS])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def overview(request: web.Request) -> web.Response:
    t = Translator.load(_language(request))
    _require_admin(request, t)
    since = datetime.now(UTC) - timedelta(days=1)
    storage = request.app[STORAGE]
    rows = {
        "panel-queue-depth": await request.app[QUEUE].waiting(),
        "panel-workers-alive": len(await alive_workers(request.app[REDIS], request.app[KEYS])),
        "panel-jobs-day": await storage.jobs.count_since(since),
        "panel-failed-day": await storage.jobs.count_since(since, status="failed"),
        "panel-forgotten-day": await storage.chats.forgotten_since(since),
    }
    items = "".join(f"<tr><th>{escape(t.get(k))}</th><td>{v}</td></tr>" for k, v in rows.items())
    html = (
        f"<!doctype html><html lang='{t.lang}'><meta charset='utf-8'>"
        f"<title>{escape(t.get('panel-title'))}</title>"
        f"<h1>{escape(t.get('panel-title'))}</h1><table>{items}</table></html>"
    )
    return web.Response(text=html, content_type="text/html")


def _language(request: web.Request) -> str:
    accepted = request.headers.get("Accept-Language", "")
    return "ru" if accepted.lower().startswith("ru") else "en"


def _require_admin(request: web.Request, t: Translator) -> None:
    settings = request.app[SETTINGS]
    if settings.panel_admin_password is None:
        raise web.HTTPForbidden(text=t.get("panel-no-password"))
    expected = f"{settings.panel_admin_user}:{settings.panel_admin_password.get_secret_value()}"
    header = request.headers.get("Authorization", "")
    try:
        given = base64.b64decode(header.removeprefix("Basic ")).decode()
    except (binascii.Error, UnicodeDecodeError):
        given = ""
    if not header.startswith("Basic ") or not hmac.compare_digest(given, expected):
        raise web.HTTPUnauthorized(
            headers={"WWW-Authenticate": 'Basic realm="Vitrina"'},
            text=t.get("panel-login-required"),
        )
