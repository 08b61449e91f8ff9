"""The contract every image engine implements.

An engine takes one product photo and returns `count` images plus the 8-bit
product mask it used. Engines never change the product's own pixels: they
compose the original photo back over whatever they paint around it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from PIL import Image

# Called as progress(done, total) while the background images are painted.
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class GenerationRequest:
    image: Image.Image
    style: str
    count: int = 1
    prompt: str | None = None  # English text for the model; the style's prompt when None
    negative_prompt: str | None = None
    seed: int = 0
    canvas: tuple[int, int] | None = None  # None: the input's size, product stays in place
    engine: str | None = None  # "studio" | "diffusion"; None: the worker's default (ENGINE)


@dataclass
class GenerationResult:
    images: list[Image.Image]
    mask: Image.Image  # mode "L", the input's size
    engine: str
    details: dict[str, object] = field(default_factory=dict)


class Engine(Protocol):
    name: str

    def generate(
        self, request: GenerationRequest, progress: ProgressCallback | None = None
    ) -> GenerationResult: ...


class EngineUnavailable(RuntimeError):
    """An engine cannot run here; the message says what to install or configure."""


class InvalidRequest(ValueError):
    """The request itself cannot be served (bad count, canvas or image); retrying won't help.
    The message says what to change."""
