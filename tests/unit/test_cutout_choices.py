"""The user's cut-out choices: holes filled, tighter, looser, GrabCut; a choice the user
looked at is not refused for looking implausible, an empty one is; the preview image."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bench.cutout_set import sample
from inference.segmentation import (
    CutoutChoice,
    Segmenter,
    UnsureCutout,
    checkerboard_preview,
    load_segmenter,
)
from tests.support.models import engine_settings, requires_u2netp
from tests.support.photos import ORANGE, ring_photo
from tests.unit.test_cutout_quality import blank_and_noise

pytestmark = requires_u2netp


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return load_segmenter(engine_settings(Path()), "cpu")


@pytest.fixture(scope="module")
def sofa() -> Image.Image:
    return Image.fromarray(sample("sofa_floor_clutter", 0).photo)


def area(segmenter: Segmenter, photo: Image.Image, choice: CutoutChoice) -> np.ndarray:
    return segmenter.cut(photo, choice).alpha >= 0.5


def test_auto_opens_the_rings_hole_and_holes_filled_keeps_it_filled(segmenter: Segmenter):
    photo = ring_photo(256)
    assert segmenter.cut(photo).alpha[128, 128] == 0.0
    filled = segmenter.cut(photo, CutoutChoice.HOLES_FILLED)
    assert filled.alpha[128, 128] == 1.0 and filled.alpha[2, 2] == 0.0
    solid = filled.alpha == 1.0
    assert np.array_equal(filled.foreground[solid], np.asarray(photo)[solid].astype(np.float32))


def test_tighter_is_inside_auto_and_looser_outside_it(segmenter: Segmenter, sofa: Image.Image):
    tighter, auto, looser = (
        area(segmenter, sofa, c)
        for c in (CutoutChoice.TIGHTER, CutoutChoice.AUTO, CutoutChoice.LOOSER)
    )
    assert tighter.sum() < 0.97 * auto.sum() and looser.sum() > 1.03 * auto.sum()
    assert (tighter & ~auto).sum() < 0.01 * auto.sum()
    assert (auto & ~looser).sum() < 0.01 * auto.sum()


def test_grabcut_gives_a_second_opinion(segmenter: Segmenter, sofa: Image.Image):
    model, grabcut = (area(segmenter, sofa, c) for c in (CutoutChoice.AUTO, CutoutChoice.GRABCUT))
    assert (model ^ grabcut).sum() > 0.02 * model.sum()


def test_a_choice_the_user_looked_at_is_not_refused_as_implausible(segmenter: Segmenter):
    noise = Image.fromarray(blank_and_noise()[1])
    with pytest.raises(UnsureCutout):
        segmenter.cut(noise)
    tighter = segmenter.cut(noise, CutoutChoice.TIGHTER)
    assert tighter.doubt and "\n" not in tighter.doubt
    shown = segmenter.cut(noise, insist=True)  # the automatic attempt, to show as doubtful
    assert "could not be cut out reliably" in shown.unsure and (shown.alpha >= 0.5).any()
    assert tighter.unsure is None  # the user's own choice is to be painted with


def test_a_choice_that_leaves_nothing_is_refused_in_one_line(segmenter: Segmenter):
    blank = Image.fromarray(blank_and_noise()[0])
    with pytest.raises(UnsureCutout) as raised:
        segmenter.cut(blank, CutoutChoice.LOOSER)
    assert "could not be cut out" in str(raised.value) and "\n" not in str(raised.value)


def test_the_preview_is_a_small_jpeg_with_a_checkerboard_behind_the_product(
    segmenter: Segmenter,
):
    cutout = segmenter.cut(ring_photo(1000))
    preview = Image.open(io.BytesIO(checkerboard_preview(cutout)))
    assert preview.format == "JPEG" and max(preview.size) == 640
    pixels = np.asarray(preview).astype(int)
    corner = pixels[:32, :32].mean(axis=2)  # the old backdrop is gone: two shades of grey
    assert corner.max() - corner.min() > 30 and np.ptp(pixels[:32, :32], axis=2).max() < 12
    assert np.abs(pixels[320, 320 + 170] - ORANGE).max() < 12  # the ring itself
