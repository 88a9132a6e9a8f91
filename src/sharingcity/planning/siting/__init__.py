"""Facility siting: where to put centres so that people are near them.

Models over plain data (demand per zone, candidate sites, a zones x sites travel matrix):

* :func:`p_median` — ``p`` sites with the least demand-weighted travel (optionally capacitated);
* :func:`maximal_covering` — ``p`` sites covering the most demand within a travel standard;
* :func:`set_covering` — the fewest sites covering every zone within the standard.

Every result (:class:`SitingResult`) reports objective, proven bound, gap, status and time.
Exact answers come from MILPs solved by HiGHS after exact reductions; large p-median instances
get a Lagrangian bound and vertex-substitution heuristics first. Outputs for the platform:
:func:`catchments`, :func:`site_table`, :func:`site_map`, :func:`siting_curve`.
File readers: :func:`read_orlib_pmedian` (OR-Library pmed files), :func:`read_travel_csv`.
Command line: ``python -m sharingcity.planning.siting --help``.
"""

from .covering import coverage_groups, maximal_covering, set_covering
from .curve import siting_curve
from .errors import SitingError, SitingFileError, SitingInfeasibleError
from .matrix_csv import TravelMatrix, read_travel_csv
from .orlib import PMedianInstance, read_orlib_pmedian
from .outputs import catchments, curve_chart, site_map, site_table
from .pmedian import greedy_sites, interchange, lagrangian_bound, p_median
from .problem import SitingResult
from .synthetic import SyntheticCity, synthetic_city

__all__ = [
    "PMedianInstance",
    "SitingError",
    "SitingFileError",
    "SitingInfeasibleError",
    "SitingResult",
    "SyntheticCity",
    "TravelMatrix",
    "catchments",
    "coverage_groups",
    "curve_chart",
    "greedy_sites",
    "interchange",
    "lagrangian_bound",
    "maximal_covering",
    "p_median",
    "read_orlib_pmedian",
    "read_travel_csv",
    "set_covering",
    "site_map",
    "site_table",
    "siting_curve",
    "synthetic_city",
]
