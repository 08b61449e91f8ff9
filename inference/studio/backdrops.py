"""Studio backdrops: marketplace white, solid colour, gradient, soft studio sweep."""

from __future__ import annotations

import cv2
import numpy as np

from inference.studio.lighting import Lighting

BACKDROP_KINDS = ("white", "solid", "gradient", "soft")
# Smooth fields are drawn at 1/8 size and enlarged: the same look for a fraction of the work.
FIELD_SCALE = 8
# Top of a gradient is the colour lightened this far toward white; bottom darkened to this.
TOP_LIGHTEN = 0.35
BOTTOM_GAIN = 0.9
POOL_LIGHTEN = 0.3
VIGNETTE = 0.08


def render_backdrop(
    kind: str, colour: tuple[int, int, int], size: tuple[int, int], lighting: Lighting, seed: int
) -> np.ndarray:
    """H×W×3 float32 backdrop in [0, 255]; "white" is exactly 255 everywhere and "solid"
    exactly `colour` (a brand colour stays itself); gradients take the variation's tone."""
    width, height = size
    base = np.array(colour, np.float32)
    if kind == "white":
        return np.full((height, width, 3), 255.0, np.float32)
    if kind == "solid":
        return np.broadcast_to(base, (height, width, 3)).astype(np.float32)
    if kind not in BACKDROP_KINDS:
        raise ValueError(f"unknown backdrop {kind!r}; choose one of {', '.join(BACKDROP_KINDS)}")
    field_size = (max(8, width // FIELD_SCALE), max(8, height // FIELD_SCALE))
    small = _field(kind, lighting.toned(base), field_size, lighting)
    backdrop = cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    # Half a level of noise hides the 8-bit banding of wide, smooth gradients.
    dither = np.random.default_rng(seed).random((height, width, 1), np.float32) - 0.5
    return np.clip(backdrop + dither, 0.0, 255.0)


def _field(kind: str, base: np.ndarray, size: tuple[int, int], lighting: Lighting) -> np.ndarray:
    width, height = size
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    u, v = xs / max(1, width - 1), ys / max(1, height - 1)
    # Lighter wall at the top fading into a slightly darker floor, slanted by the tilt.
    t = np.clip(v + lighting.tilt * (u - 0.5), 0.0, 1.0)[..., None]
    top = base + TOP_LIGHTEN * (255.0 - base)
    field = top * (1.0 - t) + base * BOTTOM_GAIN * t
    if kind == "soft":
        # A pool of light behind the product and a gentle fall-off to the corners.
        aspect = width / height
        d2 = ((u - lighting.key_x) * aspect) ** 2 + (v - lighting.key_y) ** 2
        pool = np.exp(-d2 / (2 * 0.3**2))[..., None]
        field = field + POOL_LIGHTEN * pool * (255.0 - field)
        corner = ((u - 0.5) ** 2 + (v - 0.5) ** 2)[..., None] * 2.0
        field = field * (1.0 - VIGNETTE * corner)
    return field.astype(np.float32)
