"""The panel's request plumbing: who is logged in, CSRF tokens, flash messages, the
middlewares that guard every route, and what every template gets."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp_session import Session, get_session, new_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.fernet import Fernet

from locales import LANGUAGES, Translator, pick_language
from panel.appkeys import SETTINGS
from panel.auth import same_text

log = logging.getLogger(__name__)
# Routes anyone may reach; /metrics checks its own credentials (an admin or a token).
PUBLIC = {"login", "login-password", "login-telegram", "lang", "healthz", "static", "metrics"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self' https://telegram.org; frame-src https://oauth.telegram.org; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@dataclass(frozen=True)
class Admin:
    who: str  # "password:<account>" or "telegram:<id>": the actor in the audit log
    name: str


class CookieStorage(EncryptedCookieStorage):
    """Encrypted session cookies, Secure whenever the request came over HTTPS."""

    def __init__(self, key: bytes, *, max_age: int, always_secure: bool) -> None:
        super().__init__(
            Fernet(key), cookie_name="vitrina_panel", max_age=max_age, httponly=True, samesite="Lax"
        )
        self._always_secure = always_secure

    async def save_session(
        self, request: web.Request, response: web.StreamResponse, session: Session
    ) -> None:
        secure = self._always_secure or request.secure
        # Shared parameters, set just before the cookie is written: nothing awaits between
        # this line and the write inside save_session, so no other request sees it.
        self._cookie_params["secure"] = secure or None
        await super().save_session(request, response, session)


async def current_admin(request: web.Request) -> Admin | None:
    session = await get_session(request)
    who, name = session.get("who"), session.get("name")
    if not who:
        return None
    settings = request.app[SETTINGS]
    if who.startswith("telegram:") and int(who.split(":")[1]) not in settings.admin_ids:
        return None  # no longer an admin: the old cookie opens nothing
    return Admin(who, name or who)


async def log_in(request: web.Request, who: str, name: str) -> None:
    """A fresh session for the admin (a session fixed before login is not reused)."""
    lang = (await get_session(request)).get("lang")
    session = await new_session(request)
    session.update({"who": who, "name": name, "csrf": secrets.token_urlsafe(32)})
    if lang:
        session["lang"] = lang


async def csrf_token(request: web.Request) -> str:
    session = await get_session(request)
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


async def flash(request: web.Request, key: str, **args: Any) -> None:
    """A message (a locales key) shown once, on the next page."""
    session = await get_session(request)
    session["flash"] = [*session.get("flash", []), [key, args]]


async def language(request: web.Request) -> str:
    lang = (await get_session(request)).get("lang")
    if lang in LANGUAGES:
        return lang
    return pick_language(request.headers.get("Accept-Language", "").split(",")[0] or None)


def client_address(request: web.Request) -> str:
    return request.remote or "unknown"


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _harden(exc)
        raise
    _harden(response)
    return response


def _harden(response: web.StreamResponse) -> None:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")


@web.middleware
async def require_admin(request: web.Request, handler: Handler) -> web.StreamResponse:
    route = request.match_info.route.name
    if route in PUBLIC or request.match_info.http_exception is not None:
        return await handler(request)
    if await current_admin(request) is None:
        target = "/login"
        if request.method == "GET" and request.path != "/":
            target = str(request.app.router["login"].url_for().with_query(next=request.path_qs))
        raise web.HTTPSeeOther(target)
    return await handler(request)


@web.middleware
async def require_csrf(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method in UNSAFE:
        expected = (await get_session(request)).get("csrf")
        form = await request.post()
        given = request.headers.get("X-CSRF-Token") or form.get("csrf")
        if not expected or not isinstance(given, str) or not same_text(given, expected):
            log.warning("%s %s refused: no valid CSRF token", request.method, request.path)
            raise web.HTTPForbidden(reason="panel-error-csrf")
    return await handler(request)


async def template_context(request: web.Request) -> dict[str, Any]:
    """What every page's template gets: texts, the admin, the CSRF token, flash messages."""
    session = await get_session(request)
    lang = await language(request)
    messages = session.pop("flash", [])
    return {
        "t": Translator.load(lang).get,
        "lang": lang,
        "languages": LANGUAGES,
        "admin": await current_admin(request),
        "csrf": await csrf_token(request),
        "flashes": messages,
        "path": request.path,
        "path_qs": request.path_qs,
    }
