"""Prometheus metrics, gathered from Redis when scraped (the panel holds no counters)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge, generate_latest
from redis.asyncio import Redis

from jobs.heartbeat import alive_workers
from jobs.names import Keys
from jobs.queue import JobQueue


async def render_metrics(queue: JobQueue, redis: Redis, keys: Keys) -> bytes:
    # A registry per scrape: the values are read fresh, never kept between requests.
    registry = CollectorRegistry()
    Gauge("vitrina_queue_depth", "Jobs waiting for a worker", registry=registry).set(
        await queue.waiting()
    )
    Gauge("vitrina_workers_alive", "Workers with a live heartbeat", registry=registry).set(
        len(await alive_workers(redis, keys))
    )
    Gauge("vitrina_dead_letters", "Jobs whose attempts are spent", registry=registry).set(
        await redis.xlen(keys.dead)
    )
    return generate_latest(registry)
