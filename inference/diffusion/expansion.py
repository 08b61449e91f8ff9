"""Object expansion: how far a generated scene grew the product past its own outline.

Inpainting models like to "complete" an object into the masked area — a sofa
gets a longer arm, a lamp a second shade (diffusers #5600). Even with the
product's pixels pasted back, that growth is visible. It is measured by
segmenting the finished image again and counting the product-looking pixels
outside the original mask, as a share of the product's own area.
"""

from __future__ import annotations

import cv2
import numpy as np

# Outline jitter of a re-segmentation, as a share of the image's longer side: not growth.
TOLERANCE_SHARE = 0.01


def object_expansion(original: np.ndarray, regenerated: np.ndarray) -> float:
    """Share of the product's area (alpha > 0.5 in `original`) that `regenerated` adds
    outside it; 0.0 is a perfect scene, 0.1 means the product looks 10% bigger."""
    product = original > 0.5
    area = int(product.sum())
    if area == 0:
        return 0.0
    tolerance = max(1, round(TOLERANCE_SHARE * max(original.shape)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * tolerance + 1, 2 * tolerance + 1))
    allowed = cv2.dilate(product.astype(np.uint8), kernel).astype(bool)
    grown = (regenerated > 0.5) & ~allowed
    return float(grown.sum()) / area
