"""The dashboard: what the bot did today and this week, how fast, and what runs now."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from aiohttp import web

from locales import Translator
from panel import audit, charts
from panel.appkeys import KEYS, QUEUE, REDIS, STORAGE
from panel.stats import dashboard
from panel.views.common import render
from panel.web import language

routes = web.RouteTableDef()


@routes.get("/", name="dashboard")
async def show(request: web.Request) -> web.Response:
    app = request.app
    board = await dashboard(app[STORAGE], app[REDIS], app[KEYS], app[QUEUE])
    forgotten = await app[STORAGE].chats.forgotten_since(datetime.now(UTC) - timedelta(days=1))
    t = Translator.load(await language(request))
    names = {k: t.get(f"panel-chart-{k}") for k in ("done", "failed", "other")}
    now = time.time()
    return await render(
        request,
        "dashboard.html",
        board=board,
        forgotten=forgotten,
        days_chart=charts.stacked_bars(board.days, t.get("panel-chart-days"), names),
        hours_chart=charts.stacked_bars(board.hours, t.get("panel-chart-hours"), names),
        queue_chart=charts.line(
            [(s.at, s.waiting) for s in board.samples],
            now - 24 * 3600,
            now,
            t.get("panel-chart-queue"),
        ),
        workers_chart=charts.line(
            [(s.at, s.workers) for s in board.samples],
            now - 24 * 3600,
            now,
            t.get("panel-chart-workers"),
        ),
    )


@routes.get("/audit", name="audit")
async def audit_log(request: web.Request) -> web.Response:
    entries = await audit.recent(request.app[REDIS], request.app[KEYS])
    return await render(request, "audit.html", entries=entries)
