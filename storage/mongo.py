"""The MongoDB client: one per process, created by that process's composition root."""

from __future__ import annotations

from pymongo import AsyncMongoClient


def connect(url: str) -> AsyncMongoClient:
    # tz_aware: timestamps come back as aware UTC datetimes, as they were written.
    return AsyncMongoClient(url, tz_aware=True, serverSelectionTimeoutMS=10_000)
