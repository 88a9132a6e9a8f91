"""Server-rendered SVG charts with the numbers beside them: pages stay accessible (an SVG with
a title and description, and a data table next to it) and need no JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

PALETTE = {"default": "#0b5cad", "highlight": "#1a7f37", "muted": "#8c959f", "warn": "#9a6700"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    tone: str = "default"  # a PALETTE key
    note: str = ""  # shown after the value, e.g. "funded"


def horizontal_bars(
    bars: Sequence[Bar],
    *,
    title: str,
    description: str = "",
    unit: str = "",
    width: int = 640,
    bar_height: int = 22,
    label_width: int = 220,
    value_format: str = "{:,.0f}",
    chart_id: str = "",
) -> SafeString:
    """A horizontal bar chart as inline SVG (scales to its container).

    ``chart_id`` prefixes the title and description ids: give each chart on a page its own."""
    t, d = (f"{chart_id}-t", f"{chart_id}-d") if chart_id else ("t", "d")
    gap = 6
    height = max(1, len(bars)) * (bar_height + gap) + 10
    top = max((b.value for b in bars), default=0) or 1
    plot = width - label_width - 120
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" aria-labelledby="{t} {d}">',
        f'<title id="{t}">{escape(title)}</title><desc id="{d}">{escape(description or title)}</desc>',
    ]
    for i, b in enumerate(bars):
        y = 5 + i * (bar_height + gap)
        w = max(0.0, b.value) / top * plot
        label = b.label if len(b.label) <= 32 else b.label[:31] + "…"
        value = (
            value_format.format(b.value)
            + (f" {unit}" if unit else "")
            + (f" · {b.note}" if b.note else "")
        )
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" font-size="13" fill="#1b1b1b">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{PALETTE.get(b.tone, PALETTE["default"])}" rx="2"/>'
            f'<text x="{label_width + w + 6:.1f}" y="{y + bar_height * 0.7:.1f}" font-size="12" fill="#1b1b1b">{escape(value)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line_chart(
    series: dict[str, Sequence[tuple[str, float]]],
    *,
    title: str,
    description: str = "",
    width: int = 640,
    height: int = 260,
    chart_id: str = "",
) -> SafeString:
    """A small multi-series line chart over shared x labels (e.g. months)."""
    t, d = (f"{chart_id}-t", f"{chart_id}-d") if chart_id else ("lt", "ld")
    colours = ["#0b5cad", "#1a7f37", "#9a6700", "#b42318", "#6f42c1", "#1b7c83"]
    xs = sorted({x for points in series.values() for x, _ in points})
    top = max((v for points in series.values() for _, v in points), default=0) or 1
    left, bottom, right, upper = 50, height - 30, width - 10, 10
    step = (right - left) / max(1, len(xs) - 1)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" xmlns="http://www.w3.org/2000/svg" aria-labelledby="{t} {d}">',
        f'<title id="{t}">{escape(title)}</title><desc id="{d}">{escape(description or title)}</desc>',
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#8c959f"/>',
        f'<text x="{left - 6}" y="{upper + 10}" text-anchor="end" font-size="11">{top:,.0f}</text>',
        f'<text x="{left - 6}" y="{bottom}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, x in enumerate(xs):
        if len(xs) <= 12 or i % max(1, len(xs) // 12) == 0:
            parts.append(
                f'<text x="{left + i * step:.1f}" y="{bottom + 16}" text-anchor="middle" font-size="10">{escape(str(x))}</text>'
            )
    for k, (name, points) in enumerate(series.items()):
        colour = colours[k % len(colours)]
        index = {x: i for i, x in enumerate(xs)}
        coords = " ".join(
            f"{left + index[x] * step:.1f},{bottom - v / top * (bottom - upper):.1f}"
            for x, v in sorted(points)
        )
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}"/>'
        )
        parts.append(
            f'<text x="{right - 4}" y="{upper + 14 * (k + 1)}" text-anchor="end" font-size="12" fill="{colour}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
