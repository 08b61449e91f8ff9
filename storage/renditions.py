"""The forms a result is stored in besides its lossless PNG.

The album's photo is a JPEG within Telegram's photo limits (10 MB, sides summing to
10,000 px): Telegram recompresses photos anyway, and "Send as files" gives the PNG. The
worker makes it beside the PNG, where the image is already decoded and the cores are
many; the bot sends it as it is stored, and makes one itself only for a job whose worker
did not (finished before album photos were stored).
"""

from __future__ import annotations

import io

from PIL import Image

ALBUM_MAX_SIDE = 2560
ALBUM_JPEG_QUALITY = 92


def album_jpeg(image: Image.Image) -> bytes:
    """The album's photo of a result. Slow on a big image: callers run it in a thread."""
    photo = image.convert("RGB")
    photo.thumbnail((ALBUM_MAX_SIDE, ALBUM_MAX_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=ALBUM_JPEG_QUALITY)
    return buffer.getvalue()
