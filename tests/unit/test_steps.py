"""A running job's steps paced where they are made: the newest at most once a pace, the
first a pace after the job was queued, none after the outcome."""

from __future__ import annotations

import asyncio
import time

from jobs.steps import Paced, PacedSteps
from storage.status import Stage
from tests.support.waiting import eventually


class Published:
    """What the steps published, and when (time.monotonic)."""

    def __init__(self) -> None:
        self.steps: list[tuple[Stage, int, int]] = []
        self.at: list[float] = []

    async def __call__(self, stage: Stage, done: int, total: int) -> None:
        self.steps.append((stage, done, total))
        self.at.append(time.monotonic())


async def test_a_job_done_before_its_first_step_is_due_publishes_none():
    published = Published()
    # A long pace: a slow machine cannot outlast it.
    steps = PacedSteps(published, since=time.time(), every_s=60.0)
    steps.report(Stage.CUTTING, 0, 4)
    for done in range(1, 5):
        steps.report(Stage.PAINTING, done, 4)
    steps.report(Stage.SAVING, 4, 4)
    await steps.close()
    assert published.steps == []


async def test_the_newest_step_is_published_at_most_once_a_pace():
    pace = 0.3
    published = Published()
    steps = PacedSteps(published, since=time.time() - pace, every_s=pace)  # already due
    steps.report(Stage.CUTTING, 0, 4)
    await eventually(lambda: published.steps, what="the first step, at once")
    for done in (1, 2, 3):
        steps.report(Stage.PAINTING, done, 4)
    await eventually(lambda: len(published.steps) == 2, what="the newest step")
    await steps.close()
    assert published.steps == [(Stage.CUTTING, 0, 4), (Stage.PAINTING, 3, 4)]
    assert published.at[1] - published.at[0] >= pace


async def test_the_first_step_waits_a_pace_after_the_job_was_queued():
    pace = 0.3
    published = Published()
    queued, queued_mono = time.time(), time.monotonic()
    steps = PacedSteps(published, since=queued, every_s=pace)
    steps.report(Stage.CUTTING, 0, 1)
    await eventually(lambda: published.steps, what="the first step")
    await steps.close()
    assert published.at[0] - queued_mono >= pace - 0.01  # two clocks: a hair of slack


async def test_a_queue_time_from_a_clock_far_ahead_costs_one_pace_at_most():
    published = Published()
    steps = PacedSteps(published, since=time.time() + 3600, every_s=0.2)
    steps.report(Stage.CUTTING, 0, 1)
    await eventually(lambda: published.steps, what="the first step within a pace")
    await steps.close()


async def test_closing_waits_for_a_step_being_published_and_ignores_later_ones():
    """No step's event may come after the outcome's: one on its way is waited for, one
    from the engine's thread that comes after the outcome is dropped."""
    sending, release = asyncio.Event(), asyncio.Event()
    sent: list[Stage] = []

    async def publish(stage: Stage, done: int, total: int) -> None:
        sending.set()
        await release.wait()
        sent.append(stage)

    steps = PacedSteps(publish, since=0.0, every_s=0.01)
    steps.report(Stage.CUTTING, 0, 1)
    await asyncio.wait_for(sending.wait(), 30)
    closing = asyncio.create_task(steps.close())
    await asyncio.sleep(0.05)
    assert not closing.done()
    release.set()
    await asyncio.wait_for(closing, 30)
    assert sent == [Stage.CUTTING]
    steps.report(Stage.SAVING, 1, 1)
    await asyncio.sleep(0.05)
    assert sent == [Stage.CUTTING]


async def test_a_pacer_is_idle_a_pace_after_its_last_publication_and_paces_until_then():
    """The notifier keeps a pacer per job only while it paces: idle once a pace has
    passed with nothing new, so that a job whose outcome another bot delivered is not
    kept for ever; an item offered within that pace still waits for it."""
    pace = 0.3
    shown: list[tuple[str, float]] = []
    idle = asyncio.Event()

    async def show(item: str) -> None:
        shown.append((item, time.monotonic()))

    paced: Paced[str] = Paced(show, since=time.time() - pace, every_s=pace, idle=idle.set)
    paced.offer("first")
    await eventually(lambda: shown, what="the first item, at once")
    paced.offer("second")
    await asyncio.wait_for(idle.wait(), 30)
    assert [item for item, _ in shown] == ["first", "second"]
    assert shown[1][1] - shown[0][1] >= pace
    assert time.monotonic() - shown[1][1] >= pace - 0.01, "idle before its pace had passed"


async def test_a_dropped_pacer_publishes_nothing_more_and_says_it_is_idle():
    shown: list[str] = []
    idle = asyncio.Event()

    async def show(item: str) -> None:
        shown.append(item)

    paced: Paced[str] = Paced(show, since=time.time(), every_s=60.0, idle=idle.set)
    paced.offer("kept until due")
    paced.drop()
    await asyncio.wait_for(idle.wait(), 30)
    paced.offer("after the outcome")
    await asyncio.sleep(0.05)
    assert shown == []
