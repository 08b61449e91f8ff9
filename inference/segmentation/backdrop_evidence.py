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

from inference.segmentation.colour_model import ColourModel
from inference.segmentation.local_backdrop import LocalBackdrop, tolerant

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
# chromaticity (L1 distance in `tolerant` chromaticity units: about 190 × the shares').
SHADOW_DARKEST = 0.35
SHADOW_LIGHTEST = 0.9
SHADOW_CHROMA = 8.0
# Thresholds are read off every SAMPLE_STEP-th backdrop pixel: as good, and cheaper.
SAMPLE_STEP = 3
# A sharp edge: gradient over EDGE_CONTRAST × the backdrop's median and over EDGE_MIN.
EDGE_CONTRAST, EDGE_MIN = 3.0, 24.0


@dataclass(frozen=True)
class Evidence:
    """What the photo says about each work pixel, relative to the learned backdrop."""

    typical: np.ndarray  # backdrop colours, here or in shadow
    unlike: np.ndarray  # colours the backdrop has nowhere, or not here
    shadow: np.ndarray  # the local backdrop, darker
    detail: np.ndarray  # fine texture energy of each pixel
    backdrop_detail: np.ndarray  # the same, of the backdrop around each pixel
    edge: np.ndarray  # where the photo has a sharp edge


def gather_evidence(small: np.ndarray, bins: np.ndarray, outside: np.ndarray) -> Evidence:
    """Evidence about every pixel of `small` (H×W×3 uint8, its `colour_index` bins given),
    the backdrop being learned from the `outside` pixels."""
    colour = cv2.GaussianBlur(small, (0, 0), 1.0).astype(np.float32)
    tone = tolerant(colour)
    detail = fine_detail(small)
    local = LocalBackdrop.learn(tone, outside, (detail,))
    brightness = (tone[..., 0] + 1.0) / (local.mean[..., 0] + 1.0)
    hue_shift = np.abs(tone[..., 1:] - local.mean[..., 1:]).sum(axis=-1)
    shadow = (hue_shift <= SHADOW_CHROMA) & (brightness >= SHADOW_DARKEST)
    shadow &= brightness <= SHADOW_LIGHTEST
    typical, unlike = classify_colours(bins, tone, local, outside)
    # Far darker than any shadow on the backdrop: a black leg, not its shadow.
    unlike |= brightness < SHADOW_DARKEST
    return Evidence(
        typical=typical | (shadow & ~unlike),
        unlike=unlike,
        shadow=shadow,
        detail=detail,
        backdrop_detail=local.extra[..., 0],
        edge=sharp_edges(colour, outside),
    )


def classify_colours(
    bins: np.ndarray, tone: np.ndarray, local: LocalBackdrop, outside: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(typical, unlike): against the backdrop's palette, thresholds set by its own
    pixels' likelihoods, and against its local colour, by their own distances."""
    palette = ColourModel.fit(bins[outside])
    likelihood = cv2.GaussianBlur(palette.log_likelihood(bins), (0, 0), LIKELIHOOD_BLUR)
    own, peak = likelihood[outside][::SAMPLE_STEP], float(likelihood.max())
    common, rare = np.quantile(own, [TYPICAL_QUANTILE, UNLIKE_QUANTILE])
    # A backdrop concentrated in a few colours has steep tails: near its peak is typical.
    common = min(common, peak - np.log(TYPICAL_RATIO))
    rare = min(rare, peak - np.log(UNLIKE_RATIO))
    distance = local.distance(tone)
    near, far = np.quantile(distance[outside][::SAMPLE_STEP], [NEAR_QUANTILE, FAR_QUANTILE])
    near, far = max(near, LOCAL_NEAR), max(far, LOCAL_FAR)
    typical = (likelihood >= common) & (distance <= near)
    return typical, (likelihood < rare) | (distance > far)


def sharp_edges(colour: np.ndarray, outside: np.ndarray) -> np.ndarray:
    """Gradient (largest over the channels) well above what the backdrop's own texture
    and noise give: a product's outline, not grain or shading."""
    gx = cv2.Sobel(colour, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(colour, cv2.CV_32F, 0, 1, ksize=3)
    squared = gx * gx + gy * gy
    # np.maximum over the three planes: an order of magnitude faster than .max(axis=-1).
    magnitude = np.sqrt(np.maximum(np.maximum(squared[..., 0], squared[..., 1]), squared[..., 2]))
    level = EDGE_CONTRAST * float(np.median(magnitude[outside][::SAMPLE_STEP]))
    return magnitude > max(EDGE_MIN, level)


def fine_detail(small: np.ndarray) -> np.ndarray:
    """Local energy of the finest texture: |grey − its 2 px blur|, averaged over 3 px."""
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
    high = np.abs(grey - cv2.GaussianBlur(grey, (0, 0), 2.0))
    return cv2.GaussianBlur(high, (0, 0), 3.0)
