"""YandexGPT over REST: one synchronous completion, within a concurrency cap and a breaker."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp

from suggestions.breaker import CircuitBreaker
from suggestions.credentials import YandexCredentials
from suggestions.deadline import Deadline
from suggestions.errors import (
    YandexBusy,
    YandexFiltered,
    YandexMalformed,
    YandexUnavailable,
)
from suggestions.transport import post_json, with_retries

log = logging.getLogger(__name__)

COMPLETION_PATH = "/foundationModels/v1/completion"
FINAL = "ALTERNATIVE_STATUS_FINAL"
TRUNCATED = "ALTERNATIVE_STATUS_TRUNCATED_FINAL"
FILTERED = "ALTERNATIVE_STATUS_CONTENT_FILTER"


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["system", "user", "assistant"]
    text: str


@dataclass(frozen=True)
class Completion:
    text: str
    truncated: bool  # the model hit maxTokens: the last line may be cut off
    input_tokens: int
    completion_tokens: int


def model_uri(folder_id: str, model: str) -> str:
    """`gpt://<folder>/<model>/latest`; a model with its own branch or a full URI is kept."""
    if model.startswith("gpt://"):
        return model
    return f"gpt://{folder_id}/{model if '/' in model else f'{model}/latest'}"


def _safe_to_repeat(exc: YandexUnavailable) -> bool:
    # A generation is billed once it ran. Repeat only when it surely did not:
    # the request never left, or the quota refused it up front (429).
    return not exc.request_sent or exc.status == 429


class YandexGptClient:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        credentials: YandexCredentials,
        *,
        base_url: str,
        model: str,
        concurrency: int,
        retries: int,
        breaker: CircuitBreaker,
    ) -> None:
        self._http = http
        self._credentials = credentials
        self._url = base_url.rstrip("/") + COMPLETION_PATH
        self._model_uri = model_uri(credentials.folder_id, model)
        # YandexGPT runs at most 10 synchronous generations per folder at once.
        self._slots = asyncio.Semaphore(concurrency)
        self._retries = retries
        self._breaker = breaker

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        temperature: float,
        max_tokens: int,
        deadline: Deadline,
    ) -> Completion:
        body: dict[str, Any] = {
            "modelUri": self._model_uri,
            "completionOptions": {
                "stream": False,
                "temperature": temperature,
                "maxTokens": str(max_tokens),  # int64 travels as a string in Yandex's JSON
            },
            "messages": [{"role": m.role, "text": m.text} for m in messages],
        }
        async with self._slot(deadline):
            # Parsing is inside the breaker: a malformed answer counts as a failure, a
            # content-filtered one as a working service.
            return await self._breaker.call(lambda: self._request(body, deadline))

    async def _request(self, body: dict[str, Any], deadline: Deadline) -> Completion:
        payload = await with_retries(
            lambda: post_json(
                self._http, self._url, body=body, headers=self._headers(), deadline=deadline
            ),
            retries=self._retries,
            deadline=deadline,
            safe_to_repeat=_safe_to_repeat,
        )
        return _completion(payload)

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": self._credentials.authorization,
            "x-folder-id": self._credentials.folder_id,
            # Users' wishes may be personal: ask Yandex not to keep the request.
            "x-data-logging-enabled": "false",
        }

    @asynccontextmanager
    async def _slot(self, deadline: Deadline) -> AsyncIterator[None]:
        """One concurrency slot, waited for no longer than the deadline allows."""
        try:
            async with asyncio.timeout(deadline.require("a YandexGPT slot")):
                await self._slots.acquire()
        except TimeoutError:
            raise YandexBusy("all YandexGPT slots stayed busy until the deadline") from None
        try:
            yield
        finally:
            self._slots.release()


def _completion(payload: dict[str, Any]) -> Completion:
    try:
        result = payload["result"]
        alternative = result["alternatives"][0]
        status, message = alternative["status"], alternative.get("message") or {}
        text = message["text"] if status in (FINAL, TRUNCATED) else ""
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise YandexMalformed(f"completion without a usable alternative ({exc!r})") from exc
    if status == FILTERED:
        raise YandexFiltered("YandexGPT stopped on its content filter")
    if status not in (FINAL, TRUNCATED) or not isinstance(text, str):
        raise YandexMalformed(f"completion with status {status!r}")
    usage = result.get("usage") or {}
    completion = Completion(
        text=text,
        truncated=status == TRUNCATED,
        input_tokens=_count(usage, "inputTextTokens"),
        completion_tokens=_count(usage, "completionTokens"),
    )
    log.info(
        "YandexGPT %s: %d input, %d completion tokens, model %s",
        status,
        completion.input_tokens,
        completion.completion_tokens,
        result.get("modelVersion", "?"),
    )
    return completion


def _count(usage: object, name: str) -> int:
    """A token count for the log; int64 travels as a string in Yandex's JSON."""
    try:
        return int(usage[name])  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return 0
