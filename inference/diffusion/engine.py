"""The diffusion engine: a new scene painted around the product, never over it.

The model repaints only the background: its mask is everything but the product,
grown by one latent cell into the product so no ghost of the old background
survives at the edge. The product's original pixels are then composited back
through the soft alpha at full resolution, so the product is never redrawn,
stretched or recoloured. Variations are seeds, painted in one batched call.
"""

from __future__ import annotations

import logging
import os
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import cv2
import numpy as np
from PIL import Image

from catalog import Style
from inference.canvas import place
from inference.checks import check_request, prompts_for
from inference.cutout import Cutout, composite
from inference.diffusion.expansion import object_expansion
from inference.diffusion.pipelines import is_sdxl, native_side, size_multiple
from inference.engine import (
    CUTOUT_DOUBT,
    GenerationRequest,
    GenerationResult,
    ProgressCallback,
)
from inference.segmentation.segmenter import Segmenter

log = logging.getLogger(__name__)

# A re-rolled variation's seed is this far from the first, so re-rolls never repeat
# a seed the user will get from "more like this" (seed + count).
REROLL_SEED_OFFSET = 1_000_003
NEUTRAL_GREY = 127.0


@dataclass(frozen=True)
class DiffusionOptions:
    steps: int
    guidance: float
    max_count: int
    canvas_fill: float
    batch_images: int  # images per pipeline call: bounds GPU memory
    max_expansion: float  # object expansion above which a variation is re-rolled
    rerolls: int  # how many times at most


@dataclass
class Painting:
    """One image to paint: a variation of one request."""

    request_index: int
    seed: int
    prompt: str
    negative_prompt: str
    placed: Cutout  # the product on its output frame
    model_image: Image.Image  # what the model sees, at the working size
    repaint_mask: Image.Image  # white: paint here
    result: np.ndarray | None = None
    expansion: float = 0.0


class DiffusionEngine:
    name = "diffusion"

    def __init__(self, pipeline: object, segmenter: Segmenter, options: DiffusionOptions) -> None:
        self.pipeline = pipeline
        self.segmenter = segmenter
        self.options = options
        # Cut-outs, compositing and re-segmentation run here: onnxruntime, OpenCV and
        # numpy release the GIL, so they overlap each other and the GPU's painting.
        self.cpu = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="cpu")

    def serves(self, style: Style) -> bool:
        """Scenes only: a marketplace's plain backdrop is the studio engine's, exactly."""
        return style.paints_scene

    def generate_batch(
        self,
        requests: Sequence[GenerationRequest],
        progress: Sequence[ProgressCallback | None] | None = None,
    ) -> list[GenerationResult]:
        """All variations of all requests, painted in as few pipeline calls as fit."""
        started = time.perf_counter()
        callbacks = list(progress) if progress is not None else [None] * len(requests)
        # 1. Check every request before spending any GPU time.
        styles = [check_request(request, self.options.max_count) for request in requests]
        # 2. Cut each product out (in parallel), place it, and prepare what the model sees.
        cutouts = list(self.cpu.map(lambda r: self.segmenter.cut(r.image, r.cutout), requests))
        paintings = [
            painting
            for index, parts in enumerate(zip(requests, styles, cutouts, strict=True))
            for painting in self._paintings(index, *parts)
        ]
        # 3. Paint the backgrounds; 4. composite the products back and measure object
        # expansion, on CPU threads while the next batch paints.
        self._paint(paintings, callbacks)
        # 5. Re-roll the variations that grew the product.
        self._reroll_expanded(paintings)
        # 6. One result per request, in order.
        seconds = round(time.perf_counter() - started, 3)
        return [
            self._result(index, cutout, paintings, seconds) for index, cutout in enumerate(cutouts)
        ]

    def _paintings(
        self, index: int, request: GenerationRequest, style: Style, cutout: Cutout
    ) -> list[Painting]:
        placed = place(cutout, request.canvas, self.options.canvas_fill)
        size = working_size(placed.size, native_side(self.pipeline), size_multiple(self.pipeline))
        prompt, negative_prompt = prompts_for(request, style)
        image = model_image(placed, size)
        mask = repaint_mask(placed.alpha, size, self.pipeline.vae_scale_factor)
        return [
            Painting(index, request.seed + variation, prompt, negative_prompt, placed, image, mask)
            for variation in range(request.count)
        ]

    def _paint(self, paintings: list[Painting], callbacks: list[ProgressCallback | None]) -> None:
        """Runs the pipeline on batches of same-sized paintings; each result is finished on
        a CPU thread, so the GPU never waits for compositing or re-segmentation."""
        per_request = defaultdict(int)
        for painting in paintings:
            per_request[painting.request_index] += 1
        done = defaultdict(int)
        finishing = []
        for batch in batches(paintings, self.options.batch_images):
            report = _step_reporter(batch, per_request, done, callbacks)
            backgrounds = self._call_pipeline(batch, report)
            for painting, background in zip(batch, backgrounds, strict=True):
                finishing.append(self.cpu.submit(self._finish, painting, background))
                done[painting.request_index] += 1
        for future in finishing:
            future.result()

    def _finish(self, painting: Painting, background: np.ndarray) -> None:
        painting.result = composite(painting.placed, _enlarged(background, painting))
        regenerated = self.segmenter.coarse_alpha(painting.result)
        size = (regenerated.shape[1], regenerated.shape[0])
        original = cv2.resize(painting.placed.alpha, size, interpolation=cv2.INTER_AREA)
        painting.expansion = object_expansion(original, regenerated)

    def _call_pipeline(self, batch: list[Painting], report: object) -> np.ndarray:
        import torch

        width, height = batch[0].model_image.size
        output = self.pipeline(
            prompt=[p.prompt for p in batch],
            negative_prompt=[p.negative_prompt for p in batch],
            image=[p.model_image for p in batch],
            mask_image=[p.repaint_mask for p in batch],
            height=height,
            width=width,
            num_inference_steps=self.options.steps,
            guidance_scale=self.options.guidance,
            # CPU generators: the same seed gives the same scene on any device.
            generator=[torch.Generator("cpu").manual_seed(p.seed) for p in batch],
            callback_on_step_end=report,
            output_type="np",
        )
        return output.images

    def _reroll_expanded(self, paintings: list[Painting]) -> None:
        for attempt in range(1, self.options.rerolls + 1):
            grown = [p for p in paintings if p.expansion > self.options.max_expansion]
            if not grown:
                return
            log.info("re-rolling %d variation(s) that grew the product", len(grown))
            retries = [replace(p, seed=p.seed + attempt * REROLL_SEED_OFFSET) for p in grown]
            self._paint(retries, [None] * (1 + max(p.request_index for p in retries)))
            for original, retry in zip(grown, retries, strict=True):
                if retry.expansion < original.expansion:
                    original.seed, original.result = retry.seed, retry.result
                    original.expansion = retry.expansion

    def _result(
        self, index: int, cutout: Cutout, paintings: list[Painting], seconds: float
    ) -> GenerationResult:
        mine = [p for p in paintings if p.request_index == index]
        return GenerationResult(
            images=[Image.fromarray(p.result) for p in mine],
            mask=cutout.mask_image(),
            engine=self.name,
            details={
                "segmenter": self.segmenter.name,
                CUTOUT_DOUBT: cutout.doubt,
                "model": "sdxl" if is_sdxl(self.pipeline) else "sd15",
                "working_size": list(mine[0].model_image.size),
                "seeds": [p.seed for p in mine],
                "expansion": [round(p.expansion, 4) for p in mine],
                "seconds": seconds,
            },
        )


def working_size(size: tuple[int, int], native: int, multiple: int) -> tuple[int, int]:
    """The size to paint at: about native² pixels with the output's aspect, sides a
    multiple of `multiple`. The model paints badly far from its training size."""
    width, height = size
    scale = native / (width * height) ** 0.5
    return (
        max(multiple, round(width * scale / multiple) * multiple),
        max(multiple, round(height * scale / multiple) * multiple),
    )


def model_image(placed: Cutout, size: tuple[int, int]) -> Image.Image:
    """The product on neutral grey at the working size: the model's context."""
    grey = np.full((*placed.alpha.shape, 3), NEUTRAL_GREY, np.float32)
    image = composite(placed, grey)
    return Image.fromarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA))


def repaint_mask(alpha: np.ndarray, size: tuple[int, int], grow_px: int) -> Image.Image:
    """White where the model paints: everything that is not fully product, grown
    `grow_px` (one latent cell) into the product, so no old-background ghost is kept."""
    small = cv2.resize(alpha, size, interpolation=cv2.INTER_AREA)
    background = (small < 0.999).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow_px + 1, 2 * grow_px + 1))
    return Image.fromarray(cv2.dilate(background, kernel) * 255)


def batches(paintings: list[Painting], limit: int) -> list[list[Painting]]:
    """Same-sized paintings together (one pipeline call needs one size), at most `limit`."""
    by_size: dict[tuple[int, int], list[Painting]] = defaultdict(list)
    for painting in paintings:
        by_size[painting.model_image.size].append(painting)
    return [group[i : i + limit] for group in by_size.values() for i in range(0, len(group), limit)]


def _enlarged(background: np.ndarray, painting: Painting) -> np.ndarray:
    """The painted background (float in [0, 1]) at the output size, in [0, 255]."""
    width, height = painting.placed.size
    resized = cv2.resize(background, (width, height), interpolation=cv2.INTER_CUBIC)
    return np.clip(resized * 255.0, 0.0, 255.0)


def _step_reporter(
    batch: list[Painting],
    per_request: dict[int, int],
    done: dict[int, int],
    callbacks: list[ProgressCallback | None],
) -> object:
    """A diffusers step callback reporting progress(done, total) per request, counted in
    image-steps, so a request split over several calls moves smoothly to the end."""
    in_batch: dict[int, int] = defaultdict(int)
    for painting in batch:
        in_batch[painting.request_index] += 1

    def on_step_end(pipeline: object, step: int, timestep: object, tensors: dict) -> dict:
        steps = pipeline.num_timesteps
        for index, count in in_batch.items():
            if callbacks[index] is not None:
                finished = (done[index] * steps) + count * (step + 1)
                callbacks[index](finished, per_request[index] * steps)
        return tensors

    return on_step_end
