"""Yandex Translate v2 over REST: texts in batches under the API's character limit."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import aiohttp

from suggestions.breaker import CircuitBreaker
from suggestions.credentials import YandexCredentials
from suggestions.deadline import Deadline
from suggestions.errors import YandexMalformed
from suggestions.transport import post_json, with_retries

TRANSLATE_PATH = "/translate/v2/translate"
MAX_CHARS_PER_REQUEST = 10_000


class YandexTranslateClient:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        credentials: YandexCredentials,
        *,
        base_url: str,
        retries: int,
        breaker: CircuitBreaker,
    ) -> None:
        self._http = http
        self._credentials = credentials
        self._url = base_url.rstrip("/") + TRANSLATE_PATH
        self._retries = retries
        self._breaker = breaker

    async def translate(
        self,
        texts: Sequence[str],
        *,
        target: str,
        deadline: Deadline,
        source: str | None = None,
    ) -> list[str]:
        """The texts in `target`, in order; `source` None lets the service detect it."""
        translations: list[str] = []
        for batch in batches(texts, MAX_CHARS_PER_REQUEST):
            translations += await self._translate_batch(batch, target, source, deadline)
        return translations

    async def _translate_batch(
        self, texts: list[str], target: str, source: str | None, deadline: Deadline
    ) -> list[str]:
        body: dict[str, Any] = {
            "targetLanguageCode": target,
            "format": "PLAIN_TEXT",
            "texts": texts,
            "folderId": self._credentials.folder_id,
        }
        if source is not None:
            body["sourceLanguageCode"] = source
        return await self._breaker.call(lambda: self._request(body, deadline))

    async def _request(self, body: dict[str, Any], deadline: Deadline) -> list[str]:
        headers = {"Authorization": self._credentials.authorization}
        payload = await with_retries(
            lambda: post_json(self._http, self._url, body=body, headers=headers, deadline=deadline),
            retries=self._retries,
            deadline=deadline,
            # A translation changes nothing and costs little: any failure may be repeated.
            safe_to_repeat=lambda exc: True,
        )
        return _translations(payload, expected=len(body["texts"]))


def batches(texts: Sequence[str], limit: int) -> Iterator[list[str]]:
    """Consecutive groups of texts whose lengths add up to at most `limit` characters."""
    batch: list[str] = []
    size = 0
    for text in texts:
        if len(text) > limit:
            raise ValueError(f"a text of {len(text)} characters exceeds the {limit} limit")
        if batch and size + len(text) > limit:
            yield batch
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        yield batch


def _translations(payload: dict[str, Any], *, expected: int) -> list[str]:
    items = payload.get("translations")
    if not isinstance(items, list) or len(items) != expected:
        raise YandexMalformed(f"expected {expected} translations, got {items!r:.200}")
    if not all(isinstance(item, dict) and isinstance(item.get("text"), str) for item in items):
        raise YandexMalformed("a translation without its text")
    return [item["text"] for item in items]
