"""The diffusion engine on tiny random SD 1.5 and SDXL inpainting pipelines.

Loaded from `save_pretrained` folders through the production loader, run at 64 px:
the pictures are noise, but the product must come through bit for bit, every
variation must differ, and batching must hand each request its own images.
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from catalog.cutouts import CutoutChoice
from inference.diffusion.engine import (
    REROLL_SEED_OFFSET,
    DiffusionEngine,
    DiffusionOptions,
    repaint_mask,
    working_size,
)
from inference.diffusion.expansion import object_expansion
from inference.diffusion.pipelines import load_inpaint_pipeline
from inference.engine import GenerationRequest
from inference.segmentation.segmenter import Segmenter, load_segmenter
from tests.support.models import engine_settings
from tests.support.photos import ring_photo, white_box_photo

OPTIONS = DiffusionOptions(
    steps=2,
    guidance=7.5,
    max_count=4,
    canvas_fill=0.85,
    batch_images=3,
    max_expansion=1.0,  # re-rolls are tested on their own below
    rerolls=0,
)


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return load_segmenter(engine_settings(Path()), "cpu")


@pytest.fixture(scope="module", params=["tiny_sd_inpaint", "tiny_sdxl_inpaint"])
def pipeline(request: pytest.FixtureRequest) -> object:
    folder = request.getfixturevalue(request.param)
    return load_inpaint_pipeline(str(folder), "cpu", local_files_only=True)


@pytest.fixture(scope="module")
def engine(pipeline: object, segmenter: Segmenter) -> DiffusionEngine:
    return DiffusionEngine(pipeline, segmenter, OPTIONS)


def product_core(mask: Image.Image, px: int = 2) -> np.ndarray:
    solid = (np.asarray(mask) == 255).astype(np.uint8)
    return cv2.erode(solid, np.ones((2 * px + 1,) * 2, np.uint8)).astype(bool)


def test_the_product_is_never_redrawn_and_variations_differ(engine: DiffusionEngine):
    photo = ring_photo(96)
    result = engine.generate_batch([GenerationRequest(image=photo, style="loft", count=3, seed=5)])[
        0
    ]
    assert result.engine == "diffusion" and len(result.images) == 3
    core = product_core(result.mask)
    assert core.sum() > 0.15 * core.size
    images = [np.asarray(image) for image in result.images]
    for image in images:
        assert image.shape == (96, 96, 3)
        assert np.array_equal(image[core], np.asarray(photo)[core])
    backdrop = ~cv2.dilate(core.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    for i, a in enumerate(images):
        for b in images[i + 1 :]:
            assert np.abs(a[backdrop].astype(int) - b[backdrop]).mean() > 1.0
    assert result.details["seeds"] == [5, 6, 7]
    assert result.details["working_size"] == [64, 64]


def test_one_batched_call_serves_several_requests_with_progress(engine: DiffusionEngine):
    calls: dict[int, list[tuple[int, int]]] = {0: [], 1: []}
    requests = [
        GenerationRequest(image=ring_photo(96), style="nature", count=2, seed=1),
        GenerationRequest(image=white_box_photo(80), style="classic", count=2, seed=1),
    ]
    progress = [lambda d, t, i=i: calls[i].append((d, t)) for i in (0, 1)]
    results = engine.generate_batch(requests, progress)
    assert [len(r.images) for r in results] == [2, 2]
    assert [r.images[0].size for r in results] == [(96, 96), (80, 80)]
    for request, result in zip(requests, results, strict=True):
        core = product_core(result.mask)
        assert np.array_equal(np.asarray(result.images[1])[core], np.asarray(request.image)[core])
    # 4 images at 3 a call: the second request is split over two calls, reported in order.
    for steps in calls.values():
        assert steps == sorted(steps) and steps[-1][0] == steps[-1][1]


def test_a_canvas_paints_a_whole_new_frame(engine: DiffusionEngine):
    request = GenerationRequest(image=ring_photo(96), style="minimal", canvas=(120, 90))
    result = engine.generate_batch([request])[0]
    assert result.images[0].size == (120, 90)
    assert result.mask.size == (96, 96)


def test_the_model_repaints_the_edge_band_too():
    alpha = np.zeros((64, 64), np.float32)
    alpha[16:48, 16:48] = 1.0
    alpha[15, 16:48] = 0.5
    mask = np.asarray(repaint_mask(alpha, (64, 64), grow_px=4)) > 0
    assert mask[0, 0] and mask[15, 30], "the backdrop and the soft edge are repainted"
    assert mask[19, 30], "one latent cell into the product, so no old backdrop ghost survives"
    assert not mask[32, 32]


def test_working_size_keeps_the_aspect_near_the_native_area():
    assert working_size((1024, 1024), 512, 64) == (512, 512)
    width, height = working_size((1600, 1200), 512, 64)
    assert width % 64 == 0 and height % 64 == 0
    assert abs(width / height - 4 / 3) < 0.2 and abs(width * height - 512**2) < 0.2 * 512**2


def test_object_expansion_counts_growth_past_the_outline_only():
    original = np.zeros((100, 100), np.float32)
    original[30:70, 30:70] = 1.0
    assert object_expansion(original, original) == 0.0
    jitter = np.roll(original, 1, axis=1)  # a re-segmentation 1 px off: within tolerance
    assert object_expansion(original, jitter) == 0.0
    grown = original.copy()
    grown[70:90, 30:70] = 1.0  # a 20 px "extension" below the product
    assert object_expansion(original, grown) == pytest.approx(19 * 40 / 1600, abs=0.01)


class GrowingFirst:
    """A segmenter whose first looks at painted images see the product grown, and
    later looks exactly the product it cut out. Thread-safe: the engine looks from
    several threads at once."""

    def __init__(self, real: Segmenter, grown_looks: int) -> None:
        self.real, self.name, self.grown_looks = real, real.name, grown_looks
        self.product: np.ndarray | None = None
        self.lock = threading.Lock()

    def cut(self, photo: Image.Image, choice: CutoutChoice = CutoutChoice.AUTO):
        cutout = self.real.cut(photo, choice)
        self.product = cutout.alpha
        return cutout

    def coarse_alpha(self, image: np.ndarray) -> np.ndarray:
        with self.lock:
            grown, self.grown_looks = self.grown_looks > 0, self.grown_looks - 1
        return cv2.dilate(self.product, np.ones((31, 31), np.uint8)) if grown else self.product


def test_variations_that_grow_the_product_are_painted_again(pipeline: object, segmenter: Segmenter):
    options = DiffusionOptions(**{**vars(OPTIONS), "max_expansion": 0.05, "rerolls": 1})
    engine = DiffusionEngine(pipeline, GrowingFirst(segmenter, grown_looks=1), options)
    result = engine.generate_batch(
        [GenerationRequest(image=ring_photo(96), style="loft", count=2)]
    )[0]
    # One variation looked grown: it alone was painted again, with a new seed.
    rerolled = [seed >= REROLL_SEED_OFFSET for seed in result.details["seeds"]]
    assert sorted(rerolled) == [False, True]
    assert result.details["expansion"] == [0.0, 0.0]
