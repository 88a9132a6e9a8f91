"""The call-taxi simulator: invariants under every policy, reproducibility, bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sharingcity.planning.dispatch.city import DemoCity, seoul_demo_city
from sharingcity.planning.dispatch.demand import (
    forecast_from_history,
    generate_requests,
    make_fleet,
)
from sharingcity.planning.dispatch.errors import DispatchError
from sharingcity.planning.dispatch.metrics import check_run, service_metrics
from sharingcity.planning.dispatch.model import MatrixTravel, Request, SpeedProfileTravel, Vehicle
from sharingcity.planning.dispatch.policies import (
    POLICIES,
    BatchAssignment,
    Repositioning,
    make_policy,
)
from sharingcity.planning.dispatch.simulator import SimOptions, simulate

CITY = seoul_demo_city()


def day(n_vehicles=40, n_requests=350, seed=11, sedan_share=0.2):
    requests = generate_requests(CITY, n_requests, seed=seed)
    fleet = make_fleet(CITY, n_vehicles, seed=seed, sedan_share=sedan_share)
    return fleet, requests


def policy(name, seed=11):
    forecast = forecast_from_history(
        [generate_requests(CITY, 350, seed=seed + 100 + k) for k in range(2)], len(CITY.names)
    )
    return make_policy(name, forecast=forecast, centres=CITY.centres)


@pytest.mark.parametrize("name", POLICIES)
def test_invariants_hold_under_every_policy(name):
    fleet, requests = day()
    run = simulate(fleet, requests, SpeedProfileTravel(), policy(name), seed=1)
    assert check_run(run) == []
    assert all(o.status in ("served", "refused") for o in run.outcomes)
    assert all(o.reason for o in run.outcomes if o.status == "refused")
    m = service_metrics(run)
    assert m.served + m.refused == len(requests)
    assert m.served > 0.6 * len(requests)
    assert 0.0 < m.empty_share < 1.0 and 0.0 < m.utilisation < 1.0
    assert m.wait_mean >= 0 and m.wait_median <= m.wait_p90 <= m.wait_max
    assert m.ride_ratio_max <= 1.5 + 1e-9
    assert set(m.wait_by_district) <= set(range(len(CITY.names)))


def test_same_seed_same_run_and_different_demand_differs():
    fleet, requests = day()
    a = simulate(fleet, requests, SpeedProfileTravel(), policy("reposition"), seed=4)
    b = simulate(fleet, requests, SpeedProfileTravel(), policy("reposition"), seed=4)
    assert a.log == b.log
    assert a.legs == b.legs
    assert service_metrics(a) == service_metrics(b)
    fleet2, requests2 = day(seed=12)
    c = simulate(fleet2, requests2, SpeedProfileTravel(), policy("reposition"), seed=4)
    assert c.log != a.log


def test_wheelchair_users_never_ride_in_sedans():
    fleet, requests = day(sedan_share=0.5)
    run = simulate(fleet, requests, SpeedProfileTravel(), policy("batch"), seed=1)
    for o in run.outcomes:
        if o.status == "served" and requests[o.request].wheelchair:
            assert fleet[o.vehicle].wheelchair_places >= 1


def test_parties_that_fit_no_vehicle_are_refused_with_that_reason():
    fleet = [Vehicle(0, (0.0, 0.0), 0.0, 600.0, wheelchair_places=0, companion_seats=3)]
    reqs = [
        Request(0, 10.0, 10.0, 100.0, (1.0, 0.0), (2.0, 0.0), wheelchair=True),
        Request(1, 20.0, 20.0, 100.0, (1.0, 0.0), (2.0, 0.0), wheelchair=False, companions=1),
    ]
    run = simulate(fleet, reqs, SpeedProfileTravel(), make_policy("baseline"), seed=0)
    assert run.outcomes[0].status == "refused" and "can carry" in run.outcomes[0].reason
    assert run.outcomes[1].status == "served"
    assert check_run(run) == []


def test_requests_outside_every_shift_are_refused():
    fleet = [Vehicle(0, (0.0, 0.0), 600.0, 900.0)]
    reqs = [Request(0, 60.0, 60.0, 120.0, (1.0, 0.0), (2.0, 0.0))]
    run = simulate(fleet, reqs, SpeedProfileTravel(), make_policy("batch"), seed=0)
    assert run.outcomes[0].reason == "no vehicle on shift during its pickup window"


def test_advance_bookings_are_picked_up_inside_their_window():
    fleet = [Vehicle(0, (0.0, 0.0), 0.0, 600.0)]
    reqs = [Request(0, -300.0, 200.0, 215.0, (5.0, 0.0), (6.0, 0.0), advance=True)]
    for name in ("baseline", "batch", "insertion"):
        run = simulate(fleet, reqs, SpeedProfileTravel(), make_policy(name), seed=0)
        out = run.outcomes[0]
        assert out.status == "served" and 200.0 <= out.pickup <= 215.0, name


def test_matrix_travel_model_runs_the_same_rules():
    zones = CITY.centres
    km = (
        np.hypot(zones[:, None, 0] - zones[None, :, 0], zones[:, None, 1] - zones[None, :, 1]) * 1.3
    )
    minutes = np.stack([km / s * 60 for s in np.linspace(18, 32, 24)])
    travel = MatrixTravel(zones, minutes, km)
    fleet, requests = day(n_vehicles=30, n_requests=200)
    run = simulate(fleet, requests, travel, policy("insertion"), seed=2)
    assert check_run(run) == []
    x = np.array([0.0, zones[3, 0]])
    y = np.array([0.0, zones[3, 1]])
    many = travel.minutes_many(x, y, (float(zones[5, 0]), float(zones[5, 1])), 600.0)
    assert many[1] == pytest.approx(minutes[10, 3, 5])
    mat = travel.minutes_matrix(x, y, x, y, 600.0)
    assert mat[0, 0] == 0.0 and mat[1, 0] == pytest.approx(
        travel.minutes((x[1], y[1]), (0.0, 0.0), 600.0)
    )


def test_check_run_catches_broken_runs():
    fleet, requests = day(n_vehicles=20, n_requests=100)
    run = simulate(fleet, requests, SpeedProfileTravel(), policy("baseline"), seed=1)
    served = next(o for o in run.outcomes if o.status == "served")
    served.pickup = requests[served.request].latest + 5
    refused = next(o for o in run.outcomes if o.status == "refused")
    refused.reason = ""
    run.legs.append(
        dataclasses.replace(run.legs[0], origin=(99.0, 99.0), start=run.legs[-1].end + 1000)
    )
    problems = check_run(run)
    assert any("outside" in p for p in problems)
    assert any("without a reason" in p for p in problems)
    assert any("away from where" in p for p in problems)


def test_bad_inputs_are_refused_clearly():
    with pytest.raises(DispatchError, match="before it starts"):
        Vehicle(0, (0.0, 0.0), 600.0, 500.0)
    with pytest.raises(DispatchError, match="negative capacity"):
        Vehicle(0, (0.0, 0.0), 0.0, 500.0, wheelchair_places=-1)
    with pytest.raises(DispatchError, match="ends before it starts"):
        Request(0, 0.0, 10.0, 5.0, (0.0, 0.0), (1.0, 0.0))
    with pytest.raises(DispatchError, match="booked at"):
        Request(0, 20.0, 10.0, 50.0, (0.0, 0.0), (1.0, 0.0))
    with pytest.raises(DispatchError, match="negative companions"):
        Request(0, 0.0, 10.0, 50.0, (0.0, 0.0), (1.0, 0.0), companions=-1)
    fleet, requests = day(n_vehicles=5, n_requests=10)
    with pytest.raises(DispatchError, match="vehicle ids"):
        simulate(fleet[::-1], requests, SpeedProfileTravel(), make_policy("baseline"))
    with pytest.raises(DispatchError, match="request ids"):
        simulate(fleet, requests[::-1], SpeedProfileTravel(), make_policy("baseline"))
    with pytest.raises(DispatchError, match="unknown policy"):
        make_policy("fastest")
    with pytest.raises(DispatchError, match="needs a forecast"):
        make_policy("reposition")
    with pytest.raises(DispatchError, match="forecast must be"):
        Repositioning(np.zeros((23, 25)), CITY.centres)
    with pytest.raises(DispatchError, match="period"):
        BatchAssignment(period=0)
    with pytest.raises(DispatchError, match="24 positive"):
        SpeedProfileTravel(speeds_kmh=(20.0,) * 23)
    with pytest.raises(DispatchError, match="detour"):
        SpeedProfileTravel(detour=0.5)
    with pytest.raises(DispatchError, match="minutes must have shape"):
        MatrixTravel(CITY.centres, np.zeros((3, 3)), np.zeros((25, 25)))
    with pytest.raises(DispatchError, match="non-negative"):
        MatrixTravel(CITY.centres, -np.ones((25, 25)), np.zeros((25, 25)))
    with pytest.raises(DispatchError, match="boarding_minutes"):
        SimOptions(boarding_minutes=-1)
    with pytest.raises(DispatchError, match="max_ride_factor"):
        SimOptions(max_ride_factor=0.5)
    with pytest.raises(DispatchError, match="n_requests"):
        generate_requests(CITY, -1, seed=0)
    with pytest.raises(DispatchError, match="day must be"):
        generate_requests(CITY, 10, seed=0, day="holiday")
    with pytest.raises(DispatchError, match="advance_share"):
        generate_requests(CITY, 10, seed=0, advance_share=1.5)
    with pytest.raises(DispatchError, match="sedan_share"):
        make_fleet(CITY, 10, seed=0, sedan_share=2.0)
    with pytest.raises(DispatchError, match="at least one past day"):
        forecast_from_history([], 25)
    with pytest.raises(DispatchError, match="weights"):
        dataclasses.replace(CITY, weights=np.zeros(25))
    with pytest.raises(DispatchError, match="at least one district"):
        DemoCity(
            (), np.zeros((0, 2)), np.zeros(0), CITY.hospitals, CITY.welfare_centres, CITY.depots
        )


def test_demand_generator_is_seeded_and_shaped():
    a = generate_requests(CITY, 2000, seed=5)
    b = generate_requests(CITY, 2000, seed=5)
    assert a == b
    assert [r.id for r in a] == list(range(2000))
    assert all(x.earliest <= y.earliest for x, y in zip(a, a[1:], strict=False))
    hours = np.bincount([int(r.earliest // 60) for r in a], minlength=24)
    assert hours[9] > 5 * hours[3]  # morning peak far above the night
    share = np.mean([r.advance for r in a])
    assert 0.25 < share < 0.35
    assert {r.purpose for r in a} == {"hospital", "welfare", "other"}
    fleet = make_fleet(CITY, 600, seed=1)
    assert len(fleet) == 600 and sum(v.shift_start == 6 * 60 for v in fleet) == 150
