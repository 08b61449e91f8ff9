"""Procedural surfaces for the cut-out evaluation set: wood, tiles, carpet, concrete,
marble, plaster and a studio sweep, each an H×W×3 float32 image in 0–255.

Built from smooth noise (small random grids enlarged with cubic interpolation), so a
1024 px surface costs a few tens of milliseconds and is the same for the same seed.
"""

from __future__ import annotations

import cv2
import numpy as np

Colour = tuple[float, float, float]


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], cell: float) -> np.ndarray:
    """Noise in about [-1, 1] whose features are `cell` pixels across."""
    height, width = shape
    grid = (max(2, round(height / cell) + 2), max(2, round(width / cell) + 2))
    small = rng.standard_normal(grid).astype(np.float32)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)


def fractal_noise(
    rng: np.random.Generator, shape: tuple[int, int], cell: float, octaves: int = 4
) -> np.ndarray:
    """Several octaves of smooth noise, each half as large and half as strong."""
    total = np.zeros(shape, np.float32)
    weight = 1.0
    for _ in range(octaves):
        total += weight * smooth_noise(rng, shape, max(1.0, cell))
        cell, weight = cell / 2, weight / 2
    return total / 1.9


def tinted(value: np.ndarray, colour: Colour, spread: Colour = (1.0, 1.0, 1.0)) -> np.ndarray:
    """An H×W×3 image: `colour` scaled per channel by (1 + spread·value)."""
    channels = [c * (1.0 + s * value) for c, s in zip(colour, spread, strict=True)]
    return np.stack(channels, axis=-1).astype(np.float32)


def wood(
    rng: np.random.Generator, shape: tuple[int, int], colour: Colour, plank: int
) -> np.ndarray:
    """Planks running left to right, each with its own tone and warped grain lines."""
    height, width = shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    warp = 18.0 * smooth_noise(rng, shape, 160) + 4.0 * smooth_noise(rng, shape, 30)
    period = rng.uniform(9, 16)
    grain = np.sin(2 * np.pi * (ys + warp + 0.02 * xs) / period)
    streaks = cv2.resize(
        rng.standard_normal((height, max(2, width // 40))).astype(np.float32),
        (width, height),
        interpolation=cv2.INTER_CUBIC,
    )
    value = 0.09 * grain + 0.07 * streaks + 0.05 * smooth_noise(rng, shape, 90)
    board = (ys // plank).astype(int)
    tone = rng.uniform(-0.12, 0.12, board.max() + 1).astype(np.float32)[board]
    seams = np.abs((ys % plank) - plank / 2) > plank / 2 - 1.5
    value = value + tone - 0.35 * seams
    return tinted(value, colour, (1.0, 1.15, 1.4))


def tiles(
    rng: np.random.Generator, shape: tuple[int, int], colour: Colour, size: int, grout: Colour
) -> np.ndarray:
    """Square glazed tiles with grout lines, each tile a little off in tone and shine."""
    height, width = shape
    ys, xs = np.mgrid[0:height, 0:width]
    rows, cols = ys // size, xs // size
    tone = rng.uniform(-0.05, 0.05, (rows.max() + 1, cols.max() + 1)).astype(np.float32)
    value = tone[rows, cols] + 0.006 * smooth_noise(rng, shape, 4)
    # A glaze sheen: each tile brighter towards one corner.
    value += 0.04 * ((xs % size) + (ys % size)).astype(np.float32) / (2 * size)
    image = tinted(value, colour)
    joint = np.minimum(xs % size, ys % size) < max(2, size // 28)
    image[joint] = np.asarray(grout, np.float32) * (
        1 + 0.05 * rng.standard_normal((joint.sum(), 1))
    )
    return image


def carpet(
    rng: np.random.Generator, shape: tuple[int, int], colour: Colour, pile: float = 0.25
) -> np.ndarray:
    """Looped pile (or, with a low `pile`, a woven fabric): fine per-pixel fibre noise
    over a softly mottled tone."""
    fibres = rng.standard_normal(shape).astype(np.float32)
    fibres = cv2.GaussianBlur(fibres, (0, 0), 0.8)
    value = pile * fibres + 0.3 * pile * fractal_noise(rng, shape, 60, 3)
    return tinted(value, colour, (1.0, 0.9, 0.8))


def concrete(rng: np.random.Generator, shape: tuple[int, int], colour: Colour) -> np.ndarray:
    """Grey mottling, fine grit and scattered dark pores."""
    value = 0.1 * fractal_noise(rng, shape, 120, 5) + 0.04 * rng.standard_normal(shape)
    pores = rng.random(shape) < 0.002
    pores = cv2.dilate(pores.astype(np.uint8), np.ones((2, 2), np.uint8)).astype(bool)
    value = value.astype(np.float32) - 0.3 * pores
    return tinted(value, colour)


def marble(rng: np.random.Generator, shape: tuple[int, int], colour: Colour) -> np.ndarray:
    """A pale stone with thin grey veins along a turbulent diagonal."""
    height, width = shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    turbulence = 60.0 * fractal_noise(rng, shape, 200, 4)
    veins = np.abs(np.sin((xs + 0.6 * ys + turbulence) / rng.uniform(40, 70)))
    value = -0.25 * (1.0 - veins) ** 12 + 0.03 * fractal_noise(rng, shape, 80, 3)
    return tinted(value, colour, (1.0, 1.0, 0.95))


def plaster(rng: np.random.Generator, shape: tuple[int, int], colour: Colour) -> np.ndarray:
    """A painted wall: faint low-frequency unevenness and a fine roller texture."""
    value = 0.03 * fractal_noise(rng, shape, 250, 3) + 0.012 * smooth_noise(rng, shape, 2)
    return tinted(value, colour)


def sweep(shape: tuple[int, int], top: Colour, bottom: Colour) -> np.ndarray:
    """A seamless studio backdrop: a vertical gradient from `top` to `bottom`."""
    height, width = shape
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    image = (1 - t) * np.asarray(top, np.float32) + t * np.asarray(bottom, np.float32)
    return np.broadcast_to(image, (height, width, 3)).copy()


def in_perspective(surface: np.ndarray, height: int, width: int, recede: float) -> np.ndarray:
    """A flat surface seen from above at an angle: its far edge (top) `recede` narrower,
    its texture foreshortened towards the top. Returns `height`×`width`."""
    src_h, src_w = surface.shape[:2]
    source = np.float32([[0, 0], [src_w, 0], [src_w, src_h], [0, src_h]])
    inset = recede * width / 2
    target = np.float32([[-inset, 0], [width + inset, 0], [width, height], [0, height]])
    # The far edge is wider than the frame, so the frame sees a narrower strip of it.
    matrix = cv2.getPerspectiveTransform(source, target)
    return cv2.warpPerspective(surface, matrix, (width, height), borderMode=cv2.BORDER_REFLECT)


def room(wall: np.ndarray, floor: np.ndarray, floor_y: int, skirting: Colour) -> np.ndarray:
    """A room corner: `wall` above the floor line at `floor_y`, `floor` below, a skirting
    board along the line, and the floor darker near the wall (less light reaches it)."""
    height, width = wall.shape[:2]
    image = wall.copy()
    below = height - floor_y
    image[floor_y:] = in_perspective(floor, below, width, 0.6)
    depth = np.linspace(0.82, 1.0, below, dtype=np.float32)[:, None, None]
    image[floor_y:] *= depth
    board = max(6, height // 60)
    image[floor_y - board : floor_y] = np.asarray(skirting, np.float32)
    image[floor_y - board : floor_y - board + 2] *= 1.08  # its lit top edge
    return image


def lit(image: np.ndarray, rng: np.random.Generator, strength: float) -> np.ndarray:
    """Uneven room light: a broad brighter pool somewhere and a darker vignette."""
    height, width = image.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    cx, cy = rng.uniform(0.2, 0.8) * width, rng.uniform(0.1, 0.6) * height
    distance2 = ((xs - cx) ** 2 + (ys - cy) ** 2) / float(max(height, width)) ** 2
    light = 1.0 + strength * (np.exp(-distance2 * 2.5) - 0.5)
    return image * light[..., None]
