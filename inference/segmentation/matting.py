"""From a model's coarse mask to a soft alpha and halo-free edge colours.

Segmentation models answer at 256–1024 px, so at full size their masks are a
few pixels off and blurry, and the edge pixels carry the old background's
colour; on a new backdrop that shows as a dark or coloured halo. Here the mask
is thresholded and cleaned of specks (holes such as a ring's or a chair back's
are kept), a narrow band around its edge is re-solved from the photo's colours
(alpha by projecting each pixel onto the line between the nearby product and
background colours), and the product's own colour is solved on that band.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

# A separate blob smaller than this share of the largest one is a speck, not a part.
SPECK_SHARE = 0.01
# Edge band half-width, in coarse-mask pixels: how far the model's edge may be off.
BAND_COARSE_PX = 1.5
# Product and background colours closer than this (RGB distance) cannot tell alpha
# apart (white on white); there the model's own soft mask is used instead.
CONTRAST_FULL = 48.0
# How far the solved alpha may stray from the model's soft mask m: within
# [E·m - (E-1), E·m], i.e. only where the model itself is unsure.
ENVELOPE = 3.0
# Alpha this close to 0 or 1 is noise: snapped, so the product inside is exactly 1.
SNAP = 0.04
# Weight of "the product's colour is like its neighbours'" against the compositing
# equation when solving edge colours; keeps faint edge pixels from exploding.
COLOUR_PRIOR = 0.1


def matte(image: np.ndarray, coarse: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Full-size alpha (H×W float32 in [0, 1]) and foreground colours (H×W×3 float32)
    from a photo (H×W×3 uint8) and a coarse mask of any size with values in [0, 1]."""
    height, width = image.shape[:2]
    soft = cv2.resize(coarse.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    solid = drop_specks(soft >= 0.5)
    band = max(3, math.ceil(BAND_COARSE_PX * height / coarse.shape[0]))
    # The model's uncertainty spans the band, even when its mask is hard (GrabCut's).
    soft = cv2.GaussianBlur(soft, (0, 0), band)
    inside, outside = _shrunk(solid, band), ~_grown(solid, band)
    unknown = ~(inside | outside)

    photo = image.astype(np.float32)
    alpha = inside.astype(np.float32)
    foreground = photo.copy()
    if not unknown.any():
        return alpha, foreground
    # The colours to mix are sampled a band further away: where the model's edge is off
    # by more than the band, the samples are still pure product and pure backdrop.
    product = nearby_mean(photo, _shrunk(solid, 2 * band), 2 * band)[unknown]
    backdrop = nearby_mean(photo, ~_grown(solid, 2 * band), 2 * band)[unknown]
    colour = photo[unknown]
    edge_alpha = _projected_alpha(colour, product, backdrop, soft[unknown])
    edge_alpha[edge_alpha < SNAP] = 0.0
    edge_alpha[edge_alpha > 1.0 - SNAP] = 1.0
    alpha[unknown] = edge_alpha
    solved = _solved_colour(colour, edge_alpha, product, backdrop)
    # Where the edge came out solid, the photo's own pixel, so it composites bit for bit.
    foreground[unknown] = np.where(edge_alpha[:, None] >= 1.0, colour, solved)
    return alpha, foreground


def _kernel(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def _shrunk(mask: np.ndarray, radius: int) -> np.ndarray:
    return cv2.erode(mask.astype(np.uint8), _kernel(radius)).astype(bool)


def _grown(mask: np.ndarray, radius: int) -> np.ndarray:
    return cv2.dilate(mask.astype(np.uint8), _kernel(radius)).astype(bool)


def _projected_alpha(
    colour: np.ndarray, product: np.ndarray, backdrop: np.ndarray, model: np.ndarray
) -> np.ndarray:
    """Alpha of I = a·F + (1-a)·B, projected on F-B; the model's value where F ≈ B."""
    span = product - backdrop
    length2 = np.einsum("ij,ij->i", span, span)
    projected = np.einsum("ij,ij->i", colour - backdrop, span) / np.maximum(length2, 1e-6)
    trust = np.clip(np.sqrt(length2) / CONTRAST_FULL, 0.0, 1.0)
    blended = trust * projected + (1.0 - trust) * model
    # Kept within an envelope around the model's own edge, so that a backdrop edge
    # passing near the product (a floor line, a shadow) is not mistaken for product.
    envelope = ENVELOPE * model
    return np.clip(blended, envelope - (ENVELOPE - 1.0), envelope).clip(0.0, 1.0).astype(np.float32)


def _solved_colour(
    colour: np.ndarray, alpha: np.ndarray, product: np.ndarray, backdrop: np.ndarray
) -> np.ndarray:
    """F minimizing |I - a·F - (1-a)·B|² + λ|F - F_near|², in closed form."""
    a = alpha[:, None]
    solved = (a * (colour - (1.0 - a) * backdrop) + COLOUR_PRIOR * product) / (a * a + COLOUR_PRIOR)
    return np.clip(solved, 0.0, 255.0)


def drop_specks(solid: np.ndarray) -> np.ndarray:
    """The mask without blobs far smaller than the main product; holes are left as they are."""
    count, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
        solid.astype(np.uint8), 8, cv2.CV_32S, cv2.CCL_GRANA
    )
    if count <= 2:
        return solid
    areas = stats[1:, cv2.CC_STAT_AREA]
    kept = np.flatnonzero(areas >= SPECK_SHARE * areas.max()) + 1
    return np.isin(labels, kept)


def nearby_mean(photo: np.ndarray, where: np.ndarray, radius: int) -> np.ndarray:
    """Mean colour of the `where` pixels around each pixel, Gaussian-weighted with sigma
    `radius` (normalized convolution). Computed at a quarter or half of the size, as it
    only needs to be smooth. Where no such pixel is near, the photo itself is returned."""
    height, width = where.shape
    scale = 0.25 if radius >= 8 else 0.5
    small_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    weight = cv2.resize(where.astype(np.float32), small_size, interpolation=cv2.INTER_AREA)
    colour = cv2.resize(photo, small_size, interpolation=cv2.INTER_AREA) * weight[..., None]
    sigma = max(1.0, radius * scale)
    weight = cv2.GaussianBlur(weight, (0, 0), sigma)
    colour = cv2.GaussianBlur(colour, (0, 0), sigma)
    mean = colour / np.maximum(weight, 1e-4)[..., None]
    mean = cv2.resize(mean, (width, height), interpolation=cv2.INTER_LINEAR)
    known = cv2.resize(weight, (width, height), interpolation=cv2.INTER_LINEAR) > 1e-3
    return np.where(known[..., None], mean, photo)
