"""The backdrop's colour around each pixel: its local mean and covariance.

Colours are compared in `tolerant` coordinates: brightness, weighted down, and two
chromaticity axes, since light varies across a photo far more than the colour of
what it falls on. The statistics are learned from the pixels known to be backdrop by
normalized Gaussian convolution at an eighth of the size (they only need to be
smooth), from a narrow window near the backdrop and a wide one deep inside a large
product. The covariance matters on textures: wood grain varies along its own brown
axis, so a grey blade on wood is far from it although the grain's spread is wide.
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
# Brightness counts this much against chromaticity in the distance.
BRIGHTNESS_WEIGHT = 0.4
# Added to the brightness sum before dividing: keeps a dark pixel's chromaticity from
# swinging with its noise.
DARK_FLOOR = 30.0
# The six distinct entries of a symmetric 3×3 matrix, as (row, column).
PAIRS = ((0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2))


def tolerant(colour: np.ndarray) -> np.ndarray:
    """RGB (…×3) to brightness × BRIGHTNESS_WEIGHT and two chromaticity axes (red–blue
    and green–magenta differences over brightness, on a 0–255-like scale)."""
    rgb = colour.astype(np.float32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    total = r + g + b
    scale = 191.0 / (total + DARK_FLOOR)
    return np.stack(
        [BRIGHTNESS_WEIGHT * total / 3, scale * (r - b), scale * (2 * g - r - b)], axis=-1
    )


@dataclass(frozen=True)
class LocalBackdrop:
    mean: np.ndarray  # H×W×3 float32, in `tolerant` coordinates
    inverse: np.ndarray  # H×W×6: the inverse covariance's distinct entries (PAIRS)
    extra: np.ndarray  # H×W×k: the local means of the extra layers given to `learn`

    @classmethod
    def learn(
        cls, colour: np.ndarray, known: np.ndarray, extra: tuple[np.ndarray, ...] = ()
    ) -> LocalBackdrop:
        """From H×W×3 `tolerant` colours and the mask of pixels known to be backdrop;
        `extra` H×W layers are averaged the same way (a texture measure, say)."""
        layers = [np.ones_like(colour[..., 0]), *np.moveaxis(colour, -1, 0)]
        layers += [colour[..., i] * colour[..., j] for i, j in PAIRS]
        local = smooth_moments([*layers, *extra], known)
        mean, inverse = _mean_and_inverse(local[..., : len(layers)])
        size = known.shape[::-1]
        full = [cv2.resize(a, size, interpolation=cv2.INTER_LINEAR) for a in (mean, inverse)]
        rest = cv2.resize(local[..., len(layers) :], size, interpolation=cv2.INTER_LINEAR)
        return cls(full[0], full[1], rest.reshape(*known.shape, len(extra)))

    def distance(self, colour: np.ndarray) -> np.ndarray:
        """Mahalanobis distance of each pixel's `tolerant` colour from the local backdrop."""
        return np.sqrt(np.maximum(_quadratic(self.inverse, colour - self.mean), 0.0))


def smooth_moments(layers: list[np.ndarray], known: np.ndarray) -> np.ndarray:
    """Local averages over the `known` pixels of each layer, at an eighth of the size
    (tiny×tiny×len(layers)); where no window holds enough, the overall average."""
    height, width = known.shape
    tiny = (max(1, width // 8), max(1, height // 8))
    weight = known.astype(np.float32)
    small = [cv2.resize(layer * weight, tiny, interpolation=cv2.INTER_AREA) for layer in layers]
    overall = [float(layer[known].mean()) if known.any() else 0.0 for layer in layers]
    local = np.broadcast_to(np.float32(overall), (tiny[1], tiny[0], len(layers))).copy()
    for sigma in SIGMAS:
        blurred = np.dstack([cv2.GaussianBlur(layer, (0, 0), sigma) for layer in small])
        weight_here = blurred[..., :1]
        local = np.where(weight_here > ENOUGH, blurred / np.maximum(weight_here, 1e-6), local)
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
