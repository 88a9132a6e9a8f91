"""Fixtures for the network-design tests: the shared UTRP instances and small hand-made ones."""

from __future__ import annotations

import numpy as np
import pytest

from sharingcity.planning.network import TransitNetwork, read_mumford_instance


@pytest.fixture(scope="session")
def tndp(shared_data):
    return shared_data("tndp")


@pytest.fixture(scope="session")
def mandl(tndp):
    return read_mumford_instance(tndp, "Mandl")


@pytest.fixture()
def grid():
    """A 3x3 grid of stops, 2 minutes per link, unit demand between all pairs.

    0-1-2
    | | |
    3-4-5
    | | |
    6-7-8
    """
    n = 9
    t = np.full((n, n), np.inf)
    np.fill_diagonal(t, 0)
    for a in range(n):
        r, c = divmod(a, 3)
        if c < 2:
            t[a, a + 1] = t[a + 1, a] = 2
        if r < 2:
            t[a, a + 3] = t[a + 3, a] = 2
    d = np.ones((n, n)) - np.eye(n)
    coords = np.array([[a % 3, 2 - a // 3] for a in range(n)], dtype=float)
    return TransitNetwork(t, d, coords, name="grid")
