"""Typed keys of the panel application's shared state."""

from __future__ import annotations

from aiohttp import web
from redis.asyncio import Redis

from jobs.names import Keys
from jobs.queue import JobQueue
from settings import Settings
from storage.store import Storage

SETTINGS = web.AppKey("settings", Settings)
REDIS = web.AppKey("redis", Redis)
STORAGE = web.AppKey("storage", Storage)
QUEUE = web.AppKey("queue", JobQueue)
KEYS = web.AppKey("keys", Keys)
