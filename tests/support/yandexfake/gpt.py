"""A fake YandexGPT: `POST /foundationModels/v1/completion` as Yandex documents it."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from aiohttp import web

from tests.support.yandexfake.service import GRPC_CODES, FakeService, ProtocolViolation

# What the model says when a test scripts nothing: eight ideas in the asked-for format.
DEFAULT_IDEAS = (
    "Sunlit reading corner | a sunlit reading corner with a tall window and pale oak floor\n"
    "Terracotta accent wall | a warm room with a terracotta accent wall and a jute rug\n"
    "Evening glow | a calm living room at dusk with warm lamps and sheer curtains\n"
    "Stone and linen | a serene space with limestone walls and natural linen drapes\n"
    "Gallery wall | a bright room with a framed gallery wall and a herringbone floor\n"
    "Garden view | a room opening onto a green garden through wide glass doors\n"
    "Soft morning haze | a quiet bedroom in soft morning haze with white plaster walls\n"
    "Library nook | a cozy library nook with dark wood shelves and brass lamps\n"
)

ROLES = {"system", "user", "assistant"}
STATUSES = {
    "ALTERNATIVE_STATUS_FINAL",
    "ALTERNATIVE_STATUS_TRUNCATED_FINAL",
    "ALTERNATIVE_STATUS_CONTENT_FILTER",
}
# A folder runs at most this many synchronous generations at once; more get 429.
CONCURRENCY_QUOTA = 10


class FakeYandexGpt(FakeService):
    path = "/foundationModels/v1/completion"

    def __init__(
        self, *, authorization: str, folder_id: str, model: str = "yandexgpt-lite"
    ) -> None:
        super().__init__(authorization=authorization, folder_id=folder_id)
        self.model = model
        self.text = DEFAULT_IDEAS

    def reply(self, text: str, *, status: str = "ALTERNATIVE_STATUS_FINAL", times: int = 1) -> None:
        assert status in STATUSES

        async def behaviour(body: dict[str, Any]) -> web.StreamResponse:
            return self.completion(text, status)

        self._then(behaviour, times)

    def wrong_shape(self, *, times: int = 1) -> None:
        async def behaviour(body: dict[str, Any]) -> web.StreamResponse:
            return web.json_response({"result": {"alternatives": []}})

        self._then(behaviour, times)

    def check(self, request: web.Request, body: dict[str, Any]) -> None:
        if request.headers.get("x-folder-id") != self.folder_id:
            raise ProtocolViolation(f"x-folder-id {request.headers.get('x-folder-id')!r}")
        if set(body) - {"modelUri", "completionOptions", "messages"}:
            raise ProtocolViolation(f"unknown fields {sorted(set(body))}")
        if body.get("modelUri") != f"gpt://{self.folder_id}/{self.model}/latest":
            raise ProtocolViolation(f"modelUri {body.get('modelUri')!r}")
        _check_options(body.get("completionOptions"))
        _check_messages(body.get("messages"))

    async def answer(self, body: dict[str, Any]) -> web.StreamResponse:
        if self.in_flight > CONCURRENCY_QUOTA:
            return self.error(429, "ai.textGenerationCompletionSessionsCount.count quota exceeded")
        return self.completion(self.text, "ALTERNATIVE_STATUS_FINAL")

    def completion(self, text: str, status: str) -> web.Response:
        message = {"role": "assistant", "text": text}
        result = {
            "alternatives": [{"message": message, "status": status}],
            "usage": {"inputTextTokens": "120", "completionTokens": "160", "totalTokens": "280"},
            "modelVersion": "23.10.2024",
        }
        return web.json_response({"result": result})

    def error(self, status: int, message: str) -> web.Response:
        error = {
            "grpcCode": GRPC_CODES.get(status, 2),
            "httpCode": status,
            "message": message,
            "httpStatus": HTTPStatus(status).phrase,
            "details": [],
        }
        return web.json_response({"error": error}, status=status)


def _check_options(options: object) -> None:
    if not isinstance(options, dict) or set(options) - {"stream", "temperature", "maxTokens"}:
        raise ProtocolViolation(f"completionOptions {options!r}")
    if options.get("stream") is not False:
        raise ProtocolViolation("a synchronous completion needs stream false")
    temperature = options.get("temperature")
    if not isinstance(temperature, int | float) or not 0 <= temperature <= 1:
        raise ProtocolViolation(f"temperature {temperature!r}")
    if not isinstance(options.get("maxTokens"), str) or not re.fullmatch(
        r"\d+", options["maxTokens"]
    ):
        raise ProtocolViolation(f"maxTokens {options.get('maxTokens')!r} (an int64 string)")


def _check_messages(messages: object) -> None:
    if not isinstance(messages, list) or not messages:
        raise ProtocolViolation("messages must be a non-empty list")
    for message in messages:
        if not isinstance(message, dict) or set(message) != {"role", "text"}:
            raise ProtocolViolation(f"message {message!r}")
        if message["role"] not in ROLES or not isinstance(message["text"], str):
            raise ProtocolViolation(f"message {message!r}")
        if not message["text"].strip():
            raise ProtocolViolation("an empty message text")
