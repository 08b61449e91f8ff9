"""The one object the bot talks to: background ideas and model prompts, never an exception.

YandexGPT proposes scenes, Yandex Translate puts them into the user's language and the
user's own words into English; whatever Yandex cannot give in time, the built-in
library gives instead.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import aiohttp
import redis.asyncio as aioredis

from locales import pick_language
from settings import Settings
from suggestions.breaker import CircuitBreaker
from suggestions.credentials import YandexCredentials
from suggestions.deadline import Deadline
from suggestions.errors import CircuitOpen, YandexError
from suggestions.gpt import YandexGptClient
from suggestions.ideas import MAX_CAPTION_CHARS, Idea, build_messages, parse_ideas
from suggestions.prompt_library import PromptLibrary
from suggestions.store import SuggestionStore
from suggestions.suggestion import ModelPrompt, Suggestion
from suggestions.translate import YandexTranslateClient

log = logging.getLogger(__name__)

IDEAS_PER_CALL = 8  # two pages of buttons from one paid generation
TEMPERATURE = 0.7  # varied ideas, still on topic
MAX_TOKENS = 600  # about 8 lines of 40 words, with room to spare
MAX_USER_TEXT_CHARS = 500  # the image model reads about 60 words anyway
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class YandexClients:
    gpt: YandexGptClient
    translate: YandexTranslateClient


class Suggester:
    def __init__(
        self,
        *,
        library: PromptLibrary,
        store: SuggestionStore,
        yandex: YandexClients | None,
        timeout_s: float,
    ) -> None:
        self._library = library
        self._catalog = library.catalog
        self._store = store
        self._yandex = yandex
        self._timeout_s = timeout_s

    @classmethod
    def create(
        cls, settings: Settings, redis: aioredis.Redis, http: aiohttp.ClientSession
    ) -> Suggester:
        store = SuggestionStore(
            redis,
            prefix=settings.stream_prefix,
            cache_ttl_s=settings.suggest_cache_ttl_s,
            suggestion_ttl_s=settings.suggestion_ttl_s,
        )
        credentials = YandexCredentials.from_settings(settings)
        if credentials is None:
            log.info("Yandex is not configured: suggestions come from the built-in library")
        yandex = _clients(settings, http, credentials) if credentials else None
        return cls(
            library=PromptLibrary.load(),
            store=store,
            yandex=yandex,
            timeout_s=settings.yandex_timeout_s,
        )

    async def suggest(
        self,
        *,
        style: str,
        lang: str,
        category: str | None = None,
        user_text: str | None = None,
        count: int = 4,
        exclude: Sequence[str] = (),
    ) -> list[Suggestion]:
        """`count` ideas not among the ids in `exclude`, YandexGPT's first, the library's after."""
        lang, shown = pick_language(lang), set(exclude)
        page: list[Suggestion] = []
        if self._yandex is not None:
            page = await self._yandex_page(
                self._yandex, style, category, lang, user_text, count, shown
            )
        if len(page) < count:
            taken = shown | {s.id for s in page}
            extra = self._library.pick(
                style=style, category=category, lang=lang, count=count, exclude=taken
            )
            page += [s for s in extra if s.id not in {p.id for p in page}][: count - len(page)]
        return page

    async def to_model_prompt(
        self, text: str, lang: str, *, style: str = "custom", category: str | None = None
    ) -> ModelPrompt:
        """The user's description (ru or en) as an English prompt; the text itself if need be."""
        text = " ".join(text.split())[:MAX_USER_TEXT_CHARS]
        needs_translation = bool(_CYRILLIC.search(text))
        english = (await self._english(text) or text) if needs_translation else text
        return ModelPrompt(
            text=text,
            lang=written_in(text, fallback=lang),
            prompt=self._catalog.model_prompt(style, category, english),
            negative_prompt=self._catalog.negative_prompt(style),
            translated=english != text,
        )

    async def remember(self, suggestion: Suggestion) -> str:
        """Keep the suggestion in Redis; the returned short id is what a button carries."""
        return await self._store.remember(suggestion)

    async def recall(self, suggestion_id: str) -> Suggestion | None:
        return await self._store.recall(suggestion_id)

    async def forget(self, texts: Sequence[str], suggestion_ids: Sequence[str]) -> int:
        """Drops the cache of a user's own texts and of the suggestions they were shown."""
        return await self._store.forget(texts, suggestion_ids)

    async def _yandex_page(
        self,
        yandex: YandexClients,
        style: str,
        category: str | None,
        lang: str,
        user_text: str | None,
        count: int,
        shown: set[str],
    ) -> list[Suggestion]:
        """Unseen YandexGPT ideas: from the cache, or freshly generated when it runs short."""
        key = self._store.ideas_key(style=style, category=category, lang=lang, wish=user_text)
        known = await self._store.cached_ideas(key)
        unseen = [s for s in known if s.id not in shown]
        if len(unseen) < count:
            avoid = [s.text for s in known]
            fresh = await self._generate(yandex, style, category, lang, user_text, avoid)
            new = [s for s in fresh if s.id not in {k.id for k in known}]
            if new:
                known += new
                await self._store.cache_ideas(key, known)
                unseen += [s for s in new if s.id not in shown]
        return unseen[:count]

    async def _generate(
        self,
        yandex: YandexClients,
        style: str,
        category: str | None,
        lang: str,
        user_text: str | None,
        avoid: list[str],
    ) -> list[Suggestion]:
        deadline = Deadline.after(self._timeout_s)
        messages = build_messages(
            subject=self._catalog.subject(category),
            style_description=self._catalog.style_or_fallback(style).description,
            count=IDEAS_PER_CALL,
            user_text=user_text,
            avoid=avoid,
        )
        try:
            completion = await yandex.gpt.complete(
                messages, temperature=TEMPERATURE, max_tokens=MAX_TOKENS, deadline=deadline
            )
            ideas = parse_ideas(completion.text, truncated=completion.truncated)
            captions = await _captions(yandex, ideas, lang, deadline)
        except YandexError as exc:
            _log_fallback("no YandexGPT ideas, the library fills in", exc)
            return []
        except Exception:  # a bug or a bad URL in the settings must not cost the user the ideas
            log.exception("unexpected failure asking YandexGPT; the library fills in")
            return []
        if not ideas:
            log.warning("YandexGPT answered without a usable line: %r", completion.text[:300])
        return [
            self._suggestion(style, category, lang, caption, idea.scene)
            for caption, idea in zip(captions, ideas, strict=True)
            if caption.strip()  # Telegram refuses a button without text
        ]

    def _suggestion(
        self, style: str, category: str | None, lang: str, caption: str, scene: str
    ) -> Suggestion:
        return Suggestion.make(
            text=caption.strip()[:MAX_CAPTION_CHARS],
            lang=lang,
            prompt=self._catalog.model_prompt(style, category, scene),
            negative_prompt=self._catalog.negative_prompt(style),
            source="yandexgpt",
        )

    async def _english(self, text: str) -> str | None:
        """The text in English from the cache or Yandex Translate; None when neither can tell."""
        cached = await self._store.cached_translation(text)
        if cached is not None or self._yandex is None:
            return cached
        try:
            translations = await self._yandex.translate.translate(
                [text], target="en", deadline=Deadline.after(self._timeout_s)
            )
        except YandexError as exc:
            _log_fallback("the user's text goes to the model untranslated", exc)
            return None
        except Exception:  # a bug must not cost the user their description
            log.exception("unexpected failure translating the user's text")
            return None
        english = translations[0].strip()
        if english:
            await self._store.cache_translation(text, english)
        return english or None


async def _captions(
    yandex: YandexClients, ideas: list[Idea], lang: str, deadline: Deadline
) -> list[str]:
    """The captions in the user's language: YandexGPT writes English."""
    captions = [idea.caption for idea in ideas]
    if lang == "en" or not captions:
        return captions
    return await yandex.translate.translate(captions, target=lang, source="en", deadline=deadline)


def _log_fallback(what: str, exc: YandexError) -> None:
    # An open circuit was logged once when it opened; repeating it for every user is noise.
    level = logging.DEBUG if isinstance(exc, CircuitOpen) else logging.WARNING
    log.log(level, "%s: %s: %s", what, type(exc).__name__, exc)


def written_in(text: str, *, fallback: str) -> str:
    """ru or en by the letters; `fallback` (the user's language) when there are none."""
    if _CYRILLIC.search(text):
        return "ru"
    return "en" if _LATIN.search(text) else pick_language(fallback)


def _clients(
    settings: Settings, http: aiohttp.ClientSession, credentials: YandexCredentials
) -> YandexClients:
    def breaker(name: str) -> CircuitBreaker:
        return CircuitBreaker(
            name,
            failures_to_open=settings.yandex_breaker_failures,
            reset_after_s=settings.yandex_breaker_reset_s,
        )

    gpt = YandexGptClient(
        http,
        credentials,
        base_url=settings.yandex_gpt_url,
        model=settings.yandex_gpt_model,
        concurrency=settings.yandex_gpt_concurrency,
        retries=settings.yandex_retries,
        breaker=breaker("YandexGPT"),
    )
    translate = YandexTranslateClient(
        http,
        credentials,
        base_url=settings.yandex_translate_url,
        retries=settings.yandex_retries,
        breaker=breaker("Yandex Translate"),
    )
    return YandexClients(gpt=gpt, translate=translate)
