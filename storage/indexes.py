"""Indexes, created at start-up by key spec (idempotent on MongoDB and nx-27017 alike).

The GridFS bucket's two are those of the GridFS spec (pymongo would create them on the
first upload to an empty bucket); `storage.images` relies on them being here.
"""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from storage.images import BUCKET

INDEXES: dict[str, list[tuple[list[tuple[str, int]], dict[str, bool]]]] = {
    "chats": [([("chat_id", ASCENDING)], {"unique": True}), ([("last_seen", DESCENDING)], {})],
    "jobs": [
        ([("chat_id", ASCENDING), ("created_at", DESCENDING)], {}),
        ([("status", ASCENDING), ("updated_at", ASCENDING)], {}),
        ([("created_at", DESCENDING)], {}),
        ([("delivery", ASCENDING), ("finished_ts", ASCENDING)], {}),
    ],
    f"{BUCKET}.files": [([("filename", ASCENDING), ("uploadDate", ASCENDING)], {})],
    f"{BUCKET}.chunks": [([("files_id", ASCENDING), ("n", ASCENDING)], {"unique": True})],
}


async def ensure_indexes(db: AsyncDatabase) -> None:
    for collection, specs in INDEXES.items():
        for keys, options in specs:
            await db[collection].create_index(keys, **options)
