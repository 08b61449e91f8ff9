"""Style ids shared by the bot, the worker, the CLI and the panel.

Display names live in `locales/` (key `style-<id>`); what a style asks of the
engines (a model prompt, a negative prompt, a studio backdrop) lives here so that
every engine reads it from one place.
"""

from __future__ import annotations

from dataclasses import dataclass

NEGATIVE_COMMON = (
    "text, watermark, logo, people, hands, blurry, lowres, deformed, distorted, "
    "extra objects in front of the product, oversaturated, cartoon"
)


@dataclass(frozen=True)
class Style:
    id: str
    prompt: str
    negative_prompt: str = NEGATIVE_COMMON
    backdrop: str = "soft"  # studio engine backdrop: white | solid | gradient | soft
    backdrop_color: tuple[int, int, int] = (236, 233, 228)


STYLES: dict[str, Style] = {
    s.id: s
    for s in (
        Style(
            "minimal",
            "product photo in a minimalist interior, clean light walls, soft daylight, "
            "calm neutral palette, high detail, professional photography",
            backdrop="soft",
            backdrop_color=(240, 238, 235),
        ),
        Style(
            "scandinavian",
            "product photo in a scandinavian living room, light oak floor, white walls, "
            "linen textiles, green plants, soft natural window light, cozy, high detail",
            backdrop="gradient",
            backdrop_color=(232, 226, 214),
        ),
        Style(
            "loft",
            "product photo in an industrial loft, exposed red brick wall, concrete floor, "
            "large steel windows, warm evening light, high detail",
            backdrop="gradient",
            backdrop_color=(120, 104, 94),
        ),
        Style(
            "classic",
            "product photo in a classic interior, wall moulding, parquet floor, "
            "warm elegant lighting, rich fabrics, high detail",
            backdrop="gradient",
            backdrop_color=(196, 176, 150),
        ),
        Style(
            "nature",
            "product photo outdoors on a terrace, green garden, soft sunlight, "
            "natural wood and stone, shallow depth of field, high detail",
            backdrop="gradient",
            backdrop_color=(186, 206, 176),
        ),
        Style(
            "studio-white",
            "product photo on a pure white seamless studio background, soft shadow",
            backdrop="white",
            backdrop_color=(255, 255, 255),
        ),
        Style(
            "custom",
            "product photo, professional interior photography, high detail",
            backdrop="soft",
            backdrop_color=(238, 236, 232),
        ),
    )
}

STYLE_IDS: tuple[str, ...] = tuple(STYLES)


def get_style(style_id: str) -> Style:
    """The style for an id; raises ValueError naming the known ids."""
    try:
        return STYLES[style_id]
    except KeyError:
        raise ValueError(
            f"unknown style {style_id!r}; choose one of: {', '.join(STYLE_IDS)}"
        ) from None
