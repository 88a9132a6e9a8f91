"""The night-bus run kind, end to end through the plans app (tasks run inline under pytest)."""

import csv
import io
import zipfile

import gtfs_kit
import numpy as np
import pytest

from sharingcity.core.errors import InvalidInput
from sharingcity.core.models import Role, RoleAssignment
from sharingcity.planning.demand import seoul_districts
from sharingcity.planning.seoul import DISTRICTS
from sharingcity.plans import nightbus, services
from sharingcity.plans.kinds import RunCancelled, run_kind
from sharingcity.plans.models import PlanningRun
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

# small and quick: one plan on the curve, one second of search
QUICK = {
    "demand_source": "gravity",
    "fleet": "10",
    "headways": "20, 30, 60",
    "start": "00:00",
    "end": "05:00",
    "max_journey_minutes": "60",
    "max_transfers": "1",
    "max_routes": "4",
    "max_fleet": "10",
    "curve_points": "1",
    "seconds_per_plan": "1",
    "seed": "1",
}


@pytest.fixture
def planner():
    u = f.user("nightplanner")
    RoleAssignment.objects.create(user=u, role=Role.PLANNER)
    return u


def _artifact(run, name):
    return run.artifacts.get(name=name).file.read()


@pytest.mark.django_db
def test_registered_with_defaults_that_validate():
    kind = run_kind("night-bus")
    assert kind is not None and kind.form is nightbus.NightBusForm
    form = nightbus.NightBusForm(
        data={k: v.initial for k, v in kind.form.base_fields.items() if v.initial is not None}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["demand_source"] == "calls"
    assert form.cleaned_data["call_records"] == 200_000 and form.cleaned_data["k"] == 10


@pytest.mark.django_db
def test_demand_zones_join_the_network_districts_by_name():
    index = nightbus._district_index()
    assert len(index) == len(DISTRICTS) == 25
    for zone in seoul_districts():
        assert DISTRICTS[index[zone.name]].name_en == zone.name


def test_gravity_run_stores_plan_map_curve_and_a_valid_gtfs_feed(planner, tmp_path):
    run = services.check_submit_run(
        actor=planner, kind_key="night-bus", title="ten buses", parameters=QUICK
    )
    run.refresh_from_db()
    assert run.status == PlanningRun.Status.SUCCEEDED, run.error
    s = run.summary
    assert s["demand source"] == "gravity" and s["fleet"] == 10
    assert 0 < s["buses used"] <= 10 and 1 <= s["routes"] <= 4
    assert 0 < s["share served (%)"] <= s["upper bound (%)"] <= 100
    routes = run.tables["routes"]
    assert len(routes) == s["routes"] and sum(r["buses"] for r in routes) == s["buses used"]
    assert all(r["headway (min)"] in (20.0, 30.0, 60.0) for r in routes)
    assert [p["fleet"] for p in run.tables["coverage against fleet"]] == [10]

    inline = {a.name for a in run.artifacts.filter(inline=True)}
    assert inline == {"route_map.png", "coverage.png"}
    for name in inline:
        assert _artifact(run, name).startswith(b"\x89PNG")

    feed = zipfile.ZipFile(io.BytesIO(_artifact(run, "night_bus.gtfs.zip")))
    assert feed.testzip() is None
    files = set(feed.namelist())
    assert {"agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt"} <= files
    assert "calendar.txt" in files or "calendar_dates.txt" in files
    gtfs_routes = list(csv.DictReader(io.TextIOWrapper(feed.open("routes.txt"), "utf-8")))
    assert [r["route_short_name"] for r in gtfs_routes] == [r["route"] for r in routes]
    stops = list(csv.DictReader(io.TextIOWrapper(feed.open("stops.txt"), "utf-8")))
    assert all(37.4 < float(x["stop_lat"]) < 37.7 for x in stops)
    times = list(csv.DictReader(io.TextIOWrapper(feed.open("stop_times.txt"), "utf-8")))
    assert times and min(t["departure_time"] for t in times) >= "00:00:00"

    od = list(csv.DictReader(io.StringIO(_artifact(run, "od_demand.csv").decode())))
    assert sum(int(r["trips"]) for r in od) == s["night trips"]
    assert all(r["origin"] != r["destination"] for r in od)

    # an independent reader of GTFS accepts the feed
    path = tmp_path / "feed.zip"
    path.write_bytes(_artifact(run, "night_bus.gtfs.zip"))
    gfeed = gtfs_kit.read_feed(path, dist_units="km")
    q = gfeed.assess_quality()
    quality = dict(zip(q["indicator"], q["value"], strict=True))
    assert quality["assessment"] in ("good feed", "excellent feed"), quality
    assert len(gfeed.routes) == s["routes"]


def test_call_record_run_reports_privacy_and_suppression(planner):
    params = {**QUICK, "demand_source": "calls", "call_records": "10000", "k": "3"}
    run = services.check_submit_run(
        actor=planner, kind_key="night-bus", title="calls", parameters=params
    )
    run.refresh_from_db()
    assert run.status == PlanningRun.Status.SUCCEEDED, run.error
    s = run.summary
    assert s["demand source"] == "call records" and s["call records"] == 10_000
    assert s["k (min callers per cell)"] == 3 and s["epsilon"] == "none"
    assert s["suppressed cells"] > 0  # 10k records leave many cells under k
    hours = run.tables["released demand by hour"]
    assert [h["hour"] for h in hours] == ["00:00", "01:00", "02:00", "03:00", "04:00"]
    released = sum(h["trips"] for h in hours)
    assert released == s["night trips"] + s["intra-district trips left out"]
    assert sum(h["cells"] for h in hours) == s["released cells"]
    od = list(csv.DictReader(io.StringIO(_artifact(run, "od_demand.csv").decode())))
    assert sum(int(r["trips"]) for r in od) == s["night trips"]


@pytest.mark.django_db
def test_curve_is_non_decreasing_and_holds_the_chosen_fleet():
    assert nightbus._fleets(30, 60, 5) == [12, 24, 30, 36, 48, 60]
    assert nightbus._fleets(80, 10, 5) == [2, 4, 6, 8, 10, 80]
    assert nightbus._fleets(7, 7, 1) == [7]
    result = nightbus.execute(
        _cleaned({**QUICK, "fleet": "6", "max_fleet": "12", "curve_points": "2"}),
        lambda fraction, message: None,
    )
    curve = result.tables["coverage against fleet"]
    shares = [p["share served (%)"] for p in curve]
    assert shares == sorted(shares)
    assert all(p["share served (%)"] <= p["upper bound (%)"] for p in curve)
    at_six = next(p for p in curve if p["fleet"] == 6)
    assert at_six["share served (%)"] == result.summary["share served (%)"]
    assert np.all(np.diff([p["upper bound (%)"] for p in curve]) >= 0)


def _cleaned(data):
    form = nightbus.NightBusForm(data=data)
    assert form.is_valid(), form.errors
    return form.cleaned_data


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fleet": "0"}, "fleet"),
        ({"headways": "15, soon"}, "headways"),
        ({"headways": "2"}, "headways"),
        ({"headways": " , "}, "headways"),
        ({"start": "25:00"}, "start"),
        ({"end": "00:00"}, "end"),
        ({"max_transfers": "5"}, "max_transfers"),
        ({"max_journey_minutes": "5"}, "max_journey_minutes"),
        ({"demand_source": "taxi"}, "demand_source"),
        ({"demand_source": "calls", "call_records": "500"}, "call_records"),
        ({"demand_source": "calls", "k": "1"}, "k"),
        ({"demand_source": "calls", "epsilon": "0"}, "epsilon"),
        ({"max_fleet": "-3"}, "max_fleet"),
        ({"seconds_per_plan": "600"}, "seconds_per_plan"),
        ({"curve_points": "0"}, "curve_points"),
    ],
)
@pytest.mark.django_db  # refused before anything is queued: no need to flush after
def test_bad_parameters_are_refused_and_nothing_is_queued(planner, change, field):
    with pytest.raises(InvalidInput) as e:
        services.check_submit_run(
            actor=planner, kind_key="night-bus", title="bad", parameters={**QUICK, **change}
        )
    assert e.value.code == "invalid_parameters"
    assert list(e.value.details["errors"]) == [field]
    assert not PlanningRun.objects.exists()


def test_no_demand_left_after_suppression_fails_the_run_with_a_reason(planner):
    # 10k records with k=1000: every cell is withheld
    params = {**QUICK, "demand_source": "calls", "call_records": "10000", "k": "1000"}
    run = services.check_submit_run(
        actor=planner, kind_key="night-bus", title="too private", parameters=params
    )
    run.refresh_from_db()
    assert run.status == PlanningRun.Status.FAILED
    assert "lower k" in run.error


def test_planner_pages_form_run_and_downloads(planner, client):
    client.force_login(planner)
    page = client.get("/en/plans/new/night-bus/")
    assert page.status_code == 200
    for field in ("id_demand_source", "id_k", "id_epsilon", "id_fleet", "id_headways", "id_seed"):
        assert f'id="{field}"'.encode() in page.content
    r = client.post("/en/plans/new/night-bus/", {"title": "owl", **QUICK})
    assert r.status_code == 302
    run = PlanningRun.objects.get(title="owl")
    assert run.status == PlanningRun.Status.SUCCEEDED, run.error
    page = client.get(f"/en/plans/runs/{run.pk}/").content.decode()
    assert "route_map.png" in page and "coverage.png" in page and "share served (%)" in page
    gtfs = client.get(f"/en/plans/runs/{run.pk}/files/night_bus.gtfs.zip")
    assert gtfs.status_code == 200
    assert zipfile.is_zipfile(io.BytesIO(b"".join(gtfs.streaming_content)))
    bad = client.post("/en/plans/new/night-bus/", {"title": "bad", **QUICK, "headways": "x"})
    assert bad.status_code == 400 and PlanningRun.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("stop_at", [0.05, 0.12, 0.3])
def test_a_cancelled_run_stops_at_the_next_progress_report(stop_at):
    # fleets 6, 10, 12: plans start at 0.15, 0.40 and 0.65 of the bar
    params = _cleaned(
        {**QUICK, "demand_source": "calls", "call_records": "10000", "k": "3"}
        | {"max_fleet": "12", "curve_points": "2"}
    )
    seen = []

    def progress(fraction, message):
        seen.append(fraction)
        if fraction >= stop_at:
            raise RunCancelled

    with pytest.raises(RunCancelled):
        nightbus.execute(params, progress)
    assert seen[-1] >= stop_at and max(seen) < 0.65
