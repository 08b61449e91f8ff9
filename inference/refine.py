"""Correcting a segmentation model's mask with the photo's own colours.

A small model at 256 px fills holes (a ring's, the gaps between a chair's slats),
takes cast shadows and nearby clutter along, and loses thin parts. The photo itself
says where it is wrong. The backdrop is learned from the pixels the model is sure are
outside (inference.backdrop_evidence), then, region by region:

- *carved*: regions inside the mask that show the backdrop — walled off by colours
  unlike it, in its colours (or in its shadow), with its texture, and bounded by a
  sharp edge where they meet the product. Regions open to the outside (the space
  between a stool's legs) also need a product that stands out from the backdrop and a
  model that was unsure there;
- *dropped*: blobs left apart from the product that are shadows, specks, or in colours
  the product does not have (a toy that touched the sofa only through the floor).

Each change is one region judged on its own evidence; where the evidence is weak (the
product's colours are the backdrop's, as with white on white) the model's mask stays.
Works at WORK_SIDE pixels; the full-size edge is matting's job.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from inference.backdrop_evidence import Evidence, gather_evidence
from inference.colour_model import ColourModel

WORK_SIDE = 512
# How far (work pixels) a pixel must be from the model's mask to teach the backdrop model.
OUTSIDE_MARGIN = 6
# Regions smaller than this share of the product's area are left to matting.
MIN_REGION_SHARE = 0.002
# A carved region is mostly (this share) in the backdrop's typical colours,
MOSTLY_TYPICAL = 0.6
# has at least this share of the fine texture of the backdrop around it,
TEXTURE_KEPT = 0.5
# and a sharp edge along this share of its border with the product.
EDGE_SUPPORT = 0.5
# Bays (regions open to the outside) are carved only when the product's outline is in
# colours unlike the backdrop's over SEPARABLE of it, and the model's mean value over
# the bay is below BAY_CONFIDENCE.
SEPARABLE = 0.7
BAY_CONFIDENCE = 0.95
# A separate blob smaller than SPECK_SHARE of the largest is a speck; a larger one is
# the product's own part when OWN_SHARE of it is in the largest blob's colours (as
# likely under its palette as all but OWN_QUANTILE of its own pixels).
SPECK_SHARE = 0.01
OWN_QUANTILE, OWN_SHARE = 0.05, 0.5
CLOSE_COLOURS = (
    "the product's outline is in the background's colours, so the model's outline is kept"
)


@dataclass(frozen=True)
class Refined:
    """The corrected mask at work size (float32 in [0, 1]: the model's soft values where
    kept, 0 where carved or dropped), what was changed (shares of the model's area), the
    evidence a plausibility check needs, and why the refinement held back, if it did."""

    mask: np.ndarray
    carved: float
    dropped: float
    backdrop_like: np.ndarray  # H×W bool: pixels in the background's colours
    edges: np.ndarray  # H×W bool: the photo's sharp edges
    doubt: str | None


def refine(image: np.ndarray, coarse: np.ndarray) -> Refined:
    """`image` H×W×3 uint8 (any size), `coarse` the model's mask in [0, 1] (any size)."""
    small = work_copy(image)
    height, width = small.shape[:2]
    soft = cv2.resize(coarse.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    solid = soft >= 0.5
    outside = ~grown(solid, OUTSIDE_MARGIN)
    if outside.mean() < 0.05 or solid.sum() < 16:
        blank = np.zeros_like(solid)
        return Refined(soft, 0.0, 0.0, blank, blank, "no background is left to learn from")
    evidence = gather_evidence(small, outside)
    area = int(solid.sum())
    separable = float(evidence.unlike[solid & ~shrunk(solid, 3)].mean()) >= SEPARABLE
    carved = carve(soft, evidence, max(8, int(MIN_REGION_SHARE * area)), separable)
    kept = main_parts(small, solid & ~carved, evidence.shadow)
    dropped = solid & ~carved & ~kept
    return Refined(
        mask=np.where(carved | dropped, 0.0, soft).astype(np.float32),
        carved=float(carved.sum() / area),
        dropped=float(dropped.sum() / area),
        backdrop_like=evidence.typical,
        edges=evidence.edge,
        doubt=None if separable else CLOSE_COLOURS,
    )


def work_copy(image: np.ndarray) -> np.ndarray:
    height, width = image.shape[:2]
    scale = WORK_SIDE / max(height, width)
    if scale >= 1.0:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def kernel(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def grown(mask: np.ndarray, radius: int) -> np.ndarray:
    return cv2.dilate(mask.astype(np.uint8), kernel(radius)).astype(bool)


def shrunk(mask: np.ndarray, radius: int) -> np.ndarray:
    return cv2.erode(mask.astype(np.uint8), kernel(radius)).astype(bool)


def regions(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), 8)
    return count, labels, stats


def window(stat: np.ndarray, shape: tuple[int, int], margin: int) -> tuple[slice, slice]:
    """A region's bounding box (from its connected-components stats) grown by `margin`."""
    x, y, w, h = (int(v) for v in stat[:4])
    return (
        slice(max(0, y - margin), min(shape[0], y + h + margin)),
        slice(max(0, x - margin), min(shape[1], x + w + margin)),
    )


def exterior(solid: np.ndarray) -> np.ndarray:
    """The outside proper: the parts of the non-mask that reach the frame's edge (the
    others are holes the model already opened)."""
    _, labels, _ = regions(~solid)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    return np.isin(labels, edge[edge > 0])


def carve(soft: np.ndarray, evidence: Evidence, min_area: int, separable: bool) -> np.ndarray:
    """The regions inside the mask that show the backdrop (see the module's notes)."""
    solid = soft >= 0.5
    candidates = (solid & ~evidence.unlike).astype(np.uint8)
    candidates = cv2.morphologyEx(candidates, cv2.MORPH_OPEN, kernel(1)).astype(bool)
    count, labels, stats = regions(candidates)
    carved = np.zeros_like(solid)
    product, open_air = solid & ~candidates, grown(exterior(solid), 1)
    for index in range(1, count):
        if stats[index, cv2.CC_STAT_AREA] < min_area:
            continue
        box = window(stats[index], solid.shape, 3)
        region = labels[box] == index
        if not shows_backdrop(region, box, evidence, product):
            continue
        is_bay = bool((region & open_air[box]).any())
        if is_bay and not (separable and soft[box][region].mean() < BAY_CONFIDENCE):
            continue
        carved[box] |= region
    return carved


def shows_backdrop(
    region: np.ndarray, box: tuple[slice, slice], evidence: Evidence, product: np.ndarray
) -> bool:
    """Mostly the backdrop's typical colours, its texture (a smooth lid on concrete is
    not the concrete), and a sharp edge where the region meets the product (a cylinder's
    highlight, or the view through glass, fades in instead)."""
    if evidence.typical[box][region].mean() < MOSTLY_TYPICAL:
        return False
    texture = float(evidence.detail[box][region].mean())
    if texture < TEXTURE_KEPT * float(evidence.backdrop_detail[box][region].mean()):
        return False
    border = grown(region, 1) & ~region & product[box]
    return bool(border.any()) and float(evidence.edge[box][border].mean()) >= EDGE_SUPPORT


def main_parts(small: np.ndarray, mask: np.ndarray, shadow: np.ndarray) -> np.ndarray:
    """The largest blob, and the others unless they are specks, shadows or foreign:
    mostly in colours the largest blob does not have (a toy by the sofa, not the sofa's
    own leg that the model cut off)."""
    count, labels, stats = regions(mask)
    if count <= 2:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    largest = int(np.argmax(areas)) + 1
    main = labels == largest
    likelihood = ColourModel.fit(small[main]).log_likelihood(small)
    own_colours = likelihood >= np.quantile(likelihood[main], OWN_QUANTILE)
    kept = main.copy()
    for index in range(1, count):
        if index == largest or areas[index - 1] < SPECK_SHARE * areas.max():
            continue
        box = window(stats[index], mask.shape, 0)
        blob = labels[box] == index
        if shadow[box][blob].mean() < 0.5 and own_colours[box][blob].mean() >= OWN_SHARE:
            kept[box] |= blob
    return kept
