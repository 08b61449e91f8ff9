"""The worker's Prometheus metrics, and the clock that times a job's stages."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from prometheus_client import Counter

from runtime.metrics import STAGE_SECONDS
from storage.jobs import Job

JOBS = Counter(
    "vitrina_worker_jobs_total",
    "Jobs a worker ended, by outcome (done, failed, retried, cancelled) and engine",
    ["status", "engine"],
)
IMAGES_STORED = Counter("vitrina_images_stored_total", "Images a worker saved to GridFS", ["kind"])
PHOTOS_READ = Counter(
    "vitrina_worker_photos_read_total",
    "Photos a worker read for a label, a preview or a job, by source (kept, or GridFS)",
    ["source"],
)


def engine_of(job: Job) -> str:
    return job.engine or "default"


def job_ended(job: Job, status: str) -> None:
    JOBS.labels(status=status, engine=engine_of(job)).inc()


def queue_wait(job: Job) -> None:
    """Time from the job's creation to its first start (retries would count their back-off)."""
    if job.attempts == 1 and job.started_at is not None:
        waited = (_utc(job.started_at) - _utc(job.created_at)).total_seconds()
        STAGE_SECONDS.labels(stage="queue_wait", engine=engine_of(job)).observe(max(waited, 0))


def _utc(moment: datetime) -> datetime:
    # A record written by a client without tz_aware reads back naive; it was UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class StageClock:
    """Marks of one job's way through the engine, read from the engine's thread too."""

    started: float = field(default_factory=time.monotonic)
    first_progress: float | None = None
    painted: float | None = None
    painted_at: datetime | None = None

    def progress(self) -> None:
        if self.first_progress is None:
            self.first_progress = time.monotonic()

    def done_painting(self) -> None:
        self.painted = time.monotonic()
        self.painted_at = datetime.now(UTC)

    def timings(self, saving_s: float) -> dict[str, float]:
        painted = self.painted or time.monotonic()
        cut = min(self.first_progress or painted, painted)
        return {
            "cutout": round(cut - self.started, 3),
            "painting": round(painted - cut, 3),
            "saving": round(saving_s, 3),
        }

    def observe(self, engine: str, saving_s: float) -> dict[str, float]:
        timings = self.timings(saving_s)
        for stage, seconds in timings.items():
            STAGE_SECONDS.labels(stage=stage, engine=engine).observe(seconds)
        return timings
