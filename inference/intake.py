"""Whether a file someone sent is a photo we can work with, decided before it is kept.

The bot (for every upload) and `vitrina generate` (for every input) ask here first. The
file's own header is read before any pixel: its format, its size in pixels and its
frames. A file past the pixel limit is refused from the header alone, so a 40000×40000
"decompression bomb" of a few hundred kilobytes never becomes gigabytes of memory. Only
then is the first frame decoded once (a JPEG at an eighth of its size, which reads every
byte all the same), which finds truncated and damaged files.

Pillow only; this module knows nothing of Telegram, engines or storage. The caller runs
it off the event loop.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError, features

log = logging.getLogger(__name__)

# Beyond this a photo is a scan or a panorama, not a product shot; refusing it from its
# header keeps one request from taking gigabytes of memory.
MAX_PIXELS = 50_000_000
# Formats taken as they are; a phone's multi-picture JPEG (MPO) is a JPEG. AVIF is added
# where Pillow has its decoder, HEIF where a plugin (pillow-heif) registered one.
STILL_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
DECODER_FORMATS = {"AVIF": "avif", "HEIF": None}
_ALIASES = {"MPO": "JPEG"}
# ISO base media "ftyp" brands of HEIF images (iPhone photos) and of AVIF.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}


class UnusableImage(ValueError):
    """Why a file cannot be used: `reason` (a short code the bot turns into a text in the
    user's language) and, as the message, one English line for the command line."""

    def __init__(self, reason: str, message: str, **details: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class Inspected:
    format: str  # JPEG, PNG, WEBP, GIF or AVIF
    width: int  # as stored; a phone's EXIF rotation is applied later
    height: int
    frames: int  # above 1: an animation, of which only the first frame is used
    mode: str  # Pillow's mode of the stored pixels (I;16, CMYK, P, RGBA, ...)

    @property
    def animated(self) -> bool:
        return self.frames > 1


def inspect(data: bytes, *, max_pixels: int = MAX_PIXELS, min_side: int = 1) -> Inspected:
    """What the file is; UnusableImage says why it cannot be used."""
    if not data:
        raise UnusableImage("empty", "the file is empty")
    _refuse_by_signature(data)
    image = _open(data, max_pixels)
    with image:
        fmt = _ALIASES.get(image.format or "", image.format or "")
        if fmt not in accepted_formats():
            raise UnusableImage(
                "unsupported-format",
                f"{fmt or 'this'} files are not supported; send a JPEG, PNG or WEBP",
                format=fmt,
            )
        width, height = image.size
        _check_pixels(width, height, max_pixels)
        if min(width, height) < min_side:
            raise UnusableImage(
                "too-small",
                f"the picture is {width}×{height} px; it needs at least {min_side} px a side",
                min=min_side,
            )
        frames = 1 if fmt == "JPEG" else int(getattr(image, "n_frames", 1) or 1)
        _decode_first_frame(image, fmt)
        return Inspected(fmt, width, height, frames, image.mode)


def accepted_formats() -> frozenset[str]:
    """The still formats, and those whose decoder this installation has."""
    extra = {fmt for fmt in DECODER_FORMATS if _has_decoder(fmt)}
    return STILL_FORMATS | extra


def _has_decoder(fmt: str) -> bool:
    feature = DECODER_FORMATS.get(fmt)
    if feature is not None and not features.check(feature):
        return False
    Image.init()  # registers every plugin once; cheap afterwards
    return fmt in Image.OPEN


def _refuse_by_signature(data: bytes) -> None:
    """Formats known from their first bytes that Pillow cannot (or here does not) read,
    each with what the sender can do about it."""
    head = data[:512].lstrip()
    if head.startswith(b"<") and (b"<svg" in data[:4096] or head.startswith(b"<svg")):
        raise UnusableImage(
            "svg", "SVG is a vector drawing, not a photo; export it as PNG or JPEG", format="SVG"
        )
    if data[4:8] == b"ftyp":
        brand, compatible = data[8:12], data[16:32]
        if brand in _AVIF_BRANDS and not _has_decoder("AVIF"):
            raise _no_decoder("AVIF")
        is_heif = brand in _HEIF_BRANDS or (
            brand not in _AVIF_BRANDS and any(b in compatible for b in _HEIF_BRANDS)
        )
        if is_heif and not _has_decoder("HEIF"):
            raise _no_decoder("HEIC")


def _no_decoder(fmt: str) -> UnusableImage:
    return UnusableImage(
        "no-decoder",
        f"{fmt} images cannot be read here; send it as a JPEG or PNG",
        format=fmt,
    )


def _open(data: bytes, max_pixels: int) -> Image.ImageFile.ImageFile:
    """The image with its header read and no pixels decoded."""
    try:
        return Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as bomb:
        # Pillow refuses twice its own limit before we see the size: far past ours too.
        raise _too_many_pixels(max_pixels) from bomb
    except UnidentifiedImageError:
        if _looks_like_image(data):
            raise UnusableImage("corrupt", "the image is damaged and cannot be read") from None
        raise UnusableImage("not-image", "not an image (JPEG, PNG or WEBP)") from None
    except Exception as error:  # hostile input can break a parser in any way
        log.debug("image header unreadable: %s: %s", type(error).__name__, error)
        raise UnusableImage("corrupt", "the image is damaged and cannot be read") from None


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise _too_many_pixels(max_pixels, width, height)


def _too_many_pixels(max_pixels: int, width: int = 0, height: int = 0) -> UnusableImage:
    size = f"{width}×{height} px, " if width else ""
    return UnusableImage(
        "too-many-pixels",
        f"the picture is {size}over {max_pixels // 1_000_000} megapixels; send a smaller one",
        limit=max_pixels // 1_000_000,
    )


def _decode_first_frame(image: Image.Image, fmt: str) -> None:
    """Decodes the first frame once: a truncated or damaged file fails here."""
    try:
        if fmt == "JPEG":
            # DCT scaling reads every byte at an eighth of the memory and time.
            image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
        image.seek(0)
        image.load()
    except Image.DecompressionBombError as bomb:
        raise _too_many_pixels(MAX_PIXELS) from bomb
    except Exception as error:  # truncated data, a bad chunk, a broken decoder state
        log.debug("image undecodable: %s: %s", type(error).__name__, error)
        raise UnusableImage("corrupt", "the image is damaged and cannot be read") from None


def _looks_like_image(data: bytes) -> bool:
    return data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    )
