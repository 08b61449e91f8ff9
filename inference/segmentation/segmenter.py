"""Cutting the product out: a rembg model when its file is here, GrabCut when not.

Which model, and where its file is, is models.py's choice. rembg would otherwise try
GitHub on first use; with `local_files_only` a missing file is reported in one line
and the classical cut-out takes over instead of a hang or a crash.
"""

from __future__ import annotations

import logging
from typing import Protocol

import cv2
import numpy as np
from PIL import Image, ImageOps

from inference.cutout import Cutout
from inference.devices import onnx_providers
from inference.segmentation.grabcut import GrabCutMasker
from inference.segmentation.matting import matte
from inference.segmentation.models import choose_model, rembg_session
from inference.segmentation.u2net_side import U2NET_SESSIONS, ResizedU2Net
from settings import Settings

log = logging.getLogger(__name__)

# Models are fed at most this many pixels a side: rembg resizes to 320–1024 anyway,
# and resizing a 24-megapixel photo with Lanczos inside rembg would cost more than the model.
ANALYSIS_SIDE = 1024


class Masker(Protocol):
    name: str

    def coarse_mask(self, image: np.ndarray) -> np.ndarray:
        """Float32 mask in [0, 1] (1: product), of any size with the photo's aspect."""
        ...


class RembgMasker:
    """A rembg session; U²-Net models run at `resized.side` when given (see u2net_side)."""

    def __init__(self, session: object, name: str, resized: ResizedU2Net | None = None) -> None:
        self.session = session
        self.name = name
        self.resized = resized

    def coarse_mask(self, image: np.ndarray) -> np.ndarray:
        if self.resized is not None:
            return self.resized.predict(Image.fromarray(image))
        mask = self.session.predict(Image.fromarray(image))[0]
        return np.asarray(mask, dtype=np.float32) / 255.0


class Segmenter:
    """Turns a product photo into a `Cutout`; one instance per worker, reused."""

    def __init__(self, masker: Masker) -> None:
        self.masker = masker

    @property
    def name(self) -> str:
        return self.masker.name

    def cut(self, photo: Image.Image) -> Cutout:
        """The product in `photo`; a photo with real transparency is taken as already cut."""
        photo = ImageOps.exif_transpose(photo)
        image = np.asarray(photo.convert("RGB"))
        given_alpha = _given_alpha(photo)
        if given_alpha is not None:
            return Cutout(alpha=given_alpha, foreground=image.astype(np.float32))
        alpha, foreground = matte(image, self.masker.coarse_mask(_analysis_copy(image)))
        return Cutout(alpha=alpha, foreground=foreground)

    def coarse_alpha(self, image: np.ndarray) -> np.ndarray:
        """The model's own mask of an RGB array, at the model's size: enough to re-check a
        generated image for object expansion, at a fraction of a full cut-out's cost."""
        return self.masker.coarse_mask(_analysis_copy(image))


def _given_alpha(photo: Image.Image) -> np.ndarray | None:
    if "A" not in photo.getbands() and "transparency" not in photo.info:
        return None
    alpha = np.asarray(photo.convert("RGBA"))[..., 3]
    if alpha.min() == 255:
        return None
    return alpha.astype(np.float32) / 255.0


def _analysis_copy(image: np.ndarray) -> np.ndarray:
    height, width = image.shape[:2]
    scale = ANALYSIS_SIDE / max(height, width)
    if scale >= 1.0:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def load_segmenter(settings: Settings, device: str) -> Segmenter:
    """The configured model on `device`, or GrabCut; either way one log line says which
    cuts the products out, and why GrabCut when it is."""
    try:
        choice = choose_model(settings, device)
        providers = onnx_providers(device)
        session = rembg_session(choice, providers)
        resized = None
        if choice.session in U2NET_SESSIONS:
            resized = ResizedU2Net(session, choice.file, settings.segmentation_side)
    # onnxruntime's load errors are RuntimeErrors, a failed download an OSError.
    except (OSError, ValueError, RuntimeError) as error:
        log.warning("cutting out with GrabCut (rougher) instead of a model: %s", error)
        return Segmenter(GrabCutMasker())
    side = f" at {resized.side} px" if resized else ""
    log.info("cutting out with %s%s on %s (%s)", choice.name, side, device, providers[0])
    return Segmenter(RembgMasker(session, choice.name, resized))
