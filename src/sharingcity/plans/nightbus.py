"""Night-bus planning as a platform run: demand from call records, routes under a fleet budget.

A planner picks where night demand comes from — the demo city's synthetic call records,
aggregated the way a telecom would hand them over (``sharingcity.planning.demand``: pseudonyms,
k-anonymity, optional differential-privacy noise), or the gravity stand-in of the network
library — and the rules of the plan (fleet, headways, operating hours, journey limits). The run
plans night buses on the demo city's district network (``sharingcity.planning.network``),
draws the coverage-versus-fleet curve with its LP upper bound ("what share could 30 buses
serve?"), and hands back a route map, the curve, a GTFS feed and the OD demand it used.

Zones: the demand library names districts by their romanised name (``"Mapo-gu"``, with the
sigungu code ``11440``); the network's demo city keys them by a slug (``"mapo"``) with the same
romanised name in ``name_en``. The two are joined explicitly on that name (:func:`_district_index`),
and a name that does not match is an error, not a silent drop.
"""

from __future__ import annotations

import csv
import io
import math
import tempfile
import time
from typing import Any

import numpy as np
from django import forms
from django.utils.translation import gettext_lazy as _

from sharingcity.planning.demand import aggregate_od_demand, generate_demo_city, seoul_districts
from sharingcity.planning.network import (
    CoveragePoint,
    NetworkError,
    NightBusPlan,
    NightBusSettings,
    candidate_routes,
    demo_city_network,
    export_gtfs,
    plan_night_buses,
)
from sharingcity.planning.seoul import DISTRICTS

from .kinds import Artifact, Progress, RunKind, RunResult, register_run_kind

DEMAND_CALLS = "calls"
DEMAND_GRAVITY = "gravity"

# Seoul's 2013 owl-bus plan ran 9 routes; stops per route as in the network benchmark.
MIN_STOPS, MAX_STOPS = 3, 12
N_CANDIDATES = 40


def _parse_headways(text: str) -> tuple[float, ...]:
    parts = [p.strip() for p in str(text).replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise forms.ValidationError(_("Give at least one headway in minutes."), code="empty")
    values = []
    for p in parts:
        try:
            v = float(p)
        except ValueError:
            raise forms.ValidationError(
                _("%(value)s is not a number of minutes."), code="not_number", params={"value": p}
            ) from None
        if not (math.isfinite(v) and 5 <= v <= 120):
            raise forms.ValidationError(
                _("Headways must lie between 5 and 120 minutes; %(value)s does not."),
                code="out_of_range",
                params={"value": p},
            )
        values.append(v)
    return tuple(sorted(set(values)))


class NightBusForm(forms.Form):
    demand_source = forms.ChoiceField(
        label=_("Night demand"),
        choices=[
            (DEMAND_CALLS, _("Demo city's call records, aggregated with privacy protection")),
            (DEMAND_GRAVITY, _("Gravity stand-in (populations and night hotspots)")),
        ],
        initial=DEMAND_CALLS,
    )
    call_records = forms.IntegerField(
        label=_("Synthetic call records to generate"),
        min_value=10_000,
        max_value=500_000,
        initial=200_000,
        required=False,
        help_text=_("Only for call-record demand. More records, fewer withheld cells."),
    )
    k = forms.IntegerField(
        label=_("k-anonymity: minimum callers per released cell"),
        min_value=2,
        max_value=1000,
        initial=10,
        required=False,
    )
    epsilon = forms.FloatField(
        label=_("Differential privacy epsilon (empty for none)"),
        min_value=0.01,
        max_value=20,
        required=False,
        help_text=_("Smaller means more noise and more privacy."),
    )
    fleet = forms.IntegerField(label=_("Fleet (buses)"), min_value=1, max_value=300, initial=30)
    headways = forms.CharField(
        label=_("Allowed headways (minutes, comma-separated)"),
        initial="15, 20, 30, 40, 60",
        max_length=100,
    )
    start = forms.TimeField(label=_("Service starts"), initial="00:00", input_formats=["%H:%M"])
    end = forms.TimeField(label=_("Service ends"), initial="05:00", input_formats=["%H:%M"])
    max_journey_minutes = forms.IntegerField(
        label=_("Longest acceptable journey (minutes, waits included)"),
        min_value=10,
        max_value=240,
        initial=60,
    )
    max_transfers = forms.TypedChoiceField(
        label=_("Transfers allowed"),
        choices=[(0, "0"), (1, "1"), (2, "2")],
        coerce=int,
        initial=1,
    )
    max_routes = forms.IntegerField(
        label=_("At most this many routes"), min_value=1, max_value=30, initial=9
    )
    max_fleet = forms.IntegerField(
        label=_("Coverage curve up to (buses)"), min_value=1, max_value=300, initial=60
    )
    curve_points = forms.IntegerField(
        label=_("Fleet sizes on the curve"),
        min_value=1,
        max_value=12,
        initial=5,
        help_text=_("Evenly spread up to the largest fleet; the chosen fleet is always one."),
    )
    seconds_per_plan = forms.IntegerField(
        label=_("Search time per plan (seconds)"),
        min_value=1,
        max_value=60,
        initial=8,
        help_text=_("The curve makes one plan per fleet size; the LP bound is always proven."),
    )
    seed = forms.IntegerField(
        label=_("Seed of the synthetic call records"), min_value=0, max_value=2**31 - 1, initial=1
    )

    def clean_headways(self) -> str:
        # kept as text (the stored parameters are what the planner typed); execute parses it
        text = self.cleaned_data["headways"]
        _parse_headways(text)
        return text

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("demand_source") == DEMAND_CALLS:
            for name, default in (("call_records", 200_000), ("k", 10)):
                if data.get(name) is None and name not in self.errors:
                    data[name] = default
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and start == end:
            self.add_error("end", _("The service must end at another time than it starts."))
        return data


SUMMARY_LABELS = {
    "demand source": _("Demand source"),
    "night trips": _("Night trips between districts"),
    "share served (%)": _("Share of demand served (%)"),
    "upper bound (%)": _("Upper bound for this fleet (%)"),
    "trips served": _("Trips served"),
    "fleet": _("Fleet"),
    "buses used": _("Buses used"),
    "routes": _("Routes"),
}


def _district_index() -> dict[str, int]:
    """Row of each demand zone (romanised district name) in the network's district order."""
    network_names = {d.name_en: i for i, d in enumerate(DISTRICTS)}
    index = {}
    for z in seoul_districts():
        if z.name not in network_names:
            raise NetworkError(f"demand zone {z.name!r} has no district in the network")
        index[z.name] = network_names[z.name]
    if len(index) != len(DISTRICTS):
        raise NetworkError("the demand zones and the network districts differ")
    return index


def _clock(t: Any) -> str:
    return t.strftime("%H:%M") if hasattr(t, "strftime") else str(t)


def _call_demand(
    params: dict[str, Any], window: tuple[str, str], progress: Progress
) -> tuple[np.ndarray, dict[str, Any], list[dict[str, Any]]]:
    """OD matrix from synthetic call records, and the privacy account for the summary."""
    rows = int(params["call_records"])
    index = _district_index()
    with tempfile.TemporaryDirectory(prefix="sc-nightbus-") as folder:
        progress(0.02, str(_("Generating the demo city's call records")))
        city = generate_demo_city(
            folder,
            rows=rows,
            seed=int(params["seed"]),
            chunk_rows=50_000,
            progress=lambda done: progress(0.02 + 0.08 * done / rows, f"{done:,} call records"),
        )
        progress(0.1, str(_("Aggregating demand (pseudonyms, k-anonymity)")))
        # no noise seed: like the telecom, every run draws fresh noise (a known seed would let
        # anyone remove it); one DuckDB thread, as the worker shares its machine
        result = aggregate_od_demand(
            city.records,
            city.subscribers,
            city.cells,
            window=window,
            k=int(params["k"]),
            epsilon=params.get("epsilon"),
            zones=sorted(index),
            threads=1,
            temp_directory=folder,
            # stage messages also let a cancelled run stop between stages
            progress=lambda message: progress(0.12, message),
        )
    demand = np.zeros((len(DISTRICTS), len(DISTRICTS)))
    hourly: list[dict[str, Any]] = []
    for cell in result.table.to_pylist():
        demand[index[cell["origin"]], index[cell["destination"]]] += cell["trips"]
        hourly.append(cell)
    suppressed = result.suppressed
    account = {
        "call records": rows,
        "records used": result.report.records_used,
        "k (min callers per cell)": int(params["k"]),
        "epsilon": params.get("epsilon") if params.get("epsilon") is not None else "none",
        "released cells": result.table.num_rows,
        "suppressed cells": suppressed.get("cells"),
        # None when the withheld callers are fewer than k themselves (the library's rule)
        "suppressed trips": suppressed.get("trips")
        if suppressed.get("trips") is not None
        else "withheld",
    }
    return demand, account, hourly


def _od_csv(demand: np.ndarray) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["origin_code", "origin", "destination_code", "destination", "trips"])
    for i, j in zip(*np.nonzero(demand), strict=True):
        a, b = DISTRICTS[i], DISTRICTS[j]
        w.writerow([a.code, a.name_en, b.code, b.name_en, int(round(demand[i, j]))])
    return out.getvalue().encode("utf-8")


def _fleets(fleet: int, max_fleet: int, points: int) -> list[int]:
    step = max(1, math.ceil(max_fleet / points))
    return sorted({*range(step, max_fleet + 1, step), max_fleet, fleet})


def execute(params: dict[str, Any], progress: Progress) -> RunResult:
    t0 = time.perf_counter()
    start, end = _clock(params["start"]), _clock(params["end"])
    headways = _parse_headways(params["headways"])
    account: dict[str, Any] = {}
    hourly: list[dict[str, Any]] = []
    intra = 0.0
    if params["demand_source"] == DEMAND_CALLS:
        demand, account, hourly = _call_demand(params, (start, end), progress)
        # a trip inside one district has no place on a district-to-district network
        intra = float(np.trace(demand))
        np.fill_diagonal(demand, 0.0)
        if demand.sum() <= 0:
            raise NetworkError(
                "no demand between districts was released; generate more call records or lower k"
            )
        network = demo_city_network(demand)
    else:
        network = demo_city_network()
    settings = NightBusSettings(
        fleet=int(params["fleet"]),
        headways=headways,
        start=start,
        end=end,
        max_journey_minutes=float(params["max_journey_minutes"]),
        max_transfers=int(params["max_transfers"]),
        max_routes=int(params["max_routes"]),
        min_stops=MIN_STOPS,
        max_stops=MAX_STOPS,
    )
    candidates = candidate_routes(
        network, min_stops=MIN_STOPS, max_stops=MAX_STOPS, n_candidates=N_CANDIDATES
    )
    # The headline plan is the curve's point at the chosen fleet; each fleet starts from the
    # plan for the one before it, which keeps the curve non-decreasing (as coverage_curve does,
    # here with progress and cancellation between points).
    fleets = _fleets(settings.fleet, int(params["max_fleet"]), int(params["curve_points"]))
    points: list[CoveragePoint] = []
    plan: NightBusPlan | None = None
    previous: list[tuple[list[int], float]] | None = None
    for n, f in enumerate(fleets):
        progress(
            0.15 + 0.75 * n / len(fleets),
            str(_("Planning with %(buses)d buses (%(n)d of %(total)d)"))
            % {"buses": f, "n": n + 1, "total": len(fleets)},
        )
        s = NightBusSettings(**{**settings.__dict__, "fleet": f})
        p = plan_night_buses(
            network,
            s,
            candidates=candidates,
            time_limit=float(params["seconds_per_plan"]),
            initial=previous,
        )
        previous = [(sv.route, sv.headway) for sv in p.services]
        points.append(CoveragePoint(f, p.served_share, p.bound_share, p.buses, len(p.services)))
        if f == settings.fleet:
            plan = p
    assert plan is not None
    progress(0.92, str(_("Drawing the map and the curve, writing GTFS")))
    # plots imports matplotlib (Agg, no pyplot): only when a run needs it
    from sharingcity.planning.network.plots import coverage_chart, route_map

    names = [f"N{k + 1}" for k in range(len(plan.services))]
    stop_names = [d.name_en for d in DISTRICTS]
    artifacts = [
        Artifact(
            "route_map.png",
            route_map(
                network,
                plan.routes,
                title=f"Night buses: {plan.buses} of {settings.fleet} buses, "
                f"{100 * plan.served_share:.0f}% of demand served",
            ),
            "image/png",
            label=_("Route map"),
            inline=True,
        ),
        Artifact(
            "coverage.png",
            coverage_chart(points, title="Share of night demand served against fleet"),
            "image/png",
            label=_("Coverage against fleet, with the upper bound"),
            inline=True,
        ),
        Artifact(
            "night_bus.gtfs.zip",
            export_gtfs(network, plan, route_names=names),
            "application/zip",
            label=_("GTFS feed"),
        ),
        Artifact(
            "od_demand.csv",
            _od_csv(network.demand),
            "text/csv",
            label=_("Origin-destination demand used (CSV)"),
        ),
    ]
    routes_table = [
        {
            "route": names[k],
            "stops": " – ".join(stop_names[i] for i in s.route),
            "headway (min)": s.headway,
            "buses": s.buses,
            "one way (min)": round(s.one_way_minutes, 1),
        }
        for k, s in enumerate(plan.services)
    ]
    curve_table = [
        {
            "fleet": p.fleet,
            "share served (%)": round(100 * p.served_share, 1),
            "upper bound (%)": round(100 * p.bound_share, 1),
            "buses used": p.buses_used,
            "routes": p.routes,
        }
        for p in points
    ]
    summary: dict[str, Any] = {
        "demand source": "call records" if params["demand_source"] == DEMAND_CALLS else "gravity",
        "night trips": int(round(plan.total_trips)),
        "share served (%)": round(100 * plan.served_share, 1),
        "upper bound (%)": round(100 * plan.bound_share, 1),
        "trips served": int(round(plan.served_trips)),
        "fleet": settings.fleet,
        "buses used": plan.buses,
        "routes": len(plan.services),
        "operating hours": f"{start}–{end}",
        **account,
    }
    if params["demand_source"] == DEMAND_CALLS:
        summary["intra-district trips left out"] = int(round(intra))
    summary["seconds"] = round(time.perf_counter() - t0, 1)
    tables: dict[str, list[dict[str, Any]]] = {
        "routes": routes_table,
        "coverage against fleet": curve_table,
    }
    if hourly:
        tables["released demand by hour"] = _hour_totals(hourly)
    progress(1.0, str(_("Done")))
    return RunResult(summary=summary, tables=tables, artifacts=artifacts)


def _hour_totals(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    totals: dict[int, list[int]] = {}
    for c in cells:
        t = totals.setdefault(int(c["hour"]), [0, 0])
        t[0] += int(c["trips"])
        t[1] += 1
    # the night's hours in order from the evening (22, 23, 0, 1, ...)
    order = sorted(totals, key=lambda h: (h < 12, h))
    return [{"hour": f"{h:02d}:00", "trips": totals[h][0], "cells": totals[h][1]} for h in order]


register_run_kind(
    RunKind(
        key="night-bus",
        label=_("Night buses"),
        description=_(
            "Night-bus routes and headways under a fleet budget, from privacy-protected call "
            "records: share of night demand served, coverage against fleet with an upper "
            "bound, route map and a GTFS feed."
        ),
        form=NightBusForm,
        execute=execute,
        summary_labels=SUMMARY_LABELS,
    )
)
