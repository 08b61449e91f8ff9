"""From a model's coarse mask to a clean soft alpha and halo-free edge colours.

Segmentation models answer at 320–1024 px, so their masks are blurry at full
size and carry the old background's colour in the edge pixels; placed on a new
backdrop that shows as a dark or coloured halo. Here the mask is snapped to the
photo's own edges (guided filter), specks are dropped without filling real holes
(a ring, a chair back), and the edge colours are solved for the product alone.
"""

from __future__ import annotations

import cv2
import numpy as np

# Below/above these the alpha is noise around 0 or 1: snap it, so that the
# product's inside is exactly 1 (pixels kept bit for bit) and the background 0.
ALPHA_FLOOR = 0.04
ALPHA_CEIL = 0.96
# A separate blob smaller than this share of the largest one is a speck, not a part.
SPECK_SHARE = 0.01
GUIDED_EPS = 1e-3


def refine_alpha(image: np.ndarray, coarse: np.ndarray) -> np.ndarray:
    """Full-size float32 alpha in [0, 1] from a coarse mask of any size (values 0–1)."""
    height, width = image.shape[:2]
    alpha = cv2.resize(coarse.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    radius = max(2, round(max(height, width) / 256))
    alpha = guided_filter(gray, alpha, radius, GUIDED_EPS)
    alpha = np.clip((alpha - ALPHA_FLOOR) / (ALPHA_CEIL - ALPHA_FLOOR), 0.0, 1.0)
    return drop_specks(alpha)


def guided_filter(guide: np.ndarray, source: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """He et al.'s guided filter: `source` smoothed, but following the edges of `guide`."""

    def box(values: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(values, -1, (2 * radius + 1, 2 * radius + 1))

    mean_guide, mean_source = box(guide), box(source)
    covariance = box(guide * source) - mean_guide * mean_source
    variance = box(guide * guide) - mean_guide * mean_guide
    slope = covariance / (variance + eps)
    offset = mean_source - slope * mean_guide
    return box(slope) * guide + box(offset)


def drop_specks(alpha: np.ndarray) -> np.ndarray:
    """Zero the blobs far smaller than the main product; holes are left as they are."""
    solid = (alpha > 0.5).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(solid, connectivity=8)
    if count <= 2:
        return alpha
    areas = stats[1:, cv2.CC_STAT_AREA]
    specks = np.flatnonzero(areas < SPECK_SHARE * areas.max()) + 1
    if specks.size == 0:
        return alpha
    speck = np.isin(labels, specks)
    # Grow the speck so its soft rim goes with it, but never into a kept blob.
    grown = cv2.dilate(speck.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    rim = grown & ((labels == 0) | speck)
    cleaned = alpha.copy()
    cleaned[rim] = 0.0
    return cleaned


def decontaminate(image: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """H×W×3 float32 product colours: the photo where alpha is 1, solved on the soft edge.

    An edge pixel is I = a·F + (1-a)·B. B, the old background, is estimated from
    nearby pixels with alpha 0 and F solved from it; where alpha is small that
    solve is unstable, so F leans on the nearby opaque product colour instead.
    """
    photo = image.astype(np.float32)
    edge = (alpha > 0.0) & (alpha < 1.0)
    if not edge.any():
        return photo
    sigma = max(2.0, max(alpha.shape) / 128)
    background = _nearby_mean(photo, alpha <= 0.0, sigma)
    product = _nearby_mean(photo, alpha >= 1.0, sigma)
    a = alpha[edge][:, None]
    solved = np.clip((photo[edge] - (1.0 - a) * background[edge]) / np.maximum(a, 1e-3), 0, 255)
    trust = np.clip((a - 0.1) / 0.4, 0.0, 1.0)
    foreground = photo.copy()
    foreground[edge] = trust * solved + (1.0 - trust) * product[edge]
    return foreground


def _nearby_mean(photo: np.ndarray, where: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian-weighted mean colour of the `where` pixels around each pixel (normalized
    convolution), computed at a quarter of the size because it only needs to be smooth."""
    height, width = where.shape
    scale = 0.25
    small_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    weight = cv2.resize(where.astype(np.float32), small_size, interpolation=cv2.INTER_AREA)
    colour = cv2.resize(photo, small_size, interpolation=cv2.INTER_AREA) * weight[..., None]
    small_sigma = max(1.0, sigma * scale)
    weight = cv2.GaussianBlur(weight, (0, 0), small_sigma)
    colour = cv2.GaussianBlur(colour, (0, 0), small_sigma)
    mean = colour / np.maximum(weight, 1e-4)[..., None]
    # Where no such pixel is near, the photo itself is the best guess.
    mean = cv2.resize(mean, (width, height), interpolation=cv2.INTER_LINEAR)
    known = cv2.resize(weight, (width, height), interpolation=cv2.INTER_LINEAR) > 1e-3
    return np.where(known[..., None], mean, photo)
