"""Composition root of the scheduler: clients, the lock, apscheduler's jobs, graceful stop.

Every replica runs an AsyncIOScheduler, started paused; the one that holds the Redis lock
resumes it and renews the lock every third of its time to live. A replica that loses the
lock pauses at once, and its tasks also check the lock before they start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from redis.asyncio import Redis

from jobs.heartbeat import alive_workers
from jobs.lifecycle import Lifecycle, Policy
from jobs.names import Keys
from jobs.queue import JobQueue
from jobs.samples import record_sample
from panel.job_control import JobControl
from runtime.clients import redis_client
from runtime.heap import settle_after_start
from runtime.metrics import metrics_served
from runtime.signals import stop_event
from scheduler.admins import Admins, LoggedAdmins, TelegramAdmins, admin_bot
from scheduler.alerts import Alerts
from scheduler.lock import LeaderLock
from scheduler.metrics import LEADER, RUNS
from scheduler.report import daily_report
from scheduler.retention import remove_expired
from settings import Settings
from storage.store import Storage

log = logging.getLogger(__name__)
SAMPLE_EVERY_S = 60
REAP_EVERY_S = 300


@dataclass(frozen=True)
class Task:
    name: str
    trigger: BaseTrigger
    run: Callable[[], Awaitable[Any]]


@dataclass
class Context:
    settings: Settings
    redis: Redis
    keys: Keys
    storage: Storage
    lifecycle: Lifecycle
    admins: Admins

    @property
    def queue(self) -> JobQueue:
        return self.lifecycle.queue


def tasks(ctx: Context) -> list[Task]:
    """The scheduled work, from the settings."""
    s = ctx.settings
    control = JobControl(ctx.lifecycle, ctx.redis, ctx.keys)
    alerts = Alerts(s, ctx.redis, ctx.keys, ctx.storage, ctx.queue, ctx.admins)

    async def sample() -> None:
        workers = len(await alive_workers(ctx.redis, ctx.keys))
        await record_sample(ctx.redis, ctx.keys, await ctx.queue.waiting(), workers)

    async def report() -> None:
        args = await daily_report(ctx.storage, ctx.redis, ctx.keys, ctx.queue)
        await ctx.admins.tell("report-daily", **args)

    found = [
        Task("sample", IntervalTrigger(seconds=SAMPLE_EVERY_S), sample),
        Task("alerts", IntervalTrigger(seconds=s.alert_check_s), alerts.check),
        Task("reap", IntervalTrigger(seconds=REAP_EVERY_S), control.reap),
        Task("report", CronTrigger(hour=s.report_hour_utc, timezone=UTC), report),
    ]
    if s.retention_days > 0:
        trigger = CronTrigger(hour=3, minute=30, timezone=UTC)  # a quiet hour
        found.append(
            Task("retention", trigger, lambda: remove_expired(ctx.storage, s.retention_days))
        )
    return found


class Scheduler:
    def __init__(self, lock: LeaderLock, renew_s: float, work: list[Task]) -> None:
        self._lock = lock
        self._renew_s = renew_s
        self._aps = AsyncIOScheduler(timezone=UTC)
        self.leading = False
        for task in work:
            self._aps.add_job(
                self._guarded(task),
                task.trigger,
                id=task.name,
                name=task.name,  # apscheduler's log lines name the job by this
                max_instances=1,  # a slow run is never overlapped by the next
                coalesce=True,  # runs missed while paused collapse into one
                misfire_grace_time=None,
            )

    def _guarded(self, task: Task) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            if not self.leading:
                return
            try:
                await task.run()
            except Exception:
                RUNS.labels(task=task.name, outcome="failed").inc()
                log.exception("scheduled %s failed", task.name)
                return
            RUNS.labels(task=task.name, outcome="ok").inc()

        return run

    async def run(self, stop: asyncio.Event) -> None:
        self._aps.start(paused=True)
        try:
            while not stop.is_set():
                await self._keep_lead()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._renew_s)
        finally:
            self._aps.shutdown(wait=False)
            if self.leading:
                self._set_leading(False)
                with contextlib.suppress(Exception):  # Redis gone: the lock expires alone
                    await self._lock.release()

    async def _keep_lead(self) -> None:
        try:
            held = await self._lock.hold()
        except Exception as exc:  # Redis unreachable: we cannot know, so we stop working
            log.warning("scheduler lock: %s", exc)
            held = False
        if held != self.leading:
            self._set_leading(held)

    def _set_leading(self, leading: bool) -> None:
        self.leading = leading
        LEADER.set(int(leading))
        if leading:
            log.info("scheduler %s holds the lock: running the scheduled work", self._lock.token)
            self._aps.resume()
        else:
            log.info("scheduler %s does not hold the lock: standing by", self._lock.token)
            self._aps.pause()


@asynccontextmanager
async def scheduler_context(settings: Settings) -> AsyncIterator[Context]:
    redis = redis_client(settings.redis_url)
    storage = await Storage.open(settings.mongo_url, settings.mongo_db)
    keys = Keys(settings.stream_prefix)
    lifecycle = Lifecycle(redis, keys, storage, Policy.from_settings(settings))
    bot = admin_bot(settings)
    admins = TelegramAdmins(bot, storage, settings.admin_ids) if bot else LoggedAdmins()
    try:
        yield Context(settings, redis, keys, storage, lifecycle, admins)
    finally:
        if bot is not None:
            await bot.session.close()
        await storage.close()
        await redis.aclose()


def lock_for(ctx: Context, owner: str | None = None) -> LeaderLock:
    key = f"{ctx.keys.prefix}:scheduler-lock"
    return LeaderLock(ctx.redis, key, ctx.settings.scheduler_lock_ttl_s, owner)


async def serve(settings: Settings) -> None:
    """Runs the scheduler until SIGINT/SIGTERM."""
    if not settings.redis_url or not settings.mongo_url:
        raise SystemExit("the scheduler needs REDIS_URL and MONGO_URL (`vitrina run` sets both)")
    stop = stop_event()
    with metrics_served("scheduler", settings.metrics_host, settings.scheduler_metrics_port):
        async with scheduler_context(settings) as ctx:
            owner = f"{socket.gethostname()}-{os.getpid()}"
            renew_s = settings.scheduler_lock_ttl_s / 3
            settle_after_start()
            await Scheduler(lock_for(ctx, owner), renew_s, tasks(ctx)).run(stop)
