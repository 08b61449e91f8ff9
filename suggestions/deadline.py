"""One time budget shared by every step of a user's request (semaphore, HTTP, retries)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from suggestions.errors import YandexUnavailable


@dataclass(frozen=True)
class Deadline:
    at: float  # time.monotonic() value

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds)

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def require(self, what: str) -> float:
        """The seconds left for `what`; raises when none are, so nothing starts late."""
        left = self.remaining()
        if left <= 0:
            raise YandexUnavailable(f"no time left for {what}", request_sent=False)
        return left
