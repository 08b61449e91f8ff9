"""The classical cut-out used when no segmentation model file is on the machine.

OpenCV's GrabCut, seeded with the photo's border as certain background, pixels
of the border's colours as probable background and the rest as probable
product: it needs no weights, suits a product shot on a fairly even backdrop,
and keeps a ring's hole when the backdrop shows through it.
"""

from __future__ import annotations

import cv2
import numpy as np

# GrabCut is O(pixels × iterations); at this size it takes a fraction of a second
# and the mask is refined at full size afterwards anyway.
WORK_SIDE = 256
BORDER_SHARE = 0.04
ITERATIONS = 5
# Border colours found by k-means, and how near (RGB distance) counts as "backdrop-like".
BORDER_COLOURS = 3
BACKDROP_DISTANCE = 24.0


class GrabCutMasker:
    name = "grabcut"

    def coarse_mask(self, image: np.ndarray) -> np.ndarray:
        """Float32 mask in [0, 1] at a reduced size, 1 where the product is."""
        cv2.setRNGSeed(0)  # k-means and GrabCut start from random draws: same photo, same cut
        height, width = image.shape[:2]
        scale = min(1.0, WORK_SIDE / max(height, width))
        small_size = (max(8, round(width * scale)), max(8, round(height * scale)))
        small = cv2.resize(image, small_size, interpolation=cv2.INTER_AREA)
        border = np.zeros(small.shape[:2], bool)
        width_px = max(1, round(BORDER_SHARE * max(small_size)))
        border[:width_px], border[-width_px:] = True, True
        border[:, :width_px], border[:, -width_px:] = True, True
        labels = np.where(_backdrop_like(small, border), cv2.GC_PR_BGD, cv2.GC_PR_FGD)
        labels = np.where(border, cv2.GC_BGD, labels).astype(np.uint8)
        if not (labels == cv2.GC_PR_FGD).any():  # all of it looks like the border: nothing
            return np.zeros(small.shape[:2], np.float32)
        background_model = np.zeros((1, 65), np.float64)
        foreground_model = np.zeros((1, 65), np.float64)
        cv2.grabCut(
            cv2.cvtColor(small, cv2.COLOR_RGB2BGR),
            labels,
            None,
            background_model,
            foreground_model,
            ITERATIONS,
            cv2.GC_INIT_WITH_MASK,
        )
        product = (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)
        return product.astype(np.float32)


def _backdrop_like(image: np.ndarray, border: np.ndarray) -> np.ndarray:
    """Pixels whose colour is near one of the border's main colours."""
    samples = image[border].astype(np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 1.0)
    clusters = min(BORDER_COLOURS, len(samples))
    _, _, centres = cv2.kmeans(samples, clusters, None, criteria, 1, cv2.KMEANS_PP_CENTERS)
    pixels = image.reshape(-1, 1, 3).astype(np.float32)
    nearest = np.linalg.norm(pixels - centres[None], axis=2).min(axis=1)
    return (nearest < BACKDROP_DISTANCE).reshape(image.shape[:2])
