"""Participatory budgeting: the Pabulib file format, the election as plain data, and vote rules.

Django-free: functions over plain data, so the budgeting app, the command line
(``python -m sharingcity.planning.pb FILE.pb --rule mes --completion add1``) and the tests share
one implementation.

Typical use::

    from sharingcity.planning import pb

    election = pb.load_election("Poland_Warszawa_2019_Ursynow.pb")
    outcome = pb.method_of_equal_shares(election, completion="add1")
    outcome.selected            # funded project ids, in funding order
    outcome.projects["659"]     # why project 659 was (not) funded, as data
    outcome.payments["659"]     # who paid how much, per ballot group

Rules match pabutools' semantics (see :mod:`sharingcity.planning.pb.rules`); pabutools itself is
GPL-3.0 and only used by the tests and benchmarks as an oracle.
"""

from __future__ import annotations

import os

from .election import (
    Election,
    Project,
    election_from_ballots,
    election_from_pabulib,
    election_to_pabulib,
)
from .errors import PabulibFormatError, PBError
from .pabulib import (
    VOTE_TYPES,
    PabulibFile,
    format_pabulib,
    parse_pabulib,
    read_pabulib,
    write_pabulib,
)
from .rules import (
    COMPLETIONS,
    REASONS,
    TIE_BREAKS,
    UTILITIES,
    MESCompletion,
    MESPayment,
    Outcome,
    ProjectResult,
    greedy_utilitarian,
    greedy_votes_per_cost,
    method_of_equal_shares,
    sequential_phragmen,
    tie_break_order,
    utility_values,
)

__all__ = [
    "COMPLETIONS",
    "REASONS",
    "TIE_BREAKS",
    "UTILITIES",
    "VOTE_TYPES",
    "Election",
    "MESCompletion",
    "MESPayment",
    "Outcome",
    "PBError",
    "PabulibFile",
    "PabulibFormatError",
    "Project",
    "ProjectResult",
    "election_from_ballots",
    "election_from_pabulib",
    "election_to_pabulib",
    "format_pabulib",
    "greedy_utilitarian",
    "greedy_votes_per_cost",
    "load_election",
    "method_of_equal_shares",
    "parse_pabulib",
    "read_pabulib",
    "sequential_phragmen",
    "tie_break_order",
    "utility_values",
    "write_pabulib",
]


def load_election(path: str | os.PathLike[str]) -> Election:
    """Read a ``.pb`` file and return its :class:`Election` (raises :class:`PabulibFormatError`)."""
    return election_from_pabulib(read_pabulib(path))
