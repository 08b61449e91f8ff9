"""A colour distribution learned from a set of pixels: a smoothed 3-D histogram over
brightness and two opponent colour axes.

Cheap to fit and to look up (a photo's bins are computed once, then it is one table
read per pixel), and unlike a few Gaussians it follows a textured surface's colours
(wood grain, tiles with grout) closely. Light falls unevenly across a photo (a pool
of light on the product, a vignette), so the histogram is more tolerant along
brightness than along hue.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter

# Bins: brightness 16 (16 levels each), the two opponent axes 32 each (8 levels each).
BRIGHTNESS_BINS, HUE_BINS = 16, 32
# Added to the brightness sum before dividing: keeps a dark pixel's chromaticity from
# swinging with its noise.
DARK_FLOOR = 30.0
# Smoothing in bins: wide along brightness, about a JPEG's and sensor's error in hue.
SMOOTHING = (1.5, 1.0, 1.0)


def opponent(pixels: np.ndarray) -> np.ndarray:
    """RGB (…×3) to brightness and two chromaticity axes (red–blue, green–magenta: the
    opponent differences divided by brightness, so that a surface keeps its chromaticity
    in light and in shade), each in 0–255, the chromaticity axes centred on 128."""
    rgb = pixels.astype(np.float32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    total = r + g + b + DARK_FLOOR
    return np.stack(
        [(r + g + b) / 3, 128 + 191 * (r - b) / total, 128 + 191 * (2 * g - r - b) / total],
        axis=-1,
    )


def colour_index(pixels: np.ndarray) -> np.ndarray:
    """The histogram bin of each RGB uint8 pixel (any leading shape)."""
    o = opponent(pixels)
    brightness = np.clip(o[..., 0] * BRIGHTNESS_BINS / 256, 0, BRIGHTNESS_BINS - 1)
    hue = np.clip(o[..., 1:] * HUE_BINS / 256, 0, HUE_BINS - 1)
    b, u, v = (
        brightness.astype(np.int32),
        hue[..., 0].astype(np.int32),
        hue[..., 1].astype(np.int32),
    )
    return (b * HUE_BINS + u) * HUE_BINS + v


@dataclass(frozen=True)
class ColourModel:
    density: np.ndarray  # flattened histogram, float32, sums to 1

    @classmethod
    def fit(cls, bins: np.ndarray) -> ColourModel:
        """From the histogram bins (`colour_index`) of a set of pixels."""
        size = BRIGHTNESS_BINS * HUE_BINS * HUE_BINS
        counts = np.bincount(bins.ravel(), minlength=size).astype(np.float32)
        cube = counts.reshape(BRIGHTNESS_BINS, HUE_BINS, HUE_BINS)
        cube = gaussian_filter(cube, SMOOTHING)
        return cls((cube / max(float(cube.sum()), 1e-9)).ravel())

    def log_likelihood(self, bins: np.ndarray) -> np.ndarray:
        """log density of the colours whose histogram bins (`colour_index`) are given."""
        return np.log(self.density[bins] + 1e-9)
