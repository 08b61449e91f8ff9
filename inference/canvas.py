"""Canvases: the `--canvas` presets and placing a cut-out product on a new frame."""

from __future__ import annotations

import re

import cv2
import numpy as np

from inference.cutout import Cutout

# Named frames a seller asks for: marketplace square, marketplace portrait card, banner.
CANVAS_PRESETS: dict[str, tuple[int, int]] = {
    "square": (1200, 1200),
    "1:1": (1200, 1200),
    "3:4": (900, 1200),
    "16:9": (1920, 1080),
}
MIN_SIDE, MAX_SIDE = 64, 4096


def parse_canvas(text: str) -> tuple[int, int]:
    """(width, height) for "WxH" or a preset name; ValueError says what is accepted."""
    if text in CANVAS_PRESETS:
        return CANVAS_PRESETS[text]
    match = re.fullmatch(r"(\d+)[x×](\d+)", text.strip().lower())
    if match is None:
        raise ValueError(
            f"canvas {text!r} is not WIDTHxHEIGHT (e.g. 1200x1200) "
            f"nor a preset ({', '.join(CANVAS_PRESETS)})"
        )
    size = int(match[1]), int(match[2])
    if not all(MIN_SIDE <= side <= MAX_SIDE for side in size):
        raise ValueError(f"canvas sides must be {MIN_SIDE}–{MAX_SIDE} px, got {text}")
    return size


def place(cutout: Cutout, canvas: tuple[int, int] | None, fill: float) -> Cutout:
    """The product centred on a `canvas`-sized frame, its visible box (alpha ≥ 0.5)
    filling `fill` of the frame's limiting side; the cut-out itself when `canvas` is
    None (the product stays in place)."""
    visible, whole = cutout.box(0.5), cutout.box()
    if canvas is None or visible is None or whole is None:
        return cutout
    width, height = canvas
    scale = fill * min(width / (visible[2] - visible[0]), height / (visible[3] - visible[1]))
    # Where the whole cut-out (soft rim included) lands: the visible box centred.
    centre_x = width / 2 - (visible[0] + visible[2]) / 2 * scale
    centre_y = height / 2 - (visible[1] + visible[3]) / 2 * scale
    left, top = round(whole[0] * scale + centre_x), round(whole[1] * scale + centre_y)
    size = (
        max(1, round((whole[2] - whole[0]) * scale)),
        max(1, round((whole[3] - whole[1]) * scale)),
    )
    # Area averaging when shrinking (no aliasing), cubic when enlarging.
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC

    def placed(layer: np.ndarray) -> np.ndarray:
        crop = layer[whole[1] : whole[3], whole[0] : whole[2]].astype(np.float32)
        resized = cv2.resize(crop, size, interpolation=interpolation)
        frame = np.zeros((height, width, *layer.shape[2:]), np.float32)
        # A rim reaching past the frame (fill near 1) is cut at the frame's edge.
        x0, y0 = max(0, left), max(0, top)
        x1, y1 = min(width, left + size[0]), min(height, top + size[1])
        frame[y0:y1, x0:x1] = resized[y0 - top : y1 - top, x0 - left : x1 - left]
        return frame

    alpha = np.clip(placed(cutout.alpha), 0.0, 1.0)
    alpha[alpha > 0.999] = 1.0
    # Resampled premultiplied, so no old-background colour bleeds into the edge.
    premultiplied = placed(cutout.foreground * cutout.alpha[..., None])
    foreground = np.clip(premultiplied / np.maximum(alpha, 1e-3)[..., None], 0.0, 255.0)
    return Cutout(alpha=alpha, foreground=foreground, doubt=cutout.doubt)
