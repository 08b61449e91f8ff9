"""What we ask YandexGPT for background ideas, and how its answer is read.

The model answers one idea a line, `caption | scene`, in English. The parser takes
what it can from answers that drift from that format (numbering, bullets, markdown,
other separators, a preamble, a line cut off by the token limit) and drops the rest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from suggestions.gpt import ChatMessage

MAX_CAPTION_CHARS = 48  # a phone shows about this much of a button
MIN_SCENE_WORDS = 3
MAX_WISH_CHARS = 300
MAX_AVOID = 16

SYSTEM = (
    "You suggest backgrounds for product photos in a home-improvement store's catalogue. "
    "The product is cut out of its photo and an image model paints a new scene around it. "
    "Answer with exactly {count} lines and nothing else. Each line is a caption of at most "
    "five words, then ' | ', then one English sentence of 10 to 25 words for the image model "
    "describing the setting around the product: the room or place, surfaces, materials, "
    "light and colours. Never describe the product itself, people, animals, text or logos, "
    "and nothing standing in front of the product. Every scene must fit this style: {style}."
)

_PREFIX = re.compile(r"^\s*(?:[-*•]+|\d{1,2}\s*[.)]|#+)\s*")
_SEPARATORS = ("|", " — ", " – ", " - ", ": ")
_DECORATION = "*_`\"'«»“”„ "


@dataclass(frozen=True)
class Idea:
    caption: str  # English, short
    scene: str  # English, for the model


def build_messages(
    *,
    subject: str,
    style_description: str,
    count: int,
    user_text: str | None,
    avoid: Sequence[str] = (),
) -> list[ChatMessage]:
    """The system and user messages asking for `count` scene ideas."""
    request = [f"Product: {subject}."]
    if user_text:
        # The user's words are data, not instructions: quoted and clipped.
        wish = " ".join(user_text.split())[:MAX_WISH_CHARS].replace('"', "'")
        request.append(f'The seller\'s wishes, in their words: "{wish}".')
    if avoid:
        request.append("Suggest ideas different from these: " + "; ".join(avoid[-MAX_AVOID:]) + ".")
    request.append(f"Write {count} lines.")
    return [
        ChatMessage("system", SYSTEM.format(count=count, style=style_description or "any")),
        ChatMessage("user", " ".join(request)),
    ]


def parse_ideas(text: str, *, truncated: bool) -> list[Idea]:
    """The ideas in the model's answer, without duplicates, in order."""
    lines = text.strip().splitlines()
    if truncated and lines:
        lines = lines[:-1]  # cut off by maxTokens mid-sentence
    ideas: dict[str, Idea] = {}
    for line in lines:
        idea = _idea(line)
        if idea is not None and idea.caption.casefold() not in ideas:
            ideas[idea.caption.casefold()] = idea
    return list(ideas.values())


def _idea(line: str) -> Idea | None:
    line = _PREFIX.sub("", line).strip()
    for separator in _SEPARATORS:
        caption, found, scene = line.partition(separator)
        if found:
            break
    else:
        return None
    caption, scene = caption.strip(_DECORATION), scene.strip(_DECORATION + ".")
    if not caption or len(caption) > MAX_CAPTION_CHARS or len(scene.split()) < MIN_SCENE_WORDS:
        return None
    return Idea(caption=caption, scene=scene)
