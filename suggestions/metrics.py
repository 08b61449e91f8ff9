"""Prometheus metrics of the calls to Yandex Cloud (served by the bot process)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

YANDEX_CALLS = Counter(
    "vitrina_yandex_calls_total",
    "Calls to Yandex Cloud by service and outcome (ok, error, rejected, circuit_open)",
    ["service", "outcome"],
)
BREAKER_OPEN = Gauge(
    "vitrina_yandex_breaker_open", "1 while the service's circuit breaker is open", ["service"]
)
