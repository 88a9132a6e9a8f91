"""Call-taxi dispatch scenarios: fleet size, dispatch policy and demand level on the demo city.

A planner picks a fleet, a policy and a number of requests a day; the run simulates a window of
that day (a few hours keeps a run within seconds) with ``sharingcity.planning.dispatch`` and
shows waits, empty driving, utilisation and waits by district, so scenarios can be compared side
by side on the compare page.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from typing import Any

import numpy as np
from django import forms
from django.utils.translation import gettext_lazy as _

from sharingcity.planning.dispatch import (
    POLICIES,
    SpeedProfileTravel,
    forecast_from_history,
    generate_requests,
    make_fleet,
    make_policy,
    seoul_demo_city,
    service_metrics,
)
from sharingcity.planning.dispatch.demand import HOUR_PROFILES
from sharingcity.planning.dispatch.metrics import check_run
from sharingcity.planning.dispatch.simulator import Simulation

from .kinds import Artifact, Progress, RunKind, RunResult, register_run_kind

POLICY_LABELS = {
    "baseline": _("Baseline: first come, nearest idle vehicle (by hand)"),
    "batch": _("Batch assignment every few seconds (Hungarian, optimal)"),
    "insertion": _("Insertion with re-optimisation of advance bookings"),
    "reposition": _("Batch assignment and idle vehicles moved toward forecast demand"),
}
_DAY_NAMES = {"weekday": _("Weekday"), "weekend": _("Weekend")}
DAY_LABELS = {day: _DAY_NAMES.get(day, day) for day in HOUR_PROFILES}
# Past days the repositioning policy forecasts from (drawn with other seeds than the run's day).
FORECAST_DAYS = 3
# Simulated minutes between progress reports.
PROGRESS_EVERY = 5.0

SUMMARY_LABELS = {
    "requests": _("Requests in the window"),
    "served": _("Served"),
    "refused or unserved": _("Refused or unserved"),
    "mean wait (min)": _("Mean wait (min)"),
    "median wait (min)": _("Median wait (min)"),
    "p90 wait (min)": _("90th percentile wait (min)"),
    "max wait (min)": _("Longest wait (min)"),
    "ride / direct (mean)": _("Ride time over direct trip (mean)"),
    "ride / direct (max)": _("Ride time over direct trip (max)"),
    "empty driving (%)": _("Share of kilometres driven empty in the simulated window (%)"),
    "utilisation (%)": _("Share of on-shift time in the simulated window spent on trips (%)"),
    "km driven": _("Kilometres driven in the simulated window"),
    "district wait spread (min)": _("Longest minus shortest district mean wait (min)"),
    "invariant violations": _("Invariant violations"),
}


class DispatchScenarioForm(forms.Form):
    fleet_size = forms.IntegerField(
        label=_("Fleet size (vehicles)"),
        min_value=1,
        max_value=1500,
        initial=150,
        help_text=_("Vehicles on the day's shifts, spread over the garages."),
    )
    policy = forms.ChoiceField(
        label=_("Dispatch policy"),
        choices=[(p, POLICY_LABELS.get(p, p)) for p in POLICIES],
        initial="baseline",
    )
    requests_per_day = forms.IntegerField(
        label=_("Demand level (requests a day)"),
        min_value=1,
        max_value=15000,
        initial=1500,
        help_text=_("Seoul's service handles about 5,000 a day with 600 vehicles."),
    )
    day = forms.ChoiceField(
        label=_("Day"), choices=list(DAY_LABELS.items()), initial="weekday", required=False
    )
    advance_share = forms.FloatField(
        label=_("Share booked the day before"),
        min_value=0.0,
        max_value=1.0,
        initial=0.3,
        required=False,
    )
    start_hour = forms.IntegerField(
        label=_("Simulate from (hour)"), min_value=0, max_value=23, initial=8
    )
    hours = forms.FloatField(
        label=_("Simulated hours"),
        min_value=0.5,
        max_value=24.0,
        initial=3.0,
        help_text=_("Requests of this window are simulated; a whole day takes longer."),
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=2**31 - 1,
        initial=1,
        help_text=_("The same seed gives the same demand, fleet and run."),
    )

    def clean_day(self) -> str:
        return self.cleaned_data.get("day") or "weekday"

    def clean_advance_share(self) -> float:
        value = self.cleaned_data.get("advance_share")
        return 0.3 if value is None else value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, hours = data.get("start_hour"), data.get("hours")
        if start is not None and hours is not None and start + hours > 24:
            self.add_error(
                "hours",
                _("The window must end by midnight: at most %(h)s hours from %(s)s:00.")
                % {"h": 24 - start, "s": start},
            )
        fleet, per_day = data.get("fleet_size"), data.get("requests_per_day")
        # Keep one run within minutes on the shared worker.
        if (
            fleet is not None
            and per_day is not None
            and hours is not None
            and (per_day * hours / 24 > 4000 or fleet * hours > 6000)
        ):
            self.add_error(
                "hours", _("This scenario is too large for one run: simulate fewer hours.")
            )
        return data


def _window_requests(params: dict[str, Any], city: Any) -> list[Any]:
    """The day's requests whose pickup window opens inside the simulated window, renumbered."""
    day = generate_requests(
        city,
        params["requests_per_day"],
        seed=params["seed"],
        day=params["day"],
        advance_share=params["advance_share"],
    )
    lo = params["start_hour"] * 60.0
    hi = lo + params["hours"] * 60.0
    inside = [r for r in day if lo <= r.earliest < hi]
    return [dataclasses.replace(r, id=i) for i, r in enumerate(inside)]


def _figure(width: float = 6.5, height: float = 3.6) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return buf.getvalue()


def _wait_histogram(waits: np.ndarray, mean: float, p90: float) -> bytes:
    fig = _figure()
    ax = fig.add_subplot()
    if waits.size:
        ax.hist(waits, bins=min(40, max(5, waits.size // 10)), color="#3a6ea5")
        ax.axvline(mean, color="#c0392b", linestyle="--", label=f"mean {mean:.1f}")
        ax.axvline(p90, color="#7f4f24", linestyle=":", label=f"p90 {p90:.1f}")
        ax.legend()
    ax.set_xlabel("wait (minutes)")
    ax.set_ylabel("requests served")
    ax.set_title("Wait distribution")
    return _png(fig)


def _district_chart(rows: list[dict[str, Any]]) -> bytes:
    fig = _figure(7.5, 4.2)
    ax = fig.add_subplot()
    names = [r["district"] for r in rows]
    ax.bar(range(len(rows)), [r["mean wait (min)"] or 0.0 for r in rows], color="#3a6ea5")
    ax.set_xticks(range(len(rows)), names, rotation=70, ha="right", fontsize=8)
    ax.set_ylabel("mean wait (minutes)")
    ax.set_title("Mean wait by district of pickup")
    return _png(fig)


def _driving_chart(km_by_kind: dict[str, float]) -> bytes:
    fig = _figure(6.5, 2.6)
    ax = fig.add_subplot()
    total = sum(km_by_kind.values()) or 1.0
    left = 0.0
    colours = {
        "loaded": "#2e8b57",
        "to_pickup": "#e67e22",
        "reposition": "#8e44ad",
        "to_depot": "#7f8c8d",
    }
    for kind, km in km_by_kind.items():
        share = 100.0 * km / total
        ax.barh([0], [share], left=left, color=colours.get(kind, "#95a5a6"), label=kind)
        if share >= 6:
            ax.text(left + share / 2, 0, f"{share:.0f}%", ha="center", va="center", color="white")
        left += share
    ax.set_xlim(0, 100)
    ax.set_yticks([])
    ax.set_xlabel("share of kilometres driven (%)")
    ax.set_title("Empty driving: everything but 'loaded'")
    ax.legend(ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.35), frameon=False)
    return _png(fig)


def _window_utilisation(run: Any, start: float, end: float) -> float:
    """Trip time over on-shift time between the window's start and ``end`` (last drop-off).

    The library's figure divides by whole shifts, which understates a run of a few hours.
    """
    o = run.options
    served = [x for x in run.outcomes if x.status == "served"]
    on_trip = sum(o.boarding_minutes + x.ride + o.alighting_minutes for x in served)
    on_shift = sum(
        max(0.0, min(v.shift_end, end) - max(v.shift_start, start)) for v in run.vehicles
    )
    return on_trip / on_shift if on_shift > 0 else 0.0


def _round(x: float, digits: int = 2) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), digits)


def execute(params: dict[str, Any], progress: Progress) -> RunResult:
    progress(0.0, "drawing the demand and the fleet")
    city = seoul_demo_city()
    requests = _window_requests(params, city)
    fleet = make_fleet(city, params["fleet_size"], seed=params["seed"])
    forecast = None
    if params["policy"] == "reposition":
        progress(0.05, "forecasting demand from past days")
        past = [
            generate_requests(
                city, params["requests_per_day"], seed=params["seed"] + 1000 + k, day=params["day"]
            )
            for k in range(FORECAST_DAYS)
        ]
        forecast = forecast_from_history(past, len(city.names))
    policy = make_policy(params["policy"], forecast=forecast, centres=city.centres)
    sim = Simulation(fleet, requests, SpeedProfileTravel(), policy, seed=params["seed"])
    start = params["start_hour"] * 60.0
    end = max([r.latest for r in requests], default=start + params["hours"] * 60.0)
    span = max(end - start, 1.0)

    def tick(now: float) -> None:
        done = min(max((now - start) / span, 0.0), 1.0)
        progress(0.1 + 0.75 * done, f"simulated {int(now) // 60:02d}:{int(now) % 60:02d}")

    # A timer event only reads the clock: it does not change what the policy does.
    sim.add_timer(PROGRESS_EVERY, tick, start=start, until=end)
    run = sim.run()
    progress(0.87, "computing the metrics")
    metrics = service_metrics(run)
    problems = check_run(run)

    served = [o for o in run.outcomes if o.status == "served"]
    waits = np.array([o.pickup - requests[o.request].earliest for o in served])
    counts = np.bincount([r.district for r in requests], minlength=len(city.names))
    served_counts = np.bincount(
        [requests[o.request].district for o in served], minlength=len(city.names)
    )
    district_rows = [
        {
            "district": name,
            "requests": int(counts[d]),
            "served": int(served_counts[d]),
            "mean wait (min)": _round(metrics.wait_by_district.get(d, math.nan), 1),
        }
        for d, name in enumerate(city.names)
    ]
    # Driving and utilisation count the simulated window (window start to the last drop-off):
    # the library's day figures would add the trips home at every shift's end.
    served_end = [o.dropoff for o in run.outcomes if o.status == "served"]
    window_end = max(served_end, default=start + params["hours"] * 60.0)
    legs = [leg for leg in run.legs if leg.start < window_end and leg.end > start]
    km_by_kind: dict[str, float] = {}
    for kind in ("loaded", "to_pickup", "reposition", "to_depot"):
        km_by_kind[kind] = float(sum(leg.km for leg in legs if leg.kind == kind))
    km_total = sum(km_by_kind.values())
    empty_share = (km_total - km_by_kind["loaded"]) / km_total if km_total else 0.0

    summary: dict[str, Any] = {
        "requests": metrics.requests,
        "served": metrics.served,
        "refused or unserved": metrics.refused,
        "mean wait (min)": _round(metrics.wait_mean, 1),
        "median wait (min)": _round(metrics.wait_median, 1),
        "p90 wait (min)": _round(metrics.wait_p90, 1),
        "max wait (min)": _round(metrics.wait_max, 1),
        "ride / direct (mean)": _round(metrics.ride_ratio_mean, 3),
        "ride / direct (max)": _round(metrics.ride_ratio_max, 3),
        "empty driving (%)": _round(100 * empty_share, 1),
        "utilisation (%)": _round(100 * _window_utilisation(run, start, window_end), 1),
        "km driven": _round(km_total, 0),
        "district wait spread (min)": _round(metrics.district_wait_spread, 1),
        "invariant violations": len(problems),
    }
    refusals = [
        {"reason": reason, "requests": count} for reason, count in metrics.refused_by_reason.items()
    ]
    driving = [
        {
            "leg": kind,
            "km": round(km, 1),
            "share (%)": round(100 * km / (km_total or 1.0), 1),
        }
        for kind, km in km_by_kind.items()
    ]

    progress(0.9, "drawing the charts")
    artifacts = [
        Artifact(
            "wait-distribution.png",
            _wait_histogram(waits, metrics.wait_mean, metrics.wait_p90),
            "image/png",
            _("Wait distribution (served requests)"),
            inline=True,
        ),
        Artifact(
            "waits-by-district.png",
            _district_chart(district_rows),
            "image/png",
            _("Mean wait by district"),
            inline=True,
        ),
        Artifact(
            "empty-driving.png",
            _driving_chart(km_by_kind),
            "image/png",
            _("Kilometres driven by purpose (empty driving)"),
            inline=True,
        ),
        Artifact(
            "requests.csv",
            _requests_csv(run, city),
            "text/csv",
            _("Every request and what happened to it (CSV)"),
        ),
    ]
    tables: dict[str, list[dict[str, Any]]] = {
        "Waits by district": district_rows,
        "Kilometres by purpose": driving,
    }
    if refusals:
        tables["Refused or unserved"] = refusals
    if problems:
        tables["Invariant violations"] = [{"problem": p} for p in problems[:50]]
    progress(1.0, "done")
    return RunResult(summary=summary, tables=tables, artifacts=artifacts)


def _requests_csv(run: Any, city: Any) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        [
            "request",
            "district",
            "purpose",
            "advance",
            "wheelchair",
            "companions",
            "booked_at_min",
            "earliest_min",
            "latest_min",
            "status",
            "reason",
            "vehicle",
            "pickup_min",
            "dropoff_min",
            "wait_min",
            "ride_min",
            "direct_min",
        ]
    )

    def num(x: float) -> str:
        return "" if not math.isfinite(x) else f"{x:.2f}"

    for r, o in zip(run.requests, run.outcomes, strict=True):
        served = o.status == "served"
        w.writerow(
            [
                r.id,
                city.names[r.district],
                r.purpose,
                int(r.advance),
                int(r.wheelchair),
                r.companions,
                num(r.booked_at),
                num(r.earliest),
                num(r.latest),
                o.status,
                o.reason,
                o.vehicle if served else "",
                num(o.pickup) if served else "",
                num(o.dropoff) if served else "",
                num(o.pickup - r.earliest) if served else "",
                num(o.ride) if served else "",
                num(o.direct) if served else "",
            ]
        )
    return buf.getvalue().encode("utf-8")


register_run_kind(
    RunKind(
        key="call-taxi-dispatch",
        label=_("Call-taxi dispatch scenario"),
        description=_(
            "Simulate the disability call taxis of the demo city for a fleet size, a dispatch "
            "policy and a demand level: waits, empty driving, utilisation and waits by district."
        ),
        form=DispatchScenarioForm,
        execute=execute,
        summary_labels=SUMMARY_LABELS,
    )
)
