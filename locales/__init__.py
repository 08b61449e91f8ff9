"""User-visible texts in ru and en, as Fluent (.ftl) files under `locales/<lang>/`."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax import ast

LANGUAGES: tuple[str, ...] = ("ru", "en")
DEFAULT_LANGUAGE = "en"
# Speakers of these languages usually read Russian more easily than English.
READ_RUSSIAN = frozenset({"uk", "be", "kk", "uz", "ky", "tg", "hy", "az"})
_ROOT = Path(__file__).parent


# Direction marks and overrides: a name or a description carrying them would turn the rest
# of the bot's sentence around it backwards.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def user_text(text: str | None, limit: int = 300) -> str:
    """Text a user wrote, fit to be placed inside one of ours: without direction controls,
    at most `limit` characters. Right-to-left letters and emoji stay as they are."""
    return _BIDI_CONTROLS.sub("", text or "")[:limit]


def pick_language(language_code: str | None) -> str:
    """Telegram's `language_code` ("ru", "ru-RU", "uk", None) → a supported language."""
    code = (language_code or "").split("-")[0].lower()
    if code in LANGUAGES:
        return code
    return "ru" if code in READ_RUSSIAN else DEFAULT_LANGUAGE


class Translator:
    """Formats messages of one language, falling back to English for a missing key."""

    def __init__(
        self, lang: str, bundle: FluentBundle, keys: frozenset[str], fallback: Translator | None
    ) -> None:
        self.lang = lang
        self.keys = keys
        self._bundle = bundle
        self._fallback = fallback

    @staticmethod
    def load(lang: str) -> Translator:
        return _load(lang)

    def get(self, key: str, **args: Any) -> str:
        if not self._bundle.has_message(key):
            if self._fallback is None:
                raise KeyError(f"no text {key!r} in locales/{self.lang}")
            return self._fallback.get(key, **args)
        text, errors = self._bundle.format_pattern(self._bundle.get_message(key).value, args)
        if errors:
            raise ValueError(f"locales/{self.lang} {key}: {errors[0]}")
        return text


@cache
def _load(lang: str) -> Translator:
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; supported: {', '.join(LANGUAGES)}")
    # Isolation marks around placeables would show up as stray characters in Telegram.
    bundle = FluentBundle([lang], use_isolating=False)
    keys: set[str] = set()
    for path in sorted((_ROOT / lang).glob("*.ftl")):
        resource = FluentResource(path.read_text(encoding="utf-8"))
        keys.update(e.id.name for e in resource.body if isinstance(e, ast.Message))
        bundle.add_resource(resource)
    fallback = None if lang == DEFAULT_LANGUAGE else _load(DEFAULT_LANGUAGE)
    return Translator(lang, bundle, frozenset(keys), fallback)
