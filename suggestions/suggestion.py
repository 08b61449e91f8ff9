"""What the suggestions package hands to the bot: scene ideas and model prompts."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Literal

Source = Literal["yandexgpt", "library"]


@dataclass(frozen=True)
class Suggestion:
    """One background idea: a button text for the user, prompts for the model."""

    id: str  # short and stable: derived from the content, fits in callback data
    text: str  # in the user's language, for the button
    lang: str
    prompt: str  # English, for the diffusion model
    negative_prompt: str
    source: Source

    @classmethod
    def make(
        cls, *, text: str, lang: str, prompt: str, negative_prompt: str, source: Source
    ) -> Suggestion:
        return cls(
            id=content_id(lang, text, prompt),
            text=text,
            lang=lang,
            prompt=prompt,
            negative_prompt=negative_prompt,
            source=source,
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Suggestion:
        return cls(**json.loads(raw))


@dataclass(frozen=True)
class ModelPrompt:
    """The user's own description and what the model gets from it."""

    text: str  # as the user wrote it
    lang: str  # the language the text was in, as far as we know
    prompt: str  # English, for the diffusion model
    negative_prompt: str
    translated: bool  # False when the text went to the model as it was


def content_id(*parts: str) -> str:
    """12 hex digits: the same idea always gets the same id, ids stay short for callbacks."""
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=6)
    return digest.hexdigest()
