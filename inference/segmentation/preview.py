"""A cut-out shown on a checkerboard, small: what the user checks before painting."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

from inference.cutout import Cutout, composite

PREVIEW_SIDE = 640
SQUARE_PX = 16
LIGHT, DARK = 250.0, 204.0


def checkerboard_preview(cutout: Cutout, side: int = PREVIEW_SIDE) -> bytes:
    """A JPEG of at most `side` pixels a side: the product over light and dark squares,
    so that what was cut away (and what was not) shows at a glance."""
    width, height = cutout.size
    scale = min(1.0, side / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = Cutout(
        alpha=cv2.resize(cutout.alpha, size, interpolation=cv2.INTER_AREA),
        foreground=cv2.resize(cutout.foreground, size, interpolation=cv2.INTER_AREA),
    )
    rows, cols = np.indices((size[1], size[0])) // SQUARE_PX
    board = np.where((rows + cols) % 2 == 0, LIGHT, DARK)[..., None].repeat(3, axis=2)
    buffer = io.BytesIO()
    Image.fromarray(composite(small, board)).save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()
