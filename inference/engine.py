"""The contract every image engine implements, and the names of the engines.

An engine takes product photos and returns, for each, `count` images plus the
8-bit product mask it used. Engines never change the product's own pixels: they
compose the original photo back over whatever they paint around it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from PIL import Image

from catalog import Style
from catalog.cutouts import CutoutChoice

# Every engine a worker can serve; a request or the ENGINE setting names one of them.
ENGINE_NAMES: tuple[str, ...] = ("studio", "diffusion")

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
    engine: str | None = None  # one of ENGINE_NAMES; None: the worker's default (ENGINE)
    category: str | None = None  # the product's catalogue category, when known
    cutout: CutoutChoice = CutoutChoice.AUTO  # how the user asked the product to be cut out


# The key of `GenerationResult.details` saying why the cut-out was not sure of the
# product's outline (None when it was): engines write it, the worker keeps it with the job.
CUTOUT_DOUBT = "cutout_doubt"


@dataclass
class GenerationResult:
    images: list[Image.Image]
    mask: Image.Image  # mode "L", the input's size
    engine: str
    details: dict[str, object] = field(default_factory=dict)

    @property
    def cutout_doubt(self) -> str | None:
        doubt = self.details.get(CUTOUT_DOUBT)
        return str(doubt) if doubt else None


class Engine(Protocol):
    name: str

    def serves(self, style: Style) -> bool:
        """Whether this engine makes images for `style`."""
        ...

    def generate_batch(
        self,
        requests: Sequence[GenerationRequest],
        progress: Sequence[ProgressCallback | None] | None = None,
    ) -> list[GenerationResult]:
        """One result per request, in order; `progress[i]` hears of request i."""
        ...


# A broken or missing model shows up as any of these from diffusers, transformers,
# huggingface_hub, safetensors or torch; all mean "this model cannot be used here".
LOAD_ERRORS = (OSError, ValueError, RuntimeError, ImportError, KeyError)


class EngineUnavailable(RuntimeError):
    """An engine cannot run here; the message says what to install or configure."""


class InvalidRequest(ValueError):
    """The request itself cannot be served (bad count, canvas or image); retrying won't help.
    The message says what to change."""
