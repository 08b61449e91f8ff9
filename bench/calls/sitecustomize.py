"""Counts the round trips of a process the queue benchmark started (`--count-calls`).

Loaded by Python at start-up through PYTHONPATH, in the bot's and the workers'
processes only: MongoDB commands through PyMongo's command monitoring, Redis commands
through redis-py's `execute_command` (a pipeline counts as one round trip; a script's
inner commands are the server's, not round trips), Bot API calls through aiogram's
session. On SIGUSR1 the counts so far are appended, as one JSON line, to
$VITRINA_CALLS_DIR/<pid>.jsonl: the benchmark signals before and after its measured
jobs and takes the difference, so start-up and the chats' set-up are left out.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import sys

_DIR = os.environ.get("VITRINA_CALLS_DIR")
_counts: collections.Counter[str] = collections.Counter()


def _dump(*_: object) -> None:
    with open(os.path.join(_DIR, f"{os.getpid()}.jsonl"), "a") as out:
        out.write(json.dumps({"argv": sys.argv, "counts": dict(_counts)}) + "\n")


def _count_mongo() -> None:
    from pymongo import monitoring

    class Listener(monitoring.CommandListener):
        def started(self, event: monitoring.CommandStartedEvent) -> None:
            _counts[f"mongo {event.command_name}"] += 1

        def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
            pass

        def failed(self, event: monitoring.CommandFailedEvent) -> None:
            pass

    monitoring.register(Listener())


def _count_redis() -> None:
    from redis.asyncio.client import Pipeline, Redis

    command = Redis.execute_command

    async def execute_command(self, *args, **options):
        _counts[f"redis {str(args[0]).split()[0].upper()}"] += 1
        return await command(self, *args, **options)

    execute = Pipeline.execute

    async def execute_pipeline(self, *args, **options):
        _counts["redis pipeline"] += 1
        return await execute(self, *args, **options)

    Redis.execute_command = execute_command
    Pipeline.execute = execute_pipeline


def _count_bot_api() -> None:
    from aiogram.client.session.aiohttp import AiohttpSession

    request = AiohttpSession.make_request

    async def make_request(self, bot, method, timeout=None):
        _counts[f"telegram {type(method).__name__}"] += 1
        return await request(self, bot, method, timeout)

    AiohttpSession.make_request = make_request


if _DIR:
    _count_mongo()
    _count_redis()
    _count_bot_api()
    signal.signal(signal.SIGUSR1, _dump)
