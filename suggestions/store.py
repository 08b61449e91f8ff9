"""What the suggestions keep in Redis, each key with a TTL.

- ideas lists: the same style + product category + language + wish get the same
  YandexGPT ideas for a while, so repeated requests cost nothing;
- single suggestions by id: callback data carries only the id (Telegram allows 64 bytes);
- translations of users' descriptions into English.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import asdict

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from suggestions.suggestion import Suggestion

log = logging.getLogger(__name__)

_ID = re.compile(r"^[0-9a-f]{12}$")


def text_key(text: str) -> str:
    """A short digest of a text, the same for the same words however they were spaced or cased."""
    normal = " ".join(text.casefold().split())
    return hashlib.blake2b(normal.encode(), digest_size=10).hexdigest()


class SuggestionStore:
    def __init__(
        self, redis: aioredis.Redis, *, prefix: str, cache_ttl_s: int, suggestion_ttl_s: int
    ) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:suggest"
        self._cache_ttl_s = cache_ttl_s
        self._suggestion_ttl_s = suggestion_ttl_s

    def ideas_key(self, *, style: str, category: str | None, lang: str, wish: str | None) -> str:
        wish_part = text_key(wish) if wish else "-"
        return f"{self._prefix}:ideas:{style}:{category or '-'}:{lang}:{wish_part}"

    async def cached_ideas(self, key: str) -> list[Suggestion]:
        """The cached list, or none when absent, unreadable or Redis fails: it is only a cache."""
        try:
            raw = await self._redis.get(key)
            return [Suggestion(**item) for item in json.loads(raw)] if raw else []
        except (RedisError, ValueError, TypeError) as exc:
            log.warning("suggestion cache unreadable at %s: %r", key, exc)
            return []

    async def cache_ideas(self, key: str, suggestions: list[Suggestion]) -> None:
        raw = json.dumps([asdict(s) for s in suggestions], ensure_ascii=False)
        try:
            await self._redis.set(key, raw, ex=self._cache_ttl_s)
        except RedisError as exc:
            log.warning("suggestion cache not written at %s: %r", key, exc)

    async def remember(self, suggestion: Suggestion) -> str:
        """Keep the suggestion for `suggestion_ttl_s`; its id is what a button carries."""
        await self._redis.set(
            f"{self._prefix}:item:{suggestion.id}", suggestion.to_json(), ex=self._suggestion_ttl_s
        )
        return suggestion.id

    async def recall(self, suggestion_id: str) -> Suggestion | None:
        """The suggestion behind a button; None once expired or for an id we never made."""
        if not _ID.match(suggestion_id):
            return None
        raw = await self._redis.get(f"{self._prefix}:item:{suggestion_id}")
        return Suggestion.from_json(raw) if raw else None

    async def forget(self, texts: Sequence[str], suggestion_ids: Sequence[str]) -> int:
        """Drops what was kept of a user's own words (their translations and the ideas
        made for them) and the suggestions they were shown; returns the keys deleted."""
        keys = [f"{self._prefix}:item:{i}" for i in suggestion_ids if _ID.match(i)]
        for text in texts:
            digest = text_key(text)
            keys.append(f"{self._prefix}:en:{digest}")
            keys += [key async for key in self._redis.scan_iter(f"{self._prefix}:ideas:*:{digest}")]
        return await self._redis.delete(*keys) if keys else 0

    async def cached_translation(self, text: str) -> str | None:
        try:
            raw = await self._redis.get(f"{self._prefix}:en:{text_key(text)}")
        except RedisError as exc:
            log.warning("translation cache unreadable: %r", exc)
            return None
        return raw.decode() if isinstance(raw, bytes) else raw

    async def cache_translation(self, text: str, english: str) -> None:
        try:
            await self._redis.set(
                f"{self._prefix}:en:{text_key(text)}", english, ex=self._cache_ttl_s
            )
        except RedisError as exc:
            log.warning("translation cache not written: %r", exc)
