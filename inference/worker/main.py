"""Composition root of a worker process: clients, models, the loop, graceful shutdown."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis

from inference.devices import resolve_device
from inference.engine import EngineUnavailable
from inference.engine_set import EngineSet
from inference.worker.loop import Worker, WorkerContext
from jobs.consumer import JobConsumer, RetryPolicy
from jobs.names import Keys
from jobs.queue import JobQueue
from runtime.metrics import metrics_served
from runtime.signals import stop_event
from settings import Settings
from storage.store import Storage

log = logging.getLogger(__name__)


@asynccontextmanager
async def worker_context(
    settings: Settings, engines: EngineSet, name: str
) -> AsyncIterator[WorkerContext]:
    """The worker's long-lived clients, closed when the worker stops."""
    redis = Redis.from_url(settings.redis_url, decode_responses=True)
    storage = await Storage.open(settings.mongo_url, settings.mongo_db)
    keys = Keys(settings.stream_prefix)
    policy = RetryPolicy(settings.max_attempts, settings.retry_backoff_s)
    try:
        yield WorkerContext(
            name=name,
            redis=redis,
            keys=keys,
            storage=storage,
            engines=engines,
            consumer=JobConsumer(redis, keys, name, policy, settings.job_claim_idle_s),
            queue=JobQueue(redis, keys, settings.queue_limit),
            heartbeat_s=settings.worker_heartbeat_s,
            batch_size=settings.worker_batch_size,
            info=describe(settings, engines),
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
            await Worker(ctx).run(stop)


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
