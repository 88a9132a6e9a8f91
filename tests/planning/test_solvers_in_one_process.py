"""The planning areas share one process in the platform's worker: their solvers must too."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import numpy as np
from sharingcity.planning.siting import p_median
from sharingcity.planning.sortition import PanelProblem, Quota, Volunteer, find_maximin

sites = p_median(
    np.array([2.0, 2.0, 1.0]), np.array([[1.0, 5.0], [1.0, 5.0], [5.0, 1.0]]), 2,
    capacities=[2.0, 3.0],
)
assert sites.status == "optimal", sites.status
people = [Volunteer(f"v{i}", {"gender": "f" if i < 10 else "m"}) for i in range(20)]
quotas = [Quota("gender", "f", 5, 5), Quota("gender", "m", 5, 5)]
find_maximin(PanelProblem(people, quotas, 10))
print("both solved")
"""


def test_a_siting_model_then_a_panel_in_one_process():
    # a fresh interpreter: HiGHS's thread scheduler is set up once per process, by the first
    # model solved (here a siting one, with HiGHS's default threads)
    done = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "both solved" in done.stdout
