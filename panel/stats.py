"""The numbers of the dashboard and of the daily report, from job records and Redis."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from redis.asyncio import Redis

from jobs.heartbeat import alive_workers
from jobs.names import Keys
from jobs.queue import JobQueue
from jobs.samples import Sample, samples_since
from storage.jobs import Job
from storage.status import JobStatus
from storage.store import Storage

FIELDS = ["status", "engine", "chat_id", "created_at", "started_at", "finished_at"]
FIELDS += ["result_image_ids"]


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def seconds_between(later: datetime | str | None, earlier: datetime | str | None) -> float | None:
    if later is None or earlier is None:
        return None
    return max((moment(later) - moment(earlier)).total_seconds(), 0.0)


def moment(value: datetime | str) -> datetime:
    """An aware UTC datetime: nx-27017 gives a time written by an update back as naive text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass
class Summary:
    """Jobs created within a period."""

    jobs: int = 0
    done: int = 0
    failed: int = 0
    images: int = 0
    chats: int = 0
    latency_p95: float | None = None  # created to finished, done jobs

    @property
    def success_rate(self) -> float | None:
        finished = self.done + self.failed
        return self.done / finished if finished else None

    @property
    def failure_rate(self) -> float | None:
        finished = self.done + self.failed
        return self.failed / finished if finished else None


def summarize(rows: Iterable[dict[str, Any]]) -> Summary:
    summary, chats, latencies = Summary(), set(), []
    for row in rows:
        summary.jobs += 1
        chats.add(row.get("chat_id"))
        if row.get("status") == JobStatus.DONE:
            summary.done += 1
            summary.images += len(row.get("result_image_ids") or [])
            latency = seconds_between(row.get("finished_at"), row.get("created_at"))
            latencies += [latency] if latency is not None else []
        elif row.get("status") == JobStatus.FAILED:
            summary.failed += 1
    summary.chats = len(chats)
    summary.latency_p95 = percentile(latencies, 0.95)
    return summary


@dataclass
class EngineTimes:
    engine: str
    jobs: int
    wait_p50: float | None
    wait_p95: float | None
    run_p50: float | None
    run_p95: float | None


def engine_times(rows: Iterable[dict[str, Any]]) -> list[EngineTimes]:
    """Queue wait (created → started) and processing (started → finished) by engine."""
    waits: dict[str, list[float]] = defaultdict(list)
    runs: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        if row.get("status") != JobStatus.DONE:
            continue
        engine = row.get("engine") or "default"
        if (wait := seconds_between(row.get("started_at"), row.get("created_at"))) is not None:
            waits[engine].append(wait)
        if (run := seconds_between(row.get("finished_at"), row.get("started_at"))) is not None:
            runs[engine].append(run)
    return [
        EngineTimes(
            engine,
            len(runs[engine]),
            percentile(waits[engine], 0.5),
            percentile(waits[engine], 0.95),
            percentile(runs[engine], 0.5),
            percentile(runs[engine], 0.95),
        )
        for engine in sorted(set(waits) | set(runs))
    ]


@dataclass
class Bar:
    label: str
    done: int = 0
    failed: int = 0
    other: int = 0


def bars(
    rows: Iterable[dict[str, Any]], start: datetime, step: timedelta, n: int, fmt: str
) -> list[Bar]:
    """Jobs per period of `step`, `n` periods from `start`, split by outcome."""
    out = [Bar((start + i * step).strftime(fmt)) for i in range(n)]
    for row in rows:
        index = int((moment(row["created_at"]) - start) / step)
        if 0 <= index < n:
            status = row.get("status")
            kind = status if status in (JobStatus.DONE, JobStatus.FAILED) else "other"
            setattr(out[index], kind, getattr(out[index], kind) + 1)
    return out


@dataclass
class Dashboard:
    today: Summary
    week: Summary
    day: Summary  # the last 24 hours
    engines: list[EngineTimes]
    days: list[Bar]
    hours: list[Bar]
    samples: list[Sample]
    waiting: int
    running: int
    workers: int
    dead: int
    delayed: int
    failures: list[Job] = field(default_factory=list)


async def dashboard(
    storage: Storage, redis: Redis, keys: Keys, queue: JobQueue, now: datetime | None = None
) -> Dashboard:
    now = now or datetime.now(UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week_start = midnight - timedelta(days=6)
    rows = await storage.jobs.rows(week_start, FIELDS)
    day_start = now - timedelta(hours=24)
    hour_start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=23)
    return Dashboard(
        today=summarize(r for r in rows if moment(r["created_at"]) >= midnight),
        week=summarize(rows),
        day=summarize(r for r in rows if moment(r["created_at"]) >= day_start),
        engines=engine_times(rows),
        days=bars(rows, week_start, timedelta(days=1), 7, "%d.%m"),
        hours=bars(rows, hour_start, timedelta(hours=1), 24, "%H"),
        samples=await samples_since(redis, keys, (now - timedelta(hours=24)).timestamp()),
        waiting=await queue.waiting(),
        running=await storage.jobs.count(status=JobStatus.RUNNING),
        workers=len(await alive_workers(redis, keys)),
        dead=await redis.xlen(keys.dead),
        delayed=await redis.zcard(keys.delayed),
        failures=await storage.jobs.page(0, 8, status=JobStatus.FAILED),
    )
