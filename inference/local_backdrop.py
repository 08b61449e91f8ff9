"""The backdrop's colour around each pixel: its local mean and covariance.

Learned from the pixels known to be backdrop by normalized Gaussian convolution at an
eighth of the size (it only needs to be smooth), from a narrow window near the
backdrop and a wide one deep inside a large product. The covariance matters on
textures: wood grain varies along its own brown axis, so a grey blade on wood is far
from it although the grain's spread is wide.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# Window sigmas in eighth-size pixels, the widest first; narrower ones override it where
# they hold enough backdrop (blurred weight above ENOUGH).
SIGMAS = (8.0, 2.5)
ENOUGH = 0.05
# Colour noise (levels) every pixel has: added to the covariance's diagonal.
NOISE = 4.0
# Brightness counts this much against hue in the distance (see `tolerant`).
BRIGHTNESS_WEIGHT = 0.4
DARK_FLOOR = 30.0
# The six distinct entries of a symmetric 3×3 matrix, as (row, column).
PAIRS = ((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2))


@dataclass(frozen=True)
class LocalBackdrop:
    mean: np.ndarray  # H×W×3 float32, in `tolerant` coordinates
    inverse: np.ndarray  # H×W×6: the inverse covariance's distinct entries (PAIRS)

    @classmethod
    def learn(cls, image: np.ndarray, known: np.ndarray) -> LocalBackdrop:
        """From an H×W×3 uint8 image and the H×W mask of pixels known to be backdrop."""
        height, width = known.shape
        pixels = tolerant(image)
        layers = [np.ones_like(pixels[..., 0]), *np.moveaxis(pixels, -1, 0)]
        layers += [pixels[..., i] * pixels[..., j] for i, j in PAIRS]
        local = smooth_moments(layers, known)
        mean, inverse = _mean_and_inverse(local)
        size = (width, height)
        return cls(
            cv2.resize(mean, size, interpolation=cv2.INTER_LINEAR),
            cv2.resize(inverse, size, interpolation=cv2.INTER_LINEAR),
        )

    def distance(self, colour: np.ndarray) -> np.ndarray:
        """Mahalanobis distance of each pixel's colour (H×W×3) from the local backdrop."""
        d = tolerant(colour) - self.mean
        return np.sqrt(np.maximum(_quadratic(self.inverse, d), 0.0))


def tolerant(colour: np.ndarray) -> np.ndarray:
    """Brightness (scaled by BRIGHTNESS_WEIGHT) and two chromaticity axes (opponent
    differences over brightness, on the same scale): light varies across a photo far
    more than the colour of what it falls on."""
    rgb = colour.astype(np.float32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    total = r + g + b + DARK_FLOOR
    brightness = BRIGHTNESS_WEIGHT * (r + g + b) / 3
    return np.stack([brightness, 191 * (r - b) / total, 191 * (2 * g - r - b) / total], axis=-1)


def smooth_moments(layers: list[np.ndarray], known: np.ndarray) -> np.ndarray:
    """Local averages over the `known` pixels of each layer, at an eighth of the size
    (tiny×tiny×len(layers)); where no window holds enough, the overall average."""
    height, width = known.shape
    tiny = (max(1, width // 8), max(1, height // 8))
    small = [cv2.resize(layer * known, tiny, interpolation=cv2.INTER_AREA) for layer in layers]
    overall = [float(layer[known].mean()) if known.any() else 0.0 for layer in layers]
    local = np.broadcast_to(np.float32(overall), (tiny[1], tiny[0], len(layers))).copy()
    for sigma in SIGMAS:
        blurred = np.dstack([cv2.GaussianBlur(layer, (0, 0), sigma) for layer in small])
        weight = blurred[..., :1]
        local = np.where(weight > ENOUGH, blurred / np.maximum(weight, 1e-6), local)
    return local


def _mean_and_inverse(local: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = local[..., 1:4]
    covariance = np.zeros((*local.shape[:2], 3, 3), np.float32)
    for k, (i, j) in enumerate(PAIRS):
        value = local[..., 4 + k] - mean[..., i] * mean[..., j]
        covariance[..., i, j] = covariance[..., j, i] = value
    covariance += np.eye(3, dtype=np.float32) * NOISE**2
    inverse = np.linalg.inv(covariance)
    return mean.astype(np.float32), np.dstack([inverse[..., i, j] for i, j in PAIRS])


def _quadratic(inverse: np.ndarray, d: np.ndarray) -> np.ndarray:
    """dᵀ·A·d for each pixel, A given by its distinct entries."""
    r, g, b = d[..., 0], d[..., 1], d[..., 2]
    a = inverse
    squares = a[..., 0] * r * r + a[..., 1] * g * g + a[..., 2] * b * b
    return squares + 2 * (a[..., 3] * r * g + a[..., 4] * r * b + a[..., 5] * g * b)
