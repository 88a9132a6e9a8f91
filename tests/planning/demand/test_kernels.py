"""The compiled loops' small parts, against plain Python."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sharingcity.planning.demand import _kernels


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=20))
def test_lowest_bit_of_any_word(words):
    for word in words:
        if word:
            expected = (word & -word).bit_length() - 1
            assert _kernels._lowest_bit(np.uint64(word)) == expected


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_callers_per_cell_counts_each_seen_bit_once_at_the_callers_zone(data):
    nz, nh = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 24))
    width = 2 + (nz * nh + 63) // 64
    n = data.draw(st.integers(1, 30))
    keys = np.arange(1, n + 1, dtype=np.int64)
    zones = np.array(data.draw(st.lists(st.integers(-1, nz), min_size=n, max_size=n)))
    table = _kernels.build_table(keys, zones, 7, width)
    expected = np.zeros(nz * nz * nh, dtype=np.int64)
    entries = [s for s in range(0, len(table), width) if table[s] != _kernels.EMPTY]
    for start in entries:
        seen = data.draw(st.sets(st.integers(0, nz * nh - 1), max_size=8))
        for col in seen:
            table[start + 2 + col // 64] |= np.uint64(1) << np.uint64(col % 64)
        d = int(np.int64(table[start + 1]))
        if 0 <= d < nz:  # -1 (no zone) and nz (outside the given zones) count nowhere
            for col in seen:
                expected[d * nz * nh + col] += 1
    got = _kernels.callers_per_cell(table, width, nz, nh)
    assert np.array_equal(got, expected)
