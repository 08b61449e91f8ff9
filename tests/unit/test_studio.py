"""The studio engine: product pixels untouched, marketplace white, shadows, canvases, variations."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from catalog import style_ids
from inference.canvas import CANVAS_PRESETS, parse_canvas
from inference.engine import GenerationRequest, InvalidRequest
from inference.segmentation.grabcut import GrabCutMasker
from inference.segmentation.segmenter import Segmenter, load_segmenter
from inference.studio.engine import StudioEngine
from tests.support.models import engine_settings
from tests.support.photos import ring_photo, white_box_photo


@pytest.fixture(scope="module")
def studio() -> StudioEngine:
    settings = engine_settings(Path())
    return StudioEngine(load_segmenter(settings, "cpu"), 4, settings.canvas_fill)


def product_core(mask: Image.Image, px: int = 2) -> np.ndarray:
    """Where the mask is fully product, eroded: pixels there must equal the photo's."""
    solid = (np.asarray(mask) == 255).astype(np.uint8)
    return cv2.erode(solid, np.ones((2 * px + 1,) * 2, np.uint8)).astype(bool)


@pytest.mark.parametrize("style", style_ids())
def test_every_style_keeps_the_product_pixels_exactly(studio: StudioEngine, style: str):
    photo = ring_photo(160)
    result = studio.generate(GenerationRequest(image=photo, style=style, count=1, seed=7))
    core = product_core(result.mask)
    assert core.sum() > 0.15 * core.size
    (image,) = result.images
    assert image.size == photo.size and image.mode == "RGB"
    assert np.array_equal(np.asarray(image)[core], np.asarray(photo)[core])
    assert result.engine == "studio" and result.mask.mode == "L"


def test_marketplace_white_is_255_with_a_shadow_under_the_product(studio: StudioEngine):
    result = studio.generate(GenerationRequest(image=white_box_photo(200), style="studio-white"))
    image = np.asarray(result.images[0]).astype(int)
    mask = np.asarray(result.mask)
    far = cv2.dilate((mask > 0).astype(np.uint8), np.ones((61, 61), np.uint8)) == 0
    assert far.sum() > 0.2 * far.size
    assert (image[far] == 255).all(), "the backdrop away from the product is pure white"
    rows = np.flatnonzero(mask.max(axis=1) > 0)
    below_base = image[rows[-1] + 2, 60:140]
    assert below_base.min() < 235, "a contact shadow darkens the floor under the product"


def test_white_on_colour_shows_no_fringe_on_white(studio: StudioEngine):
    result = studio.generate(GenerationRequest(image=white_box_photo(256), style="studio-white"))
    alpha = np.asarray(result.mask)
    edge = (alpha > 0) & (alpha < 255)
    top_half = np.zeros_like(edge)
    top_half[:128] = True  # away from the contact shadow at the base
    assert np.asarray(result.images[0])[edge & top_half].min() >= 235


def test_variations_differ_and_repeat_with_their_seed(studio: StudioEngine):
    request = GenerationRequest(image=ring_photo(128), style="minimal", count=3, seed=11)
    first, again = studio.generate(request), studio.generate(request)
    images = [np.asarray(image) for image in first.images]
    assert len(images) == 3
    assert all(not np.array_equal(a, b) for i, a in enumerate(images) for b in images[i + 1 :])
    assert all(np.array_equal(a, np.asarray(b)) for a, b in zip(images, again.images, strict=True))
    assert first.details["seeds"] == [11, 12, 13]


def test_progress_counts_the_variations(studio: StudioEngine):
    calls = []
    request = GenerationRequest(image=ring_photo(96), style="loft", count=2)
    studio.generate(request, lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]


@pytest.mark.parametrize("preset", ["square", "3:4", "16:9"])
def test_a_canvas_frames_the_product_at_the_fill_share(studio: StudioEngine, preset: str):
    request = GenerationRequest(
        image=ring_photo(200), style="scandinavian", canvas=CANVAS_PRESETS[preset]
    )
    result = studio.generate(request)
    (image,) = result.images
    assert image.size == CANVAS_PRESETS[preset]
    assert result.mask.size == (200, 200), "the mask stays the input's cut-out"
    # The ring is round: its diameter is the fill share of the frame's shorter side.
    photo = np.asarray(image).astype(int)
    orange = (photo[..., 0] > 200) & (photo[..., 2] < 80)
    rows, cols = np.flatnonzero(orange.any(axis=1)), np.flatnonzero(orange.any(axis=0))
    expected = 0.85 * min(image.size)
    assert abs((rows[-1] - rows[0] + 1) - expected) <= 3
    assert abs((cols[0] + cols[-1]) / 2 - image.size[0] / 2) <= 2


def test_canvas_text_is_parsed_or_refused_with_a_reason():
    assert parse_canvas("1000x800") == (1000, 800)
    assert parse_canvas("3:4") == (900, 1200)
    with pytest.raises(ValueError, match="WIDTHxHEIGHT"):
        parse_canvas("big")
    with pytest.raises(ValueError, match="64–4096"):
        parse_canvas("10x10")


def test_bad_requests_say_what_to_fix():
    engine = StudioEngine(Segmenter(GrabCutMasker()), 4, 0.85)
    photo = ring_photo(64)
    with pytest.raises(InvalidRequest, match="count must be 1–4"):
        engine.generate(GenerationRequest(image=photo, style="loft", count=5))
    with pytest.raises(InvalidRequest, match="unknown style"):
        engine.generate(GenerationRequest(image=photo, style="baroque"))
    with pytest.raises(InvalidRequest, match="at least 32 px"):
        engine.generate(GenerationRequest(image=Image.new("RGB", (8, 8)), style="loft"))


@pytest.mark.parametrize("style", ["scandinavian", "minimal"])
def test_an_albums_backdrops_differ_in_tone_at_a_glance(studio: StudioEngine, style: str):
    request = GenerationRequest(image=ring_photo(128), style=style, count=4, seed=20)
    result = studio.generate(request)
    corners = [np.asarray(image)[:12, :12].reshape(-1, 3).mean(axis=0) for image in result.images]
    for i, a in enumerate(corners):
        for b in corners[i + 1 :]:
            assert np.abs(a - b).max() >= 6, "two variations of one album share their tone"


def test_marketplace_white_stays_255_in_every_variation(studio: StudioEngine):
    request = GenerationRequest(image=white_box_photo(160), style="studio-white", count=4)
    for image in studio.generate(request).images:
        assert (np.asarray(image)[:10] == 255).all()
