"""JSON over HTTP to Yandex Cloud: one POST, its failures named, and safe retries."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp

from suggestions.deadline import Deadline
from suggestions.errors import YandexError, YandexMalformed, YandexRejected, YandexUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")

BACKOFF_BASE_S = 0.2
BACKOFF_CAP_S = 2.0


async def post_json(
    http: aiohttp.ClientSession,
    url: str,
    *,
    body: dict[str, Any],
    headers: dict[str, str],
    deadline: Deadline,
) -> dict[str, Any]:
    """POST `body`, return the decoded JSON object; every failure is a YandexError."""
    timeout = aiohttp.ClientTimeout(total=deadline.require(url))
    # Yandex support finds a request by this id; it goes into our log on failure too.
    request_id = str(uuid.uuid4())
    headers = {**headers, "x-client-request-id": request_id}
    try:
        async with http.post(url, json=body, headers=headers, timeout=timeout) as response:
            raw = await response.read()
            status, retry_after = response.status, response.headers.get("Retry-After")
    except aiohttp.ClientConnectorError as exc:
        raise YandexUnavailable(f"cannot connect to {url}: {exc}", request_sent=False) from exc
    except TimeoutError as exc:
        raise YandexUnavailable(f"{url} did not answer in time") from exc
    except aiohttp.ClientError as exc:
        raise YandexUnavailable(f"{url} failed: {exc!r}") from exc
    if status != 200:
        raise _status_error(url, status, raw, retry_after, request_id)
    return _decode(url, raw)


def _status_error(
    url: str, status: int, raw: bytes, retry_after: str | None, request_id: str
) -> YandexError:
    message = f"{url} answered {status} ({_error_message(raw)}; request {request_id})"
    if status == 429 or status >= 500:
        return YandexUnavailable(message, status=status, retry_after_s=_seconds(retry_after))
    return YandexRejected(message, status=status)


def _error_message(raw: bytes) -> str:
    """The message from either error shape Yandex uses: {"error": {...}} or {"code", "message"}."""
    try:
        payload = json.loads(raw)
    except ValueError:
        return raw[:200].decode(errors="replace")
    if isinstance(payload, dict):
        inner = payload.get("error")
        source = inner if isinstance(inner, dict) else payload
        return str(source.get("message", ""))[:200]
    return ""


def _seconds(header: str | None) -> float | None:
    try:
        return max(0.0, float(header)) if header is not None else None
    except ValueError:  # an HTTP date: rare, and the jittered back-off covers it
        return None


def _decode(url: str, raw: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(raw)
    except ValueError as exc:
        raise YandexMalformed(f"{url} answered with invalid JSON") from exc
    if not isinstance(payload, dict):
        raise YandexMalformed(f"{url} answered with JSON that is not an object")
    return payload


async def with_retries(
    attempt: Callable[[], Awaitable[T]],
    *,
    retries: int,
    deadline: Deadline,
    safe_to_repeat: Callable[[YandexUnavailable], bool],
) -> T:
    """Run `attempt`, repeating it after a jittered back-off while that is safe and time allows."""
    number = 0
    while True:
        try:
            return await attempt()
        except YandexUnavailable as exc:
            delay = _backoff(number, exc.retry_after_s)
            if number >= retries or not safe_to_repeat(exc) or delay >= deadline.remaining():
                raise
            log.info("yandex call failed (%s); retrying in %.2f s", exc, delay)
            await asyncio.sleep(delay)
            number += 1


def _backoff(number: int, retry_after_s: float | None) -> float:
    # Full jitter spreads the retries of many chats hitting the same outage.
    jittered = random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**number))
    return max(jittered, retry_after_s or 0.0)
