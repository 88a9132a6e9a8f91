"""Disability call-taxi dispatch: a simulator, dispatch policies and a dial-a-ride solver.

Modules
-------
darp, darp_solver, scheduling, checker
    The static dial-a-ride problem (Cordeau 2006): Cordeau-format files, an adaptive large
    neighbourhood search with eight-step scheduling, and an independent feasibility check.
"""

from sharingcity.planning.dispatch.checker import check_darp_solution, route_cost, schedule_exists
from sharingcity.planning.dispatch.darp import DarpInstance, DarpSolution, parse_cordeau, read_cordeau
from sharingcity.planning.dispatch.darp_solver import solve_darp
from sharingcity.planning.dispatch.errors import DispatchError, InstanceFormatError
from sharingcity.planning.dispatch.scheduling import eight_step_schedule

__all__ = [
    "DarpInstance",
    "DarpSolution",
    "DispatchError",
    "InstanceFormatError",
    "check_darp_solution",
    "eight_step_schedule",
    "parse_cordeau",
    "read_cordeau",
    "route_cost",
    "schedule_exists",
    "solve_darp",
]
