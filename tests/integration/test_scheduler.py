"""The scheduler: one active among replicas, alerts once and resolved once, retention that
removes exactly what is older, the reaper, and the daily report."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from bson import ObjectId
from gridfs import AsyncGridFSBucket

from jobs.heartbeat import beat
from jobs.lifecycle import Lifecycle, Policy
from jobs.messages import JobMessage
from jobs.names import WORKERS_GROUP, Keys
from jobs.queue import JobQueue
from panel import audit
from scheduler.alerts import Alerts
from scheduler.lock import LeaderLock
from scheduler.main import Context, Scheduler, Task, tasks
from scheduler.retention import remove_expired
from settings import Settings
from storage.images import ImageNotFound
from storage.status import JobStatus
from tests.support.panel import seed_chat, seed_job
from tests.support.photos import product_photo
from tests.support.waiting import eventually


class RecordingAdmins:
    def __init__(self) -> None:
        self.told: list[tuple[str, dict[str, Any]]] = []

    async def tell(self, key: str, **args: Any) -> None:
        self.told.append((key, args))


@pytest.fixture
def keys(settings: Settings) -> Keys:
    return Keys(settings.stream_prefix)


@pytest.fixture
def ctx(settings, redis, storage, keys) -> Context:
    quick = settings.model_copy(
        update={"alert_queue_stuck_s": 0.05, "alert_min_jobs": 3, "alert_failure_rate": 0.5}
    )
    lifecycle = Lifecycle(redis, keys, storage, Policy.from_settings(quick))
    return Context(quick, redis, keys, storage, lifecycle, RecordingAdmins())


# --- one scheduler among replicas -----------------------------------------------------


async def test_the_lock_has_one_holder_until_it_expires_or_is_released(redis, keys):
    a = LeaderLock(redis, f"{keys.prefix}:lock", ttl_s=0.5, owner="a")
    b = LeaderLock(redis, f"{keys.prefix}:lock", ttl_s=0.5, owner="b")
    assert await a.hold() and await a.hold()  # taken, then renewed
    assert not await b.hold()
    await eventually(b.hold, timeout=30)  # a stopped renewing: b takes over after the TTL
    assert not await a.hold()
    await b.release()
    assert await a.hold()


@pytest.fixture
async def replicas(redis, keys) -> AsyncIterator[tuple[dict, list]]:
    """Two schedulers with one quick task each; what each ran, and their stop events."""
    runs: dict[str, int] = {"a": 0, "b": 0}

    def scheduler(name: str) -> Scheduler:
        async def work() -> None:
            runs[name] += 1

        lock = LeaderLock(redis, f"{keys.prefix}:scheduler-lock", ttl_s=1.0, owner=name)
        task = Task("work", IntervalTrigger(seconds=0.05), work)
        return Scheduler(lock, renew_s=0.1, work=[task])

    stops = {name: asyncio.Event() for name in runs}
    running = {name: asyncio.create_task(scheduler(name).run(stops[name])) for name in runs}
    yield runs, [stops, running]
    for name in runs:
        stops[name].set()
        await running[name]


async def test_of_two_schedulers_only_one_works_and_the_other_takes_over(replicas):
    runs, (stops, running) = replicas
    await eventually(lambda: runs["a"] + runs["b"] >= 5)
    leader = "a" if runs["a"] else "b"
    standby = "b" if leader == "a" else "a"
    assert runs[standby] == 0
    stops[leader].set()
    await running[leader]  # it released the lock on its way out
    done_by_leader = runs[leader]
    await eventually(lambda: runs[standby] >= 3)
    assert runs[leader] == done_by_leader


# --- alerts -----------------------------------------------------------------------------


async def test_no_worker_alerts_once_and_resolves_once(ctx, keys):
    alerts = Alerts(ctx.settings, ctx.redis, keys, ctx.storage, ctx.queue, ctx.admins)
    assert "alert-no-workers" in await alerts.check()
    assert "alert-no-workers" not in await alerts.check()
    # A scheduler that takes over knows the alert is out already.
    other = Alerts(ctx.settings, ctx.redis, keys, ctx.storage, ctx.queue, ctx.admins)
    assert "alert-no-workers" not in await other.check()
    await beat(ctx.redis, keys, "w-1", {}, ttl_s=60)
    assert await alerts.check() == ["alert-no-workers-resolved"]
    assert await alerts.check() == []
    told = [key for key, _ in ctx.admins.told]
    assert told == ["alert-no-workers", "alert-no-workers-resolved"]


async def test_a_queue_that_does_not_move_alerts_once_and_resolves_when_it_moves(ctx, keys):
    await beat(ctx.redis, keys, "w-1", {}, ttl_s=60)
    alerts = Alerts(ctx.settings, ctx.redis, keys, ctx.storage, ctx.queue, ctx.admins)
    await ctx.queue.enqueue(JobMessage(job_id="j1", chat_id=1))
    sent: list[str] = []

    async def stuck() -> bool:
        sent.extend(await alerts.check())
        return "alert-queue-stuck" in sent

    await eventually(stuck)
    await alerts.check()
    await ctx.queue.ensure_group()
    await ctx.redis.xreadgroup(WORKERS_GROUP, "w-1", {keys.jobs: ">"}, count=1)  # taken
    assert await alerts.check() == ["alert-queue-stuck-resolved"]
    told = [key for key, _ in ctx.admins.told]
    assert told == ["alert-queue-stuck", "alert-queue-stuck-resolved"]
    assert ctx.admins.told[0][1]["waiting"] == 1


async def test_a_jump_in_failures_alerts_once_and_resolves_once(ctx, keys, storage):
    await beat(ctx.redis, keys, "w-1", {}, ttl_s=60)
    alerts = Alerts(ctx.settings, ctx.redis, keys, storage, ctx.queue, ctx.admins)
    await seed_job(storage, 1, JobStatus.DONE, age=timedelta(0))
    assert await alerts.check() == []
    for _ in range(3):
        await seed_job(storage, 1, JobStatus.FAILED, age=timedelta(0), results=0)
    assert await alerts.check() == ["alert-failure-rate"]
    assert await alerts.check() == []
    for _ in range(6):
        await seed_job(storage, 1, JobStatus.DONE, age=timedelta(0))
    assert await alerts.check() == ["alert-failure-rate-resolved"]
    assert ctx.admins.told[0][1]["percent"] == 75


# --- retention ----------------------------------------------------------------------------


async def exists(storage, image_id: str) -> bool:
    try:
        await storage.images.get(image_id)
    except ImageNotFound:
        return False
    return True


async def test_retention_removes_exactly_the_images_older_than_the_limit(storage, settings):
    old = await seed_job(storage, 9001, age=timedelta(days=31), mask_image_id=None)
    mask = await storage.images.put(product_photo(fmt="PNG"), "mask.png", kind="mask")
    await storage.jobs.note(old.id, mask_image_id=mask)
    reused = await seed_job(storage, 9001, age=timedelta(days=45))
    rerun = await seed_job(storage, 9001, age=timedelta(days=1))
    await storage.jobs.note(rerun.id, input_image_id=reused.input_image_id)  # a re-run
    recent = await seed_job(storage, 9002, age=timedelta(days=29))
    bucket = AsyncGridFSBucket(storage.client[settings.mongo_db], bucket_name="images")
    old_upload = ObjectId.from_datetime(datetime.now(UTC) - timedelta(days=40))
    await bucket.upload_from_stream_with_id(
        old_upload, "original.jpeg", product_photo(), metadata={"kind": "original", "chat_id": 1}
    )
    new_upload = await storage.images.put(product_photo(), "original.jpeg", kind="original")

    removed = await remove_expired(storage, days=30)

    for job in (old, reused):
        record = await storage.jobs.get(job.id)
        assert record.images_expired and record.status == JobStatus.DONE
        assert record.album_image_ids, "album photos too"
        assert not any([await exists(storage, i) for i in record.made_image_ids()])
    assert not await exists(storage, old.input_image_id)
    assert not await exists(storage, mask)
    assert await exists(storage, reused.input_image_id)  # the newer re-run still uses it
    assert not await exists(storage, str(old_upload))
    assert await exists(storage, new_upload)
    for job in (rerun, recent):
        record = await storage.jobs.get(job.id)
        assert not record.images_expired
        assert all([await exists(storage, i) for i in record.result_image_ids])
        assert await exists(storage, record.input_image_id)
    # Two jobs' results and album photos, a mask, a photo, an upload never made a job.
    assert removed.jobs == 2 and removed.images == 2 * (2 + 2) + 1 + 1 + 1
    assert await remove_expired(storage, days=30) == removed.__class__(0, 0)


# --- the reaper and the report ---------------------------------------------------------------


async def test_the_scheduled_reaper_repairs_what_a_crash_left(ctx, storage, redis, keys):
    # A job recorded but never queued (the bot stopped in between): the reaper queues it.
    ten_minutes_ago = time.time() - 600
    orphan = await seed_job(storage, 9101, JobStatus.QUEUED, queued_ts=ten_minutes_ago)
    moving = await seed_job(storage, 9101, JobStatus.QUEUED, queued_ts=ten_minutes_ago)
    await JobQueue(redis, keys, 10).enqueue(JobMessage(job_id=moving.id, chat_id=9101))
    reap = next(t for t in tasks(ctx) if t.name == "reap")
    report = await reap.run()
    assert orphan.id in report.requeued and moving.id not in report.requeued
    queued = [f["job_id"] for _, f in await redis.xrange(keys.jobs)]
    assert sorted(queued) == sorted([moving.id, orphan.id])
    assert "reap" in [entry["action"] for entry in await audit.recent(redis, keys)]


async def test_the_daily_report_sums_up_the_last_day(ctx, storage):
    await seed_chat(storage, 9201)
    await seed_job(storage, 9201, results=2)
    await seed_job(storage, 9202, JobStatus.FAILED, results=0)
    await seed_job(storage, 9203, age=timedelta(days=3))
    report = next(t for t in tasks(ctx) if t.name == "report")
    await report.run()
    [(key, args)] = ctx.admins.told
    assert key == "report-daily"
    assert (args["jobs"], args["done"], args["failed"], args["images"]) == (2, 1, 1, 2)
    assert args["users"] == 2 and args["new_users"] == 1 and args["success"] == "50 %"
    assert args["p95"] == "9.0"
