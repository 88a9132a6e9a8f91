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


def test_the_one_unstorable_key_is_the_one_whose_mix_marks_an_empty_slot():
    key = _kernels.KEY_OF_EMPTY
    assert int(key) % 2**64 * int(_kernels._GOLDEN) % 2**64 == int(_kernels.EMPTY)
    assert not _kernels.storable(np.array([1, key, 3]))
    assert _kernels.storable(np.array([-1, 0, 2**63 - 1]))


def test_a_filed_record_keeps_its_subscriber_and_code():
    """partition packs (mix, code) in one word; settle unpacks the same mix and code."""
    keys = np.array([5, -1, 2**62 + 7], dtype=np.int64)
    table = _kernels.build_table(keys, np.zeros(3, dtype=np.int64), 4, 4)
    radix = 3
    buckets = np.zeros((1 << radix, 4), dtype=np.uint64)
    fill = np.zeros(1 << radix, dtype=np.int64)
    status = np.zeros(7, dtype=np.int64)
    micros = np.array([3_600_000_000, 0, 7_200_000_000], dtype=np.int64)  # 01:00, 00:00, 02:00
    taken = _kernels.partition(
        keys, np.zeros(3, dtype=np.int64), micros, np.zeros(0, dtype=np.int8), 0, 5 * 3600, 0,
        table, 4, np.zeros(1, dtype=np.int64), 0, 1, 5, radix, buckets, fill, status,
    )  # fmt: skip
    assert taken == 3
    trips = np.zeros(5, dtype=np.int64)
    _kernels.settle(buckets, fill, radix, table, 4, 4, 1, 5, trips, status)
    assert list(trips) == [1, 1, 1, 0, 0] and status[0] == 3
    assert not fill.any()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.integers(-(2**63), 2**63 - 1),  # any time DuckDB can hold, and beyond
            st.integers(-(10**13), 10**13),  # around 1970, both sides
        ),
        min_size=1,
        max_size=50,
    )
)
def test_the_hour_of_any_time_is_pythons(micros):
    """The first pass's unsigned shortcut and its fallback give Python's hour of day."""
    n = len(micros)
    micros = np.array(micros, dtype=np.int64)
    radix = 5  # 24 hour codes and the two problem codes
    buckets = np.zeros((1 << radix, n), dtype=np.uint64)
    fill = np.zeros(1 << radix, dtype=np.int64)
    keys = np.arange(n, dtype=np.int64)
    table = _kernels.build_table(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 4, 2)
    status = np.zeros(7, dtype=np.int64)
    taken = _kernels.partition(
        keys, np.zeros(n, dtype=np.int64), micros, np.zeros(0, dtype=np.int8), 0, 0, 0,
        table, 4, np.zeros(1, dtype=np.int64), 0, 1, 24, radix, buckets, fill, status,
    )  # fmt: skip
    assert taken == n
    got = sorted(
        int(buckets[b, j] & np.uint64(31)) for b in range(1 << radix) for j in range(fill[b])
    )
    assert got == sorted(int(us) // 3_600_000_000 % 24 for us in micros)
