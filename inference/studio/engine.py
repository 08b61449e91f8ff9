"""The studio engine: the product on a photographed-looking backdrop, no diffusion, any CPU."""

from __future__ import annotations

import time
from collections.abc import Sequence

from PIL import Image

from catalog import Style
from inference.canvas import place
from inference.checks import check_request
from inference.cutout import composite
from inference.engine import (
    CUTOUT_DOUBT,
    GenerationRequest,
    GenerationResult,
    ProgressCallback,
)
from inference.segmentation.segmenter import Segmenter
from inference.studio.backdrops import render_backdrop
from inference.studio.lighting import Lighting
from inference.studio.shadows import contact_shadow


class StudioEngine:
    """Each variation gets its own light set-up from its seed: where the light pool
    sits, the gradient's slant, the shadow's softness. The style picks the backdrop."""

    name = "studio"

    def __init__(self, segmenter: Segmenter, max_count: int, canvas_fill: float) -> None:
        self.segmenter = segmenter
        self.max_count = max_count
        self.canvas_fill = canvas_fill

    def serves(self, style: Style) -> bool:
        """Every style: each has a studio backdrop."""
        return True

    def generate(
        self, request: GenerationRequest, progress: ProgressCallback | None = None
    ) -> GenerationResult:
        started = time.perf_counter()
        # 1. Check the request and find its style.
        style = check_request(request, self.max_count)
        # 2. Cut the product out and place it on its frame.
        cutout = self.segmenter.cut(request.image, request.cutout)
        placed = place(cutout, request.canvas, self.canvas_fill)
        # 3. Light, backdrop, shadow and composite, once per variation.
        images, lightings = [], []
        for index in range(request.count):
            seed = request.seed + index
            lighting = Lighting.from_seed(seed)
            backdrop = render_backdrop(
                style.backdrop, style.backdrop_color, placed.size, lighting, seed
            )
            backdrop *= 1.0 - contact_shadow(placed.alpha, lighting)[..., None]
            images.append(Image.fromarray(composite(placed, backdrop)))
            lightings.append(lighting.as_dict())
            if progress is not None:
                progress(index + 1, request.count)
        return GenerationResult(
            images=images,
            mask=cutout.mask_image(),
            engine=self.name,
            details={
                "segmenter": self.segmenter.name,
                CUTOUT_DOUBT: cutout.doubt,
                "backdrop": style.backdrop,
                "seeds": [request.seed + i for i in range(request.count)],
                "lighting": lightings,
                "seconds": round(time.perf_counter() - started, 3),
            },
        )

    def generate_batch(
        self,
        requests: Sequence[GenerationRequest],
        progress: Sequence[ProgressCallback | None] | None = None,
    ) -> list[GenerationResult]:
        """One after another: on a CPU nothing is gained by batching these."""
        callbacks = list(progress) if progress is not None else [None] * len(requests)
        return [self.generate(r, p) for r, p in zip(requests, callbacks, strict=True)]
