"""Cutting the product out: a rembg model when its file is here, GrabCut when not.

Which model, and where its file is, is models.py's choice. rembg would otherwise try
GitHub on first use; with `local_files_only` a missing file is reported in one line
and the classical cut-out takes over instead of a hang or a crash.

A cut-out is the photo decoded to its real tones (inference.decoding), the model's
mask corrected with the photo's colours (refine.py), checked for plausibility
(plausibility.py) and matted at full size (matting.py). An implausible
mask is retried with GrabCut, whose mask stands in only when it is believable in the
model's place (second_opinion.py); otherwise the caller gets UnsureCutout rather
than a blank, truncated or wrong product. A user's own choice (catalog.cutouts, applied
in choices.py) is made after seeing the result, so it is refused only when empty.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np
from PIL import Image

from catalog.cutouts import CutoutChoice
from inference.cutout import Cutout
from inference.decoding import Decoded, decode
from inference.devices import onnx_providers
from inference.engine import InvalidRequest
from inference.segmentation.choices import adjusted
from inference.segmentation.grabcut import GrabCutMasker
from inference.segmentation.matting import matte
from inference.segmentation.models import choose_model, rembg_session
from inference.segmentation.plausibility import implausibility, seen_faintly
from inference.segmentation.refine import Refined, refine
from inference.segmentation.second_opinion import fallback_doubt
from inference.segmentation.u2net_side import U2NET_SESSIONS, ResizedU2Net
from settings import Settings

log = logging.getLogger(__name__)

# Models are fed at most this many pixels a side: rembg resizes to 320–1024 anyway,
# and resizing a 24-megapixel photo with Lanczos inside rembg would cost more than the model.
ANALYSIS_SIDE = 1024
# A transparent picture whose opaque part covers less than this share holds no product.
MIN_GIVEN_COVER = 0.001


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


class UnsureCutout(InvalidRequest):
    """No method could tell the product from its background; the message says why, in
    one line, and what kind of photo would work."""


@dataclass(frozen=True)
class Attempt:
    """One method's refined mask; why it is not believable (None when it is), and why
    the method's own mask was not, even if the refinement mended it."""

    masker: str
    refined: Refined
    own: np.ndarray  # the method's own mask at work size, thresholded at one half
    implausible: str | None
    suspicious: str | None


class Segmenter:
    """Turns a product photo into a `Cutout`; one instance per worker, reused. When the
    masker's outline is implausible, `fallback` (GrabCut by default) is tried."""

    def __init__(self, masker: Masker, fallback: Masker | None = None) -> None:
        self.masker = masker
        self.fallback = fallback

    @property
    def name(self) -> str:
        return self.masker.name

    def cut(
        self, photo: Image.Image, choice: CutoutChoice = CutoutChoice.AUTO, insist: bool = False
    ) -> Cutout:
        """The product in `photo`, cut out as `choice` says; a photo with a transparent
        background is taken as already cut. Raises UnsureCutout when no method finds a
        believable product, unless the choice is the user's own or the caller `insist`s
        (to show the attempt, marked `unsure`): then only when nothing of it is left."""
        decoded = decode(photo)
        if decoded.alpha is not None:
            return _already_cut(decoded)
        refusal = None
        if choice == CutoutChoice.GRABCUT:
            attempt = self._attempt(GrabCutMasker(), decoded.rgb)
            doubt = attempt.implausible
        else:
            attempt, doubt, refused = self._believable(decoded.rgb)
            if refused:
                refusal = (
                    f"the product could not be cut out reliably: {doubt}; "
                    "send a photo of the whole product against a plainer background"
                )
                if not (insist or choice.looked_at):
                    raise UnsureCutout(refusal)
        alpha, foreground = matte(decoded.rgb, adjusted(attempt.refined.mask, choice))
        if not (alpha >= 0.5).any():
            raise UnsureCutout(f"the product could not be cut out: none of it is left ({choice})")
        unsure = None if choice.looked_at else refusal
        return Cutout(alpha=alpha, foreground=foreground, doubt=doubt, unsure=unsure)

    def _believable(self, image: np.ndarray) -> tuple[Attempt, str | None, bool]:
        """The masker's attempt when plausible (with a doubt when its own mask was not,
        though the refinement mended it); else the fallback's when plausible and
        believable in the model's place; else the masker's, refused (True), saying why."""
        first = self._attempt(self.masker, image)
        if first.implausible is None:
            if first.suspicious is None:
                return first, first.refined.doubt, False
            why = f"{first.masker}'s own outline was implausible ({first.suspicious})"
            return first, why, False
        reason = first.implausible
        if self.fallback is not None:
            second = self._attempt(self.fallback, image)
            doubt = second.implausible or fallback_doubt(
                image, first.own, second.refined.mask >= 0.5
            )
            if doubt is None:
                return second, f"{first.masker}'s outline was implausible ({reason})", False
            reason = f"{reason}, and {doubt}"
        return first, reason, True

    def _attempt(self, masker: Masker, image: np.ndarray) -> Attempt:
        coarse = masker.coarse_mask(analysis_copy(image))
        refined = refine(image, coarse)
        solid = refined.mask >= 0.5
        size = refined.mask.shape[::-1]
        own = cv2.resize(coarse.astype(np.float32), size, interpolation=cv2.INTER_LINEAR) >= 0.5
        return Attempt(
            masker.name,
            refined,
            own,
            implausible=seen_faintly(coarse)
            or implausibility(solid, refined.backdrop_like, refined.edges),
            suspicious=implausibility(own, refined.backdrop_like, refined.edges),
        )

    def coarse_alpha(self, image: np.ndarray) -> np.ndarray:
        """The model's own mask of an RGB array, at the model's size: enough to re-check a
        generated image for object expansion, at a fraction of a full cut-out's cost."""
        return self.masker.coarse_mask(analysis_copy(image))


def _already_cut(decoded: Decoded) -> Cutout:
    """A picture with a transparent background: its own alpha is the product's mask."""
    alpha = decoded.alpha
    if alpha is None or float((alpha >= 0.5).mean()) < MIN_GIVEN_COVER:
        raise UnsureCutout("the picture is transparent all over: there is no product in it")
    return Cutout(alpha=alpha, foreground=decoded.rgb.astype(np.float32))


def analysis_copy(image: np.ndarray) -> np.ndarray:
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
    return Segmenter(RembgMasker(session, choice.name, resized), fallback=GrabCutMasker())
