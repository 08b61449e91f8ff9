"""Delivers job events to Telegram: edits the status message, sends the album.

Reads the events stream through a consumer group, so several bot replicas share
the work and an event is acknowledged only once it reached the user.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)

from bot.metrics import ALBUMS_DELIVERED
from bot.services.delivery import send_album
from bot.services.deps import BotDeps
from bot.services.status import progress_text, queued_text
from jobs.events import event_reader
from jobs.messages import EventType, JobEvent
from keyboards import builders
from locales import Translator
from runtime.logs import log_context
from runtime.loops import run_until
from runtime.metrics import STAGE_SECONDS
from storage.images import ImageNotFound
from storage.jobs import PANEL_CHAT_ID, Job

log = logging.getLogger(__name__)
CLAIM_IDLE_MS = 60_000
POSITIONS_EVERY_S = 3.0
POSITIONS_PER_ROUND = 200


class Notifier:
    def __init__(self, bot: Bot, deps: BotDeps, consumer: str) -> None:
        self._bot = bot
        self._deps = deps
        self._reader = event_reader(deps.redis, deps.keys, consumer)

    async def run(self, stop: asyncio.Event) -> None:
        await self._reader.ensure_group()
        positions = asyncio.create_task(run_until(stop, "queue positions", self._positions))
        await run_until(stop, "notifier", self._step)
        await positions

    async def _positions(self) -> None:
        """Moves the queued jobs' status messages along as the queue moves."""
        for job in await self._deps.db.jobs.queued(POSITIONS_PER_ROUND):
            if job.entry_id is None:
                continue
            position = await self._deps.job_queue.position(job.entry_id)
            if 0 < position != job.position:
                t = Translator.load(job.lang)
                try:
                    await self._edit_status(job, queued_text(t, position), keep_cancel=True)
                except TelegramRetryAfter as exc:
                    await asyncio.sleep(exc.retry_after)  # positions can wait; albums first
                    return
                await self._deps.db.jobs.update(job.id, position=position)
        await asyncio.sleep(POSITIONS_EVERY_S)

    async def _step(self) -> None:
        entries = await self._reader.reclaim(CLAIM_IDLE_MS, 10)
        entries += await self._reader.read(count=10, block_ms=1000)
        for entry in entries:
            await self._deliver(entry.id, JobEvent.from_fields(entry.fields))

    async def _deliver(self, entry_id: str, event: JobEvent) -> None:
        with log_context(job_id=event.job_id, chat_id=event.chat_id):
            await self._deliver_event(entry_id, event)

    async def _deliver_event(self, entry_id: str, event: JobEvent) -> None:
        while True:
            try:
                await self.handle(event)
                break
            except TelegramRetryAfter as exc:
                log.warning("job %s: Telegram asks to wait %ss", event.job_id, exc.retry_after)
                await asyncio.sleep(exc.retry_after)
            except (TelegramForbiddenError, TelegramBadRequest, ImageNotFound) as exc:
                log.warning("job %s chat %s: not delivered: %s", event.job_id, event.chat_id, exc)
                break
            except Exception:
                # Left unacknowledged: another notifier (or this one, later) reclaims it.
                log.exception("job %s chat %s: delivery failed", event.job_id, event.chat_id)
                return
        await self._reader.ack(entry_id)
        if event.type != EventType.PROGRESS:
            log.info("job %s: told the user", event.type)

    async def handle(self, event: JobEvent) -> None:
        job = await self._deps.db.jobs.get(event.job_id)
        if job is None or job.chat_id == PANEL_CHAT_ID:  # the panel's own jobs stay there
            return
        t = Translator.load(job.lang)
        if event.type == EventType.DONE:
            await self._edit_status(job, t.get("status-done"), keep_cancel=False)
            with STAGE_SECONDS.labels(stage="delivery", engine=job.engine or "default").time():
                await send_album(self._bot, self._deps.db, job, t)
            ALBUMS_DELIVERED.inc()
            await self._deps.db.jobs.update(job.id, delivered_at=datetime.now(UTC))
        elif event.type == EventType.FAILED:
            await self._edit_status(job, t.get("status-failed"), keep_cancel=False)
        elif event.type == EventType.CANCELLED:
            await self._edit_status(job, t.get("status-cancelled"), keep_cancel=False)
        elif not job.status.finished:
            await self._edit_status(job, progress_text(t, event), keep_cancel=True)

    async def _edit_status(self, job: Job, text: str, keep_cancel: bool) -> None:
        if job.status_message_id is None:
            return
        t = Translator.load(job.lang)
        markup = builders.job_running(t, job.id) if keep_cancel else None
        try:
            await self._bot.edit_message_text(
                text, chat_id=job.chat_id, message_id=job.status_message_id, reply_markup=markup
            )
        except TelegramBadRequest as exc:
            # The status message is a courtesy: a deleted one must not stop the album.
            if "message is not modified" not in str(exc):
                log.warning("job %s: status message not edited: %s", job.id, exc)
