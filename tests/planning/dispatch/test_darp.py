"""Cordeau-format reading, the independent checker, eight-step scheduling and the DARP solver."""

from __future__ import annotations

import random

import pytest

from sharingcity.planning.dispatch import (
    InstanceFormatError,
    check_darp_solution,
    eight_step_schedule,
    parse_cordeau,
    read_cordeau,
    route_cost,
    schedule_exists,
    solve_darp,
)
from sharingcity.planning.dispatch.errors import DispatchError

# A tiny instance: 2 vehicles, 3 requests; request 3 has a tight drop-off window.
TINY = """2 3 200 3 30
0 0 0 0 0 0 200
1 1 0 1 1 0 1440
2 0 2 1 1 0 1440
3 -2 0 1 2 0 1440
4 3 0 1 -1 0 1440
5 0 4 1 -1 0 1440
6 -4 0 1 -2 20 35
7 0 0 0 0 0 200
"""


def tiny():
    return parse_cordeau(TINY, name="tiny")


def test_reads_header_and_nodes(shared_data):
    inst = read_cordeau(shared_data("darp") / "a2-16.txt")
    assert (inst.n_vehicles, inst.n_requests, inst.capacity) == (2, 16, 3)
    assert inst.max_route_duration == 480 and inst.max_ride_time == 30
    assert inst.n_nodes == 34 and inst.end_depot == 33
    assert inst.load[1] == 1 and inst.load[17] == -1
    assert inst.travel[0][0] == 0.0


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", None, "empty"),
        ("2 3 200 3\n", 1, "5 fields"),
        ("2 x 200 3 30\n", 1, "not a number"),
        ("2 1.5 200 3 30\n", 1, "not an integer"),
        ("0 3 200 3 30\n", 1, "must be positive"),
        ("2 3 -1 3 30\n", 1, "must be positive"),
        ("2 3 200 3 nan\n", 1, "not finite"),
        (TINY.replace("2 0 2 1 1 0 1440\n", ""), 8, "expected 8 node lines"),
        (TINY + "8 0 0 0 0 0 1\n", 10, "extra line"),
        (TINY.replace("2 0 2 1 1 0 1440", "2 0 2 1 1 0"), 4, "7 fields"),
        (TINY.replace("2 0 2 1 1 0 1440", "9 0 2 1 1 0 1440"), 4, "out of order"),
        (TINY.replace("2 0 2 1 1 0 1440", "2 0 2 -1 1 0 1440"), 4, "negative service"),
        (TINY.replace("6 -4 0 1 -2 20 35", "6 -4 0 1 -2 40 35"), 8, "ends before it starts"),
        (TINY.replace("5 0 4 1 -1 0 1440", "5 0 4 1 -2 0 1440"), 7, "expected -1"),
        (TINY.replace("3 -2 0 1 2 0 1440", "3 -2 0 1 4 0 1440"), 5, "expected 1..Q=3"),
        (TINY.replace("0 0 0 0 0 0 200", "0 0 0 0 1 0 200"), 2, "depot node 0"),
        (TINY.replace("1 1 0 1 1 0 1440", "1 1 0 1 1 0 1e999"), 3, "not finite"),
    ],
)
def test_bad_files_name_the_line(text, line, fragment):
    with pytest.raises(InstanceFormatError) as info:
        parse_cordeau(text, source="bad.txt")
    assert info.value.line == line
    assert fragment in str(info.value)
    assert str(info.value).startswith("bad.txt")


def test_unreadable_files(tmp_path):
    with pytest.raises(InstanceFormatError, match="cannot read"):
        read_cordeau(tmp_path / "missing.txt")
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InstanceFormatError, match="not a text file"):
        read_cordeau(binary)
    assert issubclass(InstanceFormatError, ValueError)


def test_checker_accepts_a_hand_solution_and_names_each_violation():
    inst = tiny()
    routes = [[1, 4, 3, 6], [2, 5]]
    assert check_darp_solution(inst, routes) == []
    # Every kind of violation is reported.
    assert any("not served" in p for p in check_darp_solution(inst, [[1, 4], [2, 5]]))
    assert check_darp_solution(inst, [[1, 4], [2, 5]], allow_unserved=True) == []
    assert any("twice" in p for p in check_darp_solution(inst, [[1, 4, 3, 6], [2, 5, 1]]))
    assert any("before its pickup" in p for p in check_darp_solution(inst, [[4, 1, 3, 6], [2, 5]]))
    assert any("not both" in p for p in check_darp_solution(inst, [[1, 4, 3], [2, 5]]))
    assert any("pickup on route" in p for p in check_darp_solution(inst, [[1, 3, 6], [2, 5, 4]]))
    assert any("above capacity" in p for p in check_darp_solution(inst, [[2, 1, 3, 4, 6, 5], []]))
    assert any("not a pickup" in p for p in check_darp_solution(inst, [[1, 4, 3, 6, 9], [2, 5]]))
    assert any("routes for" in p for p in check_darp_solution(inst, [[1, 4], [2, 5], [3, 6]]))
    # A schedule that breaks windows, travel, ride time and duration.
    bad_times = [[0, 1, 2, 3, 300, 301], [0, 10, 11, 12]]
    problems = check_darp_solution(inst, [[1, 4, 3, 6], [2, 5]], bad_times)
    assert any("outside" in p for p in problems)
    assert any("before arrival" in p for p in problems)
    assert any("rides" in p for p in problems)
    assert any("duration" in p for p in problems)


def test_exact_schedule_test_sees_ride_limits():
    inst = parse_cordeau(TINY.replace("2 3 200 3 30", "2 3 200 3 5"), name="short-rides")
    # Riding 1 -> 3 -> 6 -> 4 takes request 1 far past a 5-minute ride limit.
    assert not schedule_exists(inst, [1, 3, 6, 4])
    assert schedule_exists(inst, [1, 4])


def test_eight_step_schedules_pass_the_independent_check():
    inst = tiny()
    rng = random.Random(7)
    accepted = 0
    for _ in range(300):
        reqs = rng.sample(range(1, 4), rng.randint(1, 3))
        seq: list[int] = []
        for i in reqs:
            p = rng.randint(0, len(seq))
            seq.insert(p, i)
            seq.insert(rng.randint(p + 1, len(seq)), 3 + i)
        times = eight_step_schedule(
            [0, *seq, 7],
            inst.travel,
            inst.service,
            inst.early,
            inst.late,
            3,
            inst.max_ride_time,
            inst.max_route_duration,
        )
        load = [sum(inst.load[v] for v in seq[: k + 1]) for k in range(len(seq))]
        if max(load) > inst.capacity:
            continue  # capacity is the solver's screen, not the scheduler's
        if times is not None:
            accepted += 1
            assert check_darp_solution(inst, [seq], [times], allow_unserved=True) == []
    assert accepted > 10


def test_tiny_instance_is_solved_to_its_optimum():
    inst = tiny()
    sol = solve_darp(inst, time_limit=5, seed=0, max_iterations=300)
    assert sol.complete
    assert check_darp_solution(inst, sol.routes, sol.times) == []
    # Optimum by enumeration over the few feasible route pairs is below the hand solution.
    assert sol.cost <= route_cost(inst, [[1, 4, 3, 6], [2, 5]]) + 1e-9
    assert sol.cost == pytest.approx(route_cost(inst, sol.routes))


@pytest.mark.parametrize("name", ["a2-16", "b2-16", "a3-18", "b3-30"])
def test_solutions_pass_the_independent_check(shared_data, name):
    inst = read_cordeau(shared_data("darp") / f"{name}.txt")
    sol = solve_darp(inst, time_limit=2.0, seed=3)
    assert sol.complete, f"{name}: unserved {sol.unserved}"
    assert check_darp_solution(inst, sol.routes, sol.times) == []
    assert check_darp_solution(inst, sol.routes) == []
    assert sol.cost == pytest.approx(route_cost(inst, sol.routes), abs=1e-6)


def test_a2_16_reaches_the_proven_optimum(shared_data):
    inst = read_cordeau(shared_data("darp") / "a2-16.txt")
    sol = solve_darp(inst, time_limit=15.0, seed=1)
    assert check_darp_solution(inst, sol.routes, sol.times) == []
    assert sol.cost == pytest.approx(294.25, abs=0.01 * 294.25)  # within 1% of the proven 294.2480


def test_same_seed_same_solution(shared_data):
    inst = read_cordeau(shared_data("darp") / "b2-16.txt")
    a = solve_darp(inst, time_limit=60, seed=5, max_iterations=150)
    b = solve_darp(inst, time_limit=60, seed=5, max_iterations=150)
    assert a.routes == b.routes and a.cost == b.cost


def test_bad_solver_arguments():
    with pytest.raises(DispatchError, match="time_limit"):
        solve_darp(tiny(), time_limit=0)
    with pytest.raises(DispatchError, match="max_iterations"):
        solve_darp(tiny(), max_iterations=-1)
