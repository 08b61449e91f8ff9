"""What the views share: rendering, the acting admin, redirects with a message, paging."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from aiohttp.typedefs import Handler

from panel.job_control import ActionRefused
from panel.web import Admin, current_admin, flash, template_context

log = logging.getLogger(__name__)
PAGE_SIZE = 50
STATUS_TEXTS = {400, 403, 404, 405, 413, 429, 500}


async def render(
    request: web.Request, template: str, status: int = 200, **context: Any
) -> web.Response:
    # The page's own context goes on top of what every page gets (texts, admin, CSRF).
    full = {**await template_context(request), **context}
    return aiohttp_jinja2.render_template(template, request, full, status=status)


async def actor(request: web.Request) -> Admin:
    admin = await current_admin(request)
    if admin is None:  # require_admin lets no anonymous request this far
        raise web.HTTPSeeOther("/login")
    return admin


async def back(request: web.Request, to: str, key: str, **args: Any) -> web.HTTPSeeOther:
    """After an action: to `to`, with the message `key` shown there."""
    await flash(request, key, **args)
    return web.HTTPSeeOther(to)


def page_number(request: web.Request) -> int:
    try:
        return max(int(request.query.get("page", "1")), 1)
    except ValueError:
        return 1


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Errors as pages in the admin's language, with their status; never a bare 500."""
    try:
        return await handler(request)
    except ActionRefused as refused:
        return await render(request, "error.html", status=409, message=refused.reason)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        key = exc.reason if exc.reason.startswith("panel-") else _status_text(exc.status)
        return await render(request, "error.html", status=exc.status, message=key)
    except Exception:
        log.exception("panel: %s %s failed", request.method, request.path)
        return await render(request, "error.html", status=500, message="panel-error-500")


def _status_text(status: int) -> str:
    return f"panel-error-{status}" if status in STATUS_TEXTS else "panel-error-other"
