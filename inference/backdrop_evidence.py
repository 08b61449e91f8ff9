"""What a photo says about each pixel, given which pixels are known to be backdrop.

The backdrop's colours are learned twice: as a palette (all the colours it shows,
anywhere: a texture's grain, a room's wall and floor) and locally (its mean colour
and covariance around each pixel). A pixel is *typical* of the backdrop when both
agree it could be backdrop, or when it looks like the backdrop around it in shadow;
*unlike* it when either says it is not. Alongside: where the photo has sharp edges
(a product's outline, not grain or shading) and how much fine texture it has.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from inference.colour_model import ColourModel
from inference.local_backdrop import LocalBackdrop

# Likelihoods are judged after smoothing (a texture's dark grain lines are backdrop too),
# against the backdrop's own pixels: *typical* is as likely as all but the least likely
# TYPICAL_QUANTILE of them, *unlike* less likely than all but UNLIKE_QUANTILE of them.
LIKELIHOOD_BLUR = 1.5
TYPICAL_QUANTILE = 0.01
UNLIKE_QUANTILE = 0.001
# Or, whichever is more lenient, a density within this factor of the palette's peak.
TYPICAL_RATIO = 100.0
UNLIKE_RATIO = 3000.0
# Mahalanobis distance of a colour from the backdrop's colour around it: as near as all
# but NEAR_QUANTILE of the backdrop's own pixels (at least LOCAL_NEAR) is the backdrop,
# farther than all but FAR_QUANTILE of them (at least LOCAL_FAR) is not.
NEAR_QUANTILE, LOCAL_NEAR = 0.95, 2.0
FAR_QUANTILE, LOCAL_FAR = 0.999, 3.0
# A shadow: darker than the backdrop around it by this factor range, with nearly its
# chromaticity (L1 distance of r, g, b shares).
SHADOW_DARKEST = 0.35
SHADOW_LIGHTEST = 0.9
SHADOW_CHROMA = 0.05
# A sharp edge: gradient over EDGE_CONTRAST × the backdrop's median and over EDGE_MIN.
EDGE_CONTRAST, EDGE_MIN = 3.0, 24.0


@dataclass(frozen=True)
class Evidence:
    """What the photo says about each work pixel, relative to the learned backdrop."""

    typical: np.ndarray  # backdrop colours, here or in shadow
    unlike: np.ndarray  # colours the backdrop has nowhere, or not here
    shadow: np.ndarray  # the local backdrop, darker
    local_mean: np.ndarray  # H×W×3: the backdrop's mean colour around each pixel
    detail: np.ndarray  # fine texture energy of each pixel
    backdrop_detail: np.ndarray  # the same, of the backdrop around each pixel
    edge: np.ndarray  # where the photo has a sharp edge


def gather_evidence(small: np.ndarray, outside: np.ndarray) -> Evidence:
    """Evidence about every pixel of `small` (H×W×3 uint8), the backdrop being learned
    from the `outside` pixels."""
    colour = cv2.GaussianBlur(small.astype(np.float32), (0, 0), 1.0)
    local_mean = spread_out(colour, outside)
    shadow = in_shadow(colour, local_mean)
    typical, unlike = classify_colours(small, colour, outside)
    # Far darker than any shadow on the backdrop: a black leg, not its shadow.
    unlike |= brightness_ratio(colour, local_mean) < SHADOW_DARKEST
    detail = fine_detail(small)
    return Evidence(
        typical=typical | (shadow & ~unlike),
        unlike=unlike,
        shadow=shadow,
        local_mean=local_mean,
        detail=detail,
        backdrop_detail=spread_out(detail, outside),
        edge=sharp_edges(colour, outside),
    )


def classify_colours(
    small: np.ndarray, colour: np.ndarray, outside: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(typical, unlike): against the backdrop's palette, thresholds set by its own
    pixels' likelihoods, and against its local colour, by their own distances."""
    palette = ColourModel.fit(small[outside])
    likelihood = cv2.GaussianBlur(palette.log_likelihood(small), (0, 0), LIKELIHOOD_BLUR)
    own, peak = likelihood[outside], float(likelihood.max())
    common, rare = np.quantile(own, [TYPICAL_QUANTILE, UNLIKE_QUANTILE])
    # A backdrop concentrated in a few colours has steep tails: near its peak is typical.
    common = min(common, peak - np.log(TYPICAL_RATIO))
    rare = min(rare, peak - np.log(UNLIKE_RATIO))
    distance = LocalBackdrop.learn(small, outside).distance(colour)
    near, far = np.quantile(distance[outside], [NEAR_QUANTILE, FAR_QUANTILE])
    near, far = max(near, LOCAL_NEAR), max(far, LOCAL_FAR)
    typical = (likelihood >= common) & (distance <= near)
    return typical, (likelihood < rare) | (distance > far)


def sharp_edges(colour: np.ndarray, outside: np.ndarray) -> np.ndarray:
    """Gradient (largest over the channels) well above what the backdrop's own texture
    and noise give: a product's outline, not grain or shading."""
    magnitude = np.zeros(colour.shape[:2], np.float32)
    for channel in range(3):
        gx = cv2.Sobel(colour[..., channel], cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(colour[..., channel], cv2.CV_32F, 0, 1, ksize=3)
        magnitude = np.maximum(magnitude, np.hypot(gx, gy))
    level = max(EDGE_MIN, EDGE_CONTRAST * float(np.median(magnitude[outside])))
    return magnitude > level


def fine_detail(small: np.ndarray) -> np.ndarray:
    """Local energy of the finest texture: |grey − its 2 px blur|, averaged over 3 px."""
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
    high = np.abs(grey - cv2.GaussianBlur(grey, (0, 0), 2.0))
    return cv2.GaussianBlur(high, (0, 0), 3.0)


def spread_out(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """`values` (H×W or H×W×C) where `known`, carried smoothly into the rest: normalized
    Gaussian convolution at an eighth of the size, a narrow window where it has enough
    known pixels, a wide one elsewhere, the overall mean where even that has none."""
    height, width = known.shape
    tiny = (max(1, width // 8), max(1, height // 8))
    weight = cv2.resize(known.astype(np.float32), tiny, interpolation=cv2.INTER_AREA)
    mask = known[..., None] if values.ndim == 3 else known
    total = cv2.resize(values * mask, tiny, interpolation=cv2.INTER_AREA)
    result = np.broadcast_to(values[known].mean(axis=0), total.shape).astype(np.float32)
    for sigma in (8.0, 2.5):
        blurred = cv2.GaussianBlur(weight, (0, 0), sigma)
        if values.ndim == 3:
            blurred = blurred[..., None]
        spread = cv2.GaussianBlur(total, (0, 0), sigma) / np.maximum(blurred, 1e-6)
        result = np.where(blurred > 0.05, spread, result)
    return cv2.resize(result, (width, height), interpolation=cv2.INTER_LINEAR)


def in_shadow(colour: np.ndarray, backdrop: np.ndarray) -> np.ndarray:
    """Pixels that look like the backdrop around them with less light on it: darker by a
    plausible factor, with nearly the same chromaticity (shadows are only a little bluer)."""
    brightness, reference = colour.sum(axis=-1) + 1.0, backdrop.sum(axis=-1) + 1.0
    ratio = brightness / reference
    chroma = colour / brightness[..., None] - backdrop / reference[..., None]
    same_hue = np.abs(chroma).sum(axis=-1) <= SHADOW_CHROMA
    return same_hue & (ratio >= SHADOW_DARKEST) & (ratio <= SHADOW_LIGHTEST)


def brightness_ratio(colour: np.ndarray, backdrop: np.ndarray) -> np.ndarray:
    return (colour.sum(axis=-1) + 1.0) / (backdrop.sum(axis=-1) + 1.0)
