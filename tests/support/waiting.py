"""Waiting for something to become true, without a hand-written deadline loop per test."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

# Long enough for a cold first start on a slow 2-core machine: a wait that is too short
# fails for slowness, which tests must never do; a hang is still caught, by this or by
# the per-test timeout.
DEFAULT_TIMEOUT_S = 120.0


async def eventually(
    check: Callable[[], T | Awaitable[T]],
    timeout: float = DEFAULT_TIMEOUT_S,
    interval: float = 0.1,
    what: str | Callable[[], str] = "the condition",
) -> T:
    """Calls `check` (plain or async) until it returns something truthy, and returns that.
    An AssertionError from `check` counts as "not yet"; after `timeout` seconds the last
    one is raised, or an AssertionError naming `what` (a text, or a function giving one,
    such as a process's log)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        failure: AssertionError | None = None
        try:
            result = check()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return result
        except AssertionError as error:
            failure = error
        if loop.time() >= deadline:
            if failure is not None:
                raise failure
            described = what() if callable(what) else what
            raise AssertionError(f"{described} did not happen within {timeout:.0f} s")
        await asyncio.sleep(interval)
