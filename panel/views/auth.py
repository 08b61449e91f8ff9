"""Logging in (password, or Telegram's Login Widget), logging out, the panel's language."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from aiohttp_session import get_session

from locales import LANGUAGES
from panel.appkeys import PASSWORD_HASH, SETTINGS, THROTTLE
from panel.auth import TelegramLoginError, same_text, verify_password, verify_telegram_login
from panel.views.common import render
from panel.web import client_address, current_admin, log_in

log = logging.getLogger(__name__)
routes = web.RouteTableDef()


def _next(request: web.Request, value: str | None) -> str:
    # Only a path of this site: never an open redirect to another host.
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


async def _login_page(
    request: web.Request, status: int = 200, error: str | None = None
) -> web.Response:
    settings = request.app[SETTINGS]
    widget = settings.panel_login_bot if settings.bot_token and settings.admin_ids else None
    return await render(
        request,
        "login.html",
        status=status,
        error=error,
        widget_bot=widget,
        next=_next(request, request.query.get("next")),
        account=settings.panel_admin_user,
    )


@routes.get("/login", name="login")
async def login_form(request: web.Request) -> web.Response:
    if await current_admin(request) is not None:
        raise web.HTTPSeeOther(_next(request, request.query.get("next")))
    return await _login_page(request)


@routes.post("/login", name="login-password")
async def login_password(request: web.Request) -> web.Response:
    form = await request.post()
    account, password = str(form.get("account", "")), str(form.get("password", ""))
    throttle = request.app[THROTTLE]
    subjects = (f"ip:{client_address(request)}", f"account:{account}")
    if await throttle.blocked(*subjects):
        return await _login_page(request, 429, "panel-login-throttled")
    settings = request.app[SETTINGS]
    # The hash is checked whatever the account, so timing tells nothing of the name.
    matches = await asyncio.to_thread(verify_password, password, request.app[PASSWORD_HASH])
    if not (matches and same_text(account, settings.panel_admin_user)):
        await throttle.failed(*subjects)
        log.warning("panel: failed password login from %s", client_address(request))
        return await _login_page(request, 401, "panel-login-wrong")
    await throttle.succeeded(f"account:{account}")
    await log_in(request, f"password:{account}", account)
    log.info("panel: %s logged in with the password", account)
    raise web.HTTPSeeOther(_next(request, str(form.get("next", "/"))))


@routes.get("/login/telegram", name="login-telegram")
async def login_telegram(request: web.Request) -> web.Response:
    """Where Telegram's Login Widget sends the admin back, its fields in the query."""
    settings = request.app[SETTINGS]
    if settings.bot_token is None:
        return await _login_page(request, 403, "panel-login-telegram-off")
    subjects = (f"ip:{client_address(request)}", f"telegram:{request.query.get('id', '')}")
    throttle = request.app[THROTTLE]
    if await throttle.blocked(*subjects):
        return await _login_page(request, 429, "panel-login-throttled")
    try:
        user = verify_telegram_login(
            request.query, settings.bot_token.get_secret_value(), settings.admin_ids
        )
    except TelegramLoginError as refused:
        await throttle.failed(*subjects)
        log.warning("panel: Telegram login refused (%s)", refused.reason)
        return await _login_page(request, 403, refused.reason)
    await log_in(request, f"telegram:{user.id}", user.name)
    log.info("panel: Telegram user %s logged in", user.id)
    raise web.HTTPSeeOther("/")


@routes.post("/logout", name="logout")
async def logout(request: web.Request) -> web.Response:
    session = await get_session(request)
    session.invalidate()
    raise web.HTTPSeeOther("/login")


@routes.get("/lang/{lang}", name="lang")
async def set_language(request: web.Request) -> web.Response:
    lang = request.match_info["lang"]
    if lang in LANGUAGES:
        (await get_session(request))["lang"] = lang
    raise web.HTTPSeeOther(_next(request, request.query.get("next")))
