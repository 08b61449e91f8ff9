"""Composition root of a worker process: clients, models, the loop, graceful shutdown."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket

from redis.asyncio import Redis

from inference.engines import EngineSet
from inference.worker import Worker, WorkerContext
from jobs.consumer import JobConsumer, RetryPolicy
from jobs.names import Keys
from jobs.queue import JobQueue
from settings import Settings
from storage.store import Storage

log = logging.getLogger(__name__)


async def serve(settings: Settings, name: str | None = None) -> None:
    """Runs one worker until SIGINT/SIGTERM; the job in hand is finished first."""
    if not settings.redis_url or not settings.mongo_url:
        raise SystemExit("the worker needs REDIS_URL and MONGO_URL (`vitrina run` sets both)")
    name = name or f"{socket.gethostname()}-{os.getpid()}"
    engines = await asyncio.to_thread(EngineSet.load, settings)
    redis = Redis.from_url(settings.redis_url, decode_responses=True)
    storage = await Storage.open(settings.mongo_url, settings.mongo_db)
    keys = Keys(settings.stream_prefix)
    ctx = WorkerContext(
        name=name,
        redis=redis,
        keys=keys,
        storage=storage,
        engines=engines,
        consumer=JobConsumer(
            redis,
            keys,
            name,
            RetryPolicy(settings.max_attempts, settings.retry_backoff_s),
            settings.job_claim_idle_s,
        ),
        queue=JobQueue(redis, keys, settings.queue_limit),
        heartbeat_s=settings.worker_heartbeat_s,
        batch_size=1,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await Worker(ctx).run(stop)
    finally:
        await storage.close()
        await redis.aclose()
