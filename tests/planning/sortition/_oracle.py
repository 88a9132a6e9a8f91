"""sortition-algorithms (GPL-3.0) as a test-only oracle: its maximin with HiGHS on CSV files."""

from __future__ import annotations

import csv
from pathlib import Path


def oracle_maximin_allocation(
    features: Path, people: Path, size: int, id_column: str
) -> dict[str, float]:
    """Selection probability of every volunteer under sortition-algorithms' maximin distribution."""
    from sortition_algorithms.committee_generation import find_distribution_maximin
    from sortition_algorithms.features import read_in_features
    from sortition_algorithms.people import read_in_people
    from sortition_algorithms.settings import Settings

    with features.open(newline="") as handle:
        reader = csv.DictReader(handle)
        collection, _, _ = read_in_features(list(reader.fieldnames or []), list(reader), size)
    with people.open(newline="") as handle:
        reader = csv.DictReader(handle)
        body = list(reader)
    settings = Settings(id_column=id_column, columns_to_keep=[])
    pool, _ = read_in_people(list(reader.fieldnames or []), body, collection, settings)
    panels, probabilities, _ = find_distribution_maximin(collection, pool, size, [], "highspy")
    allocation = dict.fromkeys(pool, 0.0)
    for panel, probability in zip(panels, probabilities, strict=True):
        for member in panel:
            allocation[member] += probability
    return allocation
