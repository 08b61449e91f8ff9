"""A running job's steps, paced where they are made.

A chat's status message shows at most one step a second (Telegram's pace for one chat),
the first a second after the job was queued, and never a step after the outcome. Steps
made faster than that would only be read by the notifier and dropped there: a job done
within the second (a studio image) would publish three events nobody sees, each one a
wake-up of the bot while the job's result is being saved. So the worker publishes a
step only when it could be shown, keeps the newest one until then, and drops the one
still kept when the outcome comes. The notifier paces what it reads all the same (a
retried job's steps come from another worker).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

from storage.status import Stage

STEP_EVERY_S = 1.0

Publish = Callable[[Stage, int, int], Awaitable[None]]


class PacedSteps:
    """One job's steps: `report` from the event loop at any rate, `close` before the
    outcome is published. `since` is when the job was queued (another machine's clock
    may be ahead: no pause is ever longer than `every_s`)."""

    def __init__(
        self,
        publish: Publish,
        since: float,
        every_s: float | None = None,
    ) -> None:
        self._publish = publish
        self._every_s = STEP_EVERY_S if every_s is None else every_s
        self._due = since + self._every_s
        self._newest: tuple[Stage, int, int] | None = None
        self._flushing: asyncio.Task[None] | None = None
        self._publishing = False
        self._closed = False

    def report(self, stage: Stage, done: int = 0, total: int = 0) -> None:
        if self._closed:
            return  # a step from the engine's thread that came after the outcome
        self._newest = (stage, done, total)
        if self._flushing is None:
            self._flushing = asyncio.create_task(self._flush())

    async def close(self) -> None:
        """Drops the step not published yet; one being published is waited for, so that no
        step's event comes after the outcome's."""
        self._closed, self._newest = True, None
        flushing = self._flushing
        if flushing is None:
            return
        if not self._publishing:
            flushing.cancel()  # only ever cancelled in its pause, never mid-command
        with contextlib.suppress(asyncio.CancelledError):
            await flushing

    async def _flush(self) -> None:
        while self._newest is not None:
            wait = min(self._due - time.time(), self._every_s)
            if wait > 0:
                await asyncio.sleep(wait)  # where `close` cancels it: the step is dropped
            stage, done, total = self._newest
            self._newest = None
            self._publishing = True
            try:
                await self._publish(stage, done, total)
            finally:
                self._publishing = False
            self._due = time.time() + self._every_s
        self._flushing = None
