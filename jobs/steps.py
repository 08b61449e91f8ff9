"""A running job's steps, paced where they are made and where they are shown.

A chat's status message shows at most one step a second (Telegram's pace for one chat),
the first a second after the job was queued, and never a step after the outcome. Steps
made faster than that would only be read by the notifier and dropped there: a job done
within the second (a studio image) would publish three events nobody sees, each one a
wake-up of the bot while the job's result is being saved. So the worker publishes a
step only when it could be shown, keeps the newest one until then, and drops the one
still kept when the outcome comes. The notifier paces what it reads by the same rule
(`Paced`, one owner of it), since a retried job's steps come from another worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from storage.status import Stage

log = logging.getLogger(__name__)
STEP_EVERY_S = 1.0

T = TypeVar("T")


class Paced(Generic[T]):
    """The newest of a stream of items, published at most once every `every_s`, the first
    `every_s` after `since` (another machine's clock may be ahead: no pause is ever longer
    than `every_s`). `offer` from the event loop at any rate; `drop` forgets the item not
    published yet and takes no more; `close` also waits for one being published, so that
    nothing is published after it returns. `idle`, when given, is called once a pace has
    passed since the last publication and nothing new came (or once dropped)."""

    def __init__(
        self,
        publish: Callable[[T], Awaitable[None]],
        since: float,
        every_s: float = STEP_EVERY_S,
        idle: Callable[[], None] | None = None,
    ) -> None:
        self._publish = publish
        self._every_s = every_s
        self._due = since + every_s
        self._idle = idle
        self._newest: T | None = None
        self._flushing: asyncio.Task[None] | None = None
        self._publishing = False
        self._closed = False

    def offer(self, item: T) -> None:
        if self._closed:
            return  # e.g. a step from the engine's thread that came after the outcome
        self._newest = item
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
            # Not a `finally` in the task: a task cancelled before it began runs none of it.
            self._flushing.add_done_callback(self._flushed)

    def drop(self) -> None:
        self._closed, self._newest = True, None
        if self._flushing is not None and not self._publishing:
            self._flushing.cancel()  # only ever cancelled in its pause, never mid-command

    async def close(self) -> None:
        flushing = self._flushing
        self.drop()
        if flushing is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await flushing

    async def _flush(self) -> None:
        while True:
            wait = min(self._due - time.time(), self._every_s)
            if wait > 0:
                await asyncio.sleep(wait)  # where `drop` cancels it: the item is dropped
            if self._newest is None:
                return
            item, self._newest = self._newest, None
            self._publishing = True
            try:
                await self._publish(item)
            finally:
                self._publishing = False
            if self._closed:
                return
            self._due = time.time() + self._every_s

    def _flushed(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("a paced item was not published", exc_info=task.exception())
        if self._flushing is task:
            self._flushing = None
        if self._idle is not None and self._flushing is None:
            self._idle()


class PacedSteps:
    """One job's steps in the worker: `report` from the event loop at any rate, `close`
    before the outcome is published. `since` is when the job was queued."""

    def __init__(
        self,
        publish: Callable[[Stage, int, int], Awaitable[None]],
        since: float,
        every_s: float | None = None,
    ) -> None:
        every_s = STEP_EVERY_S if every_s is None else every_s
        self._paced: Paced[tuple[Stage, int, int]] = Paced(
            lambda step: publish(*step), since, every_s
        )

    def report(self, stage: Stage, done: int = 0, total: int = 0) -> None:
        self._paced.offer((stage, done, total))

    async def close(self) -> None:
        """Drops the step not published yet; one being published is waited for, so that no
        step's event comes after the outcome's."""
        await self._paced.close()
