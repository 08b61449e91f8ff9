"""Checks a file the user sent before it is stored: is it an image we can work with."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
ACCEPTED_MIME = {"image/jpeg", "image/png", "image/webp"}
MIN_SIDE = 64
MAX_PIXELS = 50_000_000


class UploadRejected(ValueError):
    """Carries the locale key (and its arguments) that explains the refusal to the user."""

    def __init__(self, key: str, **args: object) -> None:
        super().__init__(key)
        self.key = key
        self.args_for_text = args


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    format: str
    width: int
    height: int


def check_image(data: bytes, max_bytes: int) -> CheckedImage:
    if len(data) > max_bytes:
        raise UploadRejected("error-too-large", limit=max_bytes // (1024 * 1024))
    try:
        with warnings.catch_warnings():
            # A decompression bomb is refused below by its size, not warned about.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt, (width, height) = image.format, image.size
                if fmt not in ACCEPTED_FORMATS:
                    raise UploadRejected("error-not-image")
                if width * height > MAX_PIXELS:
                    raise UploadRejected("error-too-large", limit=max_bytes // (1024 * 1024))
                image.load()
    except UnidentifiedImageError:
        # The right signature but unreadable content is a damaged image, not another file.
        key = "error-corrupt" if _looks_like_image(data) else "error-not-image"
        raise UploadRejected(key) from None
    except (OSError, SyntaxError, Image.DecompressionBombError):
        raise UploadRejected("error-corrupt") from None
    if min(width, height) < MIN_SIDE:
        raise UploadRejected("error-too-small", min=MIN_SIDE)
    return CheckedImage(data, fmt, width, height)


def _looks_like_image(data: bytes) -> bool:
    return data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    )
