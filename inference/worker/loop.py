"""The worker loop: take jobs from the stream, run the engines, store results, report.

Jobs taken together are painted in one engine call where they share an engine.
A job is acknowledged only after its outcome is stored; a failure is retried
with back-off and, when its attempts are spent, dead-lettered and reported.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageOps
from redis.asyncio import Redis

from inference.engine import (
    GenerationRequest,
    GenerationResult,
    InvalidRequest,
    ProgressCallback,
)
from inference.engine_set import EngineSet
from inference.worker import metrics
from jobs.consumer import Delivery, JobConsumer
from jobs.events import publish
from jobs.heartbeat import beat, forget
from jobs.label_requests import label_reader, save_label
from jobs.messages import EventType, JobEvent
from jobs.names import Keys
from jobs.queue import JobQueue
from runtime.logs import log_context
from runtime.loops import OUTAGES, run_until
from storage.jobs import Job
from storage.status import JobStatus, Stage
from storage.store import Storage

log = logging.getLogger(__name__)
CANCEL_POLL_S = 0.5


class JobCancelled(Exception):
    pass


@dataclass
class WorkerContext:
    """Long-lived clients of one worker process."""

    name: str
    redis: Redis
    keys: Keys
    storage: Storage
    engines: EngineSet
    consumer: JobConsumer
    queue: JobQueue
    heartbeat_s: float
    batch_size: int
    info: dict[str, Any] = field(default_factory=dict)  # device and models, for the panel


@dataclass
class Task:
    """A started job with its decoded photo, and whether its user cancelled it meanwhile."""

    delivery: Delivery
    job: Job
    image: Image.Image
    cancelled: threading.Event = field(default_factory=threading.Event)
    clock: metrics.StageClock = field(default_factory=metrics.StageClock)


class Worker:
    def __init__(self, ctx: WorkerContext) -> None:
        self.ctx = ctx
        self.processed = 0
        self.last_error: str | None = None

    async def run(self, stop: asyncio.Event) -> None:
        await self.ctx.consumer.start()
        heart = asyncio.create_task(self._beat_until(stop))
        labelling = asyncio.create_task(self._label_until(stop))
        log.info("worker %s ready with engines %s", self.ctx.name, self.ctx.engines.available())
        try:
            await run_until(stop, f"worker {self.ctx.name}", self._step)
        finally:
            stop.set()  # also when the loop died: the helpers end with it
            await heart
            await labelling
            await forget(self.ctx.redis, self.ctx.keys, self.ctx.name)
            log.info("worker %s stopped after %d jobs", self.ctx.name, self.processed)

    async def _step(self) -> None:
        deliveries = await self.ctx.consumer.take(self.ctx.batch_size, block_ms=1000)
        if deliveries:
            await self.process(deliveries)

    async def process(self, deliveries: list[Delivery]) -> None:
        tasks = [t for d in deliveries if (t := await self._start(d)) is not None]
        if not tasks:
            return
        try:
            outcomes: list[GenerationResult | Exception] = list(await self._paint(tasks))
        except Exception as exc:
            outcomes = [exc]
            if len(tasks) > 1:
                # One bad job must not sink the others: try each on its own.
                log.warning("batch of %d failed (%s); running its jobs one by one", len(tasks), exc)
                outcomes = [await self._paint_alone(task) for task in tasks]
        await self._finish(tasks, outcomes)

    async def _start(self, delivery: Delivery) -> Task | None:
        with log_context(job_id=delivery.message.job_id, chat_id=delivery.message.chat_id):
            log.info("job taken, attempt %d", delivery.message.attempt)
            return await self._start_job(delivery)

    async def _start_job(self, delivery: Delivery) -> Task | None:
        """Marks the job running and loads its photo; None when it must not run."""
        message = delivery.message
        job = await self.ctx.storage.jobs.start(message.job_id, message.attempt, self.ctx.name)
        if job is None or await self.ctx.queue.is_cancelled(message.job_id):
            await self._cancelled(delivery, job)
            return None
        metrics.queue_wait(job)
        await self._event(job, EventType.PROGRESS, Stage.CUTTING, 0, job.count)
        try:
            image = decode_image(await self.ctx.storage.images.get(job.input_image_id))
        except Exception as exc:
            await self._failed(delivery, job, exc)
            return None
        return Task(delivery, job, image)

    async def _paint(self, tasks: list[Task]) -> list[GenerationResult]:
        requests = [_request(t) for t in tasks]
        callbacks = [self._progress(t, raise_on_cancel=len(tasks) == 1) for t in tasks]
        painted = asyncio.Event()
        watchers = [asyncio.create_task(self._watch_cancel(t, painted)) for t in tasks]
        for task in tasks:
            task.clock = metrics.StageClock()
        try:
            return await asyncio.to_thread(self.ctx.engines.generate_batch, requests, callbacks)
        finally:
            for task in tasks:
                task.clock.done_painting()
            # Stopped by the event, never cancelled mid-command: a Redis connection
            # interrupted in the middle of a reply is lost to the pool.
            painted.set()
            await asyncio.gather(*watchers)

    async def _paint_alone(self, task: Task) -> GenerationResult | Exception:
        try:
            return (await self._paint([task]))[0]
        except Exception as exc:
            return exc

    async def _finish(
        self, tasks: list[Task], outcomes: list[GenerationResult | Exception]
    ) -> None:
        for task, outcome in zip(tasks, outcomes, strict=True):
            with log_context(job_id=task.job.id, chat_id=task.job.chat_id):
                await self._finish_one(task, outcome)

    async def _finish_one(self, task: Task, outcome: GenerationResult | Exception) -> None:
        if isinstance(outcome, JobCancelled) or task.cancelled.is_set():
            await self._cancelled(task.delivery, task.job)
        elif isinstance(outcome, Exception):
            await self._failed(task.delivery, task.job, outcome)
        else:
            await self._store_or_retry(task, outcome)

    async def _store_or_retry(self, task: Task, result: GenerationResult) -> None:
        try:
            await self._store(task, result)
        except OUTAGES:
            raise  # the loop waits for the service; the job is reclaimed later
        except Exception as exc:
            await self._failed(task.delivery, task.job, exc)

    async def _store(self, task: Task, result: GenerationResult) -> None:
        job = task.job
        await self._event(job, EventType.PROGRESS, Stage.SAVING, job.count, job.count)
        images = self.ctx.storage.images
        saving = time.monotonic()
        ids = [
            await images.put(encode_png(img), f"{job.id}-{i + 1}.png", job_id=job.id, kind="result")
            for i, img in enumerate(result.images)
        ]
        mask_id = await images.put(
            encode_png(result.mask), f"{job.id}-mask.png", job_id=job.id, kind="mask"
        )
        timings = task.clock.observe(result.engine, time.monotonic() - saving)
        stored = await self.ctx.storage.jobs.finish(
            job.id,
            JobStatus.DONE,
            result_image_ids=ids,
            mask_image_id=mask_id,
            engine=result.engine,
            error=None,
            painted_at=task.clock.painted_at,
            timings=timings,
        )
        await self.ctx.consumer.ack(task.delivery)
        metrics.IMAGES_STORED.labels(kind="result").inc(len(ids))
        if stored:
            await self._event(job, EventType.DONE)
            metrics.JOBS.labels(status="done", engine=result.engine).inc()
            self.processed += 1
            log.info("job done by %s (images: %d)", result.engine, len(ids))

    async def _failed(self, delivery: Delivery, job: Job, exc: Exception) -> None:
        attempt = delivery.message.attempt
        reason = f"{type(exc).__name__}: {exc}"
        self.last_error = reason
        log.error(
            "job %s (chat %s) attempt %d failed: %s",
            job.id,
            job.chat_id,
            attempt,
            reason,
            exc_info=exc,
        )
        # A request the engine refused fails the same way every time: no retry.
        if isinstance(exc, InvalidRequest):
            await self.ctx.consumer.dead_letter(delivery, reason)
        elif await self.ctx.consumer.retry(delivery, reason):
            await self.ctx.storage.jobs.update(job.id, status=JobStatus.QUEUED, error=reason)
            metrics.job_ended(job, "retried")
            return
        await self.ctx.storage.jobs.finish(job.id, JobStatus.FAILED, error=reason)
        metrics.job_ended(job, "failed")
        await self._event(job, EventType.FAILED)

    async def _cancelled(self, delivery: Delivery, job: Job | None) -> None:
        await self.ctx.consumer.ack(delivery)
        if job is not None and await self.ctx.storage.jobs.finish(job.id, JobStatus.CANCELLED):
            await self._event(job, EventType.CANCELLED)
            metrics.job_ended(job, "cancelled")

    def _progress(self, task: Task, raise_on_cancel: bool) -> ProgressCallback:
        """Reports painting progress from the engine's thread as images done k/n (engines
        count in their own units); a lone job stops when cancelled, a batched one is
        dropped after the batch so the others finish."""
        loop = asyncio.get_running_loop()
        count = task.job.count
        reported = [-1]

        def progress(done: int, total: int) -> None:
            task.clock.progress()
            if raise_on_cancel and task.cancelled.is_set():
                raise JobCancelled(task.job.id)
            images = done * count // max(total, 1)
            if images == reported[0]:
                return  # one edit of the user's status message per image, not per step
            reported[0] = images
            event = self._event(task.job, EventType.PROGRESS, Stage.PAINTING, images, count)
            asyncio.run_coroutine_threadsafe(event, loop)

        return progress

    async def _event(
        self, job: Job, kind: EventType, stage: Stage | None = None, done: int = 0, total: int = 0
    ) -> None:
        event = JobEvent(
            type=kind, job_id=job.id, chat_id=job.chat_id, stage=stage, done=done, total=total
        )
        await publish(self.ctx.redis, self.ctx.keys, event)

    async def _watch_cancel(self, task: Task, painted: asyncio.Event) -> None:
        while not painted.is_set():
            if await self.ctx.queue.is_cancelled(task.job.id):
                task.cancelled.set()
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(painted.wait(), CANCEL_POLL_S)

    async def _label_until(self, stop: asyncio.Event) -> None:
        """Predicts the category of each uploaded photo for the bot's suggestions."""
        reader = label_reader(self.ctx.redis, self.ctx.keys, self.ctx.name)
        await reader.ensure_group()

        async def step() -> None:
            for entry in await reader.read(count=8, block_ms=1000):
                await self._label(entry.fields["image_id"])
                await reader.ack(entry.id)

        await run_until(stop, "labels", step)

    async def _label(self, image_id: str) -> None:
        with log_context(image_id=image_id):
            await self._label_image(image_id)

    async def _label_image(self, image_id: str) -> None:
        try:
            image = decode_image(await self.ctx.storage.images.get(image_id))
            label = await asyncio.to_thread(self.ctx.engines.label, image)
        except Exception:
            log.exception("image %s: no product category", image_id)
            return
        if label is not None:
            await save_label(self.ctx.redis, self.ctx.keys, image_id, label)

    async def _beat_until(self, stop: asyncio.Event) -> None:
        async def step() -> None:
            info = {
                **self.ctx.info,
                "engines": self.ctx.engines.available(),
                "processed": self.processed,
                "last_error": self.last_error,
            }
            await beat(
                self.ctx.redis, self.ctx.keys, self.ctx.name, info, ttl_s=self.ctx.heartbeat_s * 3
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.ctx.heartbeat_s)

        await run_until(stop, "heartbeat", step)


def _request(task: Task) -> GenerationRequest:
    job = task.job
    return GenerationRequest(
        image=task.image,
        style=job.style,
        count=job.count,
        prompt=job.model_prompt,
        negative_prompt=job.negative_prompt,
        seed=job.seed,
        engine=job.engine,
        category=job.label,
    )


def decode_image(data: bytes) -> Image.Image:
    """The photo upright, as the user saw it (phones store the rotation in EXIF)."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return ImageOps.exif_transpose(image)


def encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
