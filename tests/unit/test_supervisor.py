"""`vitrina run` restarts a part whose own health fails, not one caught in an outage."""

from __future__ import annotations

import subprocess

import pytest

from cli import run
from cli.healthcheck import Health
from settings import Settings


@pytest.fixture
def child():
    process = subprocess.Popen(["sleep", "60"])
    yield process
    process.kill()
    process.wait()


def checks(monkeypatch, *results: Health) -> None:
    answers = iter(results)

    async def check(part, settings, name=None):
        return next(answers)

    monkeypatch.setattr(run, "check", check)


STUCK = Health(part=["worker w: no progress for 600 s (stuck)"])
OUTAGE = Health(services=["redis: ConnectionError"], part=["no worker heartbeat"])


def watch(child, times: int, state: run.Watch) -> None:
    for _ in range(times):
        run._watch_health("worker", child, state, Settings(_env_file=None))


def test_a_stuck_part_is_stopped_after_three_failed_checks(monkeypatch, child):
    checks(monkeypatch, Health(), STUCK, STUCK, STUCK)
    state = run.Watch()
    watch(child, 3, state)
    assert child.poll() is None and state.failures == 2
    watch(child, 1, state)
    assert child.poll() is not None  # stopped: the supervisor's loop restarts it


def test_a_part_still_starting_or_caught_in_an_outage_is_left_alone(monkeypatch, child):
    checks(monkeypatch, STUCK, STUCK, STUCK, Health(), OUTAGE, OUTAGE, OUTAGE, OUTAGE)
    watch(child, 8, run.Watch())
    assert child.poll() is None
