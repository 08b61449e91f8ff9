"""The event loop of every long-running process: uvloop's (libuv), which spends less CPU
on each socket event than asyncio's own loop. A job crosses the bot, Redis, MongoDB and a
worker a few dozen times, each crossing paying the loop's cost (docs/BENCHMARKS.md,
"Steps paced where they are made, and uvloop")."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

import uvloop

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    return uvloop.run(main)
