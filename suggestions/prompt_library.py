"""The built-in prompt library: scenes per style and product category, in ru and en.

Used whenever YandexGPT is not configured, fails or is filtered, so the bot works with
no Yandex credentials at all. Styles and categories come from `catalog` (each style's
own ideas among them); `library/scenes.json` beside this module holds the scenes that
fit a room group or any style of a kind.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from importlib import resources
from typing import Any

from catalog import Catalog, Style, catalog
from locales import pick_language
from suggestions.suggestion import Suggestion


@dataclass(frozen=True)
class Scene:
    en: str
    ru: str
    scene: str  # English, follows the product's name in the model prompt
    kind: str = "interior"
    groups: tuple[str, ...] = ()  # empty: fits any product
    styles: tuple[str, ...] = ()  # empty: fits any style of its kind

    def rank(self, style: Style, group: str | None) -> int | None:
        """How specific this scene is for the request (lower first); None when it does not fit."""
        if self.kind != style.kind:
            return None
        if self.groups and group not in self.groups:
            return None
        if self.styles and style.id not in self.styles:
            return None
        return 0 if self.groups else 1 if self.styles else 2


class PromptLibrary:
    def __init__(self, catalogue: Catalog, scenes: tuple[Scene, ...]) -> None:
        self.catalog = catalogue
        self._scenes = scenes

    @classmethod
    def load(cls) -> PromptLibrary:
        shared = json.loads(
            (resources.files("suggestions") / "library" / "scenes.json").read_text("utf-8")
        )
        catalogue = catalog()
        own = [
            Scene(en=idea.en, ru=idea.ru, scene=idea.scene, kind=style.kind, styles=(style.id,))
            for style in catalogue.styles.values()
            for idea in style.ideas
        ]
        return cls(catalogue, (*own, *(Scene(**_tuples(scene)) for scene in shared)))

    def suggestions(self, *, style: str, category: str | None, lang: str) -> list[Suggestion]:
        """Every scene that fits, the most specific first, with button texts in `lang`."""
        look, lang = self.catalog.style_or_fallback(style), pick_language(lang)
        group = self.catalog.group(category)
        ranked = [(s.rank(look, group), n, s) for n, s in enumerate(self._scenes)]
        fitting = sorted((rank, n, s) for rank, n, s in ranked if rank is not None)
        return [
            Suggestion.make(
                text=scene.ru if lang == "ru" else scene.en,
                lang=lang,
                prompt=self.catalog.model_prompt(style, category, scene.scene),
                negative_prompt=self.catalog.negative_prompt(style),
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


def _tuples(scene: dict[str, Any]) -> dict[str, Any]:
    return {key: tuple(value) if isinstance(value, list) else value for key, value in scene.items()}
