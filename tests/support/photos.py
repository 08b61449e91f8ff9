"""Synthetic product photos: a product on a plain backdrop, made in memory."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image, ImageDraw

# The backdrop and product colours of the synthetic photos.
BLUE = (40, 90, 200)
ORANGE = (230, 120, 30)
WHITE = (255, 255, 255)


def ring_photo(size: int = 256, backdrop=BLUE, colour=ORANGE) -> Image.Image:
    """A flat ring on a plain backdrop: its hole must stay background."""
    image = np.full((size, size, 3), backdrop, np.uint8)
    centre = (size // 2, size // 2)
    cv2.circle(image, centre, int(size * 0.35), colour, -1, lineType=cv2.LINE_AA)
    cv2.circle(image, centre, int(size * 0.18), backdrop, -1, lineType=cv2.LINE_AA)
    return Image.fromarray(image)


def white_box_photo(size: int = 256, backdrop=BLUE) -> Image.Image:
    """A white product with soft, anti-aliased edges on a coloured backdrop."""
    image = np.full((size, size, 3), backdrop, np.uint8)
    corners = np.array([[0.3, 0.25], [0.7, 0.25], [0.75, 0.8], [0.25, 0.8]]) * size
    cv2.fillPoly(image, [corners.astype(np.int32)], WHITE, lineType=cv2.LINE_AA)
    return Image.fromarray(cv2.GaussianBlur(image, (0, 0), 1.2))


def product_photo(size: tuple[int, int] = (320, 240), fmt: str = "JPEG") -> bytes:
    """A red box with a dark base on a light grey floor: a product on a plain backdrop."""
    image = Image.new("RGB", size, (226, 226, 222))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle((w * 0.3, h * 0.25, w * 0.7, h * 0.8), fill=(190, 30, 40))
    draw.rectangle((w * 0.28, h * 0.78, w * 0.72, h * 0.85), fill=(40, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
