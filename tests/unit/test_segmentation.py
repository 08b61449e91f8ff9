"""Cut-outs: holes kept, no halo, specks dropped, a classical fallback when no model is here."""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from inference.cutout import Cutout
from inference.segmentation.grabcut import GrabCutMasker
from inference.segmentation.segmenter import Segmenter, load_segmenter
from tests.support.models import U2NETP, engine_settings, requires_u2netp
from tests.support.photos import ORANGE, ring_photo, white_box_photo


@pytest.fixture(scope="module")
def u2netp() -> Segmenter:
    return load_segmenter(engine_settings(Path()), "cpu")


@pytest.fixture(params=[pytest.param("u2netp", marks=requires_u2netp), "grabcut"])
def segmenter(request: pytest.FixtureRequest) -> Segmenter:
    if request.param == "grabcut":
        return Segmenter(GrabCutMasker())
    return request.getfixturevalue("u2netp")


def eroded(alpha: np.ndarray, px: int = 2) -> np.ndarray:
    return cv2.erode((alpha >= 1.0).astype(np.uint8), np.ones((2 * px + 1,) * 2)).astype(bool)


def test_a_ring_keeps_its_hole(segmenter: Segmenter):
    cutout = segmenter.cut(ring_photo(256))
    centre, body = cutout.alpha[128, 128], cutout.alpha[128, 128 + 68]
    assert centre == 0.0, "the hole must show the new backdrop"
    assert body == 1.0
    assert cutout.alpha[2, 2] == 0.0


def test_the_product_inside_is_the_photo_bit_for_bit(segmenter: Segmenter):
    photo = ring_photo(256)
    cutout = segmenter.cut(photo)
    inside = eroded(cutout.alpha)
    assert inside.sum() > 0.2 * inside.size
    assert np.array_equal(cutout.foreground[inside], np.asarray(photo)[inside].astype(np.float32))


def test_white_on_colour_edges_carry_no_backdrop_colour(segmenter: Segmenter):
    photo = np.asarray(white_box_photo(256))
    cutout = segmenter.cut(Image.fromarray(photo))
    edge = (cutout.alpha > 0.0) & (cutout.alpha < 1.0)
    assert edge.sum() > 100, "anti-aliased edges give soft alpha"
    # On white, a halo shows as edge pixels darker or bluer than the product.
    on_white = cutout.alpha[..., None] * cutout.foreground + (1 - cutout.alpha[..., None]) * 255
    assert on_white[edge].min() >= 235, "a dark or blue fringe around the white product"
    # Without decontamination the same edge is visibly darker: the check can fail.
    naive = cutout.alpha[..., None] * photo + (1 - cutout.alpha[..., None]) * 255
    assert naive[edge].min() < 225


def test_small_specks_are_dropped_but_the_product_kept(segmenter: Segmenter):
    photo = np.asarray(ring_photo(256)).copy()
    cv2.circle(photo, (12, 240), 2, ORANGE, -1)
    cutout = segmenter.cut(Image.fromarray(photo))
    assert cutout.alpha[235:245, 7:17].max() == 0.0
    assert cutout.alpha[128, 128 + 68] == 1.0


def test_a_transparent_png_is_taken_as_already_cut(u2netp: Segmenter):
    rgba = np.zeros((64, 64, 4), np.uint8)
    rgba[16:48, 16:48] = (10, 200, 30, 255)
    rgba[15, 16:48, 3] = 128
    cutout = u2netp.cut(Image.fromarray(rgba))
    assert isinstance(cutout, Cutout)
    assert np.array_equal(cutout.mask_image(), rgba[..., 3])


def test_a_missing_model_file_falls_back_to_grabcut_in_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    settings = engine_settings(tmp_path, models_dir=tmp_path, segmentation_model="u2net")
    with caplog.at_level(logging.WARNING, logger="inference"):
        fallback = load_segmenter(settings, "cpu")
    assert fallback.name == "grabcut"
    (record,) = caplog.records
    message = record.getMessage()
    assert "\n" not in message
    assert str(tmp_path / "u2net.onnx") in message and "SEGMENTATION_MODEL" in message


def test_an_unknown_model_name_is_named_in_the_message(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    settings = engine_settings(tmp_path, segmentation_model="no-such-model")
    with caplog.at_level(logging.WARNING, logger="inference"):
        assert load_segmenter(settings, "cpu").name == "grabcut"
    assert "no-such-model" in caplog.records[0].getMessage()


@requires_u2netp
def test_a_local_onnx_path_is_used(tmp_path: Path):
    settings = engine_settings(tmp_path, segmentation_model=str(U2NETP))
    assert load_segmenter(settings, "cpu").name == "u2netp"
