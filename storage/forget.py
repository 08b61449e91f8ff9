"""Deleting what a chat left here: its jobs and every image they hold (originals,
results, album photos, masks) and photos it sent that never became a job, and marking
the chat record as forgotten, with the time, for the panel.

The chat record itself stays, with its ban and quota override: forgetting is no way
around either. Redis (drafts, suggestion ids, labels) is the bot's to clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from storage.store import Storage


@dataclass(frozen=True)
class Forgotten:
    jobs: int
    images: int
    image_ids: frozenset[str]  # so the caller can drop what it keeps about them elsewhere


async def forget_chat(storage: Storage, chat_id: int) -> Forgotten:
    """Deletes the chat's jobs and images; returns what was deleted."""
    jobs = await storage.jobs.all_for_chat(chat_id)
    job_ids = [job.id for job in jobs]
    image_ids: set[str] = set()
    for job in jobs:
        image_ids.update([job.input_image_id, *job.made_image_ids()])
    image_ids.update(await storage.images.ids(chat_id=chat_id))
    # Results a worker stored for a job whose record has not yet been updated.
    for job_id in job_ids:
        image_ids.update(await storage.images.ids(job_id=job_id))
    await storage.images.delete_many(image_ids)
    deleted_jobs = await storage.jobs.delete_for_chat(chat_id)
    await storage.chats.mark_forgotten(chat_id, datetime.now(UTC))
    return Forgotten(deleted_jobs, len(image_ids), frozenset(image_ids))
