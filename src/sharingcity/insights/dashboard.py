"""The bureau's dashboard: every registered metric, computed for a date range and district,
drawn with ``core.charts`` beside a table of the same numbers.

Reads only ``core.registry``: an app adds a metric in its own hooks and it appears here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation

from sharingcity.core.charts import Bar, horizontal_bars, line_chart
from sharingcity.core.registry import Metric, registry


@dataclass
class Panel:
    """One metric as the page shows it."""

    metric: Metric
    value: Any
    rows: list[list[str]]  # cells in the order of ``columns``
    columns: list[tuple[str, str]]
    chart: str  # safe SVG, "" for a single number or an empty result

    @property
    def key(self) -> str:
        return self.metric.key

    @property
    def dom_id(self) -> str:
        return "m-" + self.metric.key.replace(".", "-").replace("_", "-")


def metrics(*, public: bool) -> list[Metric]:
    """Registered metrics in display order; the public page leaves out staff-only ones."""
    found = [m for m in registry.items("metric") if m.public or not public]
    return sorted(found, key=lambda m: (m.order, m.key))


def window(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Whole local days: ``start`` from its midnight, ``end`` up to the next midnight."""
    tz = timezone.get_current_timezone()
    s = datetime.combine(start, time.min, tzinfo=tz) if start else None
    e = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz) if end else None
    return s, e


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.1f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def build(
    metric: Metric, start: datetime | None, end: datetime | None, district: str | None
) -> Panel:
    result = metric.compute(start, end, district)
    columns = [(k, str(label)) for k, label in metric.columns]
    title = str(metric.label)
    unit = metric.unit
    if metric.chart == "value" or not isinstance(result, list):
        return Panel(metric, result, [], columns, "")
    rows = [[_fmt(r.get(k)) for k, _label in columns] for r in result]
    chart = ""
    chart_id = "c-" + metric.key.replace(".", "-").replace("_", "-")
    if result and metric.chart == "bars":
        chart = horizontal_bars(
            [Bar(str(r["label"]), float(r["value"] or 0)) for r in result],
            title=title,
            unit=unit,
            value_format="{:,.1f}"
            if any(isinstance(r["value"], float) for r in result)
            else "{:,.0f}",
            chart_id=chart_id,
        )
    elif result and metric.chart == "lines":
        series: dict[str, Sequence[tuple[str, float]]] = {}
        for r in result:
            cast(list, series.setdefault(str(r["series"]), [])).append(
                (str(r["x"]), float(r["value"]))
            )
        chart = line_chart(series, title=title, chart_id=chart_id)
    return Panel(metric, None, rows, columns, chart)


def dashboard(
    *, public: bool, start: date | None = None, end: date | None = None, district: str | None = None
) -> list[Panel]:
    s, e = window(start, end)
    return [build(m, s, e, district) for m in metrics(public=public)]


def cache_seconds() -> int:
    """How long a rendered set of panels is reused (``SHARINGCITY_DASHBOARD_CACHE_SECONDS``,
    default five minutes; 0 turns the cache off). The figures move slowly and the page is
    public, so a few minutes' staleness buys a page that does not hit every table per view."""
    return int(getattr(settings, "SHARINGCITY_DASHBOARD_CACHE_SECONDS", 300))


def panels_html(
    *,
    public: bool,
    start: date | None = None,
    end: date | None = None,
    district: str | None = None,
    refresh: bool = False,
) -> str:
    """The rendered panels for the current language, from the shared cache when fresh."""
    key = "insights:panels:" + ":".join(
        str(x) for x in (public, translation.get_language(), start, end, district or "")
    )
    seconds = cache_seconds()
    html = cache.get(key) if seconds and not refresh else None
    if html is None:
        panels = dashboard(public=public, start=start, end=end, district=district)
        html = render_to_string("insights/_panels.html", {"panels": panels})
        if seconds:
            cache.set(key, html, seconds)
    return html


def warm() -> int:
    """Render the unfiltered public and bureau panels in every language into the shared cache,
    so no visitor of the landing views waits for a cold computation. Returns pages rendered."""
    if not cache_seconds():
        return 0
    n = 0
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for public in (True, False):
                panels_html(public=public, refresh=True)
                n += 1
    return n
