"""Cut-out previews: the bot asks a worker to cut a photo out as a user's choice says, and
finds the answer, a small checkerboard picture, under a key in Redis for a while.

The answer depends only on the photo and the choice, so one already there is used again
and not asked for twice.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from redis.asyncio import Redis

from catalog.cutouts import CutoutChoice
from jobs.names import WORKERS_GROUP, Keys
from jobs.streams import GroupReader

PREVIEW_TTL_S = 3600
REQUESTS_MAXLEN = 1000


@dataclass(frozen=True)
class Preview:
    """A JPEG of the cut-out on a checkerboard, None when nothing of a product was found
    this way; `unsure` says in one line why this way cannot be used (then the picture,
    if any, shows the doubtful attempt)."""

    image: bytes | None
    unsure: str | None = None


async def request_preview(redis: Redis, keys: Keys, image_id: str, choice: CutoutChoice) -> None:
    fields = {"image_id": image_id, "choice": str(choice)}
    await redis.xadd(keys.preview_requests, fields, maxlen=REQUESTS_MAXLEN, approximate=True)


async def save_preview(
    redis: Redis, keys: Keys, image_id: str, choice: CutoutChoice, preview: Preview
) -> None:
    # Base64 in JSON: the clients decode replies as text.
    image = base64.b64encode(preview.image).decode() if preview.image is not None else None
    value = json.dumps({"image": image, "unsure": preview.unsure})
    await redis.set(keys.preview(image_id, choice), value, ex=PREVIEW_TTL_S)


async def known_preview(
    redis: Redis, keys: Keys, image_id: str, choice: CutoutChoice
) -> Preview | None:
    value = await redis.get(keys.preview(image_id, choice))
    if value is None:
        return None
    fields = json.loads(value)
    image = base64.b64decode(fields["image"]) if fields["image"] is not None else None
    return Preview(image=image, unsure=fields["unsure"])


def preview_reader(redis: Redis, keys: Keys, consumer: str) -> GroupReader:
    return GroupReader(redis, keys.preview_requests, WORKERS_GROUP, consumer)
