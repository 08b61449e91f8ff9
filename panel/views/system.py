"""Health check and Prometheus metrics."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from panel.appkeys import KEYS, QUEUE, REDIS, SETTINGS, STORAGE
from panel.auth import same_text
from panel.metrics import render_metrics
from panel.web import current_admin
from runtime import health

routes = web.RouteTableDef()


@routes.get("/healthz", name="healthz")
async def healthz(request: web.Request) -> web.Response:
    """200 when the panel can do its work: Redis and MongoDB answer; 503 otherwise."""
    app = request.app
    return await health.healthz({"redis": app[REDIS].ping, "mongo": app[STORAGE].ping})


@routes.get("/metrics", name="metrics")
async def metrics(request: web.Request) -> web.Response:
    """For an admin's browser, or Prometheus with METRICS_TOKEN as its bearer token."""
    if not await _may_scrape(request):
        return web.Response(
            status=401, headers={"WWW-Authenticate": 'Bearer realm="vitrina metrics"'}
        )
    app = request.app
    body = await render_metrics(app[QUEUE], app[REDIS], app[KEYS], app[STORAGE])
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def _may_scrape(request: web.Request) -> bool:
    token = request.app[SETTINGS].metrics_token
    header = request.headers.get("Authorization", "")
    if token is not None and header.startswith("Bearer "):
        return same_text(header.removeprefix("Bearer "), token.get_secret_value())
    return await current_admin(request) is not None
