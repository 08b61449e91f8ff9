"""Image retention: originals and results older than RETENTION_DAYS leave GridFS.

A job's record stays, marked `images_expired`, so /history and the panel say so. A photo
still used by a newer job (a re-run of an old one) stays until that job expires too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from scheduler.metrics import RETENTION_REMOVED
from storage.store import Storage

log = logging.getLogger(__name__)
BATCH = 200


@dataclass(frozen=True)
class Removed:
    jobs: int  # records marked expired
    images: int  # files deleted from GridFS


async def remove_expired(storage: Storage, days: int, now: datetime | None = None) -> Removed:
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    jobs = images = 0
    while batch := await storage.jobs.holding_images(cutoff, BATCH):
        made = [i for job in batch for i in job.made_image_ids()]
        images += await storage.images.delete_many(made)
        for job in batch:
            await storage.jobs.mark_images_expired(job.id)
        images += await _delete_unused(storage, sorted({job.input_image_id for job in batch}))
        jobs += len(batch)
    # Photos sent but never made into a job, and any a stopped run left behind.
    orphans = [i async for i in storage.images.uploaded_before(cutoff, kind="original")]
    for start in range(0, len(orphans), BATCH):
        images += await _delete_unused(storage, orphans[start : start + BATCH])
    RETENTION_REMOVED.labels(kind="jobs").inc(jobs)
    RETENTION_REMOVED.labels(kind="images").inc(images)
    if jobs or images:
        log.info(
            "retention: %d jobs older than %d days expired, %d images removed", jobs, days, images
        )
    return Removed(jobs, images)


async def _delete_unused(storage: Storage, photo_ids: list[str]) -> int:
    in_use = await storage.jobs.inputs_in_use(photo_ids)
    return await storage.images.delete_many(i for i in photo_ids if i not in in_use)
