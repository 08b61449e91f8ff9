"""Hostile and broken input, made in memory: every file the bot and `vitrina generate`
must answer kindly or process correctly.

Large images are written as PNG by hand (rows of zeros through zlib, a few hundred
kilobytes), so the suite never holds their pixels: that is the point of them.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw

from tests.support.photos import product_photo

Outcome = Literal["accepted", "refused"]
UPRIGHT_SIZE = (240, 320)  # the EXIF-rotated photo, as its owner sees it
EXIF_ORIENTATION = 0x0112
ROTATED_90_CW = 6  # EXIF: "the 0th row is the visual right side"


@dataclass(frozen=True)
class Sample:
    name: str
    data: bytes
    file_name: str
    mime_type: str
    outcome: Outcome
    reason: str | None = None  # inference.intake's reason code for a refusal
    animated: bool = False


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def blank_png(width: int, height: int, bit_depth: int = 8, colour_type: int = 0) -> bytes:
    """A valid PNG of zeros, compressed row by row: tiny on disk, huge in pixels."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    row = b"\x00" * (1 + (width * channels * bit_depth + 7) // 8)
    packer = zlib.compressobj(9)
    chunks = [packer.compress(row) for _ in range(height)]
    chunks.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", b"".join(chunks))
        + _png_chunk(b"IEND", b"")
    )


def product_rgb(size: tuple[int, int] = (320, 240)) -> Image.Image:
    return Image.open(io.BytesIO(product_photo(size, fmt="PNG"))).convert("RGB")


def png16(image: Image.Image) -> bytes:
    """A 16-bit-per-channel RGB PNG (what Photoshop exports), written by hand: Pillow
    reads such files but does not write them."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.uint16) * 257  # 8 → 16 bits exactly
    height, width = pixels.shape[:2]
    rows = b"".join(b"\x00" + pixels[y].astype(">u2").tobytes() for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows, 6))
        + _png_chunk(b"IEND", b"")
    )


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def upright_photo() -> Image.Image:
    """Portrait: the red product above its dark base, which must stay at the bottom."""
    image = Image.new("RGB", UPRIGHT_SIZE, (226, 226, 222))
    draw = ImageDraw.Draw(image)
    w, h = UPRIGHT_SIZE
    draw.rectangle((w * 0.25, h * 0.2, w * 0.75, h * 0.7), fill=(190, 30, 40))
    draw.rectangle((w * 0.2, h * 0.7, w * 0.8, h * 0.8), fill=(30, 30, 30))
    return image


def exif_rotated_jpeg() -> bytes:
    """The upright photo stored sideways, as a phone does, with the EXIF tag that says so."""
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = ROTATED_90_CW
    stored = upright_photo().transpose(Image.Transpose.ROTATE_90)
    return _encode(stored, "JPEG", quality=92, exif=exif)


def cut_out_rgba() -> bytes:
    """The product already cut out: transparent around it."""
    rgb = product_rgb()
    alpha = Image.new("L", rgb.size, 0)
    w, h = rgb.size
    ImageDraw.Draw(alpha).rectangle((w * 0.3, h * 0.25, w * 0.7, h * 0.85), fill=255)
    rgb.putalpha(alpha)
    return _encode(rgb, "PNG")


def palette_with_transparency() -> bytes:
    image = product_rgb().quantize(16)
    image.info["transparency"] = 0
    return _encode(image, "PNG", transparency=0)


def animated_gif() -> bytes:
    base = product_rgb((160, 120))
    frames = [base.rotate(angle).quantize(32) for angle in (0, 8, 16)]
    return _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)


def animated_webp() -> bytes:
    base = product_rgb((160, 120))
    frames = [base, base.rotate(10)]
    return _encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100)


SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240">'
    b'<rect x="96" y="60" width="128" height="132" fill="#be1e28"/></svg>\n'
)
# The first box of an iPhone photo: ISO base media "ftyp", brand heic. No decoder here.
HEIC = struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic" + b"\x00" * 200


def avif() -> bytes:
    return _encode(product_rgb(), "AVIF")


def corpus() -> list[Sample]:
    """Every broken or unusual file, with what must become of it."""
    jpeg = product_photo()
    return [
        Sample("zero-byte", b"", "empty.jpg", "image/jpeg", "refused", "empty"),
        Sample(
            "truncated-jpeg", jpeg[: len(jpeg) // 2], "cut.jpg", "image/jpeg", "refused", "corrupt"
        ),
        Sample(
            "text-named-jpg",
            b"Shopping list: paint, brushes\n" * 20,
            "photo.jpg",
            "image/jpeg",
            "refused",
            "not-image",
        ),
        Sample(
            "decompression-bomb",
            blank_png(40_000, 40_000, bit_depth=1),
            "bomb.png",
            "image/png",
            "refused",
            "too-many-pixels",
        ),
        Sample(
            "huge-dimensions",
            blank_png(9_000, 6_000),
            "huge.png",
            "image/png",
            "refused",
            "too-many-pixels",
        ),
        Sample("svg", SVG, "logo.svg", "image/svg+xml", "refused", "svg"),
        Sample("heic", HEIC, "IMG_0001.HEIC", "image/heic", "refused", "no-decoder"),
        Sample("png-16-bit", png16(product_rgb()), "deep.png", "image/png", "accepted"),
        Sample(
            "cmyk-jpeg",
            _encode(product_rgb().convert("CMYK"), "JPEG"),
            "print.jpg",
            "image/jpeg",
            "accepted",
        ),
        Sample(
            "grayscale",
            _encode(product_rgb().convert("L"), "JPEG"),
            "grey.jpg",
            "image/jpeg",
            "accepted",
        ),
        Sample(
            "palette-transparent",
            palette_with_transparency(),
            "palette.png",
            "image/png",
            "accepted",
        ),
        Sample("rgba-cut-out", cut_out_rgba(), "cutout.png", "image/png", "accepted"),
        Sample("animated-gif", animated_gif(), "spin.gif", "image/gif", "accepted", animated=True),
        Sample(
            "animated-webp", animated_webp(), "spin.webp", "image/webp", "accepted", animated=True
        ),
        Sample("exif-rotated", exif_rotated_jpeg(), "phone.jpg", "image/jpeg", "accepted"),
        Sample("avif", avif(), "modern.avif", "image/avif", "accepted"),
    ]


def sample(name: str) -> Sample:
    return next(s for s in corpus() if s.name == name)
