"""Indexes, created at start-up by key spec (idempotent on MongoDB and nx-27017 alike)."""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

INDEXES: dict[str, list[tuple[list[tuple[str, int]], dict[str, bool]]]] = {
    "chats": [([("chat_id", ASCENDING)], {"unique": True}), ([("last_seen", DESCENDING)], {})],
    "jobs": [
        ([("chat_id", ASCENDING), ("created_at", DESCENDING)], {}),
        ([("status", ASCENDING), ("updated_at", ASCENDING)], {}),
        ([("created_at", DESCENDING)], {}),
        ([("delivery", ASCENDING), ("finished_ts", ASCENDING)], {}),
    ],
}


async def ensure_indexes(db: AsyncDatabase) -> None:
    for collection, specs in INDEXES.items():
        for keys, options in specs:
            await db[collection].create_index(keys, **options)
