"""Typed keys of the panel application's shared state."""

from __future__ import annotations

from aiohttp import web
from redis.asyncio import Redis

from jobs.names import Keys
from jobs.queue import JobQueue
from panel.auth import LoginThrottle
from panel.job_control import JobControl
from settings import Settings
from storage.store import Storage
from suggestions import Suggester

SETTINGS = web.AppKey("settings", Settings)
REDIS = web.AppKey("redis", Redis)
STORAGE = web.AppKey("storage", Storage)
QUEUE = web.AppKey("queue", JobQueue)
KEYS = web.AppKey("keys", Keys)
CONTROL = web.AppKey("control", JobControl)
THROTTLE = web.AppKey("throttle", LoginThrottle)
PASSWORD_HASH = web.AppKey("password_hash", str)
SUGGESTER = web.AppKey("suggester", Suggester)
