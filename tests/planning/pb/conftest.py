"""Fixtures for the participatory-budgeting tests: the shared Pabulib files and a session cache
of oracle (pabutools) outcomes, so each slow reference computation runs once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from sharingcity.planning import pb

# The shared files (see ../shared/data/pabulib/README.md).
FILES = (
    "Poland_Warszawa_2017_Plac_Wojska_Polskiego",
    "Netherlands_Assen_2024",
    "Switzerland_Zurich_D10",
    "Switzerland_Zurich_S5",
    "Switzerland_Zurich_S5R",
    "Canada_Stanford_Dataset_PB_Dieppe_2018_vote_approvals",
    "France_Toulouse_2019",
    "Poland_Swiecie_2023",
    "Poland_Warszawa_2019_Ursynow",
    "Hungary_Budapest_2024",
)


@pytest.fixture(scope="session")
def pabulib_dir(shared_data) -> Path:
    return shared_data("pabulib")


@pytest.fixture(scope="session")
def elections(pabulib_dir):
    """Our reading of every shared file, parsed once per session."""
    cache: dict[str, pb.Election] = {}

    def get(name: str) -> pb.Election:
        if name not in cache:
            cache[name] = pb.load_election(pabulib_dir / f"{name}.pb")
        return cache[name]

    return get


@pytest.fixture(scope="session")
def oracle(pabulib_dir):
    """pabutools' outcome for (file, rule, utility), computed once per session."""
    from . import _oracle

    loaded: dict[str, tuple] = {}
    results: dict[tuple[str, str, str, int], frozenset[str]] = {}

    def get(name: str, rule: str, utility: str, increment: int = 1) -> frozenset[str]:
        key = (name, rule, utility, increment)
        if key not in results:
            if name not in loaded:
                loaded[name] = _oracle.load(pabulib_dir / f"{name}.pb")
            instance, profile = loaded[name]
            results[key] = _oracle.outcome(rule, instance, profile, utility, increment)
        return results[key]

    return get
