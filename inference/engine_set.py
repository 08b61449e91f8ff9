"""The engines one worker serves, loaded once: studio always, diffusion and labels when
their weights are here. What is missing is said in one line; nothing else stops."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence

from PIL import Image

from catalog import catalog
from catalog.cutouts import CutoutChoice
from inference.cutout import Cutout
from inference.devices import resolve_device
from inference.diffusion import DiffusionEngine, DiffusionOptions
from inference.diffusion.pipelines import load_inpaint_pipeline
from inference.engine import (
    ENGINE_NAMES,
    Engine,
    EngineUnavailable,
    GenerationRequest,
    GenerationResult,
    InvalidRequest,
    ProgressCallback,
)
from inference.labeler import ProductLabeler
from inference.segmentation import Segmenter, load_segmenter
from inference.studio import StudioEngine
from settings import Settings

log = logging.getLogger(__name__)


class EngineSet:
    def __init__(
        self,
        studio: StudioEngine,
        diffusion: DiffusionEngine | None = None,
        labeler: ProductLabeler | None = None,
        default: str = "studio",
        diffusion_error: str | None = None,
    ) -> None:
        self.studio = studio
        self.diffusion = diffusion
        self.labeler = labeler
        self.default = default
        # Why diffusion is off, for callers that asked for it explicitly (the CLI).
        self.diffusion_error = diffusion_error

    @classmethod
    def load(cls, settings: Settings) -> EngineSet:
        """Loads every model once. Diffusion is loaded when ENGINE=diffusion; a model
        that cannot be loaded is logged in one actionable line and left out."""
        default = settings.engine
        if default not in ENGINE_NAMES:
            log.warning("ENGINE=%s is not one of %s; using studio", default, ENGINE_NAMES)
            default = "studio"
        device, diffusion_error = _device(settings)
        segmenter = load_segmenter(settings, device)
        studio = StudioEngine(segmenter, settings.max_images_per_job, settings.canvas_fill)
        diffusion = None
        if default == "diffusion" and diffusion_error is None:
            try:
                diffusion = _load_diffusion(settings, segmenter, device)
            except EngineUnavailable as error:
                diffusion_error = str(error)
        if default == "diffusion" and diffusion is None:
            log.warning("diffusion engine off, the studio engine serves: %s", diffusion_error)
        return cls(studio, diffusion, _load_labeler(settings, device), default, diffusion_error)

    def available(self) -> list[str]:
        return [name for name in ENGINE_NAMES if name != "diffusion" or self.diffusion]

    def for_style(self, style_id: str, requested: str | None = None) -> Engine:
        """The engine for a job: `requested` or ENGINE when it is loaded and serves the
        style (diffusion paints scenes, not marketplace backdrops), else studio."""
        name = requested or self.default
        if name not in ENGINE_NAMES:
            raise InvalidRequest(f"unknown engine {name!r}; choose one of {ENGINE_NAMES}")
        try:
            style = catalog().style(style_id)
        except ValueError as error:
            raise InvalidRequest(str(error)) from None
        engine = self.diffusion if name == "diffusion" else self.studio
        return engine if engine is not None and engine.serves(style) else self.studio

    def cut(self, image: Image.Image, choice: CutoutChoice, insist: bool = False) -> Cutout:
        """The product cut out as `choice` says, by the segmenter every engine shares."""
        return self.studio.segmenter.cut(image, choice, insist)

    def label(self, image: Image.Image) -> str | None:
        """The product's catalogue category, None without a label model or when unsure."""
        return self.labeler.label(image) if self.labeler is not None else None

    def generate_batch(
        self,
        requests: Sequence[GenerationRequest],
        progress: Sequence[ProgressCallback | None] | None = None,
    ) -> list[GenerationResult]:
        """Results in the requests' order; requests for the same engine go in one call,
        so diffusion paints all their variations in as few UNet batches as fit."""
        callbacks = list(progress) if progress is not None else [None] * len(requests)
        groups: dict[str, list[int]] = defaultdict(list)
        engines: dict[str, Engine] = {}
        for index, request in enumerate(requests):
            engine = self.for_style(request.style, request.engine)
            groups[engine.name].append(index)
            engines[engine.name] = engine
        results: list[GenerationResult | None] = [None] * len(requests)
        for name, indexes in groups.items():
            batch = engines[name].generate_batch(
                [requests[i] for i in indexes], [callbacks[i] for i in indexes]
            )
            for index, result in zip(indexes, batch, strict=True):
                results[index] = result
        return results


def _device(settings: Settings) -> tuple[str, str | None]:
    """The device, and why diffusion cannot run when the asked-for device is missing."""
    try:
        return resolve_device(settings.device), None
    except EngineUnavailable as error:
        log.warning("running on the CPU: %s", error)
        return "cpu", str(error)


def _load_diffusion(settings: Settings, segmenter: Segmenter, device: str) -> DiffusionEngine:
    pipeline = load_inpaint_pipeline(
        settings.diffusion_model, device, settings.local_files_only, settings.diffusion_compile
    )
    if device == "cpu":
        log.warning(
            "the diffusion engine runs on the CPU (DEVICE=%s, no CUDA GPU): expect minutes "
            "per image; ENGINE=studio serves CPU-only machines in about a second",
            settings.device,
        )
    options = DiffusionOptions(
        steps=settings.diffusion_steps,
        guidance=settings.diffusion_guidance,
        max_count=settings.max_images_per_job,
        canvas_fill=settings.canvas_fill,
        batch_images=settings.diffusion_batch_images,
        max_expansion=settings.diffusion_max_expansion,
        rerolls=settings.diffusion_rerolls,
    )
    return DiffusionEngine(pipeline, segmenter, options)


def _load_labeler(settings: Settings, device: str) -> ProductLabeler | None:
    if not settings.label_model:
        return None
    try:
        return ProductLabeler.load(
            settings.label_model, device, settings.local_files_only, settings.label_min_confidence
        )
    except EngineUnavailable as error:
        log.warning("no product labels: %s", error)
        return None
