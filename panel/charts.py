"""Charts as server-rendered SVG: no script, nothing fetched, colours from panel.css."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

from markupsafe import Markup

from panel.stats import Bar

WIDTH, HEIGHT = 640, 180
LEFT, BOTTOM, TOP = 36, 22, 10


def _frame(body: list[str], label: str, top: float) -> Markup:
    plot_h = HEIGHT - BOTTOM - TOP
    axis = [
        f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH}" y2="{TOP + plot_h}"/>',
        f'<text class="tick" x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end">{_num(top)}</text>',
        f'<text class="tick" x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end">0</text>',
    ]
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(axis + body)
        + "</svg>"
    )
    return Markup(svg)


def _num(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def stacked_bars(bars: Sequence[Bar], label: str, names: dict[str, str]) -> Markup:
    """Bars of done (bottom), failed and other jobs per period; `names` titles the parts."""
    top = max([b.done + b.failed + b.other for b in bars] + [1])
    plot_w, plot_h = WIDTH - LEFT, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(bars), 1)
    every = max(len(bars) // 12, 1)
    body = []
    for i, bar in enumerate(bars):
        x, base = LEFT + i * slot + slot * 0.15, TOP + plot_h
        for kind in ("done", "failed", "other"):
            value = getattr(bar, kind)
            if not value:
                continue
            h = plot_h * value / top
            base -= h
            title = escape(f"{bar.label}: {names[kind]} {value}")
            body.append(
                f'<rect class="{kind}" x="{x:.1f}" y="{base:.1f}" width="{slot * 0.7:.1f}" '
                f'height="{h:.1f}"><title>{title}</title></rect>'
            )
        if i % every == 0:
            body.append(
                f'<text class="tick" x="{x + slot * 0.35:.1f}" y="{HEIGHT - 6}" '
                f'text-anchor="middle">{escape(bar.label)}</text>'
            )
    return _frame(body, label, top)


def line(points: Sequence[tuple[float, float]], start: float, end: float, label: str) -> Markup:
    """A line of (unix time, value) points between `start` and `end`, hours on the axis."""
    top = max([v for _, v in points] + [1])
    plot_w, plot_h = WIDTH - LEFT, HEIGHT - BOTTOM - TOP
    span = max(end - start, 1)

    def xy(at: float, value: float) -> str:
        return f"{LEFT + plot_w * (at - start) / span:.1f},{TOP + plot_h * (1 - value / top):.1f}"

    body = []
    if points:
        path = " ".join(xy(at, v) for at, v in points)
        body.append(f'<polyline class="line" points="{path}"/>')
    for i in range(0, 25, 6):
        at = start + span * i / 24
        text = datetime.fromtimestamp(at, UTC).strftime("%H:%M")
        body.append(
            f'<text class="tick" x="{LEFT + plot_w * i / 24:.1f}" y="{HEIGHT - 6}" '
            f'text-anchor="middle">{text}</text>'
        )
    return _frame(body, label, top)
