"""A synthetic product photo for the benchmarks: no file, a photo's statistics."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image


def product_photo(side: int = 1024) -> Image.Image:
    """A wooden chair in a room corner, with sensor noise."""
    rng = np.random.default_rng(0)
    image = np.full((side, side, 3), (182, 172, 160), np.float32)
    image[int(side * 0.7) :] = (150, 140, 128)
    wood, seat = (92, 62, 40), (122, 82, 52)
    s = side / 1024
    for x0, y0, x1, y1, colour in [
        (300, 200, 330, 900, wood),
        (690, 200, 720, 900, wood),
        (300, 200, 720, 240, wood),
        (300, 400, 720, 440, wood),
        (280, 560, 740, 620, seat),
    ]:
        corner, far = (round(x0 * s), round(y0 * s)), (round(x1 * s), round(y1 * s))
        cv2.rectangle(image, corner, far, colour, -1, lineType=cv2.LINE_AA)
    image += rng.normal(0, 3, image.shape)
    return Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))
