"""The getUpdates queue, with long polling semantics of the real server."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from .errors import ApiError

# Delivered when allowed_updates is empty or never set.
_DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def update_type(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


class UpdateQueue:
    def __init__(self) -> None:
        self.pending: list[dict[str, Any]] = []
        self.allowed: frozenset[str] | None = None
        self._next_id = 1
        self._arrived = asyncio.Event()
        self._poll_generation = 0
        self.closing = False

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        if self._accepts(kind):
            self.pending.append(update)
            self._wake()
        return update

    def drop_pending(self) -> None:
        self.pending.clear()

    def close(self) -> None:
        """Let every waiting getUpdates return at once (server shutdown)."""
        self.closing = True
        self._wake()

    def _wake(self) -> None:
        self._arrived.set()
        self._arrived = asyncio.Event()

    def _accepts(self, kind: str) -> bool:
        if self.allowed:
            return kind in self.allowed
        return kind not in _DEFAULT_EXCLUDED

    def set_allowed(self, allowed: list[str] | None) -> None:
        # Like Telegram: the setting sticks until changed; updates it excludes are dropped.
        if allowed is None:
            return
        self.allowed = frozenset(allowed)
        self.pending = [u for u in self.pending if self._accepts(update_type(u))]

    def confirm(self, offset: int) -> None:
        if offset < 0:  # negative offset: keep only the last -offset updates
            self.pending = self.pending[offset:]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    async def poll(self, offset: int | None, limit: int, timeout: float) -> list[dict[str, Any]]:
        if offset is not None:
            self.confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # an older poll still waiting answers 409, as on Telegram
        deadline = time.monotonic() + timeout
        while not self.pending and not self.closing:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            arrived = self._arrived
            try:
                await asyncio.wait_for(arrived.wait(), left)
            except TimeoutError:
                break
            if generation != self._poll_generation:
                raise _conflict()
        if generation != self._poll_generation:
            raise _conflict()
        return self.pending[:limit]


def _conflict() -> ApiError:
    return ApiError(
        409,
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running",
    )
