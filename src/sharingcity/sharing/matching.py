"""Home-share compatibility and matching over plain data (no Django).

The score is a weighted sum of agreements, every term explained; hard incompatibilities
(rent over budget, a district the student would not live in, smoking with a non-smoker, pets
with someone who cannot live with them) exclude the pair. The shortlist is a maximum-weight
bipartite matching (``scipy.optimize.linear_sum_assignment``) followed by each side's next best
feasible partners, because coordinators want options, not a verdict (HomeShare Online shows a
spectrum of matches; UK homeshare schemes decide after interviews and home visits)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
from scipy.optimize import linear_sum_assignment

WEIGHTS = {"district": 30.0, "rent": 25.0, "habits": 20.0, "help": 15.0, "dates": 10.0}


@dataclass(frozen=True)
class Host:
    id: int
    district: str
    rent: int
    smoker: bool
    pets: bool
    early_riser: bool
    help_wanted: tuple[str, ...]
    available_from: date


@dataclass(frozen=True)
class Student:
    id: int
    districts: tuple[str, ...]  # in order of preference
    max_rent: int
    smoker: bool
    ok_with_pets: bool
    early_riser: bool
    help_offered: tuple[str, ...]
    move_in: date


@dataclass
class Compatibility:
    score: float  # 0..100; 0 with ``excluded`` when a hard rule fails
    reasons: list[str] = field(default_factory=list)
    excluded: str = ""


def compatibility(host: Host, student: Student) -> Compatibility:
    """Score one pair and say why, in plain sentences a coordinator can check."""
    if host.district not in student.districts:
        return Compatibility(0.0, [], f"district {host.district} is not among the student's")
    if host.rent > student.max_rent:
        return Compatibility(0.0, [], f"rent {host.rent} is over the budget {student.max_rent}")
    if host.smoker != student.smoker:
        return Compatibility(0.0, [], "one smokes and the other does not")
    if host.pets and not student.ok_with_pets:
        return Compatibility(0.0, [], "the host has pets the student cannot live with")
    reasons: list[str] = []
    rank = student.districts.index(host.district)
    district = WEIGHTS["district"] * (1.0 if rank == 0 else 0.7 if rank == 1 else 0.4)
    reasons.append(f"district is the student's choice no. {rank + 1} (+{district:.0f})")
    slack = (student.max_rent - host.rent) / max(student.max_rent, 1)
    rent = WEIGHTS["rent"] * min(1.0, 0.5 + slack)
    reasons.append(f"rent {host.rent} within budget {student.max_rent} (+{rent:.0f})")
    habits = WEIGHTS["habits"] if host.early_riser == student.early_riser else 0.0
    reasons.append(
        f"same daily rhythm (+{habits:.0f})" if habits else "different daily rhythms (+0)"
    )
    wanted = set(host.help_wanted)
    shared = sorted(wanted & set(student.help_offered))
    help_score = WEIGHTS["help"] * (len(shared) / len(wanted) if wanted else 1.0)
    reasons.append(
        f"help offered that is wanted: {', '.join(shared) or 'none'} (+{help_score:.0f})"
    )
    gap = (student.move_in - host.available_from).days
    dates = WEIGHTS["dates"] * (1.0 if 0 <= gap <= 30 else 0.5 if gap > 30 else 0.0)
    reasons.append(
        f"room free {host.available_from.isoformat()}, move-in {student.move_in.isoformat()}"
        f" (+{dates:.0f})"
    )
    return Compatibility(round(district + rent + habits + help_score + dates, 1), reasons)


def shortlist(
    hosts: list[Host], students: list[Student], *, per_person: int = 3
) -> list[tuple[int, int, Compatibility, bool]]:
    """Propose pairs: ``(host_id, student_id, compatibility, in_best_assignment)``.

    The maximum-weight assignment over feasible pairs comes first (each host and student at
    most once), then for every host the next-best feasible students up to ``per_person``.
    Complexity: O(n^3) for the assignment on an n x m score matrix."""
    if not hosts or not students:
        return []
    scores = np.zeros((len(hosts), len(students)))
    comp: dict[tuple[int, int], Compatibility] = {}
    for i, h in enumerate(hosts):
        for j, s in enumerate(students):
            c = compatibility(h, s)
            comp[i, j] = c
            scores[i, j] = 0.0 if c.excluded else c.score
    rows, cols = linear_sum_assignment(scores, maximize=True)
    best = {(i, j) for i, j in zip(rows, cols, strict=True) if scores[i, j] > 0}
    out = [(hosts[i].id, students[j].id, comp[i, j], True) for i, j in sorted(best)]
    for i in range(len(hosts)):
        order = [j for j in np.argsort(-scores[i], kind="stable") if scores[i, j] > 0]
        extra = [j for j in order if (i, j) not in best][: max(per_person - 1, 0)]
        out += [(hosts[i].id, students[j].id, comp[i, j], False) for j in extra]
    return out
