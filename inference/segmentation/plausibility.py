"""Is a product mask believable? A one-line reason when it is not.

A segmentation model always answers, even for a photo it cannot read: a mask that
is almost empty, covers the whole frame, falls apart into pieces, runs into the
frame's edge where the photo shows only background, runs off three sides of the
frame (the wall behind the product taken with it), or outlines something that does
not stand out from its surroundings is not a product, and composing it would give
the user a blank or broken image without a word.
"""

from __future__ import annotations

import cv2
import numpy as np

# The product covers at least MIN_COVER and at most MAX_COVER of the frame.
MIN_COVER, MAX_COVER = 0.002, 0.9
# Pieces of at least PIECE_SHARE of the mask count; with PIECES or more of them and the
# largest under LARGEST_SHARE of the mask, the mask is shattered.
PIECE_SHARE, PIECES, LARGEST_SHARE = 0.01, 3, 0.5
# Where the mask meets the frame's edge along at least FRAME_TOUCH of the frame's
# perimeter, the photo there must not be mostly (FRAME_BACKDROP) background.
FRAME_TOUCH, FRAME_BACKDROP = 0.02, 0.5
# A product photo shows the product whole, or cut by one or two sides of the frame (a
# wardrobe by the top, a sofa by its side); a mask running along at least SIDE_RUN of
# THREE_SIDES of the frame's sides is the wall behind it.
SIDE_RUN, THREE_SIDES = 0.25, 3
# A product stands out: a sharp edge along at least OUTLINE_EDGES of its outline, or
# less than MOSTLY_BACKDROP of it in the background's colours.
OUTLINE_EDGES, MOSTLY_BACKDROP = 0.15, 0.8
# A model sees a product it recognises clearly: its confident mask (at least one half)
# is not under CLEAR_SHARE of the area it sees even faintly (at least FAINT).
FAINT, CLEAR_SHARE = 0.15, 0.35


def implausibility(mask: np.ndarray, backdrop_like: np.ndarray, edges: np.ndarray) -> str | None:
    """Why `mask` (H×W bool) cannot be the product, or None when it can. `backdrop_like`
    marks pixels in the background's colours, `edges` the photo's sharp edges."""
    cover = float(mask.mean())
    if cover < MIN_COVER:
        return "almost nothing in the photo was found to be the product"
    if cover > MAX_COVER:
        return "the whole photo was taken for the product, no background was found"
    for check in (_shattered, _whole_wall, _cut_by_frame, _blends_in):
        reason = check(mask, backdrop_like, edges)
        if reason is not None:
            return reason
    return None


def _shattered(mask: np.ndarray, backdrop_like: np.ndarray, edges: np.ndarray) -> str | None:
    _, _, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
        mask.astype(np.uint8), 8, cv2.CV_32S, cv2.CCL_GRANA
    )
    areas = stats[1:, cv2.CC_STAT_AREA] / max(1, int(mask.sum()))
    pieces = int((areas >= PIECE_SHARE).sum())
    if pieces >= PIECES and areas.max() < LARGEST_SHARE:
        return f"the product's outline fell apart into {pieces} pieces"
    return None


def _whole_wall(mask: np.ndarray, backdrop_like: np.ndarray, edges: np.ndarray) -> str | None:
    sides = [mask[0], mask[-1], mask[:, 0], mask[:, -1]]
    if sum(float(side.mean()) >= SIDE_RUN for side in sides) >= THREE_SIDES:
        return "the outline runs off three sides of the frame, taking the wall behind along"
    return None


def _cut_by_frame(mask: np.ndarray, backdrop_like: np.ndarray, edges: np.ndarray) -> str | None:
    if not touches_frame(mask):
        return None
    touching = mask.copy()
    touching[1:-1, 1:-1] = False
    if backdrop_like[touching].mean() >= FRAME_BACKDROP:
        return "the outline runs into the frame's edge where the photo shows background"
    return None


def _blends_in(mask: np.ndarray, backdrop_like: np.ndarray, edges: np.ndarray) -> str | None:
    outline = mask & ~cv2.erode(mask.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    if edges[outline].mean() >= OUTLINE_EDGES or backdrop_like[mask].mean() < MOSTLY_BACKDROP:
        return None
    return "nothing in the photo stands out from its background"


def seen_faintly(coarse: np.ndarray) -> str | None:
    """Why a model's soft mask (values in [0, 1]) shows it unsure of the product, or None."""
    faint = int((coarse >= FAINT).sum())
    if faint >= MIN_COVER * coarse.size and (coarse >= 0.5).sum() < CLEAR_SHARE * faint:
        return "the model saw most of the product only faintly"
    return None


def touches_frame(mask: np.ndarray, share: float = FRAME_TOUCH) -> bool:
    """Whether the mask meets the frame's edge along `share` of its perimeter or more."""
    ring = np.zeros_like(mask)
    ring[0], ring[-1], ring[:, 0], ring[:, -1] = True, True, True, True
    return bool((mask & ring).sum() >= share * ring.sum())
