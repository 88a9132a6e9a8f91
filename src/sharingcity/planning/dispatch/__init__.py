"""Disability call-taxi dispatch: a simulator, dispatch policies and a dial-a-ride solver.

Modules
-------
model       vehicles (shifts, depots, wheelchair places, companion seats), requests (windows,
            mobility needs, advance or on the day), travel times by hour (speed profile or matrix)
city        the demo city: Seoul's 25 districts, large hospitals, welfare centres, garages
demand      one day of requests and a fleet for the demo city; forecasts from past days
simulator   discrete-event simulation of a day (heapq event queue, seeded)
policies    baseline (first come, nearest idle), batch (Hungarian), insertion with
            re-optimisation, repositioning toward forecast demand
metrics     waits, ride over direct, empty driving, utilisation, refusals, waits by district;
            the invariants every run must satisfy
darp, darp_solver, scheduling, checker
            the static dial-a-ride problem (Cordeau 2006): Cordeau-format files, an adaptive large
            neighbourhood search with eight-step scheduling, and an independent feasibility check

Command line: ``python -m sharingcity.planning.dispatch solve FILE`` and ``... simulate``.
"""

from sharingcity.planning.dispatch.checker import check_darp_solution, route_cost, schedule_exists
from sharingcity.planning.dispatch.city import DemoCity, seoul_demo_city
from sharingcity.planning.dispatch.darp import (
    DarpInstance,
    DarpSolution,
    parse_cordeau,
    read_cordeau,
)
from sharingcity.planning.dispatch.darp_solver import solve_darp
from sharingcity.planning.dispatch.demand import (
    forecast_from_history,
    generate_requests,
    make_fleet,
)
from sharingcity.planning.dispatch.errors import DispatchError, InstanceFormatError
from sharingcity.planning.dispatch.metrics import ServiceMetrics, check_run, service_metrics
from sharingcity.planning.dispatch.model import (
    MatrixTravel,
    Request,
    SpeedProfileTravel,
    TravelModel,
    Vehicle,
)
from sharingcity.planning.dispatch.policies import (
    POLICIES,
    BatchAssignment,
    DispatchPolicy,
    FirstComeNearestIdle,
    InsertionReoptimise,
    Repositioning,
    make_policy,
)
from sharingcity.planning.dispatch.scheduling import eight_step_schedule
from sharingcity.planning.dispatch.simulator import (
    Leg,
    Outcome,
    SimOptions,
    SimulationRun,
    simulate,
)

__all__ = [
    "POLICIES",
    "BatchAssignment",
    "DarpInstance",
    "DarpSolution",
    "DemoCity",
    "DispatchError",
    "DispatchPolicy",
    "FirstComeNearestIdle",
    "InsertionReoptimise",
    "InstanceFormatError",
    "Leg",
    "MatrixTravel",
    "Outcome",
    "Repositioning",
    "Request",
    "ServiceMetrics",
    "SimOptions",
    "SimulationRun",
    "SpeedProfileTravel",
    "TravelModel",
    "Vehicle",
    "check_darp_solution",
    "check_run",
    "eight_step_schedule",
    "forecast_from_history",
    "generate_requests",
    "make_fleet",
    "make_policy",
    "parse_cordeau",
    "read_cordeau",
    "route_cost",
    "schedule_exists",
    "seoul_demo_city",
    "service_metrics",
    "simulate",
    "solve_darp",
]
