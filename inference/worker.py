"""The worker loop: take jobs from the stream, run an engine, store results, report.

A job is acknowledged only after its outcome is stored; a failure is retried
with back-off and, when its attempts are spent, dead-lettered and reported.
"""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from dataclasses import dataclass

from PIL import Image
from redis.asyncio import Redis

from inference.engine import GenerationRequest, GenerationResult
from inference.engines import EngineSet
from jobs.consumer import Delivery, JobConsumer
from jobs.events import publish
from jobs.heartbeat import beat, forget
from jobs.messages import EventType, JobEvent
from jobs.names import Keys
from jobs.queue import JobQueue
from jobs.status import JobStatus, Stage
from storage.jobs import Job
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


class Worker:
    def __init__(self, ctx: WorkerContext) -> None:
        self.ctx = ctx
        self.processed = 0

    async def run(self, stop: asyncio.Event) -> None:
        await self.ctx.consumer.start()
        heart = asyncio.create_task(self._beat_until(stop))
        log.info("worker %s ready", self.ctx.name)
        try:
            while not stop.is_set():
                for delivery in await self.ctx.consumer.take(self.ctx.batch_size, block_ms=1000):
                    await self.process(delivery)
        finally:
            heart.cancel()
            await forget(self.ctx.redis, self.ctx.keys, self.ctx.name)
            log.info("worker %s stopped after %d jobs", self.ctx.name, self.processed)

    async def process(self, delivery: Delivery) -> None:
        message = delivery.message
        job = await self.ctx.storage.jobs.start(message.job_id, message.attempt)
        if job is None or await self.ctx.queue.is_cancelled(message.job_id):
            await self._cancelled(delivery, job)
            return
        try:
            result = await self._generate(job)
            await self._store(job, result)
        except JobCancelled:
            await self._cancelled(delivery, job)
            return
        except Exception as exc:
            await self._failed(delivery, job, exc)
            return
        await self.ctx.consumer.ack(delivery)
        await self._event(job, EventType.DONE)
        self.processed += 1

    async def _generate(self, job: Job) -> GenerationResult:
        await self._event(job, EventType.PROGRESS, Stage.CUTTING, 0, job.count)
        image = Image.open(io.BytesIO(await self.ctx.storage.images.get(job.input_image_id)))
        image.load()
        engine = self.ctx.engines.for_style(job.style, job.engine)
        request = GenerationRequest(
            image=image,
            style=job.style,
            count=job.count,
            prompt=job.model_prompt,
            negative_prompt=job.negative_prompt,
            seed=job.seed,
        )
        loop = asyncio.get_running_loop()
        cancelled = threading.Event()

        def progress(done: int, total: int) -> None:
            if cancelled.is_set():
                raise JobCancelled(job.id)
            event = self._event(job, EventType.PROGRESS, Stage.PAINTING, done, total)
            asyncio.run_coroutine_threadsafe(event, loop)

        watcher = asyncio.create_task(self._watch_cancel(job.id, cancelled))
        try:
            return await asyncio.to_thread(engine.generate, request, progress)
        finally:
            watcher.cancel()

    async def _store(self, job: Job, result: GenerationResult) -> None:
        await self._event(job, EventType.PROGRESS, Stage.SAVING, job.count, job.count)
        images = self.ctx.storage.images
        ids = [
            await images.put(encode_png(img), f"{job.id}-{i + 1}.png", job_id=job.id, kind="result")
            for i, img in enumerate(result.images)
        ]
        mask_id = await images.put(
            encode_png(result.mask), f"{job.id}-mask.png", job_id=job.id, kind="mask"
        )
        await self.ctx.storage.jobs.finish(
            job.id,
            JobStatus.DONE,
            result_image_ids=ids,
            mask_image_id=mask_id,
            engine=result.engine,
            error=None,
        )

    async def _failed(self, delivery: Delivery, job: Job, exc: Exception) -> None:
        reason = f"{type(exc).__name__}: {exc}"
        log.exception(
            "job %s (chat %s) attempt %d failed", job.id, job.chat_id, delivery.message.attempt
        )
        if await self.ctx.consumer.retry(delivery, reason):
            await self.ctx.storage.jobs.update(job.id, status=JobStatus.QUEUED, error=reason)
            return
        await self.ctx.storage.jobs.finish(job.id, JobStatus.FAILED, error=reason)
        await self._event(job, EventType.FAILED)

    async def _cancelled(self, delivery: Delivery, job: Job | None) -> None:
        await self.ctx.consumer.ack(delivery)
        if job is not None and await self.ctx.storage.jobs.finish(job.id, JobStatus.CANCELLED):
            await self._event(job, EventType.CANCELLED)

    async def _event(
        self, job: Job, kind: EventType, stage: Stage | None = None, done: int = 0, total: int = 0
    ) -> None:
        event = JobEvent(
            type=kind, job_id=job.id, chat_id=job.chat_id, stage=stage, done=done, total=total
        )
        await publish(self.ctx.redis, self.ctx.keys, event)

    async def _watch_cancel(self, job_id: str, cancelled: threading.Event) -> None:
        while not await self.ctx.queue.is_cancelled(job_id):
            await asyncio.sleep(CANCEL_POLL_S)
        cancelled.set()

    async def _beat_until(self, stop: asyncio.Event) -> None:
        info = {"engines": self.ctx.engines.available()}
        while not stop.is_set():
            await beat(
                self.ctx.redis,
                self.ctx.keys,
                self.ctx.name,
                {**info, "processed": self.processed},
                ttl_s=self.ctx.heartbeat_s * 3,
            )
            await asyncio.sleep(self.ctx.heartbeat_s)


def encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
