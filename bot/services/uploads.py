"""A photo the user sent: checked (is it an image we can work with), then stored."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from aiogram import Bot
from PIL import Image, UnidentifiedImageError

from bot.services.deps import BotDeps
from jobs.label_requests import request_label

MB = 1024 * 1024
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


async def receive_upload(
    bot: Bot, deps: BotDeps, chat_id: int, file_id: str, size: int | None
) -> str:
    """Downloads, checks and stores the photo, and asks a worker for its category;
    returns the stored image's id. UploadRejected says why it was not taken."""
    max_bytes = deps.settings.max_upload_mb * MB
    if size is not None and size > max_bytes:
        raise UploadRejected("error-too-large", limit=deps.settings.max_upload_mb)
    checked = check_image((await bot.download(file_id)).getvalue(), max_bytes)
    upload_id = await deps.db.images.put(
        checked.data,
        f"original.{checked.format.lower()}",
        chat_id=chat_id,
        kind="original",
        telegram_file_id=file_id,
    )
    await request_label(deps.redis, deps.keys, upload_id)
    return upload_id


def check_image(data: bytes, max_bytes: int) -> CheckedImage:
    if len(data) > max_bytes:
        raise UploadRejected("error-too-large", limit=max_bytes // MB)
    try:
        with warnings.catch_warnings():
            # A decompression bomb is refused below by its size, not warned about.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt, (width, height) = image.format, image.size
                if fmt not in ACCEPTED_FORMATS:
                    raise UploadRejected("error-not-image")
                if width * height > MAX_PIXELS:
                    raise UploadRejected("error-too-large", limit=max_bytes // MB)
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
