"""A product cut out of its photo: a soft alpha and the product's halo-free colours."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class Cutout:
    alpha: np.ndarray  # H×W float32 in [0, 1]; exactly 1 inside the product, 0 outside
    # H×W×3 float32: the photo where alpha is 1, the product's own colour (old background
    # removed) on the soft edge, so that no halo of the old background comes along.
    foreground: np.ndarray
    # None when the cut-out is sure; otherwise why not, in one line (it is still usable).
    doubt: str | None = None
    # Set only on an attempt shown although it would have been refused (the segmenter's
    # `insist`): why, in one line. Such a cut-out is for looking at, not for painting.
    unsure: str | None = None

    @property
    def size(self) -> tuple[int, int]:
        """(width, height), as PIL counts."""
        return self.alpha.shape[1], self.alpha.shape[0]

    def mask_image(self) -> Image.Image:
        """The 8-bit product mask (mode "L"): 255 is product, 0 is background."""
        return Image.fromarray(np.rint(self.alpha * 255).astype(np.uint8))

    def box(self, threshold: float = 0.0) -> tuple[int, int, int, int] | None:
        """(left, top, right, bottom) of the pixels with alpha above `threshold`, None
        when there are none."""
        rows = np.flatnonzero(self.alpha.max(axis=1) > threshold)
        cols = np.flatnonzero(self.alpha.max(axis=0) > threshold)
        if rows.size == 0:
            return None
        return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def composite(cutout: Cutout, background: np.ndarray) -> np.ndarray:
    """The cut-out over `background` (H×W×3 float), as uint8.

    Written as a*F + (1-a)*B so that where alpha is exactly 1 the result is the
    photo's own pixel value, bit for bit.
    """
    alpha = cutout.alpha[..., None]
    blended = alpha * cutout.foreground + (1.0 - alpha) * background
    return np.clip(np.rint(blended), 0, 255).astype(np.uint8)
