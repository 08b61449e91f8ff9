"""Album photos fit Telegram's limits; the lossless PNG stays for "Send as files"."""

from __future__ import annotations

import io

from PIL import Image

from bot.services.delivery import album_photo
from storage.renditions import ALBUM_MAX_SIDE


def png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.radial_gradient("L").resize(size).convert("RGBA").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_large_result_is_sent_as_a_jpeg_within_telegrams_limits():
    photo = Image.open(io.BytesIO(album_photo(png((6000, 3000)))))
    assert photo.format == "JPEG"
    assert photo.size == (ALBUM_MAX_SIDE, ALBUM_MAX_SIDE // 2)
    assert sum(photo.size) <= 10_000


def test_a_small_result_keeps_its_size():
    photo = Image.open(io.BytesIO(album_photo(png((800, 600)))))
    assert (photo.format, photo.size, photo.mode) == ("JPEG", (800, 600), "RGB")
