"""A small vector kit for drawing synthetic products: anti-aliased shapes (drawn at 3×
and averaged down) painted with shaded colours, part over part.

A *paint* is a function of the covered pixels' coordinates (ys, xs: 1-D float32 arrays)
returning their N×3 colours, so shading is evaluated only where a part is drawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

Paint = Callable[[np.ndarray, np.ndarray], np.ndarray]
Point = tuple[float, float]
Colour = tuple[float, float, float]
SUPERSAMPLE = 3
SPECULAR_WIDTH = 0.18


@dataclass
class Stage:
    """Where a product is drawn: the frame, the floor line, the light and the backdrop
    (glass shows it through itself)."""

    shape: tuple[int, int]
    rng: np.random.Generator
    light: float  # horizontal direction of the key light, -1 (left) … 1 (right)
    floor_y: int
    backdrop: np.ndarray


class Drawing:
    """Coverage (alpha) and premultiplied colour of a product, painted part over part."""

    def __init__(self, shape: tuple[int, int]) -> None:
        self.alpha = np.zeros(shape, np.float32)
        self.premultiplied = np.zeros((*shape, 3), np.float32)

    def add(self, coverage: np.ndarray, paint: Paint | Colour) -> None:
        ys, xs = np.nonzero(coverage)
        if ys.size == 0:
            return
        a = coverage[ys, xs][:, None]
        if callable(paint):
            colour = paint(ys.astype(np.float32), xs.astype(np.float32))
        else:
            colour = np.asarray(paint, np.float32)[None]
        self.premultiplied[ys, xs] = self.premultiplied[ys, xs] * (1 - a) + colour * a
        self.alpha[ys, xs] = self.alpha[ys, xs] * (1 - a[:, 0]) + a[:, 0]

    def remove(self, coverage: np.ndarray) -> None:
        """Cut a hole: what `coverage` covers becomes empty again."""
        keep = 1.0 - coverage
        self.alpha *= keep
        self.premultiplied *= keep[..., None]

    @property
    def colour(self) -> np.ndarray:
        return self.premultiplied / np.maximum(self.alpha, 1e-4)[..., None]


@dataclass
class Product:
    """A drawn product and the row where it meets the floor (its shadow starts there)."""

    drawing: Drawing
    base: float


def _rasterized(
    shape: tuple[int, int], points: np.ndarray, margin: float, draw: Callable
) -> np.ndarray:
    """Coverage of a shape drawn by `draw(canvas, offset_points)` at 3×, in a crop."""
    height, width = shape
    x0 = max(0, math.floor(points[:, 0].min() - margin))
    y0 = max(0, math.floor(points[:, 1].min() - margin))
    x1 = min(width, math.ceil(points[:, 0].max() + margin) + 1)
    y1 = min(height, math.ceil(points[:, 1].max() + margin) + 1)
    full = np.zeros(shape, np.float32)
    if x1 <= x0 or y1 <= y0:
        return full
    canvas = np.zeros(((y1 - y0) * SUPERSAMPLE, (x1 - x0) * SUPERSAMPLE), np.uint8)
    draw(canvas, (points - (x0, y0) + 0.5 / SUPERSAMPLE) * SUPERSAMPLE)
    small = cv2.resize(canvas, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)
    full[y0:y1, x0:x1] = small.astype(np.float32) / 255.0
    return full


def polygon(shape: tuple[int, int], points: Sequence[Point]) -> np.ndarray:
    array = np.asarray(points, np.float64)

    def draw(canvas: np.ndarray, p: np.ndarray) -> None:
        cv2.fillPoly(canvas, [np.rint(p).astype(np.int32)], 255)

    return _rasterized(shape, array, 1, draw)


def ellipse(shape: tuple[int, int], centre: Point, axes: Point, angle: float = 0.0) -> np.ndarray:
    cx, cy = centre
    reach = max(axes)
    corners = np.asarray([[cx - reach, cy - reach], [cx + reach, cy + reach]], np.float64)

    def draw(canvas: np.ndarray, p: np.ndarray) -> None:
        middle = np.rint(p.mean(axis=0)).astype(int)
        size = (round(axes[0] * SUPERSAMPLE), round(axes[1] * SUPERSAMPLE))
        cv2.ellipse(canvas, tuple(int(v) for v in middle), size, angle, 0, 360, 255, -1)

    return _rasterized(shape, corners, 1, draw)


def stroke(shape: tuple[int, int], points: Sequence[Point], width: float) -> np.ndarray:
    """A polyline `width` pixels thick with round joints and ends."""
    array = np.asarray(points, np.float64)

    def draw(canvas: np.ndarray, p: np.ndarray) -> None:
        thickness = max(1, round(width * SUPERSAMPLE))
        cv2.polylines(canvas, [np.rint(p).astype(np.int32)], False, 255, thickness)

    return _rasterized(shape, array, width, draw)


def tube(shape: tuple[int, int], start: Point, end: Point, r0: float, r1: float) -> np.ndarray:
    """A straight, possibly tapered rod from `start` (radius r0) to `end` (radius r1)."""
    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length
    quad = [
        (x0 + nx * r0, y0 + ny * r0),
        (x1 + nx * r1, y1 + ny * r1),
        (x1 - nx * r1, y1 - ny * r1),
        (x0 - nx * r0, y0 - ny * r0),
    ]
    return polygon(shape, quad)


def arc(centre: Point, axes: Point, start: float, end: float, steps: int = 64) -> list[Point]:
    """Points along an elliptical arc, angles in degrees (0 = right, 90 = down)."""
    angles = np.radians(np.linspace(start, end, steps))
    cx, cy = centre
    return [(cx + axes[0] * math.cos(a), cy + axes[1] * math.sin(a)) for a in angles]


def union(*coverages: np.ndarray) -> np.ndarray:
    total = np.zeros_like(coverages[0])
    for coverage in coverages:
        total = 1.0 - (1.0 - total) * (1.0 - coverage)
    return total


def minus(coverage: np.ndarray, hole: np.ndarray) -> np.ndarray:
    return coverage * (1.0 - hole)


# Paints -------------------------------------------------------------------------------


def flat(colour: Colour, rng: np.random.Generator, grain: float = 3.0) -> Paint:
    base = np.asarray(colour, np.float32)

    def paint(ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
        return base[None] + grain * rng.standard_normal((ys.size, 1)).astype(np.float32)

    return paint


def lambert(n: np.ndarray, light: float, ambient: float, shine: float) -> tuple[np.ndarray, ...]:
    """Diffuse factor and specular add for surface normals at sideways angle asin(n)."""
    theta = np.arcsin(np.clip(n, -1.0, 1.0))
    phi = math.asin(max(-1.0, min(1.0, light)))
    diffuse = ambient + (1.0 - ambient) * np.maximum(0.0, np.cos(theta - phi))
    specular = shine * np.exp(-(((theta - phi / 2) / SPECULAR_WIDTH) ** 2))
    return diffuse, specular


def rod(
    colour: Colour | Paint,
    start: Point,
    end: Point,
    radius: float,
    light: float,
    ambient: float = 0.45,
    shine: float = 0.0,
) -> Paint:
    """A cylinder's shading across its axis from `start` to `end`."""
    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length
    if nx < 0:  # measure across from left to right
        nx, ny = -nx, -ny

    def paint(ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
        n = ((xs - x0) * nx + (ys - y0) * ny) / max(radius, 1.0)
        diffuse, specular = lambert(n, light, ambient, shine)
        base = colour(ys, xs) if callable(colour) else np.asarray(colour, np.float32)[None]
        return base * diffuse[:, None] + 255.0 * specular[:, None]

    return paint


def dome(colour: Colour, centre: Point, radius: Point, light: float, shine: float = 0.0) -> Paint:
    """A rounded body's shading: brightest towards the light, darker at its rim."""
    cx, cy = centre

    def paint(ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
        n = (xs - cx) / radius[0]
        v = (ys - cy) / radius[1]
        diffuse, specular = lambert(n, light, 0.5, shine)
        diffuse = diffuse * (1.0 - 0.15 * np.clip(v, 0, 1) ** 2)
        return np.asarray(colour, np.float32)[None] * diffuse[:, None] + 255.0 * specular[:, None]

    return paint


def textured(texture: np.ndarray, shade: Paint | None = None) -> Paint:
    """Colours read from a full-frame texture, optionally multiplied by a shading paint
    (drawn in white, so that 255 means unchanged)."""

    def paint(ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
        colour = texture[ys.astype(int), xs.astype(int)]
        if shade is not None:
            colour = colour * shade(ys, xs) / 255.0
        return colour

    return paint


def graded(top: Colour, bottom: Colour, y0: float, y1: float) -> Paint:
    """A vertical gradient between two colours over rows y0…y1."""
    a, b = np.asarray(top, np.float32), np.asarray(bottom, np.float32)

    def paint(ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
        t = np.clip((ys - y0) / max(1.0, y1 - y0), 0.0, 1.0)[:, None]
        return a[None] * (1 - t) + b[None] * t

    return paint


def rounded(shape: tuple[int, int], box: tuple[float, float, float, float], r: float) -> np.ndarray:
    """A rectangle (x0, y0, x1, y1) with corners rounded to radius `r`."""
    x0, y0, x1, y1 = box
    r = max(0.0, min(r, (x1 - x0) / 2, (y1 - y0) / 2))
    points = [
        *arc((x1 - r, y0 + r), (r, r), -90, 0, 12),
        *arc((x1 - r, y1 - r), (r, r), 0, 90, 12),
        *arc((x0 + r, y1 - r), (r, r), 90, 180, 12),
        *arc((x0 + r, y0 + r), (r, r), 180, 270, 12),
    ]
    return polygon(shape, points)


def box(shape: tuple[int, int], x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return polygon(shape, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
