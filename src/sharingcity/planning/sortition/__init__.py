"""Stratified random selection of citizens' panels (sortition), as functions over plain data.

Typical use (a bureau admin's panel call, or the command line ``python -m sharingcity.planning.sortition``)::

    quotas = read_quotas_csv("quotas.csv")
    pool = read_pool_csv("volunteers.csv", quotas, household_columns=["address"])
    problem = PanelProblem(pool, quotas, 250, one_per_household=True)
    lottery = find_leximin(problem)          # publish lottery.to_dict() and lottery.digest
    draw = draw_panel(lottery, "Lotto 6/45 draw 1150: 3 11 19 27 38 42")
    report = audit_draw(lottery, draw)       # publish report.to_dict()
    again = draw_replacements(problem, panel=draw.panel, declined=["r17"], seed="...")

``find_leximin`` and ``find_maximin`` use only open-source solvers (HiGHS through ``highspy``);
``draw_legacy`` is the older greedy quota-filling draw, kept for comparison. Impossible quotas raise
``InfeasibleQuotasError`` whose report names the conflicting quotas and the smallest relaxation.
"""

from .audit import (
    AuditReport,
    QuotaCheck,
    ReplacementDraw,
    audit_draw,
    draw_replacements,
    replacement_problem,
)
from .errors import InfeasibleQuotasError, SortitionError, SortitionInputError
from .feasibility import InfeasibilityReport, QuotaBound, QuotaChange, explain_infeasibility
from .io import read_pool_csv, read_quotas_csv
from .legacy import draw_legacy, estimate_legacy_probabilities
from .leximin import SelectionStats, find_leximin, find_maximin
from .lottery import (
    DRAW_VERSION,
    TOTAL_TICKETS,
    PanelDraw,
    PanelLottery,
    commit_seed,
    draw_panel,
    verify_draw,
)
from .model import PanelProblem, Quota, Volunteer, VolunteerGroups, group_volunteers

__all__ = [
    "DRAW_VERSION",
    "TOTAL_TICKETS",
    "AuditReport",
    "InfeasibilityReport",
    "InfeasibleQuotasError",
    "PanelDraw",
    "PanelLottery",
    "PanelProblem",
    "Quota",
    "QuotaBound",
    "QuotaChange",
    "QuotaCheck",
    "ReplacementDraw",
    "SelectionStats",
    "SortitionError",
    "SortitionInputError",
    "Volunteer",
    "VolunteerGroups",
    "audit_draw",
    "commit_seed",
    "draw_legacy",
    "draw_panel",
    "draw_replacements",
    "estimate_legacy_probabilities",
    "explain_infeasibility",
    "find_leximin",
    "find_maximin",
    "group_volunteers",
    "read_pool_csv",
    "read_quotas_csv",
    "replacement_problem",
    "verify_draw",
]
