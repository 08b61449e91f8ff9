"""The HTTP face of the fake: Bot API routes served by aiohttp on 127.0.0.1."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from functools import partial
from typing import Any

import aiohttp
from aiohttp import web
from multidict import MultiDict, MultiDictProxy

from . import api_edit, api_misc, api_send  # noqa: F401  (they register the methods)
from .errors import ApiError, method_not_found, unauthorized
from .errors import retry_after as flood_wait
from .messages import Chat
from .params import Params
from .registry import METHODS
from .state import ApiCall, BotState
from .user import FakeUser

_dumps = partial(json.dumps, ensure_ascii=False)


class TelegramServer:
    """A local Bot API server for one bot token.

    Point aiogram at it with
    ``AiohttpSession(api=TelegramAPIServer.from_base(server.api_url))``.
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        bot_username: str = "vitrina_test_bot",
        bot_name: str = "Vitrina Test",
        host: str = "127.0.0.1",
        reply_after_s: float = 0.0,
    ) -> None:
        self.token = token
        self.host = host
        # Each reply leaves this long after its request was read and logged: the round
        # trip to Telegram's servers across the internet (0: none, as on one machine).
        self.reply_after_s = reply_after_s
        bot_user = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.state = BotState(bot_user=bot_user)
        self._users: dict[int, FakeUser] = {}
        self._failures: dict[tuple[str, int | None], list[ApiError]] = {}
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self._port = site.port

    async def stop(self) -> None:
        self.state.updates.close()  # release long polls so shutdown is quick
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> TelegramServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        if self._port is None:
            raise RuntimeError("TelegramServer is not started")
        return f"http://{self.host}:{self._port}"

    # -- test helpers ------------------------------------------------------------------

    @property
    def bot_user(self) -> dict[str, Any]:
        return self.state.bot_user

    @property
    def requests(self) -> list[ApiCall]:
        """Every API call the bot made, in arrival order (failed ones included)."""
        return self.state.requests

    def calls(self, method: str) -> list[ApiCall]:
        """The logged calls of one method (name is case-insensitive)."""
        return [c for c in self.state.requests if c.method.lower() == method.lower()]

    @property
    def callback_answers(self) -> dict[str, dict[str, Any] | None]:
        """callback query id -> answerCallbackQuery params (None while unanswered)."""
        return self.state.callback_answers

    def my_commands(
        self, language_code: str = "", scope: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Commands the bot set with setMyCommands for this scope/language."""
        key = json.dumps(scope or {"type": "default"}, sort_keys=True)
        return self.state.commands.get((key, language_code), [])

    def fail_download(self, file_id: str, status: int = 502) -> None:
        """Downloads of this file fail with `status`, as a flaky file server does."""
        self.state.files.get(file_id).download_status = status

    def group(
        self,
        chat_id: int,
        member: int,
        *,
        title: str = "Shop team",
        kind: str = "supergroup",
        language_code: str | None = "en",
    ) -> FakeUser:
        """A group the bot is in, with `member` writing in it (chat_id is negative)."""
        if chat_id not in self._users:
            user = {"id": member, "is_bot": False, "first_name": "Member"}
            if language_code:
                user["language_code"] = language_code
            chat = Chat(user=user, type=kind, title=title, chat_id=chat_id)
            self.state.chats[chat_id] = chat
            self._users[chat_id] = FakeUser(self.state, chat)
        return self._users[chat_id]

    def add_bot_to(self, group: FakeUser) -> dict[str, Any]:
        """The member adds the bot to the group: a my_chat_member update, as Telegram sends."""
        bot = {k: self.state.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
        payload = {
            "chat": group.chat.as_json(),
            "from": group.user,
            "date": int(time.time()),
            "old_chat_member": {"status": "left", "user": bot},
            "new_chat_member": {"status": "member", "user": bot},
        }
        return self.state.updates.push("my_chat_member", payload)

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue any other update (e.g. ``my_chat_member``) for getUpdates."""
        return self.state.updates.push(kind, payload)

    def user(
        self,
        chat_id: int = 1001,
        *,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        """The user of a private chat with the bot (created on first use)."""
        if chat_id not in self._users:
            user: dict[str, Any] = {"id": chat_id, "is_bot": False, "first_name": first_name}
            extra = {"last_name": last_name, "username": username, "language_code": language_code}
            user.update({k: v for k, v in extra.items() if v is not None})
            chat = self.state.chats.setdefault(chat_id, Chat(user=user))
            self._users[chat_id] = FakeUser(self.state, chat)
        return self._users[chat_id]

    async def deliver_to_webhook(self, secret_token: str | None = None) -> list[int]:
        """POST every pending update to the bot's webhook, as Telegram does, with the
        secret header set by setWebhook (or `secret_token` to impersonate someone else).
        Returns the HTTP statuses; an update the bot did not take with 200 stays pending."""
        hook = self.state.webhook
        if not hook["url"]:
            raise RuntimeError("the bot has not called setWebhook")
        secret = secret_token if secret_token is not None else hook["secret_token"]
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        statuses = []
        async with aiohttp.ClientSession() as http:
            for update in list(self.state.updates.pending):
                async with http.post(hook["url"], json=update, headers=headers) as response:
                    statuses.append(response.status)
                if response.status == 200:
                    self.state.updates.pending.remove(update)
        return statuses

    def fail_next(
        self,
        method: str,
        *,
        retry_after: int | None = None,
        error_code: int = 500,
        description: str = "Internal Server Error",
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (only those to ``chat_id``, when
        given: Telegram's flood control is per chat too).

        With ``retry_after`` the answer is Telegram's flood-wait 429 (aiogram raises
        ``TelegramRetryAfter``); otherwise ``error_code``/``description`` are used as given.
        """
        error = flood_wait(retry_after) if retry_after is not None else None
        queue = self._failures.setdefault((method.lower(), chat_id), [])
        for _ in range(times):
            queue.append(error or ApiError(error_code, description))

    def stop_failing(self, method: str, chat_id: int | None = None) -> None:
        """Forget the failures still queued for ``method`` (and ``chat_id``)."""
        self._failures.pop((method.lower(), chat_id), None)

    # -- HTTP handlers -----------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.Response:
        response = await self._answer(request)
        if self.reply_after_s:  # an error crosses the internet too
            await asyncio.sleep(self.reply_after_s)
        return response

    async def _answer(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = ApiCall(method=method, params={})
        self.state.requests.append(call)
        try:
            if request.match_info["token"] != self.token:
                raise unauthorized()
            params = await _read_params(request)
            call.params = params.logged()
            self._injected_failure(method, params.get_str("chat_id"))
            handler = METHODS.get(method.lower())
            if handler is None:
                raise method_not_found()
            result = await handler(self.state, params)
        except ApiError as error:
            call.error_code, call.error = error.error_code, error.description
            return web.json_response(error.payload(), status=error.error_code, dumps=_dumps)
        call.result = copy.deepcopy(result)  # the log keeps what was answered, not later edits
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    def _injected_failure(self, method: str, chat_id: str | None) -> None:
        chat = int(chat_id) if chat_id and chat_id.lstrip("-").isdigit() else None
        for key in ((method.lower(), chat), (method.lower(), None)):
            queue = self._failures.get(key)
            if queue:
                raise queue.pop(0)

    async def _handle_file(self, request: web.Request) -> web.Response:
        stored = self.state.files.by_path(request.match_info["path"])
        if request.match_info["token"] != self.token or stored is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        if stored.download_status is not None:
            return web.Response(status=stored.download_status, text="Bad Gateway")
        return web.Response(body=stored.data, content_type="application/octet-stream")


async def _read_params(request: web.Request) -> Params:
    """Fields from the query string and the body (form, multipart or JSON)."""
    merged: MultiDict[Any] = MultiDict(request.query)
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        for key, value in body.items():
            merged.add(key, value if isinstance(value, str) else json.dumps(value))
    elif request.can_read_body:
        merged.extend(await request.post())
    return Params.from_form(MultiDictProxy(merged))
