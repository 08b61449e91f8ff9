"""Process plumbing: loops that survive an outage."""

from __future__ import annotations

import asyncio

from redis.exceptions import ConnectionError as RedisConnectionError

from runtime.loops import run_until


async def test_a_loop_waits_out_a_lost_connection_and_goes_on():
    stop = asyncio.Event()
    calls: list[float] = []
    loop = asyncio.get_running_loop()

    async def step() -> None:
        calls.append(loop.time())
        if len(calls) <= 2:
            raise RedisConnectionError("Connection refused")
        stop.set()

    await asyncio.wait_for(run_until(stop, "test", step), timeout=10)
    assert len(calls) == 3
    assert calls[1] - calls[0] >= 0.9 and calls[2] - calls[1] >= 1.9  # 1 s, then 2 s


async def test_other_errors_are_not_swallowed():
    async def step() -> None:
        raise ValueError("a bug")

    try:
        await run_until(asyncio.Event(), "test", step)
    except ValueError as exc:
        assert str(exc) == "a bug"
    else:
        raise AssertionError("the bug was swallowed")
