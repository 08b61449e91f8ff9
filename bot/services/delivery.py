"""Sending a finished job's images to its chat: as an album, or as lossless files."""

from __future__ import annotations

import asyncio
import io

from aiogram import Bot
from aiogram.enums import ChatAction
from aiogram.types import BufferedInputFile, InputMediaDocument, InputMediaPhoto
from PIL import Image

from bot.services.deps import BotDeps
from keyboards import builders
from locales import Translator
from storage.jobs import Job
from storage.renditions import album_jpeg
from storage.store import Storage

# A wait a user notices: an album read longer than this shows "sending a photo".
NOTICEABLE_S = 0.5
FILES_LOCK_S = 120


async def send_album(
    bot: Bot, db: Storage, job: Job, t: Translator, photos: dict[str, bytes] | None = None
) -> list[int]:
    """The results as one media group (one photo alone); their message ids. `photos`,
    from `shown_album_photos`, if they were read ahead."""
    if photos is None or set(photos) != set(job.result_image_ids):
        photos = await shown_album_photos(bot, db, job)
    caption = t.get(
        "results-caption", style=t.get(f"style-{job.style}"), count=len(job.result_image_ids)
    )
    media = [
        InputMediaPhoto(
            media=BufferedInputFile(photos[image_id], filename=f"{job.id}-{i}.jpg"),
            caption=caption if i == 0 else None,
        )
        for i, image_id in enumerate(job.result_image_ids)
    ]
    return await _send_group_or_single(bot, job.chat_id, media)


async def shown_album_photos(bot: Bot, db: Storage, job: Job) -> dict[str, bytes]:
    """The album's photos (JPEG) by image id; the chat shows "sending a photo" while
    they are read only when that takes a noticeable time. Telegram asks for a chat
    action only then, and waiting for its reply would hold every album back by one
    round trip to Telegram."""
    reading = asyncio.ensure_future(album_photos(db, job))
    try:
        await asyncio.wait([reading], timeout=NOTICEABLE_S)
        if not reading.done():
            await asyncio.gather(
                bot.send_chat_action(job.chat_id, ChatAction.UPLOAD_PHOTO), reading
            )
    finally:
        reading.cancel()  # only when the caller was cancelled or the chat action failed
    return reading.result()


async def album_photos(db: Storage, job: Job) -> dict[str, bytes]:
    """The album's photos (JPEG) by result image id: as the worker stored them, or made
    here from the results for a job finished before workers stored them."""
    ids = job.result_image_ids
    if len(job.album_image_ids) == len(ids):
        stored = job.album_image_ids
        return dict(
            zip(ids, await asyncio.gather(*(db.images.get(i) for i in stored)), strict=True)
        )

    # Decoding and resizing a large image would stall every other chat: in a thread, one
    # per photo, since the album waits for all of them.
    async def photo(image_id: str) -> bytes:
        return await asyncio.to_thread(album_photo, await db.images.get(image_id))

    return dict(zip(ids, await asyncio.gather(*(photo(i) for i in ids)), strict=True))


async def send_actions(bot: Bot, job: Job, t: Translator) -> int:
    """The message under the album with what can be done next; its message id. When the
    automatic cut-out was not sure of the product's outline, it says so and points to the
    check (a way the user chose, having seen it, is not questioned again)."""
    doubtful = job.cutout_doubt is not None and not job.cutout.looked_at
    text = t.get("results-actions-cutout-doubt" if doubtful else "results-actions")
    message = await bot.send_message(job.chat_id, text, reply_markup=builders.results(t, job.id))
    return message.message_id


async def send_files(bot: Bot, db: Storage, job: Job) -> None:
    """PNG documents, which Telegram does not recompress."""
    # Reading a few full-size PNGs takes a moment: the chat shows that files are coming.
    await bot.send_chat_action(job.chat_id, ChatAction.UPLOAD_DOCUMENT)
    media = [
        InputMediaDocument(media=await _file(db, image_id, f"vitrina-{job.id[:8]}-{i + 1}.png"))
        for i, image_id in enumerate(job.result_image_ids)
    ]
    await _send_group_or_single(bot, job.chat_id, media)


def album_photo(png: bytes) -> bytes:
    """The album's photo of a stored result (`storage.renditions`)."""
    with Image.open(io.BytesIO(png)) as image:
        return album_jpeg(image)


async def _file(db: Storage, image_id: str, name: str) -> BufferedInputFile:
    return BufferedInputFile(await db.images.get(image_id), filename=name)


async def _send_group_or_single(
    bot: Bot, chat_id: int, media: list[InputMediaPhoto] | list[InputMediaDocument]
) -> list[int]:
    # A media group needs 2–10 items; a single result goes as a plain photo or document.
    if len(media) > 1:
        return [m.message_id for m in await bot.send_media_group(chat_id, media=media)]
    item = media[0]
    if isinstance(item, InputMediaPhoto):
        sent = await bot.send_photo(chat_id, photo=item.media, caption=item.caption)
    else:
        sent = await bot.send_document(chat_id, document=item.media)
    return [sent.message_id]


async def send_files_once(bot: Bot, deps: BotDeps, job: Job) -> bool:
    """ "Send as files", at most one sending at a time per job (a double tap, or two bot
    replicas, do not send them twice); False when a sending is under way. The files are
    the job's stored images: they take no image quota."""
    lock = deps.keys.lock(f"files:{job.id}")
    if not await deps.redis.set(lock, "1", nx=True, ex=FILES_LOCK_S):
        return False
    try:
        await send_files(bot, deps.db, job)
    finally:
        await deps.redis.delete(lock)
    return True
