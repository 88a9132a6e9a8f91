"""Service siting: where to put centres (for older residents, for job seekers) in the city.

Demand comes from the platform's districts (population times the share of the group, spread over
seeded neighbourhood points around each district centre); candidate sites are the sharing hub's
public buildings (rooms owned by city departments) or seeded points around district centres;
travel times follow from coordinates, a road detour factor and a speed. The models are those of
``sharingcity.planning.siting`` (p-median, maximal covering, set covering), solved exactly by
HiGHS within a time limit, with the proven bound and gap reported.
"""

from __future__ import annotations

import csv
import io
import math
import time
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from sharingcity.core.models import District
from sharingcity.planning.siting import (
    SitingError,
    SitingResult,
    curve_chart,
    maximal_covering,
    p_median,
    set_covering,
    site_map,
    site_table,
    siting_curve,
)

from .kinds import Artifact, Progress, RunKind, RunResult, register_run_kind

MODELS = {
    "p-median": _("p-median: least total travel of the demand"),
    "maximal covering": _("Maximal covering: most demand within the standard"),
    "set covering": _("Set covering: fewest sites covering everyone within the standard"),
}
# Shares of the population (approximate, Seoul 2024: about 19 % aged 65 and over; registered job
# seekers a few per cent of residents). The planner can override them.
DEMAND_GROUPS = {
    "65plus": (_("Residents aged 65 and over"), 0.19),
    "job-seekers": (_("Job seekers"), 0.03),
}
CANDIDATES = {
    "public-buildings": _("Public buildings of the Sharing Hub (rooms of city departments)"),
    "district-points": _("District centres plus seeded points around them"),
}
KM_PER_DEG_LAT = 111.32
ZONE_SPREAD_KM = 1.2  # neighbourhoods around a district centre (as in the dispatch demo city)
SITE_SPREAD_KM = 1.5
MAX_CANDIDATES = 400  # keeps the zone x site matrix and the curve within a short run

SUMMARY_LABELS = {
    "model": _("Model"),
    "demand group": _("Demand group"),
    "demand": _("Total demand (people)"),
    "zones": _("Demand zones"),
    "candidates": _("Candidate sites"),
    "sites chosen": _("Sites chosen"),
    "objective": _("Objective"),
    "bound": _("Proven bound"),
    "gap (%)": _("Gap to the bound (%)"),
    "status": _("Solver status"),
    "covered within standard (%)": _("Demand within the standard (%)"),
    "mean travel (min)": _("Mean travel to the nearest chosen site (min)"),
    "max travel (min)": _("Longest travel to the nearest chosen site (min)"),
    "solve time (s)": _("Solve time (s)"),
}


class SitingForm(forms.Form):
    model = forms.ChoiceField(label=_("Model"), choices=list(MODELS.items()), initial="p-median")
    sites = forms.IntegerField(
        label=_("Number of sites (p)"),
        min_value=1,
        max_value=60,
        initial=5,
        help_text=_("Ignored by set covering, which finds the fewest sites itself."),
    )
    standard_minutes = forms.FloatField(
        label=_("Coverage standard (minutes)"),
        min_value=1.0,
        max_value=180.0,
        initial=15.0,
        help_text=_("A zone is covered when a chosen site is within this travel time."),
    )
    demand_group = forms.ChoiceField(
        label=_("Demand"),
        choices=[(k, label) for k, (label, _share) in DEMAND_GROUPS.items()],
        initial="65plus",
    )
    demand_share = forms.FloatField(
        label=_("Share of the population in the group"),
        min_value=0.0001,
        max_value=1.0,
        required=False,
        help_text=_("Leave empty for the group's default (65+: 0.19, job seekers: 0.03)."),
    )
    zones_per_district = forms.IntegerField(
        label=_("Demand zones per district"), min_value=1, max_value=40, initial=6
    )
    candidates = forms.ChoiceField(
        label=_("Candidate sites"), choices=list(CANDIDATES.items()), initial="district-points"
    )
    candidates_per_district = forms.IntegerField(
        label=_("Candidate points per district"),
        min_value=1,
        max_value=16,
        initial=3,
        help_text=_("Only for district centres plus seeded points."),
    )
    speed_kmh = forms.FloatField(
        label=_("Average speed (km/h)"), min_value=3.0, max_value=90.0, initial=20.0
    )
    detour_factor = forms.FloatField(
        label=_("Road detour factor"),
        min_value=1.0,
        max_value=3.0,
        initial=1.3,
        help_text=_("Road distance over straight-line distance."),
    )
    curve_max = forms.IntegerField(
        label=_("Curve up to p ="), min_value=1, max_value=30, initial=10
    )
    time_limit = forms.FloatField(
        label=_("Time limit (seconds)"), min_value=1.0, max_value=900.0, initial=30.0
    )
    seed = forms.IntegerField(label=_("Seed"), min_value=0, max_value=2**31 - 1, initial=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            inputs = build_inputs(data)
        except SitingError as exc:
            raise forms.ValidationError(str(exc), code="no_inputs") from exc
        m = len(inputs.site_names)
        if data["model"] != "set covering" and data["sites"] > m:
            self.add_error(
                "sites",
                _("There are only %(m)s candidate sites: choose at most %(m)s.") % {"m": m},
            )
        if data["curve_max"] > m:
            self.add_error(
                "curve_max",
                _("There are only %(m)s candidate sites: the curve can go up to %(m)s.") % {"m": m},
            )
        if data["model"] == "set covering":
            far = ~(inputs.travel <= data["standard_minutes"]).any(axis=1) & (inputs.demand > 0)
            if far.any():
                named = sorted({inputs.zone_district[i] for i in np.flatnonzero(far)})
                self.add_error(
                    "standard_minutes",
                    _(
                        "No candidate site is within %(t)s minutes of some zones (in %(d)s): "
                        "raise the standard or add candidates."
                    )
                    % {"t": data["standard_minutes"], "d": ", ".join(named[:5])},
                )
        return data


@dataclass(frozen=True)
class SitingInputs:
    zone_xy: np.ndarray  # km on a local plane, (n, 2)
    zone_district: list[str]
    demand: np.ndarray  # people, (n,)
    site_xy: np.ndarray  # (m, 2)
    site_names: list[str]
    travel: np.ndarray  # minutes, (n, m)


def _plane(lat0: float) -> Any:
    kx = KM_PER_DEG_LAT * math.cos(math.radians(lat0))

    def to_km(lat: float, lon: float) -> tuple[float, float]:
        return (lon * kx, lat * KM_PER_DEG_LAT)

    return to_km


def _public_buildings() -> list[tuple[str, float, float]]:
    """Rooms of city departments listed on the Sharing Hub, one per location."""
    if not apps.is_installed("sharingcity.sharing"):
        raise SitingError("the Sharing Hub is not installed: choose district points instead")
    from sharingcity.sharing.models import Kind
    from sharingcity.sharing.selectors import Search, search

    rows = (
        search(Search(kind=Kind.ROOM))
        .filter(owner_department__isnull=False)
        .values_list("title", "address", "latitude", "longitude")
    )
    seen: set[tuple[float, float]] = set()
    out = []
    for title, address, lat, lon in rows.iterator():
        key = (round(lat, 4), round(lon, 4))  # one building can list several rooms
        if key in seen:
            continue
        seen.add(key)
        out.append((f"{title} ({address})" if address else title, lat, lon))
        if len(out) >= MAX_CANDIDATES:
            break
    if not out:
        raise SitingError(
            "the Sharing Hub lists no rooms of city departments: choose district points instead"
        )
    return out


def build_inputs(params: dict[str, Any]) -> SitingInputs:
    """Demand zones, candidate sites and the travel-time matrix for ``params`` (seeded)."""
    districts = list(
        District.objects.filter(population__gt=0)
        .order_by("code")
        .values_list("name_en", "population", "latitude", "longitude")
    )
    if not districts:
        raise SitingError("the platform has no districts with a population: load the demo city")
    lat0 = float(np.mean([d[2] for d in districts]))
    to_km = _plane(lat0)
    rng = np.random.default_rng(params["seed"])
    label, default_share = DEMAND_GROUPS[params["demand_group"]]
    share = params.get("demand_share") or default_share
    k = params["zones_per_district"]
    zone_xy, zone_district, demand = [], [], []
    for name, population, lat, lon in districts:
        centre = np.array(to_km(lat, lon))
        points = centre + rng.normal(0.0, ZONE_SPREAD_KM, size=(k, 2)) if k > 1 else centre[None]
        split = rng.dirichlet(np.full(k, 4.0)) if k > 1 else np.ones(1)
        zone_xy.extend(points.tolist())
        zone_district.extend([name] * k)
        demand.extend((population * share * split).tolist())
    if params["candidates"] == "public-buildings":
        buildings = _public_buildings()
        site_names = [b[0] for b in buildings]
        site_xy = np.array([to_km(lat, lon) for _, lat, lon in buildings])
    else:
        c = params["candidates_per_district"]
        site_names, sites = [], []
        for name, _pop, lat, lon in districts:
            centre = np.array(to_km(lat, lon))
            sites.append(centre)
            site_names.append(f"{name} centre")
            for j in range(1, c):
                sites.append(centre + rng.normal(0.0, SITE_SPREAD_KM, size=2))
                site_names.append(f"{name} site {j + 1}")
        site_xy = np.array(sites)
    zxy = np.array(zone_xy)
    km = np.sqrt(((zxy[:, None, :] - site_xy[None, :, :]) ** 2).sum(axis=2))
    travel = km * params["detour_factor"] / params["speed_kmh"] * 60.0
    # Shift the plane so the map's axes read kilometres from the south-west corner.
    origin = np.minimum(zxy.min(axis=0), site_xy.min(axis=0))
    return SitingInputs(
        zone_xy=zxy - origin,
        zone_district=zone_district,
        demand=np.array(demand),
        site_xy=site_xy - origin,
        site_names=site_names,
        travel=travel,
    )


def _p_median(demand: np.ndarray, travel: np.ndarray, p: int, **options: Any) -> SitingResult:
    """The library's p-median, except one site: enumerated here (exact, O(n m)).

    ``p_median(..., p=1)`` currently fails in the library's vertex substitution (numpy's
    ``bincount`` of an empty selection is integer-typed); one site needs no search anyway.
    """
    if p != 1:
        return p_median(demand, travel, p, **options)
    t0 = time.perf_counter()
    totals = demand @ travel
    best = int(np.argmin(totals))
    value = float(totals[best])
    return SitingResult(
        model="p-median",
        sites=(best,),
        assignment=np.full(travel.shape[0], best, dtype=np.int64),
        objective=value,
        bound=value,
        gap=0.0,
        status="optimal",
        time_s=time.perf_counter() - t0,
        method="enumeration",
    )


def _solve(params: dict[str, Any], inputs: SitingInputs, time_limit: float) -> Any:
    model = params["model"]
    common = {"time_limit": time_limit, "seed": params["seed"]}
    if model == "p-median":
        return _p_median(inputs.demand, inputs.travel, params["sites"], **common)
    if model == "maximal covering":
        return maximal_covering(
            inputs.demand, inputs.travel, params["sites"], params["standard_minutes"], **common
        )
    return set_covering(inputs.demand, inputs.travel, params["standard_minutes"], **common)


def _r(x: float, digits: int = 2) -> float | None:
    return round(float(x), digits) if math.isfinite(float(x)) else None


def execute(params: dict[str, Any], progress: Progress) -> RunResult:
    progress(0.0, "building demand zones, candidate sites and travel times")
    inputs = build_inputs(params)
    w, d = inputs.demand, inputs.travel
    n, m = d.shape
    # Half the time for the chosen model, half for the curve.
    progress(0.05, f"solving the {params['model']} model: {n} zones, {m} candidate sites")
    result = _solve(params, inputs, params["time_limit"] / 2)
    chosen = np.asarray(result.sites, dtype=np.int64)
    total = float(w.sum())
    nearest = d[:, chosen].min(axis=1) if chosen.size else np.full(n, np.inf)
    covered = float(w[nearest <= params["standard_minutes"]].sum())
    summary: dict[str, Any] = {
        "model": params["model"],
        "demand group": str(DEMAND_GROUPS[params["demand_group"]][0]),
        "demand": round(total),
        "zones": n,
        "candidates": m,
        "sites chosen": len(result.sites),
        "objective": _r(result.objective),
        "bound": _r(result.bound),
        "gap (%)": _r(100 * result.gap, 3),
        "status": result.status,
        "covered within standard (%)": _r(100 * covered / total if total else 0.0, 1),
        "mean travel (min)": _r(float(w @ nearest) / total if total and chosen.size else math.nan),
        "max travel (min)": _r(float(nearest.max()) if chosen.size else math.nan),
        "solve time (s)": _r(result.time_s),
    }

    # The curve: p-median distance, or the covered share for the covering models (set covering
    # answers "how many sites for everyone": where the coverage curve reaches 100 %).
    curve_model = "p-median" if params["model"] == "p-median" else "maximal covering"
    p_max = params["curve_max"]
    per_p = max(0.5, params["time_limit"] / 2 / p_max)
    points: list[dict[str, Any]] = []
    prev: list[int] | None = None
    for p in range(1, p_max + 1):
        progress(0.3 + 0.55 * (p - 1) / p_max, f"curve: {p} of {p_max} sites")
        if curve_model == "p-median":
            r = _p_median(w, d, p, time_limit=per_p, seed=params["seed"], start=prev)
            prev = list(r.sites)
            points.append(
                {"p": p, "objective": r.objective, "bound": r.bound, "gap": r.gap,
                 "status": r.status}
            )  # fmt: skip
        else:
            (row,) = siting_curve(
                curve_model,
                w,
                d,
                p,
                p_min=p,
                standard=params["standard_minutes"],
                time_limit_per_p=per_p,
                seed=params["seed"],
            )
            points.append(row)
    progress(0.88, "drawing the map and the curve")
    catch_districts: dict[int, set[str]] = {}
    for zone, site in enumerate(result.assignment.tolist()):
        if site >= 0:
            catch_districts.setdefault(int(site), set()).add(inputs.zone_district[zone])
    sites_rows = [
        {
            "site": row["name"],
            "zones served": row["zones"],
            "demand served": round(float(row["demand"])),
            "share of demand (%)": _r(100 * float(row["demand"]) / total if total else 0.0, 1),
            "mean travel (min)": _r(float(row["mean_travel"]), 1),
            "max travel (min)": _r(float(row["max_travel"]), 1),
            "districts in catchment": ", ".join(sorted(catch_districts.get(int(row["site"]), ()))),
        }
        for row in cast(
            list[dict[str, Any]], site_table(result, w, d, site_names=inputs.site_names)
        )
    ]
    if curve_model == "p-median":
        curve_rows = [
            {
                "sites": pt["p"],
                "mean travel (min)": _r(pt["objective"] / total if total else 0.0),
                "bound (min)": _r(pt["bound"] / total if total else 0.0),
                "gap (%)": _r(100 * pt["gap"], 3),
                "status": pt["status"],
            }
            for pt in points
        ]
        ylabel = "demand-weighted travel (person-minutes)"
    else:
        curve_rows = [
            {
                "sites": pt["p"],
                "covered (%)": _r(100 * pt["objective"] / total if total else 0.0, 1),
                "bound (%)": _r(100 * pt["bound"] / total if total else 0.0, 1),
                "gap (%)": _r(100 * pt["gap"], 3),
                "status": pt["status"],
            }
            for pt in points
        ]
        ylabel = f"demand within {params['standard_minutes']:g} min (people)"
    artifacts = [
        Artifact(
            "siting-map.png",
            site_map(
                result,
                inputs.zone_xy,
                inputs.site_xy,
                demand=w,
                title=f"{params['model']}: {len(result.sites)} sites (km from the south-west)",
            ),
            "image/png",
            _("Map of the chosen sites and their catchments"),
            inline=True,
        ),
        Artifact(
            "siting-curve.png",
            curve_chart(points, ylabel=ylabel),
            "image/png",
            _("Objective as the number of sites grows"),
            inline=True,
        ),
        Artifact(
            "siting-zones.csv",
            _zones_csv(inputs, result, nearest),
            "text/csv",
            _("Every demand zone, its site and travel time (CSV)"),
        ),
    ]
    progress(1.0, "done")
    return RunResult(
        summary=summary,
        tables={"Chosen sites and catchments": sites_rows, "Curve": curve_rows},
        artifacts=artifacts,
    )


def _zones_csv(inputs: SitingInputs, result: Any, nearest: np.ndarray) -> bytes:
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(
        ["zone", "district", "x_km", "y_km", "demand", "site", "site_name", "travel_min",
         "nearest_chosen_min"]
    )  # fmt: skip
    for z, site in enumerate(result.assignment.tolist()):
        out.writerow(
            [
                z,
                inputs.zone_district[z],
                f"{inputs.zone_xy[z, 0]:.3f}",
                f"{inputs.zone_xy[z, 1]:.3f}",
                f"{inputs.demand[z]:.2f}",
                site if site >= 0 else "",
                inputs.site_names[site] if site >= 0 else "",
                f"{inputs.travel[z, site]:.2f}" if site >= 0 else "",
                f"{nearest[z]:.2f}" if math.isfinite(nearest[z]) else "",
            ]
        )
    return buf.getvalue().encode("utf-8")


register_run_kind(
    RunKind(
        key="service-siting",
        label=_("Service siting"),
        description=_(
            "Choose sites for centres (older residents, job seekers) among public buildings or "
            "points of the districts: p-median, maximal covering or set covering, with a map, "
            "the curve as the number of sites grows and a table of catchments."
        ),
        form=SitingForm,
        execute=execute,
        summary_labels=SUMMARY_LABELS,
    )
)
