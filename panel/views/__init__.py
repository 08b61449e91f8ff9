"""The panel's pages and actions, one module per area; `setup_routes` names every route."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from panel.views import auth, chats, dashboard, jobs, system, try_it, workers

STATIC = Path(__file__).resolve().parent.parent / "static"


def setup_routes(app: web.Application) -> None:
    for module in (system, auth, dashboard, chats, jobs, workers, try_it):
        app.router.add_routes(module.routes)
    app.router.add_static("/static", STATIC, name="static")
