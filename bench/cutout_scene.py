"""From a backdrop and a drawn product to a photo: cast shadows, clutter, room light and
a camera (lens blur, sensor noise, JPEG), with the product's exact coverage kept as the
ground-truth alpha."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from bench.cutout_drawing import Product, Stage
from bench.cutout_textures import lit

# Shadows are a little bluer than the light they block (the sky fills them in).
SHADOW_TINT = np.asarray([1.0, 0.97, 0.9], np.float32)


@dataclass(frozen=True)
class Shadow:
    """A shadow cast on the floor: the silhouette slanted sideways by `slant` and
    squashed to `squash` of its height behind the product, blurred more the further
    it falls; `wall` also darkens the wall behind, offset and very soft."""

    slant: float
    squash: float
    strength: float
    blur: float  # Gaussian sigma at the far end, in pixels
    wall: float = 0.0


@dataclass
class Scene:
    stage: Stage
    product: Product
    shadow: Shadow | None = None
    clutter: list[Product] = field(default_factory=list)
    # The product lies on the surface or hangs on the wall: its shadow is an offset copy.
    lying: bool = False
    jpeg_quality: int = 88
    noise: float = 3.0
    light: float = 0.25


def cast(alpha: np.ndarray, base: float, shadow: Shadow) -> np.ndarray:
    """Darkening (0–1) of the floor by the product whose silhouette is `alpha`."""
    matrix = np.float32(
        [[1, -shadow.slant, shadow.slant * base], [0, shadow.squash, base * (1 - shadow.squash)]]
    )
    height, width = alpha.shape
    flat = cv2.warpAffine(alpha, matrix, (width, height))
    near = cv2.GaussianBlur(flat, (0, 0), max(0.8, shadow.blur * 0.15))
    far = cv2.GaussianBlur(flat, (0, 0), max(1.0, shadow.blur))
    reach = max(1.0, shadow.squash * (base - _top(alpha)))
    rows = np.arange(height, dtype=np.float32)[:, None]
    t = np.clip((base - rows) / reach, 0.0, 1.0)
    darkening = (1 - t) * near + t * far
    # The contact: a tight dark line where the product meets the floor.
    contact = cv2.GaussianBlur(flat * (np.abs(rows - base) < 0.02 * height), (0, 0), 4.0)
    return np.clip(darkening + 0.5 * contact, 0.0, 1.0) * shadow.strength


def wall_shadow(alpha: np.ndarray, floor_y: int, shadow: Shadow, light: float) -> np.ndarray:
    """The soft shadow on the wall behind: the silhouette shifted away from the light."""
    height, width = alpha.shape
    shift = np.float32([[1, 0, -light * 0.06 * width], [0, 1, -0.02 * height]])
    moved = cv2.warpAffine(alpha, shift, (width, height))
    soft = cv2.GaussianBlur(moved, (0, 0), 0.02 * width)
    soft[floor_y:] = 0.0
    return soft * shadow.wall


def shaded(image: np.ndarray, darkening: np.ndarray) -> np.ndarray:
    return image * (1.0 - darkening[..., None] * SHADOW_TINT)


def over(image: np.ndarray, product: Product) -> np.ndarray:
    a = product.drawing.alpha[..., None]
    return image * (1 - a) + product.drawing.premultiplied


def shoot(scene: Scene) -> tuple[np.ndarray, np.ndarray]:
    """(photo H×W×3 uint8, ground-truth alpha H×W float32 in [0, 1])."""
    stage, product = scene.stage, scene.product
    image = stage.backdrop.astype(np.float32)
    alpha = product.drawing.alpha
    if scene.shadow is not None:
        if scene.lying:
            image = shaded(image, wall_shadow(alpha, stage.shape[0], scene.shadow, stage.light))
        else:
            floor = cast(alpha, product.base, scene.shadow)
            floor[: stage.floor_y] = 0.0  # what falls behind the floor line climbs the wall
            image = shaded(image, floor)
            image = shaded(image, wall_shadow(alpha, stage.floor_y, scene.shadow, stage.light))
    behind = [item for item in scene.clutter if item.base <= product.base]
    in_front = [item for item in scene.clutter if item.base > product.base]
    for item in behind:
        image = over(_with_contact(image, item), item)
    image = over(image, product)
    truth = alpha.copy()
    for item in in_front:
        image = over(_with_contact(image, item), item)
        truth *= 1.0 - item.drawing.alpha
    image = lit(image, stage.rng, scene.light)
    return camera(image, truth, stage.rng, scene)


def _with_contact(image: np.ndarray, item: Product) -> np.ndarray:
    """A small object's own soft shadow on the floor, right under and behind it."""
    shadow = Shadow(slant=0.3, squash=0.25, strength=0.45, blur=6.0)
    return shaded(image, cast(item.drawing.alpha, item.base, shadow))


def camera(
    image: np.ndarray, truth: np.ndarray, rng: np.random.Generator, scene: Scene
) -> tuple[np.ndarray, np.ndarray]:
    """Lens softness, sensor noise (stronger in the shadows' chroma), JPEG compression."""
    sigma = rng.uniform(0.6, 0.9)
    image = cv2.GaussianBlur(image, (0, 0), sigma)
    truth = cv2.GaussianBlur(truth, (0, 0), sigma)
    luma = rng.standard_normal(image.shape[:2]).astype(np.float32)[..., None]
    chroma = rng.standard_normal(image.shape).astype(np.float32)
    image = image + scene.noise * (luma + 0.4 * chroma)
    photo = np.clip(np.rint(image), 0, 255).astype(np.uint8)
    quality = [cv2.IMWRITE_JPEG_QUALITY, scene.jpeg_quality]
    encoded = cv2.imencode(".jpg", cv2.cvtColor(photo, cv2.COLOR_RGB2BGR), quality)[1]
    photo = cv2.cvtColor(cv2.imdecode(encoded, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return photo, np.clip(truth, 0.0, 1.0).astype(np.float32)


def _top(alpha: np.ndarray) -> float:
    rows = np.flatnonzero(alpha.max(axis=1) > 0.5)
    return float(rows[0]) if rows.size else 0.0
