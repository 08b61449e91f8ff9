"""The cut-out's worst cases, on the evaluation set's photos (bench.cutout_set): holes
opened, clutter and shadows left behind, thin products kept, white on white no worse
than the model, a product the model split or took the wall with mended, and where the
model took the whole wall or missed most of the product, the product cut right or the
photo refused — never a wrong product delivered, nor a photo with no product."""

from __future__ import annotations

import functools
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from scipy.ndimage import binary_fill_holes

from bench.cutout_set import Sample, sample
from cli.main import main
from inference.cutout import Cutout
from inference.segmentation import Segmenter, UnsureCutout, analysis_copy, load_segmenter
from tests.support.models import U2NETP, engine_settings, requires_u2netp

pytestmark = requires_u2netp


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return load_segmenter(engine_settings(Path()), "cpu")


@functools.cache
def photo_of(name: str, seed: int = 0) -> Sample:
    return sample(name, seed)


@functools.cache
def cut_of(name: str, seed: int = 0) -> Cutout:
    photo = Image.fromarray(photo_of(name, seed).photo)
    return load_segmenter(engine_settings(Path()), "cpu").cut(photo)


def right_or_refused(name: str, seed: int, right: float) -> float | None:
    """The cut-out's IoU, None when the photo was refused; fails when a cut-out was
    delivered that is not right (IoU under `right`)."""
    item = photo_of(name, seed)
    try:
        cutout = cut_of(name, seed)
    except UnsureCutout as refused:
        assert "could not be cut out" in str(refused) and "\n" not in str(refused)
        return None
    score = iou(cutout.alpha >= 0.5, item.alpha >= 0.5)
    assert score >= right, f"a wrong product delivered without a word: IoU {score:.3f}"
    return score


def models_own_mask(segmenter: Segmenter, item: Sample) -> np.ndarray:
    coarse = segmenter.masker.coarse_mask(analysis_copy(item.photo))
    size = item.alpha.shape[::-1]
    return cv2.resize(coarse, size, interpolation=cv2.INTER_LINEAR) >= 0.5


def iou(mask: np.ndarray, truth: np.ndarray) -> float:
    return float((mask & truth).sum() / (mask | truth).sum())


def holes(truth: np.ndarray, margin: int = 3) -> np.ndarray:
    """The background enclosed by the product, away from its edges."""
    enclosed = binary_fill_holes(truth) & ~truth
    return cv2.erode(enclosed.astype(np.uint8), np.ones((2 * margin + 1,) * 2)).astype(bool)


def test_the_hole_of_a_ring_on_wood_is_open(segmenter: Segmenter):
    item = photo_of("ring_on_wood")
    hole = holes(item.alpha >= 0.5)
    assert hole.sum() > 20_000
    assert (cut_of(item.name).alpha[hole] == 0.0).mean() >= 0.95
    # The model alone fills it with the old table: the check can fail.
    assert models_own_mask(segmenter, item)[hole].mean() > 0.5


def test_the_gaps_between_a_chairs_slats_are_open(segmenter: Segmenter):
    item = photo_of("slatted_chair_grey_wall")
    gaps = holes(item.alpha >= 0.5)
    assert gaps.sum() > 5_000
    assert (cut_of(item.name).alpha[gaps] == 0.0).mean() >= 0.9
    assert models_own_mask(segmenter, item)[gaps].mean() > 0.3


def below_the_product(item: Sample) -> np.ndarray:
    rows = np.flatnonzero((item.alpha >= 0.5).any(axis=1))
    below = np.zeros(item.alpha.shape, bool)
    below[rows[-1] + 4 :] = True
    return below


def test_clutter_that_touches_the_product_only_through_the_floor_is_dropped(
    segmenter: Segmenter,
):
    item = photo_of("sideboard_floor_clutter")
    floor = below_the_product(item)
    assert models_own_mask(segmenter, item)[floor].sum() > 2_000  # the model takes toys along
    assert cut_of(item.name).alpha[floor].max() == 0.0


def test_a_cast_shadow_is_left_behind(segmenter: Segmenter):
    item = photo_of("bar_stool_concrete")
    truth = item.alpha >= 0.5
    near = cv2.dilate(truth.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    rows = np.flatnonzero(truth.any(axis=1))
    floor = np.zeros_like(truth)
    floor[rows[-1] - (rows[-1] - rows[0]) // 4 :] = True  # the lowest quarter: legs, floor
    stray = floor & ~near  # the floor between and behind the legs, where the shadow falls
    by_model = int(models_own_mask(segmenter, item)[stray].sum())
    assert by_model > 0.03 * truth.sum()
    # What stays is the sliver of shadow touching a foot: under a fifth of the model's.
    assert (cut_of(item.name).alpha[stray] >= 0.5).sum() < 0.2 * by_model


def test_a_faint_shadow_apart_from_a_white_mug_on_a_white_sweep_is_left_behind(
    segmenter: Segmenter,
):
    """The handle's shadow on the sweep is the sweep's colour barely darker (most of it
    lighter than a shadow is counted) and the mug's colours too: it is the sweep's soft
    outline and texture that give it away."""
    item = photo_of("white_mug_light", 1)
    truth = item.alpha >= 0.5
    near = cv2.dilate(truth.astype(np.uint8), np.ones((15, 15), np.uint8)).astype(bool)
    apart = models_own_mask(segmenter, item) & ~near
    assert apart.sum() > 0.01 * truth.sum()  # the model takes the shadow along
    assert (cut_of(item.name, 1).alpha[apart] >= 0.5).sum() < 0.1 * apart.sum()


def test_a_ladder_in_front_of_tiles_is_kept_whole():
    item = photo_of("ladder_tiled_wall")
    cutout = cut_of(item.name)
    assert iou(cutout.alpha >= 0.5, item.alpha >= 0.5) >= 0.85
    assert cutout.doubt is not None and "implausible" in cutout.doubt


# Generator seeds (bench.cutout_set.sample) beyond the benchmark's sets, where u2netp takes
# the whole wall or a strip of it, misses most of a towel rail, or splits a floor lamp.


def test_a_ladder_whose_wall_the_model_took_is_cut_right_or_refused(segmenter: Segmenter):
    item = photo_of("ladder_tiled_wall", 12)
    assert iou(models_own_mask(segmenter, item), item.alpha >= 0.5) < 0.2  # the whole wall
    right_or_refused("ladder_tiled_wall", 12, right=0.85)


@pytest.mark.parametrize("seed", [1, 10, 11])
def test_a_wardrobe_with_a_strip_of_wall_is_cut_right_or_refused(segmenter: Segmenter, seed: int):
    item = photo_of("wardrobe_cut_by_frame", seed)
    assert iou(models_own_mask(segmenter, item), item.alpha >= 0.5) < 0.8  # wall taken along
    right_or_refused("wardrobe_cut_by_frame", seed, right=0.95)


def test_the_strip_of_wall_beside_a_wardrobe_is_carved(segmenter: Segmenter):
    item = photo_of("wardrobe_cut_by_frame", 11)
    strip = (
        models_own_mask(segmenter, item)
        & cv2.dilate(
            (item.alpha < 0.5).astype(np.uint8), np.ones((9, 9), np.uint8), borderValue=1
        ).astype(bool)
        & (item.alpha < 0.5)
    )
    assert strip.sum() > 50_000
    # What stays is the skirting board's line where the strip meets the floor.
    assert (cut_of(item.name, 11).alpha[strip] >= 0.5).mean() < 0.1


@pytest.mark.parametrize("seed", [1, 11, 12])
def test_a_towel_rail_the_model_barely_saw_is_cut_right_or_refused(segmenter: Segmenter, seed: int):
    item = photo_of("towel_radiator_tiles", seed)
    assert iou(models_own_mask(segmenter, item), item.alpha >= 0.5) < 0.35
    right_or_refused("towel_radiator_tiles", seed, right=0.75)


@pytest.mark.xfail(strict=True, reason="one upright seen clearly passes every check (BENCHMARKS)")
def test_a_towel_rail_seen_as_one_upright_is_cut_right_or_refused():
    right_or_refused("towel_radiator_tiles", 10, right=0.75)


def test_a_lamp_base_joined_to_its_shade_by_a_faint_stem_is_kept(segmenter: Segmenter):
    item = photo_of("floor_lamp_stem", 11)
    truth = item.alpha >= 0.5
    rows = np.flatnonzero(truth.any(axis=1))
    base = truth.copy()
    base[: rows[-1] - (rows[-1] - rows[0]) // 12] = False  # the lowest twelfth: the base
    seen = base & models_own_mask(segmenter, item)
    assert seen.sum() > 0.3 * base.sum()  # the model saw part of the base, in another colour
    assert (cut_of(item.name, 11).alpha[seen] >= 0.5).mean() > 0.9  # not dropped as clutter


def test_a_lamp_base_joined_to_its_shade_by_a_stem_the_model_missed_is_kept(
    segmenter: Segmenter,
):
    item = photo_of("floor_lamp_stem", 2)
    truth, own = item.alpha >= 0.5, models_own_mask(segmenter, item)
    rows = np.flatnonzero(truth.any(axis=1))
    top, height = rows[0], rows[-1] - rows[0]
    stem = truth.copy()
    stem[: top + height * 2 // 5], stem[top + height * 3 // 5 :] = False, False
    assert stem.any() and not (own & stem).any()  # the stem's middle: not seen at all
    base = truth & own
    base[: rows[-1] - height // 12] = False  # the lowest twelfth, in another colour
    assert base.sum() > 0.3 * (truth[rows[-1] - height // 12 :]).sum()
    assert (cut_of(item.name, 2).alpha[base] >= 0.5).mean() > 0.9  # not dropped as clutter


@pytest.mark.parametrize("seed", [2, 10])
def test_the_blades_the_model_missed_whole_are_kept_with_the_handles(
    segmenter: Segmenter, seed: int
):
    item = photo_of("scissors_on_workbench", seed)
    truth, own = item.alpha >= 0.5, models_own_mask(segmenter, item)
    blades = truth & ~cv2.dilate(own.astype(np.uint8), np.ones((15, 15), np.uint8)).astype(bool)
    assert blades.sum() > 0.2 * truth.sum()  # the model saw the handles only
    cut = cut_of(item.name, seed).alpha >= 0.5
    assert cut[blades].mean() > 0.85
    assert iou(cut, truth) > 0.9


def test_a_contact_shadow_along_the_sofas_bottom_is_not_taken_for_a_part():
    item = photo_of("sofa_floor_clutter", 13)
    truth = item.alpha >= 0.5
    below = ~cv2.dilate(truth.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    # The outline's own halo is about 1 % of the sofa; the strip of shadow is 2 % more.
    assert (cut_of(item.name, 13).alpha[below] >= 0.5).sum() < 0.02 * truth.sum()


def test_a_white_mug_is_cut_no_worse_than_by_the_model_alone(segmenter: Segmenter):
    item = photo_of("white_mug_light")
    truth = item.alpha >= 0.5
    refined = iou(cut_of(item.name).alpha >= 0.5, truth)
    assert refined >= iou(models_own_mask(segmenter, item), truth)


def test_the_product_inside_is_the_photo_bit_for_bit():
    item = photo_of("ring_on_wood")
    cutout = cut_of(item.name)
    solid = cutout.alpha == 1.0
    assert solid.sum() > 0.05 * solid.size
    assert np.array_equal(cutout.foreground[solid], item.photo[solid].astype(np.float32))
    assert set(np.unique(cutout.alpha[cutout.alpha > 0.999])) == {1.0}


def blank_and_noise() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [
        np.full((256, 320, 3), 205, np.uint8),
        rng.integers(0, 256, (256, 320, 3)).astype(np.uint8),
        np.tile(np.linspace(30, 220, 320).astype(np.uint8)[None, :, None], (256, 1, 3)),
    ]


@pytest.mark.parametrize("index", range(3), ids=["blank", "noise", "gradient"])
def test_a_photo_without_a_product_is_refused_in_one_line(segmenter: Segmenter, index: int):
    with pytest.raises(UnsureCutout) as raised:
        segmenter.cut(Image.fromarray(blank_and_noise()[index]))
    message = str(raised.value)
    assert "\n" not in message and "could not be cut out" in message


def test_generate_exits_non_zero_with_one_line_when_unsure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MODELS_DIR", str(U2NETP.parent))
    monkeypatch.setenv("DEVICE", "cpu")
    Image.fromarray(blank_and_noise()[0]).save(tmp_path / "wall.png")
    argv = ["generate", "wall.png", "--style", "minimal", "--engine", "studio", "--out", "o"]
    assert main(argv) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("vitrina generate: wall.png: the product could not be cut out")
    assert not list((tmp_path / "o").glob("*.png")), "no blank image is written"
