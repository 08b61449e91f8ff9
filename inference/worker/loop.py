"""The worker loop: take jobs from the stream, run the engines, store results, report.

Jobs taken together are painted in one engine call where they share an engine. Every
change of a job's state goes through `jobs.lifecycle`: a job is acknowledged only after
its outcome is recorded; a failure is retried with back-off and, when its attempts are
spent, dead-lettered and reported. While it paints, the worker extends its jobs' leases
and claims with each heartbeat, so a slow batch is never taken over; an outage of Redis
or MongoDB is waited out and never costs a job an attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from PIL import Image
from redis.asyncio import Redis

from inference.engine import (
    GenerationRequest,
    GenerationResult,
    InvalidRequest,
    ProgressCallback,
)
from inference.engine_set import EngineSet
from inference.segmentation import UnsureCutout
from inference.worker import metrics
from inference.worker.images import encode_png
from inference.worker.originals import RecentOriginals
from inference.worker.previews import serve_previews
from jobs.consumer import Claim, JobConsumer
from jobs.heartbeat import beat, forget
from jobs.label_requests import label_reader, save_label
from jobs.lifecycle import Lifecycle
from jobs.names import Keys
from jobs.steps import PacedSteps
from runtime.faults import fault_point
from runtime.logs import log_context
from runtime.loops import OUTAGES, pause_unless_stopped, run_until, through_outages
from storage.images import NewImage
from storage.jobs import ErrorKind, Job
from storage.renditions import album_jpeg
from storage.status import JobStatus, Stage
from storage.store import Storage

log = logging.getLogger(__name__)
CANCEL_POLL_S = 0.5
REAP_EVERY_S = 30.0


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
    originals: RecentOriginals
    consumer: JobConsumer
    lifecycle: Lifecycle
    heartbeat_s: float
    batch_size: int
    stall_s: float = 600.0
    info: dict[str, Any] = field(default_factory=dict)  # device and models, for the panel


@dataclass
class Task:
    """A started job with its decoded photo and its steps for the chat, and whether its user
    cancelled it meanwhile."""

    claim: Claim
    job: Job
    image: Image.Image
    steps: PacedSteps
    cancelled: threading.Event = field(default_factory=threading.Event)
    clock: metrics.StageClock = field(default_factory=metrics.StageClock)


@dataclass(frozen=True)
class SavedImages:
    """The ids of a job's stored images."""

    results: list[str]
    album: list[str]  # the results as the album's photos, in the same order
    mask: str

    def all(self) -> list[str]:
        return [*self.results, *self.album, self.mask]


class Worker:
    def __init__(self, ctx: WorkerContext) -> None:
        self.ctx = ctx
        self.processed = 0
        self.in_hand: list[Task] = []
        self.last_error: str | None = None  # shown on the panel's workers page
        self._storage_answered = False  # MongoDB answered for the last step's jobs
        # When the loop or the engine last moved on; read by the heartbeat (a stuck worker
        # is reported unhealthy whatever its heartbeat says).
        self.progress_at = time.time()

    async def run(self, stop: asyncio.Event) -> None:
        await self.ctx.consumer.start()
        await self._beat()  # alive before it holds anything: nobody takes its jobs over
        helpers = [
            asyncio.create_task(self._beat_until(stop)),
            asyncio.create_task(self._label_until(stop)),
            asyncio.create_task(serve_previews(self.ctx, stop)),
            asyncio.create_task(run_until(stop, "reaper", lambda: self._reap(stop))),
        ]
        log.info("worker %s ready with engines %s", self.ctx.name, self.ctx.engines.available())
        try:
            await run_until(stop, f"worker {self.ctx.name}", self._step)
        finally:
            stop.set()  # also when the loop died: the helpers end with it
            await asyncio.gather(*helpers)
            with contextlib.suppress(*OUTAGES):
                await forget(self.ctx.redis, self.ctx.keys, self.ctx.name)
            log.info("worker %s stopped after %d jobs", self.ctx.name, self.processed)

    async def _step(self) -> None:
        # A job it cannot record as started stays in the queue for a worker that can. A
        # step that has just recorded its jobs has shown that MongoDB answers.
        if not self._storage_answered:
            await self.ctx.storage.ping()
        self._storage_answered = False
        claims = await self.ctx.consumer.take(self.ctx.batch_size, block_ms=1000)
        self.progress_at = time.time()
        if claims:
            await self.process(claims)
            self._storage_answered = True
            self.progress_at = time.time()

    async def process(self, claims: list[Claim]) -> None:
        tasks = [t for c in claims if (t := await self._start(c)) is not None]
        if not tasks:
            return
        self.in_hand = tasks
        try:
            outcomes = await self._paint_all(tasks)
            fault_point("worker.after_paint")
            await self._finish(tasks, outcomes)
        finally:
            self.in_hand = []

    async def _paint_all(self, tasks: list[Task]) -> list[GenerationResult | Exception]:
        try:
            return list(await self._paint(tasks))
        except Exception as exc:
            if len(tasks) == 1:
                return [exc]
            # One bad job must not sink the others: try each on its own.
            log.warning("batch of %d failed (%s); running its jobs one by one", len(tasks), exc)
            return [await self._paint_alone(task) for task in tasks]

    async def _start(self, claim: Claim) -> Task | None:
        with log_context(job_id=claim.message.job_id, chat_id=claim.message.chat_id):
            log.info("job taken")
            return await self._start_job(claim)

    async def _start_job(self, claim: Claim) -> Task | None:
        """Marks the job running and loads its photo; None when it must not run."""
        lifecycle = self.ctx.lifecycle
        # The photo is read beside the record when the entry names it, else beside the
        # marking below; a job that must not run drops it (once read: a command is never
        # cut short, its connection would be lost).
        photo_id = claim.message.photo_id
        early = asyncio.create_task(self._photo(photo_id)) if photo_id else None
        job = None
        try:
            job = await lifecycle.runnable(claim, self.ctx.name)
        finally:
            if early and job is None:
                await asyncio.wait([early])
        if job is None:
            return None

        # A job that cannot be marked drops its photo.
        started, image = await asyncio.gather(
            lifecycle.run(claim, job, self.ctx.name), early or self._photo(job.input_image_id)
        )
        if started is None:
            return None
        metrics.queue_wait(started)
        if isinstance(image, OUTAGES):
            raise image
        if isinstance(image, Exception):
            await self._failed(claim, started, image)
            return None
        steps = PacedSteps(functools.partial(self._report, started), since=started.queued_ts)
        steps.report(Stage.CUTTING, 0, started.count)
        return Task(claim, started, image, steps)

    async def _photo(self, image_id: str) -> Image.Image | Exception:
        try:
            return await self.ctx.originals.decoded(image_id)
        except Exception as exc:
            return exc

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
            await task.steps.close()
            await through_outages(
                lambda: self.ctx.lifecycle.stop_cancelled(task.claim, task.job, self.ctx.name),
                f"job {task.job.id} cancel",
            )
            metrics.job_ended(task.job, "cancelled")
        elif isinstance(outcome, Exception):
            await task.steps.close()
            await self._failed(task.claim, task.job, outcome)
        else:
            await self._store(task, outcome)

    async def _store(self, task: Task, result: GenerationResult) -> None:
        """Saves the images and records the job done; an outage is waited out (the images
        are not painted again for it), any other error is a failed attempt."""
        job = task.job
        task.steps.report(Stage.SAVING, job.count, job.count)
        saving = time.monotonic()
        try:
            saved = await through_outages(
                lambda: self._save_images(job, result), f"job {job.id} images"
            )
        except Exception as exc:
            await task.steps.close()
            if isinstance(exc, OUTAGES):
                raise
            await self._failed(task.claim, job, exc)
            return
        await task.steps.close()
        metrics.IMAGES_STORED.labels(kind="result").inc(len(saved.results))
        timings = task.clock.observe(result.engine, time.monotonic() - saving)
        done = await through_outages(
            lambda: self.ctx.lifecycle.succeed(
                task.claim,
                job,
                self.ctx.name,
                result_image_ids=saved.results,
                album_image_ids=saved.album,
                mask_image_id=saved.mask,
                engine=result.engine,
                cutout_doubt=result.cutout_doubt,
                error=None,
                painted_at=task.clock.painted_at,
                timings=timings,
            ),
            f"job {job.id} done",
        )
        if not done:
            await through_outages(lambda: self._drop_unused(job, saved.all()), f"job {job.id} drop")
            return
        metrics.JOBS.labels(status="done", engine=result.engine).inc()
        self.processed += 1
        log.info("job done by %s (images: %d)", result.engine, len(saved.results))

    async def _save_images(self, job: Job, result: GenerationResult) -> SavedImages:
        """The results (PNG, and JPEG for the album) and the mask, each encoded in its own
        thread (encoding is most of the time), then stored together."""

        async def encoded(image: Image.Image, name: str, kind: str) -> NewImage:
            encode, ext = (album_jpeg, "jpg") if kind == "album" else (encode_png, "png")
            data = await asyncio.to_thread(encode, image)
            return NewImage(data, f"{job.id}-{name}.{ext}", {"job_id": job.id, "kind": kind})

        numbered = list(enumerate(result.images, start=1))
        files = await asyncio.gather(
            *(encoded(image, str(n), "result") for n, image in numbered),
            *(encoded(image, str(n), "album") for n, image in numbered),
            encoded(result.mask, "mask", "mask"),
        )
        ids = await self.ctx.storage.images.put_many(files)
        count = len(numbered)
        return SavedImages(results=ids[:count], album=ids[count:-1], mask=ids[-1])

    async def _drop_unused(self, job: Job, image_ids: list[str]) -> None:
        """The job was cancelled, forgotten (/forget) or taken over while it painted:
        images that no record points at would otherwise never be deleted."""
        fresh = await self.ctx.storage.jobs.get(job.id)
        kept = set(fresh.made_image_ids()) if fresh else set()
        dropped = await self.ctx.storage.images.delete_many(i for i in image_ids if i not in kept)
        log.info("job no longer held: %d stored images dropped", dropped)

    async def _failed(self, claim: Claim, job: Job, exc: Exception) -> None:
        reason = f"{type(exc).__name__}: {exc}"
        self.last_error = reason
        log.error(
            "job %s (chat %s) attempt %d failed: %s",
            job.id,
            job.chat_id,
            job.attempts,
            reason,
            exc_info=exc,
        )
        # A request the engine refused fails the same way every time: no retry.
        permanent = isinstance(exc, InvalidRequest)
        kind = ErrorKind.UNSURE_CUTOUT if isinstance(exc, UnsureCutout) else None
        status = await through_outages(
            lambda: self.ctx.lifecycle.fail_or_retry(
                claim, job, self.ctx.name, reason, permanent=permanent, kind=kind
            ),
            f"job {job.id} failure",
        )
        if status is not None:
            metrics.job_ended(job, "retried" if status == JobStatus.QUEUED else "failed")

    def _progress(self, task: Task, raise_on_cancel: bool) -> ProgressCallback:
        """Reports painting progress from the engine's thread as images done k/n (engines
        count in their own units); a lone job stops when cancelled, a batched one is
        dropped after the batch so the others finish."""
        loop = asyncio.get_running_loop()
        count = task.job.count
        reported = [-1]

        def progress(done: int, total: int) -> None:
            fault_point("worker.painting")  # in the engine's thread
            self.progress_at = time.time()
            task.clock.progress()
            if raise_on_cancel and task.cancelled.is_set():
                raise JobCancelled(task.job.id)
            images = done * count // max(total, 1)
            if images == reported[0]:
                return  # a step per image, not per engine step
            reported[0] = images
            loop.call_soon_threadsafe(task.steps.report, Stage.PAINTING, images, count)

        return progress

    async def _report(self, job: Job, stage: Stage, done: int, total: int) -> None:
        """Progress is a courtesy to the user: an outage drops it, never the job."""
        try:
            await self.ctx.lifecycle.progress(job, stage, done, total)
        except OUTAGES as exc:
            log.info("job %s: progress not reported: %s", job.id, exc)

    async def _watch_cancel(self, task: Task, painted: asyncio.Event) -> None:
        # A cancel before the start moved the record, which the start found: the first
        # look is a round later, so a job painted within one never asks.
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(painted.wait(), CANCEL_POLL_S)
            if painted.is_set():
                return
            try:
                if await self.ctx.lifecycle.queue.is_cancelled(task.job.id):
                    task.cancelled.set()
                    return
            except OUTAGES:
                pass  # asked again on the next round; an outage cancels nothing

    async def _label_until(self, stop: asyncio.Event) -> None:
        """Predicts the category of each uploaded photo for the bot's suggestions."""
        reader = label_reader(self.ctx.redis, self.ctx.keys, self.ctx.name)

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
            image = await self.ctx.originals.decoded(image_id)
            label = await asyncio.to_thread(self.ctx.engines.label, image)
        except OUTAGES:
            raise
        except Exception:
            log.exception("image %s: no product category", image_id)
            return
        if label is not None:
            await save_label(self.ctx.redis, self.ctx.keys, image_id, label)

    async def _reap(self, stop: asyncio.Event) -> None:
        await self.ctx.lifecycle.reap()
        await pause_unless_stopped(stop, REAP_EVERY_S)  # a stopping worker does not wait it out

    def stalled(self) -> bool:
        return time.time() - self.progress_at > self.ctx.stall_s

    async def _beat(self) -> None:
        info = {
            **self.ctx.info,
            "engines": self.ctx.engines.available(),
            "last_error": self.last_error,
            "processed": self.processed,
            "progress_at": self.progress_at,
            "busy": len(self.in_hand),
            "host": socket.gethostname(),
            "pid": os.getpid(),
        }
        await beat(
            self.ctx.redis, self.ctx.keys, self.ctx.name, info, ttl_s=self.ctx.heartbeat_s * 3
        )

    async def _keep_claims(self) -> None:
        """While it paints, the worker keeps its jobs: their leases in the records and their
        claims in the stream. A stuck worker stops keeping them, so others take them over."""
        tasks = list(self.in_hand)
        if not tasks or self.stalled():
            return
        lost = await self.ctx.lifecycle.keep([t.job for t in tasks], self.ctx.name)
        await self.ctx.consumer.keep([t.claim for t in tasks if t.job.id not in lost])
        for task in tasks:
            if task.job.id in lost:
                task.cancelled.set()  # taken over or finished elsewhere: its result is void

    async def _beat_until(self, stop: asyncio.Event) -> None:
        async def step() -> None:
            await self._beat()
            await self._keep_claims()
            await pause_unless_stopped(stop, self.ctx.heartbeat_s)

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
        cutout=job.cutout,
    )
