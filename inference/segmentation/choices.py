"""A user's cut-out choice applied to the refined mask, before matting.

The mask is the refinement's (work size, float in [0, 1]); matting settles the edge at
full size afterwards, so the product's own pixels stay the photo's whatever the choice.
"""

from __future__ import annotations

import math

import numpy as np

from catalog.cutouts import CutoutChoice
from inference.segmentation.refine import exterior, grown, shrunk

# Tighter and looser move the outline by this share of the product's size (the square
# root of its area): enough to see, little enough to keep its shape.
OUTLINE_SHIFT = 0.03


def adjusted(mask: np.ndarray, choice: CutoutChoice) -> np.ndarray:
    """`mask` as `choice` asks; AUTO and GRABCUT leave it as it is."""
    solid = mask >= 0.5
    if choice == CutoutChoice.HOLES_FILLED:
        return np.where(~solid & ~exterior(solid), 1.0, mask).astype(np.float32)
    if choice not in (CutoutChoice.TIGHTER, CutoutChoice.LOOSER):
        return mask
    radius = max(1, round(OUTLINE_SHIFT * math.sqrt(int(solid.sum()))))
    if choice == CutoutChoice.TIGHTER:
        return np.where(shrunk(solid, radius), mask, 0.0).astype(np.float32)
    return np.where(grown(solid, radius) & ~solid, 1.0, mask).astype(np.float32)
