"""The circuit breaker: fail fast while Yandex is down, probe once it may be back."""

from __future__ import annotations

import asyncio

import pytest

from suggestions.breaker import CircuitBreaker
from suggestions.errors import CircuitOpen, YandexFiltered, YandexUnavailable


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def ok() -> str:
    return "ok"


async def down() -> str:
    raise YandexUnavailable("down")


async def filtered() -> str:
    raise YandexFiltered("filtered")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker("test", failures_to_open=3, reset_after_s=30, clock=clock)


async def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        with pytest.raises(YandexUnavailable):
            await breaker.call(down)


async def test_it_opens_after_consecutive_failures_and_then_fails_fast(breaker):
    await fail(breaker, 2)
    assert await breaker.call(ok) == "ok"  # a success resets the count
    await fail(breaker, 2)
    assert not breaker.is_open
    await fail(breaker, 1)
    assert breaker.is_open
    called = False

    async def spy() -> str:
        nonlocal called
        called = True
        return "ok"

    with pytest.raises(CircuitOpen):
        await breaker.call(spy)
    assert not called


async def test_after_the_reset_time_one_probe_decides(breaker, clock):
    await fail(breaker, 3)
    clock.now += 30
    await fail(breaker, 1)  # the probe failed: open again, for another 30 s
    with pytest.raises(CircuitOpen):
        await breaker.call(ok)
    clock.now += 30
    assert await breaker.call(ok) == "ok"
    assert not breaker.is_open


async def test_while_the_probe_runs_other_calls_fail_fast(breaker, clock):
    await fail(breaker, 3)
    clock.now += 30
    release = asyncio.Event()

    async def slow() -> str:
        await release.wait()
        return "ok"

    probe = asyncio.create_task(breaker.call(slow))
    await asyncio.sleep(0)
    with pytest.raises(CircuitOpen):
        await breaker.call(ok)
    release.set()
    assert await probe == "ok"
    assert await breaker.call(ok) == "ok"


async def test_a_cancelled_probe_lets_the_next_call_probe(breaker, clock):
    await fail(breaker, 3)
    clock.now += 30
    probe = asyncio.create_task(breaker.call(asyncio.Event().wait))
    await asyncio.sleep(0)
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe
    assert await breaker.call(ok) == "ok"


async def test_a_content_filter_is_not_an_outage(breaker):
    for _ in range(5):
        with pytest.raises(YandexFiltered):
            await breaker.call(filtered)
    assert not breaker.is_open
