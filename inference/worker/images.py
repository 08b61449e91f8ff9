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


# zlib's fastest level: lossless all the same, and on a 1024×1024 photo 72 ms against
# Pillow's default level's 312 ms, for files about a sixth larger (docs/BENCHMARKS.md).
PNG_COMPRESS_LEVEL = 1


def encode_png(image: Image.Image) -> bytes:
    """Lossless; slow on a big image (zlib runs without the GIL): callers run it in a thread."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()
