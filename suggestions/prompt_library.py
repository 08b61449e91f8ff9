"""The built-in prompt library: scenes per style and product category, in ru and en.

Used whenever YandexGPT is not configured, fails or is filtered, so the bot works with
no Yandex credentials at all. The texts live in `library/*.json` beside this module:
`styles.json` (how each style reads to the model), `categories.json` (the product
categories the worker's label predicts, each with its room group) and `scenes.json`.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from importlib import resources
from typing import Any

from jobs.styles import NEGATIVE_COMMON, STYLES
from locales import pick_language
from suggestions.suggestion import Suggestion

UNKNOWN_SUBJECT = "the product"
FALLBACK_STYLE = "custom"


@dataclass(frozen=True)
class Look:
    """How a style reads to the model."""

    kind: str  # "interior": rooms that fit the product; "backdrop": studio backgrounds
    modifiers: str
    negative: str = ""

    @property
    def description(self) -> str:
        """The style in words for YandexGPT."""
        if self.kind == "backdrop":
            return f"a plain studio background for marketplace listings ({self.modifiers})"
        return self.modifiers or "any tasteful interior"


@dataclass(frozen=True)
class Scene:
    en: str
    ru: str
    scene: str  # English, follows the product's name in the model prompt
    kind: str = "interior"
    groups: tuple[str, ...] = ()  # empty: fits any product
    styles: tuple[str, ...] = ()  # empty: fits any style of its kind

    def rank(self, look: Look, style: str, group: str | None) -> int | None:
        """How specific this scene is for the request (lower first); None when it does not fit."""
        if self.kind != look.kind:
            return None
        if self.groups and group not in self.groups:
            return None
        if self.styles and style not in self.styles:
            return None
        return 0 if self.groups else 1 if self.styles else 2


class PromptLibrary:
    def __init__(
        self,
        *,
        quality: str,
        looks: dict[str, Look],
        categories: dict[str, tuple[str, str]],  # category -> (group, subject)
        scenes: tuple[Scene, ...],
    ) -> None:
        self._quality = quality
        self._looks = looks
        self._categories = categories
        self._scenes = scenes

    @classmethod
    def load(cls) -> PromptLibrary:
        styles, categories, scenes = (_read(name) for name in ("styles", "categories", "scenes"))
        return cls(
            quality=styles["quality"],
            looks={style: Look(**look) for style, look in styles["styles"].items()},
            categories={c: (v["group"], v["subject"]) for c, v in categories.items()},
            scenes=tuple(Scene(**_tuples(scene)) for scene in scenes),
        )

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(self._categories)

    def look(self, style: str) -> Look:
        return self._looks.get(style) or self._looks[FALLBACK_STYLE]

    def subject(self, category: str | None) -> str:
        known = self._categories.get(category or "")
        return known[1] if known else UNKNOWN_SUBJECT

    def prompt(self, *, style: str, category: str | None, scene: str) -> str:
        """The English model prompt: the product, the scene, the style, the quality."""
        parts = (self.subject(category), scene, self.look(style).modifiers, self._quality)
        return ", ".join(part.strip(" ,.") for part in parts if part.strip(" ,."))

    def negative_prompt(self, style: str) -> str:
        common = STYLES[style].negative_prompt if style in STYLES else NEGATIVE_COMMON
        extra = self.look(style).negative
        return f"{common}, {extra}" if extra else common

    def suggestions(self, *, style: str, category: str | None, lang: str) -> list[Suggestion]:
        """Every scene that fits, the most specific first, with button texts in `lang`."""
        look, lang = self.look(style), pick_language(lang)
        group = self._categories.get(category or "", (None, ""))[0]
        ranked = [(s.rank(look, style, group), n, s) for n, s in enumerate(self._scenes)]
        fitting = sorted((rank, n, s) for rank, n, s in ranked if rank is not None)
        return [
            Suggestion.make(
                text=scene.ru if lang == "ru" else scene.en,
                lang=lang,
                prompt=self.prompt(style=style, category=category, scene=scene.scene),
                negative_prompt=self.negative_prompt(style),
                source="library",
            )
            for _, _, scene in fitting
        ]

    def pick(
        self,
        *,
        style: str,
        category: str | None,
        lang: str,
        count: int,
        exclude: Collection[str] = (),
    ) -> list[Suggestion]:
        """`count` suggestions, those not in `exclude` first: after the last, it starts over."""
        every = self.suggestions(style=style, category=category, lang=lang)
        unseen = [s for s in every if s.id not in exclude]
        seen = [s for s in every if s.id in exclude]
        return (unseen + seen)[:count]


def _read(name: str) -> Any:
    return json.loads((resources.files("suggestions") / "library" / f"{name}.json").read_text())


def _tuples(scene: dict[str, Any]) -> dict[str, Any]:
    return {key: tuple(value) if isinstance(value, list) else value for key, value in scene.items()}
