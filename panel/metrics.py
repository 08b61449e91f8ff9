"""The panel's Prometheus metrics, read fresh from Redis and MongoDB at each scrape.

Nothing here walks the Redis keyspace: every value is one command on a known key.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, Gauge, generate_latest
from redis.asyncio import Redis

from jobs.heartbeat import alive_workers
from jobs.names import Keys
from jobs.queue import JobQueue
from storage.status import JobStatus
from storage.store import Storage

ALERTS_KEY = "alerts"  # the scheduler's hash of firing alerts, under the stream prefix


async def render_metrics(queue: JobQueue, redis: Redis, keys: Keys, storage: Storage) -> bytes:
    # A registry per scrape: the values are read fresh, never kept between requests.
    registry = CollectorRegistry()

    def gauge(name: str, doc: str, labels: tuple[str, ...] = ()) -> Gauge:
        return Gauge(name, doc, labels, registry=registry)

    gauge("vitrina_queue_depth", "Jobs waiting for a worker").set(await queue.waiting())
    gauge("vitrina_workers_alive", "Workers with a live heartbeat").set(
        len(await alive_workers(redis, keys))
    )
    gauge("vitrina_dead_letters", "Jobs whose attempts are spent").set(await redis.xlen(keys.dead))
    gauge("vitrina_retries_waiting", "Failed attempts waiting for their back-off").set(
        await redis.zcard(keys.delayed)
    )
    gauge("vitrina_images", "Images kept in GridFS").set(await storage.images.count())
    jobs = gauge(
        "vitrina_jobs_last_day", "Jobs created in the last 24 hours by status", ("status",)
    )
    since = datetime.now(UTC) - timedelta(days=1)
    for status in JobStatus:
        jobs.labels(status=status).set(await storage.jobs.count_since(since, status=status))
    firing = gauge("vitrina_alert_firing", "1 while the scheduler's alert is firing", ("alert",))
    for name in await redis.hkeys(f"{keys.prefix}:{ALERTS_KEY}"):
        firing.labels(alert=name).set(1)
    return generate_latest(registry)
