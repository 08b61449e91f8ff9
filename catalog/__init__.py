"""The catalogue's styles and product categories: the one home of their data.

`styles.json` holds every style (what the model is told, the studio backdrop, the
suggestion ideas); `categories.json` every product category (what CLIP reads it
by, its room group, its name in a prompt). Their visible names live in
`locales/` as `style-<id>`. Adding a style is one entry in `styles.json` plus
its ru and en names; the keyboards, engines, suggestions and CLI read it here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

StyleKind = Literal["interior", "backdrop"]
UNKNOWN_SUBJECT = "the product"
FALLBACK_STYLE = "custom"


@dataclass(frozen=True)
class Idea:
    """A background idea a style offers: button texts in ru and en, the scene in English."""

    en: str
    ru: str
    scene: str


@dataclass(frozen=True)
class Style:
    id: str
    kind: StyleKind  # "interior": a scene is painted; "backdrop": a plain studio background
    scene: str  # English: the scene painted when the user chose no idea of their own
    modifiers: str  # English: how the style reads to the model, in every prompt
    backdrop: str  # the studio engine's backdrop: white | solid | gradient | soft
    backdrop_color: tuple[int, int, int]
    negative: str = ""  # what this style adds to the common negative prompt
    ideas: tuple[Idea, ...] = ()

    @property
    def paints_scene(self) -> bool:
        """A scene around the product; a backdrop style is served by the studio engine."""
        return self.kind == "interior"

    @property
    def description(self) -> str:
        """The style in words, for an LLM asked for ideas."""
        if self.kind == "backdrop":
            return f"a plain studio background for marketplace listings ({self.modifiers})"
        return self.modifiers or "any tasteful interior"


@dataclass(frozen=True)
class Category:
    id: str
    subject: str  # the product in a prompt: "a sofa"
    group: str  # the room group its scenes come from: "living"
    clip: str  # the words CLIP recognises it by: "sofa"


@dataclass(frozen=True)
class Catalog:
    quality: str
    negative: str
    styles: dict[str, Style]
    categories: dict[str, Category]

    @property
    def style_ids(self) -> tuple[str, ...]:
        return tuple(self.styles)

    @property
    def category_ids(self) -> tuple[str, ...]:
        return tuple(self.categories)

    def style(self, style_id: str) -> Style:
        """The style for an id; ValueError naming the known ids."""
        try:
            return self.styles[style_id]
        except KeyError:
            known = ", ".join(self.styles)
            raise ValueError(f"unknown style {style_id!r}; choose one of: {known}") from None

    def style_or_fallback(self, style_id: str) -> Style:
        return self.styles.get(style_id) or self.styles[FALLBACK_STYLE]

    def subject(self, category: str | None) -> str:
        known = self.categories.get(category or "")
        return known.subject if known else UNKNOWN_SUBJECT

    def group(self, category: str | None) -> str | None:
        known = self.categories.get(category or "")
        return known.group if known else None

    def model_prompt(self, style_id: str, category: str | None, scene: str | None = None) -> str:
        """The English prompt: the product, the scene (the style's own when none is
        given), the style's modifiers, the quality. Every path to the model uses it."""
        style = self.style_or_fallback(style_id)
        parts = (self.subject(category), scene or style.scene, style.modifiers, self.quality)
        return ", ".join(part.strip(" ,.") for part in parts if part.strip(" ,."))

    def negative_prompt(self, style_id: str) -> str:
        extra = self.style_or_fallback(style_id).negative
        return f"{self.negative}, {extra}" if extra else self.negative


@cache
def catalog() -> Catalog:
    """The catalogue shipped with the package, read once."""
    styles, categories = _read("styles"), _read("categories")
    return Catalog(
        quality=styles["quality"],
        negative=styles["negative"],
        styles={key: _style(key, value) for key, value in styles["styles"].items()},
        categories={key: Category(id=key, **value) for key, value in categories.items()},
    )


def style_ids() -> tuple[str, ...]:
    return catalog().style_ids


def _style(style_id: str, data: dict[str, Any]) -> Style:
    ideas = tuple(Idea(**idea) for idea in data.get("ideas", ()))
    colour = tuple(data["backdrop_color"])
    return Style(id=style_id, **{**data, "ideas": ideas, "backdrop_color": colour})


def _read(name: str) -> Any:
    return json.loads((resources.files("catalog") / f"{name}.json").read_text(encoding="utf-8"))
