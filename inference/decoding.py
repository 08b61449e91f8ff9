"""Any photo Pillow opens, as the upright 8-bit sRGB pixels it shows.

Pillow's own `convert("RGB")` clips 16- and 32-bit greyscale (a 16-bit PNG's
product comes out white), converts CMYK with a naive formula and ignores colour
profiles and EXIF orientation. Here each mode is brought to 0–255 with its real
tones, an embedded ICC profile is honoured, and a picture whose background is
already transparent keeps its own alpha as the product's mask.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageCms, ImageOps

log = logging.getLogger(__name__)

# A picture counts as already cut out when at least this share of it is transparent
# (alpha below one half); a stray half-transparent pixel does not make a cut-out.
TRANSPARENT_SHARE = 0.01
HIGH_BIT_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I", "F")
SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class Decoded:
    rgb: np.ndarray  # H×W×3 uint8, upright, sRGB
    alpha: np.ndarray | None  # H×W float32 in [0, 1] when the background is transparent


def decode(photo: Image.Image) -> Decoded:
    """The photo's pixels as shown: EXIF orientation applied, every mode to 8-bit sRGB."""
    photo = ImageOps.exif_transpose(photo)
    alpha = _own_alpha(photo)
    if photo.mode in HIGH_BIT_MODES:
        grey = _to_eight_bits(np.asarray(photo), photo.mode)
        return Decoded(np.repeat(grey[..., None], 3, axis=2), alpha)
    return Decoded(np.asarray(_in_srgb(photo)), alpha)


def _to_eight_bits(values: np.ndarray, mode: str) -> np.ndarray:
    """One channel of high-bit samples scaled to 0–255: 16-bit modes by their full
    range; 32-bit integers and floats by the range their values show (0–1, 0–255,
    0–65535, or their own maximum)."""
    values = values.astype(np.float64)
    if mode.startswith("I;16"):
        scale = 255.0 / 65535.0
    else:
        top = float(values.max()) if values.size else 0.0
        full = next((r for r in (1.0, 255.0, 65535.0) if top <= r), top)
        scale = 255.0 / full
    return np.clip(np.rint(values * scale), 0, 255).astype(np.uint8)


def _in_srgb(photo: Image.Image) -> Image.Image:
    """RGB in sRGB: through the embedded ICC profile where there is one (CMYK print
    files, Adobe RGB, Display P3), by Pillow's conversion otherwise."""
    base = photo if photo.mode in ("RGB", "CMYK", "L") else photo.convert("RGB")
    profile = photo.info.get("icc_profile")
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            # Most cameras embed sRGB itself: left alone, so its pixels stay bit for bit.
            if "srgb" not in ImageCms.getProfileDescription(source).lower().replace(" ", ""):
                return ImageCms.profileToProfile(base, source, SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError) as error:
            log.warning("ignoring the photo's colour profile: %s", error)
    return base.convert("RGB")


def _own_alpha(photo: Image.Image) -> np.ndarray | None:
    """The photo's alpha when its background is already transparent, else None."""
    bands = photo.getbands()
    if "A" not in bands and "a" not in bands and "transparency" not in photo.info:
        return None
    alpha = np.asarray(photo.convert("RGBA"))[..., 3].astype(np.float32) / 255.0
    if (alpha < 0.5).mean() < TRANSPARENT_SHARE:
        return None
    return alpha
