"""Composition root of a worker process: clients, models, the loop, graceful shutdown.

SIGTERM (or Ctrl-C) stops the worker taking jobs; the batch in hand is finished, recorded
and acknowledged within WORKER_STOP_TIMEOUT_S. Past that deadline the worker gives its
jobs up (their leases end at once, its heartbeat is removed) and exits, so another
worker takes them over promptly.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from inference.devices import resolve_device
from inference.engine import EngineUnavailable
from inference.engine_set import EngineSet
from inference.worker.loop import Worker, WorkerContext
from inference.worker.originals import RecentOriginals
from jobs.consumer import JobConsumer
from jobs.heartbeat import forget
from jobs.lifecycle import Lifecycle, Policy
from jobs.names import Keys
from runtime.clients import redis_client
from runtime.heap import settle_after_start
from runtime.loops import OUTAGES
from runtime.metrics import metrics_served
from runtime.signals import stop_event
from settings import Settings
from storage.store import Storage

log = logging.getLogger(__name__)
EXIT_PAST_DEADLINE = 75  # EX_TEMPFAIL: the supervisor restarts it


@asynccontextmanager
async def worker_context(
    settings: Settings, engines: EngineSet, name: str
) -> AsyncIterator[WorkerContext]:
    """The worker's long-lived clients, closed when the worker stops."""
    redis = redis_client(settings.redis_url)
    storage = await Storage.open(settings.mongo_url, settings.mongo_db)
    keys = Keys(settings.stream_prefix)
    try:
        yield WorkerContext(
            name=name,
            redis=redis,
            keys=keys,
            storage=storage,
            engines=engines,
            originals=RecentOriginals(storage.images),
            consumer=JobConsumer(
                redis, keys, name, settings.job_claim_idle_s, settings.worker_heartbeat_s
            ),
            lifecycle=Lifecycle(redis, keys, storage, Policy.from_settings(settings)),
            heartbeat_s=settings.worker_heartbeat_s,
            batch_size=settings.worker_batch_size,
            info=describe(settings, engines),
            stall_s=settings.worker_stall_s,
        )
    finally:
        await storage.close()
        await redis.aclose()


async def serve(settings: Settings, name: str | None = None) -> None:
    """Runs one worker until SIGINT/SIGTERM; the jobs in hand are finished first."""
    if not settings.redis_url or not settings.mongo_url:
        raise SystemExit("the worker needs REDIS_URL and MONGO_URL (`vitrina run` sets both)")
    engines = await asyncio.to_thread(EngineSet.load, settings)
    stop = stop_event()
    with metrics_served("worker", settings.metrics_host, settings.worker_metrics_port):
        async with worker_context(settings, engines, name or default_name()) as ctx:
            settle_after_start()
            await _run_until_stopped(Worker(ctx), stop, settings.worker_stop_timeout_s)


async def _run_until_stopped(worker: Worker, stop: asyncio.Event, deadline_s: float) -> None:
    """Runs the worker; once stopped, waits at most `deadline_s` for the batch in hand."""
    running = asyncio.create_task(worker.run(stop))
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    try:
        await asyncio.wait_for(asyncio.shield(running), deadline_s)
    except TimeoutError:
        await _give_up(worker, deadline_s)


async def _give_up(worker: Worker, deadline_s: float) -> None:
    """Past the stop deadline: the jobs in hand go to other workers at once, and the
    process ends without waiting for the engine's thread."""
    ctx = worker.ctx
    log.error("worker %s did not finish in %.0f s; giving its jobs up", ctx.name, deadline_s)
    with suppress(*OUTAGES):
        await ctx.lifecycle.release([t.job for t in worker.in_hand], ctx.name)
        await forget(ctx.redis, ctx.keys, ctx.name)
    logging.shutdown()
    os._exit(EXIT_PAST_DEADLINE)


def describe(settings: Settings, engines: EngineSet) -> dict[str, Any]:
    """What the panel shows of a worker: its device and the models it loaded."""
    models = [f"segmentation: {settings.segmentation_model}"]
    if "diffusion" in engines.available():
        models.append(f"diffusion: {settings.diffusion_model}")
    if engines.labeler is not None:
        models.append(f"labels: {settings.label_model}")
    try:
        device = resolve_device(settings.device)
    except EngineUnavailable:  # the engines said why at load; the panel shows the setting
        device = settings.device
    return {"device": device, "models": models}


def default_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"
