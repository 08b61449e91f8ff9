"""Delivers jobs to Telegram: edits the status message as a job moves, sends its outcome.

Progress comes from the events stream and is a courtesy (a lost edit is not retried); a
status message is edited at most once a second, with the newest step (Telegram asks bots
for about one message a second per chat, and a job's steps can come faster than that).
Outcomes come from the jobs' records (the outbox, `jobs/delivery.py`): a final event
only nudges; the outbox is also scanned, so an outcome whose event was lost, or whose
sending a crash cut short, is still sent. Each delivery is leased to one notifier and
records each part Telegram confirmed, so a retry or a second replica sends only what is
missing. Deliveries run side by side: one chat's flood wait (429) delays that chat only.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup
from cachetools import TTLCache

from bot.metrics import ALBUMS_DELIVERED
from bot.services.delivery import send_actions, send_album, shown_album_photos
from bot.services.deps import BotDeps
from bot.services.status import final_markup, final_text, progress_text, queued_text
from jobs.delivery import DeliveryLeases, LeaseLost
from jobs.events import event_reader
from jobs.heartbeat import beat_key
from jobs.messages import EventType, JobEvent
from jobs.steps import STEP_EVERY_S, Paced
from keyboards import builders
from locales import Translator
from runtime.faults import fault_point
from runtime.logs import log_context
from runtime.loops import OUTAGES, pause_unless_stopped, run_until
from runtime.metrics import STAGE_SECONDS
from storage.chats import Chat
from storage.images import ImageNotFound
from storage.jobs import PANEL_CHAT_ID, Job
from storage.status import JobStatus

log = logging.getLogger(__name__)
CLAIM_IDLE_MS = 60_000
RECLAIM_EVERY_S = 5.0  # a dead bot's events wait a minute anyway; a round trip per event less
POSITIONS_EVERY_S = 3.0
POSITIONS_PER_ROUND = 200
OUTBOX_EVERY_S = 2.0
OUTBOX_PER_ROUND = 100
CONCURRENT_DELIVERIES = 16
STATUS_IDS_KEPT, STATUS_IDS_KEPT_S = 10_000, 3600.0
# A step read this long after it was published is not shown: a dead bot's events, taken
# over after a minute, would otherwise edit the status of a job long finished.
PROGRESS_STALE_S = 30.0
# A job is queued before its status message is posted; its outcome waits for the message's
# id to be noted while the bot posting it is alive, and this long at most (longer than a
# Bot API call may take), then goes without it.
STATUS_POSTING_GRACE_S = 90.0
STATUS_POSTING_RETRY_S = 1.0
PERMANENT = (TelegramForbiddenError, TelegramBadRequest, TelegramNotFound, ImageNotFound)
TRANSIENT = (TelegramNetworkError, TelegramServerError, aiohttp.ClientError, TimeoutError)


class StatusMessageComing(Exception):
    """The job's status message is still being posted: its outcome is sent a bit later."""


class Notifier:
    def __init__(self, bot: Bot, deps: BotDeps, consumer: str) -> None:
        self._bot = bot
        self._deps = deps
        self.name = consumer
        self._reader = event_reader(deps.redis, deps.keys, consumer)
        self._leases = DeliveryLeases(deps.lifecycle, consumer)
        self._sending: dict[str, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(CONCURRENT_DELIVERIES)
        self._steps: dict[str, Paced[JobEvent]] = {}  # the steps of jobs being shown
        # The status messages of running jobs whose steps came without one (a worker's copy
        # of the record is taken before the message is posted): read once a job.
        self._status_ids: TTLCache[str, int] = TTLCache(STATUS_IDS_KEPT, STATUS_IDS_KEPT_S)
        self._edit_slots = asyncio.Semaphore(CONCURRENT_DELIVERIES)
        self._next_reclaim = 0.0
        self._handled: list[str] = []  # events handed over, acknowledged with the next read
        self.progress_at = time.time()  # the events loop's last round (the health check's)

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(
            run_until(stop, "notifier", self._events),
            run_until(stop, "outbox", lambda: self._outbox(stop)),
            run_until(stop, "queue positions", lambda: self._positions(stop)),
            run_until(stop, "bot heartbeat", lambda: self._beat(stop)),
        )
        await asyncio.gather(
            *self._sending.values(),
            *(steps.close() for steps in list(self._steps.values())),
            return_exceptions=True,
        )
        try:
            await self._reader.ack(*self._handled)
        except OUTAGES as exc:  # taken again after a minute, and harmless: see the module
            log.warning("events handled but not acknowledged: %s", exc)

    # -- events ---------------------------------------------------------------------------

    async def _events(self) -> None:
        entries = []
        if time.monotonic() >= self._next_reclaim:
            self._next_reclaim = time.monotonic() + RECLAIM_EVERY_S
            entries = await self._reader.reclaim(CLAIM_IDLE_MS, 50)
        # The last round's entries, handed over, are acknowledged with this read.
        entries += await self._reader.read(count=50, block_ms=1000, ack=self._handled)
        self._handled = []
        self.progress_at = time.time()
        for entry in entries:
            event = JobEvent.from_fields(entry.fields)
            if event.type == EventType.PROGRESS:
                if time.time() - entry.added_at < PROGRESS_STALE_S:
                    self._show_progress(event)
            else:
                steps = self._steps.pop(event.job_id, None)
                if steps is not None:
                    steps.drop()  # a step not shown yet is stale now
                seen = Job.model_validate_json(event.record) if event.record else None
                self.deliver_soon(event.job_id, event.chat_id, seen)
        # Handed over above (progress and deliveries run beside this loop).
        self._handled = [entry.id for entry in entries]

    def _show_progress(self, event: JobEvent) -> None:
        """Progress is shown beside the events loop, newest first: a slow edit in one chat
        holds back no other event, and a job's stale steps are skipped, not queued. A step
        is shown a second after the one before at the earliest, the first a second after
        the job was queued: a job done by then shows none."""
        steps = self._steps.get(event.job_id)
        if steps is None:
            job_id = event.job_id
            queued = event.queued_at if event.queued_at is not None else time.time() - STEP_EVERY_S

            def idle() -> None:
                if self._steps.get(job_id) is steps:
                    del self._steps[job_id]

            steps = Paced(self._show, queued, STEP_EVERY_S, idle)
            self._steps[job_id] = steps
        steps.offer(event)

    async def _show(self, event: JobEvent) -> None:
        with log_context(job_id=event.job_id, chat_id=event.chat_id):
            async with self._edit_slots:
                try:
                    await self._progress(event)
                except OUTAGES as exc:
                    log.info("job %s: progress not shown: %s", event.job_id, exc)

    async def _progress(self, event: JobEvent) -> None:
        """One step in the status message. The event says in which language, and which
        message when the worker knew it; a step of a job whose outcome has come is never
        shown (its pending step is dropped then, and the worker sends no step after the
        outcome)."""
        message_id = event.status_message_id or await self._status_message_of(event.job_id)
        if message_id is None:
            return
        try:
            t = Translator.load(event.lang or "en")
            await self._edit_status(
                event.job_id,
                event.chat_id,
                message_id,
                progress_text(t, event),
                builders.job_running(t, event.job_id),
            )
        except (TelegramRetryAfter, *PERMANENT, *TRANSIENT) as exc:
            # A step is a courtesy: the next one, or the outcome, will be shown.
            log.info("job %s: progress not shown: %s", event.job_id, exc)

    async def _status_message_of(self, job_id: str) -> int | None:
        """The job's status message as its record names it; None while it is being posted
        (the step is not shown)."""
        message_id = self._status_ids.get(job_id)
        if message_id is None:
            job = await self._deps.db.jobs.get(job_id)
            message_id = job.status_message_id if job is not None else None
            if message_id is not None:
                self._status_ids[job_id] = message_id
        return message_id

    # -- outcomes -----------------------------------------------------------------------

    async def _outbox(self, stop: asyncio.Event) -> None:
        """Outcomes waiting to be sent whose event was lost or whose sending was cut short."""
        for job in await self._leases.due(OUTBOX_PER_ROUND):
            self.deliver_soon(job.id, job.chat_id, job)
        await pause_unless_stopped(stop, OUTBOX_EVERY_S)

    def deliver_soon(self, job_id: str, chat_id: int, seen: Job | None = None) -> None:
        """Sends the job's outcome beside the other deliveries; `seen` is a copy of its
        record, if one came along (see `DeliveryLeases.take`)."""
        if job_id not in self._sending:
            task = asyncio.create_task(self._deliver(job_id, chat_id, seen))
            self._sending[job_id] = task
            task.add_done_callback(lambda _: self._sending.pop(job_id, None))

    async def _deliver(self, job_id: str, chat_id: int, seen: Job | None) -> None:
        with log_context(job_id=job_id, chat_id=chat_id):
            await self._deliver_leased_job(job_id, chat_id, seen)

    async def _deliver_leased_job(self, job_id: str, chat_id: int, seen: Job | None) -> None:
        async with self._slots:
            try:
                # The chat's record (is it banned?) and the album's photos are read beside
                # the lease, not after it.
                job, chat, photos = await asyncio.gather(
                    self._leases.take(job_id, seen),
                    self._deps.db.chats.get(chat_id),
                    self._photos_ahead(seen),
                )
            except OUTAGES as exc:
                log.warning("job %s: delivery waits for the service: %s", job_id, exc)
                return
            if job is not None:
                await self._deliver_leased(job, chat, photos)

    async def _photos_ahead(self, seen: Job | None) -> dict[str, bytes] | None:
        """The album's photos, when a copy of the record names them (a done job's images
        never change); None when it does not or they could not be read: the delivery
        then reads them itself, and meets the error where errors are handled."""
        if seen is None or seen.status != JobStatus.DONE or seen.sent_album_ids:
            return None
        if seen.chat_id == PANEL_CHAT_ID:  # the panel's jobs stay in the panel
            return None
        try:
            return await shown_album_photos(self._bot, self._deps.db, seen)
        except Exception:
            return None

    async def _deliver_leased(
        self, job: Job, chat: Chat | None, photos: dict[str, bytes] | None
    ) -> None:
        try:
            await self.send_outcome(job, chat, photos)
        except LeaseLost:
            log.warning("job %s: delivery taken over by another notifier", job.id)
        except StatusMessageComing:
            await self._later(job, STATUS_POSTING_RETRY_S, False, "status message coming")
        except TelegramRetryAfter as exc:
            log.warning("job %s: Telegram asks to wait %ss", job.id, exc.retry_after)
            await self._later(job, exc.retry_after, False, str(exc))
        except PERMANENT as exc:
            await self._leases.end(await self._fresh(job), ok=False, reason=str(exc))
        except OUTAGES as exc:
            # The lease runs out and the outbox brings the job back once the service is.
            log.warning("job %s: delivery interrupted: %s", job.id, exc)
        except TRANSIENT as exc:
            await self._later(job, 2.0 * 2 ** min(job.delivery_tries, 6), True, repr(exc))
        except Exception as exc:
            log.exception("job %s chat %s: delivery failed", job.id, job.chat_id)
            await self._later(job, 5.0, True, repr(exc))

    async def _later(self, job: Job, delay_s: float, failed_try: bool, reason: str) -> None:
        try:
            await self._leases.later(await self._fresh(job), delay_s, failed_try, reason)
        except OUTAGES as exc:
            log.warning("job %s: delivery retry not recorded: %s", job.id, exc)

    async def _fresh(self, job: Job) -> Job:
        return await self._deps.db.jobs.get(job.id) or job

    async def send_outcome(
        self, job: Job, chat: Chat | None, photos: dict[str, bytes] | None
    ) -> None:
        """Sends what of the outcome is still missing, recording each part once sent;
        `chat` is the job's chat's record (None for a chat never seen); `photos`, the
        album's, if read already."""
        if job.chat_id == PANEL_CHAT_ID:  # the panel's own "Try it" jobs stay in the panel
            await self._leases.end(job, ok=True)
            return
        if chat is not None and chat.banned:
            await self._leases.end(job, ok=False, reason="the chat is banned")
            return
        t = Translator.load(job.lang)
        # The album first: it is what the user waits for; the status line then says done.
        if job.status == JobStatus.DONE and not job.sent_album_ids:
            with STAGE_SECONDS.labels(stage="delivery", engine=job.engine or "default").time():
                ids = await send_album(self._bot, self._deps.db, job, t, photos)
            job = await self._leases.record(job, sent_album_ids=ids)
            ALBUMS_DELIVERED.inc()
            fault_point("notifier.after_album")
        last: dict[str, Any] = {}  # recorded with the delivery's end: one write less
        if not job.sent_status and job.status_posting:
            job = await self._with_status_message(job)
        if not job.sent_status:
            if await self._final_status(job, t):
                job = await self._leases.record(job, sent_status=True)
            else:  # an edit: made again after a crash, it changes nothing
                last["sent_status"] = True
        if job.status == JobStatus.DONE and job.sent_actions_id is None:
            last["sent_actions_id"] = await send_actions(self._bot, job, t)
        await self._leases.end(job, ok=True, **last)
        log.info("%s: told the user", job.status)

    async def _with_status_message(self, job: Job) -> Job:
        """The job with its status message's id, once noted on the record; raises
        `StatusMessageComing` while it may still be. Once the bot posting it has stopped
        (its heartbeat gone), or after the grace, the job as it is: the outcome goes
        without the message."""
        fresh = await self._deps.db.jobs.get(job.id)
        if fresh is not None and not fresh.status_posting:
            return job.model_copy(update={"status_message_id": fresh.status_message_id})
        poster = fresh.status_posting if fresh is not None else ""
        young = time.time() - job.created_at.timestamp() < STATUS_POSTING_GRACE_S
        if young and poster and await self._leases.alive(poster):
            raise StatusMessageComing(job.id)
        log.warning("job %s: status message never noted; the outcome goes without it", job.id)
        return job

    async def _final_status(self, job: Job, t: Translator) -> bool:
        """The status message says how the job ended; True when that took a new message
        (sent twice, it would show twice)."""
        text, markup = final_text(t, job), final_markup(t, job)
        if job.status_message_id is not None:
            await self._edit_status(job.id, job.chat_id, job.status_message_id, text, markup)
            return False
        if job.status != JobStatus.DONE:  # without a status message, still one clear word
            await self._bot.send_message(job.chat_id, text, reply_markup=markup)
            return True
        return False

    async def _edit_status(
        self,
        job_id: str,
        chat_id: int,
        message_id: int | None,
        text: str,
        markup: InlineKeyboardMarkup | None,
    ) -> None:
        if message_id is None:
            return
        try:
            await self._bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=markup
            )
        except TelegramBadRequest as exc:
            # The status message is a courtesy: a deleted one must not stop the album.
            if "message is not modified" not in str(exc):
                log.warning("job %s: status message not edited: %s", job_id, exc)

    # -- queue positions and liveness ---------------------------------------------------

    async def _positions(self, stop: asyncio.Event) -> None:
        """Moves the queued jobs' status messages along as the queue moves."""
        waiting = await self._deps.job_queue.positions()
        for job in await self._deps.db.jobs.queued(POSITIONS_PER_ROUND):
            position = waiting.get(job.id, 0)
            if 0 < position != job.position:
                t = Translator.load(job.lang)
                try:
                    markup = builders.job_running(t, job.id)
                    text = queued_text(t, position)
                    await self._edit_status(
                        job.id, job.chat_id, job.status_message_id, text, markup
                    )
                except TelegramRetryAfter as exc:
                    await pause_unless_stopped(stop, exc.retry_after)  # albums first
                    return
                except (*PERMANENT, *TRANSIENT) as exc:
                    log.info("job %s: position not shown: %s", job.id, exc)
                await self._deps.db.jobs.note(job.id, position=position)
        await pause_unless_stopped(stop, POSITIONS_EVERY_S)

    async def _beat(self, stop: asyncio.Event) -> None:
        """The bot's heartbeat, saying when its events loop last went round: the health
        check of a bot whose loop is stuck fails although the process is up."""
        every = self._deps.settings.worker_heartbeat_s
        info = {"progress_at": self.progress_at, "host": socket.gethostname(), "pid": os.getpid()}
        key = self._deps.keys.bot_heartbeat(self.name)
        await beat_key(self._deps.redis, key, info, 3 * every)
        await pause_unless_stopped(stop, every)
