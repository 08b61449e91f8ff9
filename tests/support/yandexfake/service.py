"""What both fake Yandex services share: serving, scripted misbehaviour, a record of calls.

A test scripts the next answers (`fail`, `hang`, `garbage`, or a service's own `reply`);
with nothing scripted a fake answers as the real service would. Every request that breaks
the documented protocol is answered 400 and kept in `violations`, which tests check.
"""

from __future__ import annotations

import asyncio
import json
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

Behaviour = Callable[[dict[str, Any]], Awaitable[web.StreamResponse]]

# gRPC codes the Yandex Cloud gateways put beside the HTTP status
GRPC_CODES = {400: 3, 401: 16, 403: 7, 404: 5, 429: 8, 500: 13, 503: 14, 504: 4}


class ProtocolViolation(Exception):
    """The request is not what the API documents."""


class FakeService(ABC):
    path: str

    def __init__(self, *, authorization: str, folder_id: str) -> None:
        self.authorization = authorization  # the whole expected header value
        self.folder_id = folder_id
        self.url = ""  # set while serving
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.violations: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._script: deque[Behaviour] = deque()

    # scripting -----------------------------------------------------------------------------

    def fail(self, status: int, *, times: int = 1, retry_after: str | None = None) -> None:
        async def behaviour(body: dict[str, Any]) -> web.StreamResponse:
            response = self.error(status, f"scripted failure {status}")
            if retry_after is not None:
                response.headers["Retry-After"] = retry_after
            return response

        self._then(behaviour, times)

    def hang(self, seconds: float, *, times: int = 1) -> None:
        async def behaviour(body: dict[str, Any]) -> web.StreamResponse:
            await asyncio.sleep(seconds)
            return await self.answer(body)

        self._then(behaviour, times)

    def garbage(self, *, times: int = 1) -> None:
        async def behaviour(body: dict[str, Any]) -> web.StreamResponse:
            return web.Response(text="<html>502 Bad Gateway</html>", content_type="text/html")

        self._then(behaviour, times)

    def _then(self, behaviour: Behaviour, times: int) -> None:
        self._script.extend([behaviour] * times)

    # serving ----------------------------------------------------------------------------

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[FakeService]:
        app = web.Application()
        app.router.add_post(self.path, self._handle)
        # Cancel a hanging handler when the client gives up, as a real server stops working.
        runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        try:
            yield self
        finally:
            await runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._respond(request)
        finally:
            self.in_flight -= 1

    async def _respond(self, request: web.Request) -> web.StreamResponse:
        self.headers.append(dict(request.headers))
        if request.headers.get("Authorization") != self.authorization:
            return self.error(401, "The token is invalid")
        try:
            if request.content_type != "application/json":
                raise ProtocolViolation(f"Content-Type {request.content_type}")
            body = json.loads(await request.read())
            if not isinstance(body, dict):
                raise ProtocolViolation("the body is not a JSON object")
            self.check(request, body)
        except (ProtocolViolation, ValueError) as exc:
            self.violations.append(str(exc))
            return self.error(400, str(exc))
        self.requests.append(body)
        behaviour = self._script.popleft() if self._script else self.answer
        return await behaviour(body)

    # for the services ---------------------------------------------------------------------

    @abstractmethod
    def check(self, request: web.Request, body: dict[str, Any]) -> None:
        """Raise ProtocolViolation where the request differs from the documented one."""

    @abstractmethod
    async def answer(self, body: dict[str, Any]) -> web.StreamResponse:
        """The service's ordinary answer."""

    @abstractmethod
    def error(self, status: int, message: str) -> web.Response:
        """An error in the service's own error format."""
