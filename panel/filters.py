"""Jinja filters for times and numbers; their units come from the page's locale."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context

from panel.stats import seconds_between

DASH = "—"


def when(value: datetime | float | None) -> str:
    """A moment in UTC, to the second."""
    if value is None:
        return DASH
    if not isinstance(value, datetime):
        value = datetime.fromtimestamp(value, UTC)
    if value.tzinfo is None:  # read back naive; written as UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


@pass_context
def secs(context: Context, value: float | None) -> str:
    if value is None:
        return DASH
    shown = round(value, 1) if value < 100 else round(value)
    return context["t"]("panel-seconds", value=shown)


@pass_context
def ago(context: Context, value: datetime | float | None) -> str:
    if value is None:
        return DASH
    at = value.timestamp() if isinstance(value, datetime) else value
    return context["t"]("panel-ago", seconds=max(round(time.time() - at), 0))


def pct(value: float | None) -> str:
    return DASH if value is None else f"{value * 100:.0f} %"


def between(later: datetime | None, earlier: datetime | None) -> float | None:
    return seconds_between(later, earlier)


FILTERS: dict[str, Callable[..., Any]] = {
    "when": when,
    "secs": secs,
    "ago": ago,
    "pct": pct,
    "between": between,
}
