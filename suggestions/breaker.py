"""A circuit breaker: while Yandex is down, users get the library at once instead of waiting."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from suggestions.errors import CircuitOpen, YandexError
from suggestions.metrics import BREAKER_OPEN, YANDEX_CALLS

log = logging.getLogger(__name__)

T = TypeVar("T")


class CircuitBreaker:
    """Closed, it counts consecutive outage failures; at `failures_to_open` it opens.

    Open, every call fails fast with CircuitOpen. After `reset_after_s` one call is let
    through as a probe: its success closes the circuit, its failure opens it again.
    """

    def __init__(
        self,
        name: str,
        *,
        failures_to_open: int,
        reset_after_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._failures_to_open = failures_to_open
        self._reset_after_s = reset_after_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    async def call(self, operation: Callable[[], Awaitable[T]]) -> T:
        try:
            probe = self._admit()
        except CircuitOpen:
            YANDEX_CALLS.labels(service=self.name, outcome="circuit_open").inc()
            raise
        try:
            result = await operation()
        except YandexError as exc:
            outcome = "error" if exc.outage else "rejected"
            YANDEX_CALLS.labels(service=self.name, outcome=outcome).inc()
            self._record(success=not exc.outage)
            raise
        finally:
            if probe:
                self._probing = False
        YANDEX_CALLS.labels(service=self.name, outcome="ok").inc()
        self._record(success=True)
        return result

    def _admit(self) -> bool:
        """True when this call is the probe of a circuit that has been open long enough."""
        if self._opened_at is None:
            return False
        if self._probing or self._clock() - self._opened_at < self._reset_after_s:
            raise CircuitOpen(f"{self.name}: circuit open after repeated failures")
        self._probing = True
        return True

    def _record(self, *, success: bool) -> None:
        if success:
            if self._opened_at is not None:
                log.info("%s: circuit closed, the service answers again", self.name)
            self._failures, self._opened_at = 0, None
            BREAKER_OPEN.labels(service=self.name).set(0)
            return
        self._failures += 1
        if self._opened_at is not None or self._failures >= self._failures_to_open:
            if self._opened_at is None:
                log.warning("%s: circuit opened after %d failures", self.name, self._failures)
            self._opened_at = self._clock()
            BREAKER_OPEN.labels(service=self.name).set(1)
