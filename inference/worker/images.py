"""Images as stored (bytes in GridFS) and as the engines take them."""

from __future__ import annotations

import io

from PIL import Image, ImageOps


def decode_image(data: bytes) -> Image.Image:
    """The photo upright, as the user saw it (phones store the rotation in EXIF). Slow on a
    big photo: callers run it in a thread, off the event loop."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return ImageOps.exif_transpose(image)


def encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
