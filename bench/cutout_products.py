"""Products of the cut-out evaluation set, drawn with bench.cutout_drawing.

Each function draws one kind of product on a `Stage` (its size, position, colours and
details come from the stage's random generator) and returns it with the row where it
stands, so that the scene can cast its shadow.
"""

from __future__ import annotations

import math

import numpy as np

from bench import cutout_textures as tx
from bench.cutout_drawing import (
    Colour,
    Drawing,
    Product,
    Stage,
    arc,
    box,
    dome,
    ellipse,
    flat,
    graded,
    minus,
    polygon,
    rod,
    rounded,
    stroke,
    textured,
    tube,
    union,
)

METALS: dict[str, Colour] = {
    "gold": (214, 172, 84),
    "silver": (196, 198, 204),
    "rose": (214, 150, 122),
}
WOODS: list[Colour] = [(120, 78, 46), (168, 120, 74), (78, 52, 36), (190, 150, 104)]
FABRICS: list[Colour] = [(120, 128, 136), (64, 86, 120), (96, 120, 90), (196, 180, 150)]


def pick(rng: np.random.Generator, options: list) -> object:
    return options[int(rng.integers(len(options)))]


def ring(stage: Stage) -> Product:
    """A band ring seen from above at an angle: its hole shows the table."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    cx, cy = w * rng.uniform(0.44, 0.56), h * rng.uniform(0.42, 0.5)
    rx = min(h, w) * rng.uniform(0.25, 0.31)
    tilt, band, depth = rng.uniform(0.55, 0.75), rx * rng.uniform(0.12, 0.18), rx * 0.22
    ry, ri = rx * tilt, rx - band
    metal = np.asarray(pick(rng, list(METALS.values())), np.float32)
    phase = rng.uniform(0, math.pi)

    def shine(ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
        angle = np.arctan2((ys - cy) / tilt, xs - cx)
        level = 0.55 + 0.35 * np.cos(2 * angle + phase) + 0.5 * np.cos(angle - phase) ** 16
        return metal[None] * level[:, None]

    outer = union(
        ellipse(stage.shape, (cx, cy), (rx, ry)),
        ellipse(stage.shape, (cx, cy + depth), (rx, ry)),
        box(stage.shape, cx - rx, cy, cx + rx, cy + depth),
    )
    d.add(outer, lambda ys, xs: shine(ys, xs) * 0.8)
    d.add(ellipse(stage.shape, (cx, cy), (rx, ry)), shine)
    inner_top = ellipse(stage.shape, (cx, cy), (ri, ri * tilt))
    inner_bottom = ellipse(stage.shape, (cx, cy + depth), (ri, ri * tilt))
    d.add(inner_top, lambda ys, xs: shine(ys, xs) * 0.65)
    d.remove(inner_top * inner_bottom)
    if rng.random() < 0.6:
        gem = (cx, cy + ry - band / 2)
        d.add(ellipse(stage.shape, gem, (band * 0.9, band * 0.7)), (235, 240, 250))
        d.add(ellipse(stage.shape, (gem[0] - 3, gem[1] - 3), (band * 0.3, band * 0.2)), (255,) * 3)
    return Product(d, cy + depth + ry)


def slatted_chair(stage: Stage, colour: Colour | None = None) -> Product:
    """A wooden chair from the front: posts, a slatted back, a seat, legs, a stretcher."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    wood = tx.wood(rng, stage.shape, colour or pick(rng, WOODS), 4000)
    cx, cw = w * rng.uniform(0.42, 0.58), w * rng.uniform(0.2, 0.24)
    back_foot, front_foot = stage.floor_y + 0.02 * h, stage.floor_y + 0.1 * h
    seat = front_foot - 0.27 * h
    top, post = seat - 0.36 * h, 0.016 * w
    back_x, front_x = (cx - 0.85 * cw, cx + 0.85 * cw), (cx - cw, cx + cw)
    light = stage.light
    for x in back_x:
        shade = rod((255,) * 3, (x, top), (x, back_foot), post, light)
        d.add(tube(stage.shape, (x, top), (x, back_foot), post, post * 0.8), textured(wood, shade))
    d.add(box(stage.shape, back_x[0], top, back_x[1], top + 0.05 * h), textured(wood))
    rail = seat - 0.07 * h
    d.add(box(stage.shape, back_x[0], rail, back_x[1], rail + 0.025 * h), textured(wood))
    slats = int(rng.integers(4, 7))
    span = back_x[1] - back_x[0] - 2 * post
    slat_w = span / (2 * slats + 1)
    for i in range(slats):
        x0 = back_x[0] + post + slat_w * (2 * i + 1)
        d.add(box(stage.shape, x0, top, x0 + slat_w, rail), textured(wood))
    seat_top = [
        (back_x[0] - post, seat - 0.05 * h),
        (back_x[1] + post, seat - 0.05 * h),
        (front_x[1] + post, seat),
        (front_x[0] - post, seat),
    ]
    d.add(polygon(stage.shape, seat_top), textured(wood, flat((255,) * 3, rng, 0)))
    d.add(
        box(stage.shape, front_x[0] - post, seat, front_x[1] + post, seat + 0.03 * h),
        lambda ys, xs: textured(wood)(ys, xs) * 0.75,
    )
    for x in front_x:
        shade = rod((255,) * 3, (x, seat), (x, front_foot), post, light)
        leg = tube(stage.shape, (x, seat), (x, front_foot), post, post * 0.8)
        d.add(leg, textured(wood, shade))
    stretcher = front_foot - 0.1 * h
    d.add(
        box(stage.shape, front_x[0], stretcher, front_x[1], stretcher + 0.012 * h),
        lambda ys, xs: textured(wood)(ys, xs) * 0.85,
    )
    return Product(d, front_foot)


def sofa(stage: Stage, left: float | None = None) -> Product:
    """A three-seat sofa on short legs, upholstered in a fine-textured fabric."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    fabric = tx.carpet(rng, stage.shape, pick(rng, FABRICS), 0.08)
    x0 = w * rng.uniform(0.12, 0.18) if left is None else left
    x1 = x0 + w * rng.uniform(0.66, 0.72)
    foot = stage.floor_y + 0.14 * h
    base = foot - 0.04 * h
    seat, back = base - 0.16 * h, base - 0.42 * h
    arm = 0.07 * w
    shaded = lambda k: lambda ys, xs: fabric[ys.astype(int), xs.astype(int)] * k  # noqa: E731
    d.add(rounded(stage.shape, (x0 + arm * 0.6, back, x1 - arm * 0.6, seat), 0.03 * w), shaded(0.8))
    cushions = int(rng.integers(2, 4))
    step = (x1 - x0 - 2 * arm) / cushions
    for i in range(cushions):
        cx0 = x0 + arm + i * step
        pillow = (cx0 + 3, back + 0.03 * h, cx0 + step - 3, seat + 0.02 * h)
        d.add(rounded(stage.shape, pillow, 0.025 * w), shaded(0.95))
        d.add(
            rounded(stage.shape, (cx0 + 2, seat, cx0 + step - 2, seat + 0.07 * h), 0.015 * w),
            shaded(1.05),
        )
    d.add(box(stage.shape, x0 + arm * 0.5, seat + 0.06 * h, x1 - arm * 0.5, base), shaded(0.85))
    for ax in (x0, x1 - arm):
        top = seat - 0.1 * h
        d.add(rounded(stage.shape, (ax, top, ax + arm, base), 0.025 * w), shaded(1.0))
    for lx in (x0 + arm * 0.5, x1 - arm * 0.5, x0 + arm * 1.5, x1 - arm * 1.5):
        d.add(tube(stage.shape, (lx, base - 2), (lx, foot), 0.008 * w, 0.005 * w), (52, 36, 26))
    return Product(d, foot)


def mug(stage: Stage) -> Product:
    """A white mug with a loop handle; its shaded side is as grey as a light backdrop."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    cx, rx = w * rng.uniform(0.4, 0.48), w * rng.uniform(0.16, 0.2)
    tilt = rng.uniform(0.22, 0.3)
    top, bottom = h * rng.uniform(0.28, 0.34), h * rng.uniform(0.7, 0.76)
    white = (rng.uniform(238, 250),) * 3
    light = stage.light
    body = union(
        box(stage.shape, cx - rx, top, cx + rx, bottom),
        ellipse(stage.shape, (cx, bottom), (rx, rx * tilt)),
        ellipse(stage.shape, (cx, top), (rx, rx * tilt)),
    )
    hx, hy = cx + rx, (top + bottom) / 2 - 0.02 * h
    hw, hh, thick = rx * 0.55, (bottom - top) * 0.3, rx * 0.16
    loop = minus(
        ellipse(stage.shape, (hx, hy), (hw, hh)),
        ellipse(stage.shape, (hx, hy), (hw - thick, hh - thick)),
    )
    d.add(loop, rod(white, (hx + hw - thick, top), (hx + hw - thick, bottom), thick, light))
    d.add(body, rod(white, (cx, top), (cx, bottom), rx, light, ambient=0.7, shine=0.1))
    inside = ellipse(stage.shape, (cx, top), (rx * 0.9, rx * tilt * 0.85))
    d.add(inside, graded((150, 150, 152), (225, 225, 228), top - rx * tilt, top + rx * tilt))
    return Product(d, bottom + rx * tilt)


def ladder(stage: Stage) -> Product:
    """A step ladder from the front: thin rails, narrow treads, a plastic top cap."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    metal = pick(rng, [(192, 194, 200), (226, 120, 40), (200, 168, 60)])
    cx = w * rng.uniform(0.42, 0.58)
    foot, top = stage.floor_y + 0.08 * h, h * rng.uniform(0.08, 0.14)
    spread_b, spread_t, rail = w * 0.24, w * 0.15, w * 0.011
    light = stage.light
    for sign in (-1, 1):  # the rear legs first, behind
        start, end = (
            (cx + sign * spread_t * 0.9, top + 0.04 * h),
            (cx + sign * spread_b * 0.8, foot - 0.05 * h),
        )
        d.add(
            tube(stage.shape, start, end, rail * 0.7, rail * 0.7),
            rod(metal, start, end, rail, light, 0.4),
        )
    steps = int(rng.integers(4, 6))
    for i in range(1, steps + 1):
        t = i / (steps + 1)
        y = top + t * (foot - top)
        half = spread_t + t * (spread_b - spread_t)
        d.add(
            box(stage.shape, cx - half, y, cx + half, y + 0.012 * h), tuple(0.8 * c for c in metal)
        )
        d.add(
            box(stage.shape, cx - half, y - 0.008 * h, cx + half, y),
            tuple(min(255, 1.1 * c) for c in metal),
        )
    for sign in (-1, 1):
        start, end = (cx + sign * spread_t, top), (cx + sign * spread_b, foot)
        d.add(
            tube(stage.shape, start, end, rail, rail), rod(metal, start, end, rail, light, 0.4, 0.4)
        )
    cap = pick(rng, [(60, 62, 66), (210, 60, 40), (40, 80, 160)])
    d.add(
        rounded(
            stage.shape,
            (cx - spread_t - 2 * rail, top - 0.04 * h, cx + spread_t + 2 * rail, top + 0.015 * h),
            6,
        ),
        flat(cap, rng),
    )
    return Product(d, foot)


def floor_clutter(stage: Stage, near: Product, count: int) -> list[Product]:
    """Small things on the floor around a product: balls, books, blocks, cups; some
    right against its base."""
    (h, w), rng = stage.shape, stage.rng
    box_ = near.drawing.alpha.max(axis=0) > 0.5
    cols = np.flatnonzero(box_)
    items = []
    makers = [_ball, _book, _block, _cup]
    for i in range(count):
        touching = i % 2 == 0
        x = rng.uniform(cols[0], cols[-1]) if touching else rng.uniform(0.05, 0.95) * w
        y = near.base + (rng.uniform(0.0, 0.03) if touching else rng.uniform(0.05, 0.2)) * h
        y = min(y, h * 0.97)
        items.append(makers[int(rng.integers(len(makers)))](stage, x, y))
    return items


def _ball(stage: Stage, x: float, y: float) -> Product:
    (_, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    r = w * stage.rng.uniform(0.025, 0.045)
    colour = pick(rng, [(220, 40, 40), (250, 200, 40), (40, 120, 220), (60, 170, 80)])
    d.add(
        ellipse(stage.shape, (x, y - r), (r, r)), dome(colour, (x, y - r), (r, r), stage.light, 0.4)
    )
    return Product(d, y)


def _book(stage: Stage, x: float, y: float) -> Product:
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    bw, bh, thick = w * rng.uniform(0.06, 0.09), h * rng.uniform(0.02, 0.035), h * 0.012
    cover = pick(rng, [(150, 40, 40), (30, 60, 110), (40, 100, 70), (200, 170, 60)])
    top = [
        (x - bw, y - thick - bh),
        (x + bw * 0.8, y - thick - bh),
        (x + bw, y - thick),
        (x - bw * 0.8, y - thick),
    ]
    d.add(box(stage.shape, x - bw * 0.8, y - thick, x + bw, y), (236, 230, 214))
    d.add(polygon(stage.shape, top), flat(cover, rng))
    return Product(d, y)


def _block(stage: Stage, x: float, y: float) -> Product:
    (_, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    s = w * rng.uniform(0.025, 0.04)
    colour = np.asarray(pick(rng, [(230, 60, 50), (60, 160, 220), (250, 210, 60)]), np.float32)
    d.add(box(stage.shape, x - s, y - 2 * s, x + s, y), tuple(colour * 0.85))
    top = [
        (x - s, y - 2 * s),
        (x + s, y - 2 * s),
        (x + 1.4 * s, y - 2.5 * s),
        (x - 0.6 * s, y - 2.5 * s),
    ]
    d.add(polygon(stage.shape, top), tuple(np.minimum(255, colour * 1.1)))
    side = [(x + s, y - 2 * s), (x + 1.4 * s, y - 2.5 * s), (x + 1.4 * s, y - 0.5 * s), (x + s, y)]
    d.add(polygon(stage.shape, side), tuple(colour * 0.6))
    return Product(d, y)


def _cup(stage: Stage, x: float, y: float) -> Product:
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    r, tall = w * rng.uniform(0.018, 0.028), h * rng.uniform(0.04, 0.06)
    colour = pick(rng, [(240, 240, 236), (90, 140, 200), (200, 90, 60)])
    body = union(
        box(stage.shape, x - r, y - tall, x + r, y), ellipse(stage.shape, (x, y), (r, r * 0.3))
    )
    d.add(body, rod(colour, (x, y - tall), (x, y), r, stage.light))
    d.add(ellipse(stage.shape, (x, y - tall), (r, r * 0.3)), tuple(0.6 * c for c in colour))
    return Product(d, y)


def floor_lamp(stage: Stage) -> Product:
    """A floor lamp: a round base, a stem a few pixels wide, a fabric shade."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    cx, foot = w * rng.uniform(0.4, 0.6), stage.floor_y + 0.12 * h
    shade_top, shade_h = h * rng.uniform(0.06, 0.12), h * rng.uniform(0.14, 0.18)
    stem = pick(rng, [(40, 40, 42), (180, 140, 70), (150, 150, 155)])
    r = w * rng.uniform(0.005, 0.008)
    start, end = (cx, shade_top + shade_h), (cx, foot - 0.02 * h)
    d.add(tube(stage.shape, start, end, r, r), rod(stem, start, end, r, stage.light, 0.4, 0.5))
    base_r = w * rng.uniform(0.09, 0.12)
    d.add(
        union(
            box(stage.shape, cx - base_r, foot - 0.03 * h, cx + base_r, foot),
            ellipse(stage.shape, (cx, foot), (base_r, base_r * 0.2)),
        ),
        tuple(0.7 * c for c in stem),
    )
    d.add(ellipse(stage.shape, (cx, foot - 0.03 * h), (base_r, base_r * 0.2)), stem)
    top_r, bottom_r = w * rng.uniform(0.08, 0.11), w * rng.uniform(0.14, 0.18)
    fabric = pick(rng, [(236, 226, 204), (210, 200, 180), (60, 70, 90)])
    shade = union(
        polygon(
            stage.shape,
            [
                (cx - top_r, shade_top),
                (cx + top_r, shade_top),
                (cx + bottom_r, shade_top + shade_h),
                (cx - bottom_r, shade_top + shade_h),
            ],
        ),
        ellipse(stage.shape, (cx, shade_top + shade_h), (bottom_r, bottom_r * 0.15)),
    )
    d.add(
        shade, rod(fabric, (cx, shade_top), (cx, shade_top + shade_h), bottom_r, stage.light, 0.7)
    )
    return Product(d, foot)


def desk_lamp(stage: Stage) -> Product:
    """An architect's lamp: a heavy base, two thin arms with springs, a conical head."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    colour = pick(rng, [(30, 30, 32), (230, 230, 226), (200, 40, 40), (40, 90, 70)])
    bx, by = w * rng.uniform(0.35, 0.45), stage.floor_y + 0.2 * h
    elbow = (bx + w * rng.uniform(0.15, 0.22), by - h * rng.uniform(0.33, 0.4))
    head = (elbow[0] - w * rng.uniform(0.18, 0.25), elbow[1] - h * rng.uniform(0.05, 0.12))
    base = (bx, by - 0.03 * h)
    arm = w * 0.007
    d.add(
        union(
            ellipse(stage.shape, (bx, by), (0.08 * w, 0.02 * h)),
            box(stage.shape, bx - 0.08 * w, by - 0.03 * h, bx + 0.08 * w, by),
        ),
        colour,
    )
    d.add(
        ellipse(stage.shape, (bx, by - 0.03 * h), (0.08 * w, 0.02 * h)),
        tuple(min(255, c * 1.2 + 20) for c in colour),
    )
    for start, end in ((base, elbow), (elbow, head)):
        d.add(
            tube(stage.shape, start, end, arm, arm),
            rod(colour, start, end, arm, stage.light, 0.4, 0.4),
        )
        spring = [(start[0] + 12, start[1] - 4), (end[0] + 12, end[1] - 4)]
        d.add(stroke(stage.shape, spring, 2.0), (120, 120, 120))
        d.add(ellipse(stage.shape, end, (arm * 1.8, arm * 1.8)), colour)
    angle = math.atan2(head[1] - elbow[1], head[0] - elbow[0])
    ux, uy = math.cos(angle), math.sin(angle)
    tip = (head[0] + ux * 0.1 * w, head[1] + uy * 0.1 * w + 0.06 * h)
    cone = [head, (tip[0] - 0.07 * w, tip[1] + 0.02 * h), (tip[0] + 0.05 * w, tip[1] + 0.05 * h)]
    d.add(
        polygon(
            stage.shape,
            [
                (head[0] - 0.02 * w, head[1]),
                (head[0] + 0.02 * w, head[1] + 0.01 * h),
                cone[2],
                cone[1],
            ],
        ),
        dome(colour, tip, (0.07 * w, 0.05 * h), stage.light, 0.3),
    )
    return Product(d, by)


def _profile_outline(cx: float, rows: np.ndarray, radii: np.ndarray) -> list[tuple[float, float]]:
    left = [(cx - r, y) for y, r in zip(rows, radii, strict=True)]
    right = [(cx + r, y) for y, r in zip(rows[::-1], radii[::-1], strict=True)]
    return left + right


def _glass(stage: Stage, cx: float, rows: np.ndarray, radii: np.ndarray, tint: Colour):
    """Paint of clear glass: the backdrop behind it mirrored, squeezed and tinted, dark
    towards the rims (light glancing off them), a window's reflection, highlights, and a
    thick base that bends and darkens what shows through it."""
    import cv2

    behind = cv2.GaussianBlur(stage.backdrop, (0, 0), 2.5)
    h, w = stage.shape
    tint_ = np.asarray(tint, np.float32)
    phase, base = stage.light * 0.4, rows[0] + 0.9 * (rows[-1] - rows[0])

    def paint(ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
        r = np.interp(ys, rows, radii) + 1e-3
        n = np.clip((xs - cx) / r, -1.0, 1.0)
        thick = (ys > base)[:, None]
        sx = np.clip(cx - n * r * np.where(thick[:, 0], 0.25, 0.55), 0, w - 1).astype(int)
        sy = np.clip(ys + 0.02 * h, 0, h - 1).astype(int)
        rim = 1.0 - 0.6 * np.abs(n)[:, None] ** 3
        colour = behind[sy, sx] * tint_[None] * rim * np.where(thick, tint_[None] * 0.8, 1.0)
        window = 0.25 * np.exp(-(((n - 0.45 + phase) / 0.12) ** 4))
        spec = 0.8 * np.exp(-(((n + 0.55 - phase) / 0.06) ** 2))
        spec = spec + 0.3 * np.exp(-(((n - 0.75) / 0.04) ** 2)) + window
        return colour * (1 - window[:, None]) + 255.0 * spec[:, None]

    return paint


def glass_vase(stage: Stage) -> Product:
    """A clear glass vase: the table and wall behind show through it, bent."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    cx, top, bottom = (
        w * rng.uniform(0.42, 0.58),
        h * rng.uniform(0.12, 0.2),
        h * rng.uniform(0.78, 0.84),
    )
    big = w * rng.uniform(0.16, 0.2)
    rows = np.linspace(top, bottom, 80)
    t = (rows - top) / (bottom - top)
    radii = big * (0.45 + 0.55 * np.sin(np.pi * np.clip(0.2 + 0.9 * t, 0, 1)) ** 1.5)
    radii[t < 0.08] = big * 0.5
    tint = pick(rng, [(0.92, 0.97, 0.94), (0.88, 0.94, 1.0), (0.96, 0.96, 0.96)])
    d.add(
        polygon(stage.shape, _profile_outline(cx, rows, radii)),
        _glass(stage, cx, rows, radii, tint),
    )
    d.add(
        ellipse(stage.shape, (cx, bottom), (radii[-1], radii[-1] * 0.15)),
        _glass(stage, cx, rows, radii, tint),
    )
    rim = ellipse(stage.shape, (cx, top), (big * 0.5, big * 0.08))
    d.add(minus(rim, ellipse(stage.shape, (cx, top), (big * 0.46, big * 0.06))), (235, 240, 240))
    return Product(d, bottom + radii[-1] * 0.15)


def glass_bottle(stage: Stage) -> Product:
    """A clear bottle with a paper label and a metal cap, on a pale backdrop."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    cx, top, bottom = (
        w * rng.uniform(0.42, 0.58),
        h * rng.uniform(0.1, 0.16),
        h * rng.uniform(0.82, 0.88),
    )
    body = w * rng.uniform(0.1, 0.13)
    rows = np.linspace(top, bottom, 100)
    t = (rows - top) / (bottom - top)
    shoulder = np.clip((t - 0.22) / 0.15, 0.0, 1.0)
    radii = body * (0.28 + 0.72 * (3 * shoulder**2 - 2 * shoulder**3))
    tint = pick(rng, [(0.9, 0.97, 0.92), (0.97, 0.97, 0.98), (0.75, 0.55, 0.35)])
    d.add(
        polygon(stage.shape, _profile_outline(cx, rows, radii)),
        _glass(stage, cx, rows, radii, tint),
    )
    label_top, label_bottom = top + 0.5 * (bottom - top), top + 0.78 * (bottom - top)
    paper = pick(rng, [(236, 226, 200), (200, 40, 50), (30, 60, 110)])
    d.add(
        box(stage.shape, cx - body, label_top, cx + body, label_bottom),
        rod(paper, (cx, label_top), (cx, label_bottom), body, stage.light, 0.6),
    )
    d.add(
        box(stage.shape, cx - body * 0.32, top - 0.04 * h, cx + body * 0.32, top + 0.01 * h),
        rod((190, 160, 80), (cx, top), (cx, top + 1), body * 0.32, stage.light, 0.4, 0.4),
    )
    return Product(d, bottom)


def microwave(stage: Stage) -> Product:
    """A white microwave oven seen a little from the side, on a white sweep."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    x0, x1 = w * rng.uniform(0.14, 0.2), w * rng.uniform(0.72, 0.78)
    y0, y1 = h * rng.uniform(0.3, 0.36), h * rng.uniform(0.68, 0.72)
    depth = w * 0.08
    white = rng.uniform(236, 248)
    top = [(x0, y0), (x1, y0), (x1 + depth, y0 - depth * 0.5), (x0 + depth, y0 - depth * 0.5)]
    side = [(x1, y0), (x1 + depth, y0 - depth * 0.5), (x1 + depth, y1 - depth * 0.5), (x1, y1)]
    d.add(polygon(stage.shape, side), flat((white * 0.86,) * 3, rng, 1.0))
    d.add(polygon(stage.shape, top), flat((min(255, white * 1.03),) * 3, rng, 1.0))
    d.add(box(stage.shape, x0, y0, x1, y1), graded((white,) * 3, (white * 0.95,) * 3, y0, y1))
    panel = x1 - (x1 - x0) * 0.24
    d.add(
        box(stage.shape, x0 + 0.03 * w, y0 + 0.04 * h, panel - 0.03 * w, y1 - 0.04 * h),
        (225, 225, 224),
    )
    window = (x0 + 0.06 * w, y0 + 0.07 * h, panel - 0.08 * w, y1 - 0.07 * h)
    d.add(box(stage.shape, *window), graded((70, 72, 78), (30, 32, 36), window[1], window[3]))
    d.add(
        box(stage.shape, panel - 0.05 * w, y0 + 0.08 * h, panel - 0.035 * w, y1 - 0.08 * h),
        (200, 200, 200),
    )
    for i in range(4):
        d.add(
            ellipse(
                stage.shape, ((panel + x1) / 2, y0 + 0.1 * h + i * 0.05 * h), (0.015 * w, 0.015 * w)
            ),
            (150, 150, 152),
        )
    for fx in (x0 + 0.04 * w, x1 - 0.04 * w):
        d.add(box(stage.shape, fx - 0.02 * w, y1, fx + 0.02 * w, y1 + 0.012 * h), (60, 60, 60))
    return Product(d, y1 + 0.012 * h)


def bar_stool(stage: Stage) -> Product:
    """A bar stool: a round seat on four splayed thin legs with a foot ring."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    cx, sr = w * rng.uniform(0.42, 0.58), w * rng.uniform(0.15, 0.19)
    seat, foot = h * rng.uniform(0.2, 0.26), stage.floor_y + 0.15 * h
    metal = pick(rng, [(30, 30, 32), (180, 182, 188), (160, 120, 60)])
    leg = w * 0.008
    ring_y = seat + 0.6 * (foot - seat)
    for sx, dx, f in ((-0.45, -0.6, -0.04), (0.45, 0.6, -0.04)):  # back legs
        start, end = (cx + sx * sr, seat), (cx + dx * sr, foot + f * h)
        d.add(
            tube(stage.shape, start, end, leg * 0.8, leg * 0.8),
            rod(metal, start, end, leg, stage.light, 0.3, 0.4),
        )
    d.add(
        stroke(stage.shape, arc((cx, ring_y), (0.72 * sr, 0.12 * sr), 180, 360), leg * 1.4), metal
    )
    for sx, dx in ((-0.75, -0.95), (0.75, 0.95)):
        start, end = (cx + sx * sr, seat), (cx + dx * sr, foot)
        d.add(
            tube(stage.shape, start, end, leg, leg),
            rod(metal, start, end, leg, stage.light, 0.3, 0.5),
        )
    d.add(
        stroke(stage.shape, arc((cx, ring_y), (0.75 * sr, 0.12 * sr), 0, 180), leg * 1.5),
        rod(metal, (cx - sr, ring_y), (cx + sr, ring_y), 0.2 * sr, -0.4, 0.3, 0.4),
    )
    top = pick(rng, [(150, 100, 60), (40, 36, 34), (180, 60, 50)])
    band = 0.04 * h
    d.add(
        union(
            ellipse(stage.shape, (cx, seat + band), (sr, sr * 0.25)),
            box(stage.shape, cx - sr, seat, cx + sr, seat + band),
        ),
        rod(top, (cx, seat), (cx, seat + band), sr, stage.light, 0.5),
    )
    d.add(ellipse(stage.shape, (cx, seat), (sr, sr * 0.25)), tuple(min(255, c * 1.15) for c in top))
    return Product(d, foot)


def drill(stage: Stage) -> Product:
    """A cordless drill standing on its battery; the D-shaped grip encloses a hole."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    body_c = pick(rng, [(240, 190, 30), (40, 140, 90), (30, 120, 160), (220, 90, 30)])
    dark = (38, 38, 40)
    x0, y0 = w * rng.uniform(0.28, 0.34), h * rng.uniform(0.22, 0.28)
    bw, bh = w * rng.uniform(0.42, 0.48), h * 0.17
    foot = h * rng.uniform(0.8, 0.84)
    d.add(
        tube(stage.shape, (x0 - 0.14 * w, y0 + bh / 2), (x0, y0 + bh / 2), 0.004 * w, 0.004 * w),
        (170, 170, 176),
    )
    d.add(
        tube(
            stage.shape,
            (x0 - 0.07 * w, y0 + bh / 2),
            (x0 + 0.02 * w, y0 + bh / 2),
            0.03 * w,
            0.045 * w,
        ),
        rod(dark, (x0, y0), (x0 + 1, y0), 0.045 * w, stage.light, 0.4, 0.3),
    )
    grip_top, grip_x = (x0 + bw * 0.62, y0 + bh), x0 + bw * 0.72
    grip = [
        (grip_top[0] - 0.05 * w, grip_top[1] - 5),
        (grip_top[0] + 0.08 * w, grip_top[1] - 5),
        (grip_x + 0.06 * w, foot - 0.1 * h),
        (grip_x - 0.06 * w, foot - 0.1 * h),
    ]
    d.add(polygon(stage.shape, grip), flat(dark, rng))
    battery = (x0 + bw * 0.35, foot - 0.11 * h, x0 + bw * 1.05, foot)
    d.add(
        rounded(stage.shape, battery, 0.02 * w),
        graded((60, 60, 64), (30, 30, 32), battery[1], battery[3]),
    )
    guard = [(x0 + bw * 0.3, y0 + bh - 4), (x0 + bw * 0.36, foot - 0.1 * h)]
    d.add(stroke(stage.shape, guard, 0.03 * w), flat(body_c, rng))
    d.add(
        rounded(stage.shape, (x0, y0, x0 + bw, y0 + bh), 0.06 * w),
        rod(body_c, (x0, y0 + bh / 2), (x0 + bw, y0 + bh / 2), bh / 2, -0.4, 0.5, 0.2),
    )
    for i in range(4):
        vx = x0 + bw * (0.72 + 0.05 * i)
        d.add(box(stage.shape, vx, y0 + bh * 0.25, vx + 0.008 * w, y0 + bh * 0.7), dark)
    return Product(d, foot)


def bucket(stage: Stage) -> Product:
    """A plastic bucket with a thin wire handle arching over it."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    colour = pick(rng, [(40, 100, 190), (200, 50, 40), (120, 124, 130), (240, 200, 40)])
    cx, rt, rb = (
        w * rng.uniform(0.42, 0.58),
        w * rng.uniform(0.2, 0.24),
        w * rng.uniform(0.15, 0.18),
    )
    top, foot = h * rng.uniform(0.42, 0.48), stage.floor_y + 0.18 * h
    tilt = 0.22
    body = union(
        polygon(stage.shape, [(cx - rt, top), (cx + rt, top), (cx + rb, foot), (cx - rb, foot)]),
        ellipse(stage.shape, (cx, foot), (rb, rb * tilt)),
    )
    d.add(body, rod(colour, (cx, top), (cx, foot), rt, stage.light, 0.5, 0.2))
    d.add(
        ellipse(stage.shape, (cx, top), (rt, rt * tilt)), tuple(min(255, c * 1.1) for c in colour)
    )
    d.add(
        ellipse(stage.shape, (cx, top), (rt * 0.94, rt * tilt * 0.9)),
        graded(
            tuple(c * 0.45 for c in colour),
            tuple(c * 0.8 for c in colour),
            top - rt * tilt,
            top + rt * tilt,
        ),
    )
    rise = h * rng.uniform(0.2, 0.28)
    wire = arc((cx, top), (rt * 0.98, rise), 180, 360)
    d.add(stroke(stage.shape, wire, w * 0.006), (150, 150, 156))
    for sign in (-1, 1):
        d.add(
            ellipse(stage.shape, (cx + sign * rt * 0.98, top + 0.01 * h), (0.012 * w, 0.016 * h)),
            colour,
        )
    return Product(d, foot + rb * tilt)


def side_table(stage: Stage) -> Product:
    """A side table: a slab top, four slim legs and a lower shelf, seen from the front."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    wood = tx.wood(rng, stage.shape, pick(rng, WOODS), 4000)
    cx, half = w * rng.uniform(0.42, 0.58), w * rng.uniform(0.24, 0.3)
    top, foot = h * rng.uniform(0.3, 0.36), stage.floor_y + 0.16 * h
    back_foot, leg = foot - 0.06 * h, 0.011 * w
    slab = [
        (cx - half * 0.88, top - 0.05 * h),
        (cx + half * 0.88, top - 0.05 * h),
        (cx + half, top),
        (cx - half, top),
    ]
    for sign in (-1, 1):  # back legs
        x = cx + sign * half * 0.78
        d.add(
            box(stage.shape, x - leg * 0.8, top, x + leg * 0.8, back_foot),
            lambda ys, xs: textured(wood)(ys, xs) * 0.7,
        )
    shelf = top + 0.62 * (foot - top)
    d.add(
        box(stage.shape, cx - half * 0.85, shelf, cx + half * 0.85, shelf + 0.02 * h),
        textured(wood),
    )
    for sign in (-1, 1):
        x = cx + sign * half * 0.9
        d.add(
            box(stage.shape, x - leg, top, x + leg, foot),
            textured(wood, rod((255,) * 3, (x, top), (x, foot), leg, stage.light)),
        )
    d.add(polygon(stage.shape, slab), textured(wood))
    d.add(
        box(stage.shape, cx - half, top, cx + half, top + 0.03 * h),
        lambda ys, xs: textured(wood)(ys, xs) * 0.8,
    )
    return Product(d, foot)


def coat_rack(stage: Stage) -> Product:
    """A standing coat rack: one pole, splayed feet and curved hooks at the top."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    colour = pick(rng, [(40, 36, 34), (120, 80, 48), (200, 200, 196)])
    cx, foot = w * rng.uniform(0.42, 0.58), stage.floor_y + 0.12 * h
    top, r = h * rng.uniform(0.06, 0.1), w * rng.uniform(0.01, 0.014)
    d.add(
        tube(stage.shape, (cx, top), (cx, foot - 0.05 * h), r, r * 1.1),
        rod(colour, (cx, top), (cx, foot), r, stage.light, 0.4, 0.3),
    )
    for dx, dy in ((-0.2, 0.0), (0.2, 0.0), (-0.06, -0.03), (0.07, 0.02)):
        end = (cx + dx * w, foot + dy * h)
        d.add(
            tube(stage.shape, (cx, foot - 0.08 * h), end, r * 0.9, r * 0.7),
            rod(colour, (cx, foot), end, r, stage.light),
        )
    for level, count in ((top + 0.03 * h, 4), (top + 0.1 * h, 3)):
        for i in range(count):
            side = -1 if i % 2 == 0 else 1
            reach = w * (0.07 + 0.02 * i)
            hook = [
                (cx, level),
                (cx + side * reach * 0.7, level + 0.04 * h),
                (cx + side * reach, level + 0.02 * h),
                (cx + side * reach * 1.05, level - 0.015 * h),
            ]
            d.add(stroke(stage.shape, hook, r * 0.8), colour)
    d.add(ellipse(stage.shape, (cx, top), (r * 1.8, r * 1.8)), colour)
    return Product(d, foot)


def _chrome(centre: tuple[float, float], radius: float, light: float) -> object:
    """Polished metal: the room reflected as sharp light and dark bands across it."""
    cx, _ = centre

    def paint(ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
        n = np.clip((xs - cx) / radius, -1, 1)
        level = (
            0.55
            + 0.35 * np.sin(5.0 * n + 2 * light)
            + 0.5 * np.exp(-(((n + light * 0.5) / 0.12) ** 2))
        )
        return np.clip(np.stack([level * 200, level * 204, level * 212], axis=-1), 0, 255)

    return paint


def faucet(stage: Stage) -> Product:
    """A chrome kitchen faucet with a gooseneck spout over a marble counter."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    cx, foot = w * rng.uniform(0.55, 0.62), stage.floor_y + 0.12 * h
    br, tall = w * rng.uniform(0.04, 0.05), h * rng.uniform(0.25, 0.3)
    neck = foot - tall
    reach = w * rng.uniform(0.15, 0.2)
    spout = [
        (cx, neck + 0.02 * h),
        *arc((cx - reach, neck), (reach, reach * 1.1), 0, -180, 48)[1:],
        (cx - 2 * reach, neck + 0.1 * h),
    ]
    thick = br * 0.55
    d.add(
        stroke(stage.shape, spout, 2 * thick), _chrome((cx - reach, 0), reach + thick, stage.light)
    )
    d.add(
        box(
            stage.shape,
            cx - 2 * reach - thick * 1.1,
            neck + 0.1 * h,
            cx - 2 * reach + thick * 1.1,
            neck + 0.13 * h,
        ),
        (90, 92, 96),
    )
    d.add(
        union(
            box(stage.shape, cx - br, neck, cx + br, foot),
            ellipse(stage.shape, (cx, foot), (br * 1.4, br * 0.3)),
        ),
        _chrome((cx, 0), br, stage.light),
    )
    lever = ((cx + br * 0.6, neck + 0.05 * h), (cx + br * 2.8, neck - 0.03 * h))
    d.add(
        tube(stage.shape, *lever, br * 0.25, br * 0.18),
        _chrome((cx + br * 1.7, 0), br * 1.2, stage.light),
    )
    return Product(d, foot + br * 0.3)


def potted_plant(stage: Stage) -> Product:
    """A house plant: a terracotta pot, thin stems and leaves with the wall between them."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    cx, foot = w * rng.uniform(0.42, 0.58), stage.floor_y + 0.14 * h
    pot_top, pr = foot - h * rng.uniform(0.22, 0.26), w * rng.uniform(0.12, 0.15)
    clay = pick(rng, [(186, 96, 62), (220, 216, 206), (60, 64, 70)])
    greens = [(50, 110, 50), (70, 140, 60), (40, 90, 44), (90, 150, 70)]
    for _ in range(int(rng.integers(9, 14))):
        angle = math.radians(rng.uniform(-160, -20))
        length = h * rng.uniform(0.2, 0.42)
        end = (cx + math.cos(angle) * length, pot_top + math.sin(angle) * length)
        root = (cx + rng.uniform(-0.4, 0.4) * pr, pot_top + 0.01 * h)
        d.add(stroke(stage.shape, [root, end], w * 0.004), (70, 100, 50))
        size = (w * rng.uniform(0.05, 0.08), w * rng.uniform(0.018, 0.03))
        colour = pick(rng, greens)
        d.add(
            ellipse(stage.shape, end, size, math.degrees(angle) + rng.uniform(-25, 25)),
            dome(colour, end, (size[0], size[0]), stage.light, 0.15),
        )
    d.add(
        polygon(
            stage.shape,
            [
                (cx - pr, pot_top),
                (cx + pr, pot_top),
                (cx + pr * 0.75, foot),
                (cx - pr * 0.75, foot),
            ],
        ),
        rod(clay, (cx, pot_top), (cx, foot), pr, stage.light, 0.5),
    )
    d.add(
        box(stage.shape, cx - pr * 1.06, pot_top - 0.01 * h, cx + pr * 1.06, pot_top + 0.035 * h),
        rod(
            tuple(min(255, c * 1.08) for c in clay), (cx, pot_top), (cx, foot), pr, stage.light, 0.5
        ),
    )
    return Product(d, foot)


def wardrobe(stage: Stage) -> Product:
    """A tall wardrobe in close-up: its top runs out of the frame."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    colour = pick(rng, [(236, 234, 228), (176, 136, 96), (110, 116, 120)])
    x0, x1 = w * rng.uniform(0.16, 0.22), w * rng.uniform(0.72, 0.78)
    foot = stage.floor_y + 0.1 * h
    depth = w * 0.06
    side = [(x1, -10), (x1 + depth, -10), (x1 + depth, foot - 0.04 * h), (x1, foot)]
    d.add(polygon(stage.shape, side), flat(tuple(c * 0.78 for c in colour), rng, 1.5))
    d.add(
        box(stage.shape, x0, -10, x1, foot),
        graded(colour, tuple(c * 0.93 for c in colour), 0, foot),
    )
    d.add(box(stage.shape, x0, foot - 0.05 * h, x1, foot), tuple(c * 0.6 for c in colour))
    middle = (x0 + x1) / 2
    d.add(
        box(stage.shape, middle - 1.5, -10, middle + 1.5, foot - 0.05 * h),
        tuple(c * 0.55 for c in colour),
    )
    for hx in (middle - 0.03 * w, middle + 0.03 * w):
        d.add(box(stage.shape, hx - 4, 0.4 * h, hx + 4, 0.55 * h), (150, 150, 155))
    return Product(d, foot)


def paint_can(stage: Stage) -> Product:
    """A paint tin with a printed label and a wire handle, in hard sunlight."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    cx, r = w * rng.uniform(0.38, 0.5), w * rng.uniform(0.16, 0.2)
    top, foot = h * rng.uniform(0.34, 0.4), h * rng.uniform(0.7, 0.74)
    tilt = 0.25
    metal = (188, 190, 196)
    d.add(
        union(
            box(stage.shape, cx - r, top, cx + r, foot),
            ellipse(stage.shape, (cx, foot), (r, r * tilt)),
        ),
        rod(metal, (cx, top), (cx, foot), r, stage.light, 0.45, 0.5),
    )
    label = pick(rng, [(200, 40, 40), (30, 90, 170), (240, 240, 236), (40, 130, 80)])
    ly0, ly1 = top + 0.06 * h, foot - 0.04 * h
    d.add(
        box(stage.shape, cx - r, ly0, cx + r, ly1),
        rod(label, (cx, ly0), (cx, ly1), r, stage.light, 0.5),
    )
    for i in range(3):
        y = ly0 + (0.3 + 0.12 * i) * (ly1 - ly0)
        d.add(
            box(stage.shape, cx - r * 0.5, y, cx + r * (0.3 - 0.1 * i), y + 0.012 * h),
            (250, 250, 250),
        )
    d.add(ellipse(stage.shape, (cx, top), (r, r * tilt)), (210, 212, 218))
    d.add(ellipse(stage.shape, (cx, top), (r * 0.85, r * tilt * 0.85)), (160, 162, 168))
    d.add(
        stroke(stage.shape, arc((cx, top + 0.02 * h), (r * 1.02, r * 0.55), 180, 360), w * 0.005),
        (120, 120, 124),
    )
    return Product(d, foot + r * tilt)


def bistro_chair(stage: Stage) -> Product:
    """A black bentwood chair: thin legs, a hoop back with bars, a dark round seat."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    frame = pick(rng, [(28, 26, 26), (48, 34, 28), (36, 38, 42)])
    cx, sr = w * rng.uniform(0.42, 0.58), w * rng.uniform(0.17, 0.2)
    seat, foot = stage.floor_y - 0.1 * h, stage.floor_y + 0.16 * h
    r = w * 0.007
    for sx, fy in ((-0.6, -0.05), (0.6, -0.05), (-0.95, 0.0), (0.95, 0.0)):
        start, end = (cx + sx * 0.85 * sr, seat), (cx + sx * sr, foot + fy * h)
        d.add(
            tube(stage.shape, start, end, r, r * 0.8),
            rod(frame, start, end, r, stage.light, 0.4, 0.3),
        )
    d.add(
        stroke(stage.shape, arc((cx, seat + 0.12 * h), (0.85 * sr, 0.1 * sr), 0, 180), r * 1.6),
        frame,
    )
    back_top = seat - h * rng.uniform(0.3, 0.36)
    hoop = arc((cx, back_top + 0.8 * sr), (0.8 * sr, 0.8 * sr), 180, 360)
    d.add(
        stroke(stage.shape, [(cx - 0.8 * sr, seat), *hoop, (cx + 0.8 * sr, seat)], r * 2.2), frame
    )
    for i in range(int(rng.integers(2, 4))):
        y = seat - (0.08 + 0.07 * i) * h
        d.add(stroke(stage.shape, [(cx - 0.8 * sr, y), (cx + 0.8 * sr, y)], r * 1.4), frame)
    d.add(
        union(
            ellipse(stage.shape, (cx, seat + 0.02 * h), (sr, sr * 0.25)),
            box(stage.shape, cx - sr, seat, cx + sr, seat + 0.02 * h),
        ),
        rod(
            pick(rng, [(60, 40, 30), (30, 30, 30)]),
            (cx, seat),
            (cx, seat + 1),
            sr,
            stage.light,
            0.5,
        ),
    )
    d.add(ellipse(stage.shape, (cx, seat), (sr, sr * 0.25)), tuple(c * 1.6 for c in frame))
    return Product(d, foot)


def scissors(stage: Stage) -> Product:
    """Scissors lying open on a workbench: two blades and two handle loops with holes."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    pivot = (w * rng.uniform(0.45, 0.55), h * rng.uniform(0.45, 0.55))
    heading, opening = math.radians(rng.uniform(-30, 30)), math.radians(rng.uniform(12, 24))
    plastic = pick(rng, [(230, 90, 30), (30, 30, 34), (40, 110, 200), (200, 40, 50)])
    blade = w * rng.uniform(0.34, 0.4)
    for sign in (-1, 1):
        a = heading + sign * opening / 2
        tip = (pivot[0] + math.cos(a) * blade, pivot[1] + math.sin(a) * blade)
        nx, ny = -math.sin(a), math.cos(a)
        wide = w * 0.028
        shape = [
            (pivot[0] + sign * nx * wide, pivot[1] + sign * ny * wide),
            tip,
            (pivot[0] - sign * nx * wide * 0.2, pivot[1] - sign * ny * wide * 0.2),
        ]
        d.add(
            polygon(stage.shape, shape),
            rod((200, 202, 208), pivot, tip, wide, stage.light, 0.5, 0.5),
        )
        back = a + math.pi + sign * math.radians(rng.uniform(8, 14))
        centre = (pivot[0] + math.cos(back) * w * 0.15, pivot[1] + math.sin(back) * w * 0.15)
        axes = (w * rng.uniform(0.07, 0.085), w * rng.uniform(0.045, 0.055))
        loop = minus(
            ellipse(stage.shape, centre, axes, math.degrees(back)),
            ellipse(stage.shape, centre, (axes[0] * 0.68, axes[1] * 0.55), math.degrees(back)),
        )
        neck = tube(stage.shape, pivot, centre, w * 0.022, w * 0.02)
        d.add(
            minus(
                union(loop, neck),
                ellipse(stage.shape, centre, (axes[0] * 0.68, axes[1] * 0.55), math.degrees(back)),
            ),
            dome(plastic, centre, axes, stage.light, 0.2),
        )
    d.add(ellipse(stage.shape, pivot, (w * 0.01, w * 0.01)), (120, 120, 126))
    return Product(d, pivot[1])


def armchair(stage: Stage) -> Product:
    """A velvet armchair on short legs, in strong side light."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    fabric = tx.carpet(
        rng,
        stage.shape,
        pick(rng, [(40, 90, 70), (190, 140, 40), (50, 60, 120), (150, 60, 60)]),
        0.06,
    )
    cx, half = w * rng.uniform(0.44, 0.56), w * rng.uniform(0.24, 0.28)
    foot = stage.floor_y + 0.15 * h
    base = foot - 0.05 * h
    seat, back = base - 0.15 * h, base - 0.5 * h
    velvet = lambda k: lambda ys, xs: fabric[ys.astype(int), xs.astype(int)] * k  # noqa: E731
    d.add(
        rounded(stage.shape, (cx - half * 0.8, back, cx + half * 0.8, seat + 0.05 * h), 0.08 * w),
        textured(fabric, rod((255,) * 3, (cx, back), (cx, seat), half * 0.8, stage.light, 0.55)),
    )
    d.add(
        rounded(
            stage.shape,
            (cx - half * 0.75, seat - 0.02 * h, cx + half * 0.75, seat + 0.08 * h),
            0.03 * w,
        ),
        velvet(1.1),
    )
    d.add(box(stage.shape, cx - half * 0.8, seat + 0.06 * h, cx + half * 0.8, base), velvet(0.8))
    for sign in (-1, 1):
        ax = cx + sign * half * 0.82
        d.add(
            rounded(stage.shape, (ax - 0.08 * w, seat - 0.1 * h, ax + 0.08 * w, base), 0.04 * w),
            textured(fabric, rod((255,) * 3, (ax, seat), (ax, base), 0.08 * w, stage.light, 0.5)),
        )
        for lx in (ax - sign * 0.04 * w,):
            d.add(
                tube(
                    stage.shape, (lx, base - 2), (lx + sign * 0.01 * w, foot), 0.009 * w, 0.005 * w
                ),
                (70, 48, 30),
            )
    return Product(d, foot)


def kettle(stage: Stage) -> Product:
    """A stovetop kettle: a round body, a spout and a handle arching over the lid."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    cx, foot = w * rng.uniform(0.45, 0.55), stage.floor_y + 0.2 * h
    rb, rt, tall = (
        w * rng.uniform(0.19, 0.22),
        w * rng.uniform(0.12, 0.14),
        h * rng.uniform(0.26, 0.3),
    )
    top = foot - tall
    enamel = pick(rng, [None, (200, 50, 40), (236, 230, 214), (40, 80, 130)])
    paint = (
        _chrome((cx, 0), rb, stage.light)
        if enamel is None
        else dome(enamel, (cx, top + tall * 0.6), (rb, tall), stage.light, 0.35)
    )
    spout_root = (cx - rb * 0.8, foot - tall * 0.45)
    spout_tip = (cx - rb * 1.55, top - 0.02 * h)
    d.add(tube(stage.shape, spout_root, spout_tip, w * 0.03, w * 0.012), paint)
    body = union(
        polygon(
            stage.shape,
            [
                (cx - rt, top),
                (cx + rt, top),
                (cx + rb, foot - 0.04 * h),
                (cx - rb, foot - 0.04 * h),
            ],
        ),
        ellipse(stage.shape, (cx, foot - 0.04 * h), (rb, 0.05 * h)),
    )
    d.add(body, paint)
    d.add(
        ellipse(stage.shape, (cx, top), (rt, rt * 0.25)),
        tuple(0.8 * c for c in (enamel or (200, 200, 205))),
    )
    d.add(ellipse(stage.shape, (cx, top - 0.02 * h), (0.025 * w, 0.015 * h)), (30, 30, 30))
    handle = arc((cx, top), (rt * 1.05, h * rng.uniform(0.12, 0.16)), 180, 360)
    d.add(stroke(stage.shape, handle, w * 0.022), flat((34, 32, 30), rng))
    return Product(d, foot + 0.01 * h)


def towel_radiator(stage: Stage) -> Product:
    """A heated towel rail on a tiled wall: two uprights and many thin bars."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    colour = pick(rng, [(240, 240, 238), (190, 192, 198), (36, 36, 38)])
    x0, x1 = w * rng.uniform(0.24, 0.3), w * rng.uniform(0.7, 0.76)
    y0, y1 = h * rng.uniform(0.08, 0.12), h * rng.uniform(0.86, 0.9)
    post, bar = w * 0.016, w * rng.uniform(0.006, 0.009)
    bars = int(rng.integers(9, 14))
    for i in range(bars):
        y = y0 + 0.04 * h + i * (y1 - y0 - 0.08 * h) / (bars - 1)
        d.add(
            tube(stage.shape, (x0, y), (x1, y), bar, bar),
            rod(colour, (x0, y), (x1, y), bar, -0.4, 0.5, 0.4),
        )
    for x in (x0, x1):
        d.add(
            tube(stage.shape, (x, y0), (x, y1), post, post),
            rod(colour, (x, y0), (x, y1), post, stage.light, 0.5, 0.4),
        )
        d.add(ellipse(stage.shape, (x, y0), (post, post * 0.4)), colour)
    return Product(d, y1)


def sideboard(stage: Stage) -> Product:
    """A low sideboard on tapered legs: a top slab, three doors with knobs."""
    (h, w), rng, d = stage.shape, stage.rng, Drawing(stage.shape)
    colour = pick(rng, [(176, 136, 96), (236, 232, 222), (60, 90, 80), (120, 80, 56)])
    wood = tx.wood(rng, stage.shape, colour, 4000)
    x0, x1 = w * rng.uniform(0.14, 0.2), w * rng.uniform(0.8, 0.86)
    foot = stage.floor_y + 0.12 * h
    base, top = foot - 0.06 * h, foot - h * rng.uniform(0.36, 0.42)
    for lx in (x0 + 0.04 * w, x1 - 0.04 * w, x0 + 0.12 * w, x1 - 0.12 * w):
        d.add(tube(stage.shape, (lx, base - 2), (lx, foot), 0.01 * w, 0.006 * w), (70, 50, 36))
    d.add(box(stage.shape, x0, top, x1, base), textured(wood))
    d.add(box(stage.shape, x0 - 0.01 * w, top - 0.02 * h, x1 + 0.01 * w, top), textured(wood))
    third = (x1 - x0) / 3
    for i in range(3):
        left = x0 + i * third
        outline = minus(
            box(stage.shape, left + 4, top + 6, left + third - 4, base - 6),
            box(stage.shape, left + 6, top + 8, left + third - 6, base - 8),
        )
        d.add(outline, tuple(0.6 * c for c in colour))
        knob = (left + third / 2, top + 0.3 * (base - top))
        d.add(ellipse(stage.shape, knob, (0.008 * w, 0.008 * w)), (190, 170, 120))
    return Product(d, foot)


def clutter_in_front(stage: Stage, near: Product, count: int) -> list[Product]:
    """Small things standing on the floor just in front of a product, a small strip of
    floor between their tops and its base: they touch it only through the floor."""
    (h, _), rng = stage.shape, stage.rng
    cols = np.flatnonzero(near.drawing.alpha.max(axis=0) > 0.5)
    makers = [_ball, _book, _block, _cup]
    items = []
    for i in range(count):
        x = cols[0] + (i + rng.uniform(0.3, 0.7)) * (cols[-1] - cols[0]) / count
        item = makers[int(rng.integers(len(makers)))](stage, x, near.base + 0.2 * h)
        top = np.flatnonzero(item.drawing.alpha.max(axis=1) > 0.5)[0]
        shift = round(near.base + rng.uniform(0.005, 0.025) * h - top)
        item.drawing.alpha = np.roll(item.drawing.alpha, shift, axis=0)
        item.drawing.premultiplied = np.roll(item.drawing.premultiplied, shift, axis=0)
        items.append(Product(item.drawing, item.base + shift))
    return items
