"""A contact shadow under the product, from its mask alone.

Two layers, as a photographer gets them on a sweep: a tight, dark contact line
where the product touches the floor, and a wide, soft ambient shadow — the
product's silhouette squashed onto the floor and nudged away from the key light.
"""

from __future__ import annotations

import cv2
import numpy as np

from inference.studio.lighting import Lighting

# Shadows are blurry: drawn at this many pixels a side at most, then enlarged.
WORK_SIDE = 256
CONTACT_BAND = 0.03  # share of the product's height that touches the floor
CONTACT_BLUR = 0.015  # blur, as a share of the product's width
CONTACT_DARKNESS = 0.55
AMBIENT_SQUASH = 0.12  # the silhouette's height on the floor, as a share of its own
AMBIENT_BLUR = 0.05
AMBIENT_DARKNESS = 0.3
AMBIENT_SHIFT = 0.3  # horizontal offset per unit of key light off-centre, share of width
# Darkening below this is invisible; zeroed so that "white" stays exactly 255 away from
# the product.
INVISIBLE = 1.0 / 512


def contact_shadow(alpha: np.ndarray, lighting: Lighting) -> np.ndarray:
    """H×W float32 darkening in [0, 1) to multiply the backdrop by (1 - shadow)."""
    height, width = alpha.shape
    scale = min(1.0, WORK_SIDE / max(height, width))
    small_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    solid = cv2.resize(alpha, small_size, interpolation=cv2.INTER_AREA) > 0.5
    rows, cols = np.flatnonzero(solid.any(axis=1)), np.flatnonzero(solid.any(axis=0))
    if rows.size == 0:
        return np.zeros_like(alpha)
    top, base = rows[0], rows[-1]
    product_height, product_width = base - top + 1, cols[-1] - cols[0] + 1
    blur = product_width * lighting.shadow_softness

    ys = np.arange(solid.shape[0])[:, None]
    contact = (solid & (ys >= base - max(1, CONTACT_BAND * product_height))).astype(np.float32)
    contact = _normalized_blur(contact, CONTACT_BLUR * blur) * CONTACT_DARKNESS

    ambient = _squashed_silhouette(solid, top, base, lighting, product_width)
    ambient = _normalized_blur(ambient, AMBIENT_BLUR * blur) * AMBIENT_DARKNESS

    shadow = 1.0 - (1.0 - contact) * (1.0 - ambient)
    shadow = np.clip(shadow * lighting.shadow_strength, 0.0, 0.9)
    shadow = cv2.resize(shadow, (width, height), interpolation=cv2.INTER_LINEAR)
    shadow[shadow < INVISIBLE] = 0.0
    return shadow


def _squashed_silhouette(
    solid: np.ndarray, top: int, base: int, lighting: Lighting, product_width: int
) -> np.ndarray:
    """The product's silhouette flattened onto the floor line, shifted from the light."""
    layer = np.zeros(solid.shape, np.float32)
    silhouette = solid[top : base + 1].astype(np.float32)
    squashed_height = max(2, round(silhouette.shape[0] * AMBIENT_SQUASH))
    squashed = cv2.resize(
        silhouette, (silhouette.shape[1], squashed_height), interpolation=cv2.INTER_AREA
    )
    shift = round((0.5 - lighting.key_x) * AMBIENT_SHIFT * product_width)
    squashed = np.roll(squashed, shift, axis=1)
    # Centred on the floor line: half of it shows in front of the product's base.
    start = base - squashed_height // 2
    end = min(layer.shape[0], start + squashed_height)
    layer[start:end] = squashed[: end - start]
    return layer


def _normalized_blur(layer: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur rescaled so the densest part stays as dark as before the blur."""
    blurred = cv2.GaussianBlur(layer, (0, 0), max(0.8, sigma))
    peak = float(blurred.max())
    return blurred / peak if peak > 0 else blurred
