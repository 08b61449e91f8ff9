"""A photo the user sent: downloaded within the byte limit, checked off the event loop
with its pixels capped before decoding, and only then stored.

Nothing is stored before every check has passed, so a refused or failed upload leaves
nothing behind; the file is kept exactly as sent (a 16-bit, CMYK or palette image keeps
its tones for the worker to read).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from dataclasses import dataclass

import aiohttp
from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from redis.exceptions import RedisError

from bot.services.deps import BotDeps
from inference.intake import MAX_PIXELS, Inspected, UnusableImage, inspect
from jobs.label_requests import request_label

log = logging.getLogger(__name__)
MB = 1024 * 1024
MIN_SIDE = 64
# Documents whose type says they are no picture are refused before any download.
NOT_IMAGE_MIME_PREFIXES = ("video/", "audio/", "text/", "application/pdf", "application/zip")
# Decoding a large photo takes a core and hundreds of megabytes: a few at a time, so a
# burst of uploads from many chats queues here instead of exhausting the bot's memory.
_decoding = asyncio.Semaphore(2)
# An intake refusal's reason → the locale key that explains it.
REASON_TEXTS = {
    "empty": "error-empty",
    "not-image": "error-not-image",
    "corrupt": "error-corrupt",
    "svg": "error-svg",
    "no-decoder": "error-no-decoder",
    "unsupported-format": "error-format-unsupported",
    "too-many-pixels": "error-too-many-pixels",
    "too-small": "error-too-small",
}


class UploadRejected(ValueError):
    """Carries the locale key (and its arguments) that explains the refusal to the user."""

    def __init__(self, key: str, **args: object) -> None:
        super().__init__(key)
        self.key = key
        self.args_for_text = args


@dataclass(frozen=True)
class Upload:
    image_id: str
    inspected: Inspected


def refuse_by_mime(mime_type: str | None) -> UploadRejected | None:
    """A refusal for a document whose declared type is surely no picture, else None
    (a declared image type is checked from the bytes: names and types lie)."""
    mime = (mime_type or "").lower()
    if mime == "image/svg+xml":
        return UploadRejected("error-svg")
    if mime.startswith(NOT_IMAGE_MIME_PREFIXES):
        return UploadRejected("error-not-image")
    return None


async def receive_upload(
    bot: Bot, deps: BotDeps, chat_id: int, file_id: str, size: int | None
) -> Upload:
    """Downloads, checks and stores the photo, and asks a worker for its category.
    UploadRejected says why it was not taken."""
    max_bytes = deps.settings.max_upload_mb * MB
    if size is not None and size > max_bytes:
        raise UploadRejected("error-too-large", limit=deps.settings.max_upload_mb)
    data = await download_capped(bot, file_id, max_bytes)
    async with _decoding:
        inspected = await asyncio.to_thread(check_image, data)
    image_id = await deps.db.images.put(
        data,
        f"original.{inspected.format.lower()}",
        chat_id=chat_id,
        kind="original",
        telegram_file_id=file_id,
    )
    try:
        await request_label(deps.redis, deps.keys, image_id)
    except RedisError as error:  # the category only improves suggestions: the photo is kept
        log.warning("no category asked for: %s", error)
    return Upload(image_id, inspected)


def check_image(data: bytes) -> Inspected:
    """The intake's verdict in the user's terms: UploadRejected with the locale key."""
    try:
        return inspect(data, max_pixels=MAX_PIXELS, min_side=MIN_SIDE)
    except UnusableImage as unusable:
        raise UploadRejected(REASON_TEXTS[unusable.reason], **unusable.details) from None


async def download_capped(bot: Bot, file_id: str, max_bytes: int) -> bytes:
    """The file's bytes, refused as too large once more than `max_bytes` arrived (a
    document may come without its size). Failures are logged without the file's URL,
    which holds the bot token."""
    try:
        file = await bot.get_file(file_id)
    except TelegramBadRequest as error:
        if "too big" in error.message:  # Telegram serves bots files up to 20 MB
            raise UploadRejected("error-too-large", limit=max_bytes // MB) from None
        raise _download_failed(error) from None
    except TelegramAPIError as error:
        raise _download_failed(error) from None
    if file.file_size is not None and file.file_size > max_bytes:
        raise UploadRejected("error-too-large", limit=max_bytes // MB)
    if file.file_path is None:
        raise _download_failed(RuntimeError("no file_path"))
    url = bot.session.api.file_url(bot.token, file.file_path)
    buffer = io.BytesIO()
    try:
        async with contextlib.aclosing(bot.session.stream_content(url, timeout=60)) as stream:
            async for chunk in stream:
                buffer.write(chunk)
                if buffer.tell() > max_bytes:
                    raise UploadRejected("error-too-large", limit=max_bytes // MB)
    except (aiohttp.ClientError, TimeoutError) as error:
        raise _download_failed(error) from None
    return buffer.getvalue()


def _download_failed(error: BaseException) -> UploadRejected:
    status = getattr(error, "status", None)
    # The error's text may quote the URL: its type and status say enough.
    log.warning("download failed: %s%s", type(error).__name__, f" {status}" if status else "")
    return UploadRejected("error-download")
