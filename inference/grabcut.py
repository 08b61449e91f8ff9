"""The classical cut-out used when no segmentation model file is on the machine.

OpenCV's GrabCut, seeded with the photo's border as certain background and the
rest as probable product: it needs no weights, suits a product shot on a fairly
even backdrop, and labels a ring's hole background when it looks like the border.
"""

from __future__ import annotations

import cv2
import numpy as np

# GrabCut is O(pixels × iterations); at this size it takes a fraction of a second
# and the mask is refined at full size afterwards anyway.
WORK_SIDE = 256
BORDER_SHARE = 0.04
ITERATIONS = 5


class GrabCutMasker:
    name = "grabcut"

    def coarse_mask(self, image: np.ndarray) -> np.ndarray:
        """Float32 mask in [0, 1] at a reduced size, 1 where the product is."""
        height, width = image.shape[:2]
        scale = min(1.0, WORK_SIDE / max(height, width))
        small_size = (max(8, round(width * scale)), max(8, round(height * scale)))
        small = cv2.resize(image, small_size, interpolation=cv2.INTER_AREA)
        labels = np.full(small.shape[:2], cv2.GC_PR_FGD, np.uint8)
        border = max(1, round(BORDER_SHARE * max(small_size)))
        labels[:border], labels[-border:] = cv2.GC_BGD, cv2.GC_BGD
        labels[:, :border], labels[:, -border:] = cv2.GC_BGD, cv2.GC_BGD
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
