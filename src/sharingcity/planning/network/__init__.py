"""Transit network design: evaluate and design bus route sets, and plan night buses.

Django-free: functions over plain data (numpy arrays, dataclasses).

* :mod:`.instance` -- :class:`TransitNetwork`, Mandl/Mumford and graph-CSV readers, the
  ``0-1-2*3-4*`` route-set notation.
* :mod:`.evaluate` -- the UTRP scores (ATT, d0-dun, TRT) under C. Mumford's 2017 rules, with the
  reason for every infeasible set.
* :mod:`.optimise` -- route design minimising ATT, TRT or a Pareto front (hyper-heuristic
  simulated annealing).
* :mod:`.nightbus` -- routes and headways under a fleet budget maximising demand served, with a
  coverage-versus-fleet curve and an LP upper bound.
* :mod:`.gtfs`, :mod:`.plots` -- a GTFS feed of a plan; a route map and the coverage chart
  (``plots`` imports matplotlib, so it is not imported here).
* :mod:`.demo` -- the demo city's night network (Seoul's 25 districts).
* :mod:`.reference` -- a plain-Python Dijkstra evaluator, the independent check of
  :mod:`.evaluate`.

Command line: ``python -m sharingcity.planning.network --help``.
"""

from .demo import demo_city_network
from .errors import (
    InfeasibleRouteSetError,
    InstanceFormatError,
    NetworkError,
    RouteSetFormatError,
)
from .evaluate import Evaluation, RouteSetEvaluator, check_route_set, evaluate_route_set
from .gtfs import export_gtfs
from .instance import (
    PublishedRouteSet,
    TransitNetwork,
    format_route_set,
    parse_route_set,
    read_graph_csv,
    read_mumford_instance,
    read_results_data,
)
from .nightbus import (
    CoveragePoint,
    NightBusPlan,
    NightBusSettings,
    Service,
    candidate_routes,
    coverage_curve,
    plan_night_buses,
    served_trips,
)
from .optimise import DesignProgress, RouteDesign, design_pareto_front, design_routes

__all__ = [
    "CoveragePoint",
    "NightBusPlan",
    "NightBusSettings",
    "Service",
    "candidate_routes",
    "coverage_curve",
    "demo_city_network",
    "export_gtfs",
    "plan_night_buses",
    "served_trips",
    "DesignProgress",
    "Evaluation",
    "InfeasibleRouteSetError",
    "InstanceFormatError",
    "NetworkError",
    "PublishedRouteSet",
    "RouteDesign",
    "RouteSetEvaluator",
    "RouteSetFormatError",
    "TransitNetwork",
    "check_route_set",
    "design_pareto_front",
    "design_routes",
    "evaluate_route_set",
    "format_route_set",
    "parse_route_set",
    "read_graph_csv",
    "read_mumford_instance",
    "read_results_data",
]
