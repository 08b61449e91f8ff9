"""Is the fallback's cut-out believable where the model's was not?

The fallback (GrabCut, seeded with the frame's border as background) is a colour
method: it finds *something* that differs from the border in every photo. When the
model's mask was implausible, the fallback's replaces it only if it is believable on
its own terms and consistent with what the model saw:

- its colours separate: along its outline, the pixels inside are told from those
  outside by the two sides' own colour distributions (a strip of floor cut from a
  white wardrobe on a white wall is not);
- it keeps a good part of what the model found: a fallback that finds a sliver of the
  model's mask (a ladder's blue top step, out of a ladder the model saw with the whole
  wall) has found a truncated or another object.

Otherwise the photo is refused rather than answered with a wrong product.
"""

from __future__ import annotations

import numpy as np

from inference.segmentation.colour_model import ColourModel, colour_index
from inference.segmentation.refine import grown, shrunk, work_copy

# Along the outline (BAND work pixels either side), the mean probability that a pixel is
# on its own side, by the two sides' colour distributions, is at least SEPARATES.
BAND, SEPARATES = 4, 0.8
# The fallback's mask covers at least AGREES of the model's own mask (at one half).
AGREES = 0.2


def fallback_doubt(image: np.ndarray, model_solid: np.ndarray, fallback: np.ndarray) -> str | None:
    """Why the fallback's mask (work size, bool) cannot stand in for the model's own
    (`model_solid`, same size), or None when it can. `image` is the photo (any size)."""
    if (fallback & model_solid).sum() < AGREES * model_solid.sum():
        return "the second method found only a small part of what the model saw"
    bins = colour_index(work_copy(image))
    if colour_separability(bins, fallback) < SEPARATES:
        return "the second method's outline does not separate the product's colours"
    return None


def colour_separability(bins: np.ndarray, mask: np.ndarray) -> float:
    """How well the colours of the inside and of the outside tell the pixels next to the
    outline apart: 1 when perfectly, 0.5 when no better than chance."""
    if not mask.any() or mask.all():
        return 0.5
    share = float(mask.mean())
    inside = ColourModel.fit(bins[mask]).density[bins] * share
    outside = ColourModel.fit(bins[~mask]).density[bins] * (1.0 - share)
    product = inside / np.maximum(inside + outside, 1e-12)
    inner, outer = mask & ~shrunk(mask, BAND), grown(mask, BAND) & ~mask
    return 0.5 * (float(product[inner].mean()) + float(1.0 - product[outer].mean()))
