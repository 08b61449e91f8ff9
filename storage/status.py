"""Where a job stands (its record's status) and what a running job is doing (its stage)."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)


class Stage(StrEnum):
    """What a running job is doing, as shown in the user's status message."""

    QUEUED = "queued"
    CUTTING = "cutting"
    PAINTING = "painting"
    SAVING = "saving"
