"""The MongoDB client: one per process, created by that process's composition root."""

from __future__ import annotations

from pymongo import AsyncMongoClient

# Every operation has a deadline (client-side operation timeout): within it PyMongo retries
# what is safe to retry across a failover or restart, and past it the call fails instead of
# waiting forever on a reply that will never come.
OPERATION_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_MS = 3_000


def connect(url: str, timeout_ms: int = OPERATION_TIMEOUT_MS) -> AsyncMongoClient:
    # tz_aware: timestamps come back as aware UTC datetimes, as they were written.
    return AsyncMongoClient(
        url,
        tz_aware=True,
        timeoutMS=timeout_ms,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=min(CONNECT_TIMEOUT_MS, timeout_ms),
    )
