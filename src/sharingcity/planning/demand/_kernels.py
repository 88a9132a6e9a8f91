"""Compiled inner loops of the DuckDB engine (Numba): keyed pseudonyms and the tally.

Why compiled: the exact job needs, per call record, the caller's billing zone (a lookup among
millions of subscribers) and a "this caller was seen at (origin, hour)" mark. As SQL that is a
hash join and a distinct count, about 7 % of a bare GROUP BY's rate at 1e8 rows; as loops over
DuckDB's Arrow batches it is one probe of an open-addressing table whose entries carry the
caller's zone and seen-bits. ``numba`` is BSD-2-Clause.

The table: ``table[slot] = [key, destination zone, seen bits ...]`` (uint64 words), linear
probing, multiplicative hashing, at most half full. With millions of subscribers it is far
larger than the caches, and records come in time order, so probing it record by record waits
on memory (about 50 ns a record here). The tally therefore works in two passes, as a
radix-partitioned hash join does: :func:`partition` files the records by the top bits of
their home slot, then :func:`settle` works through one bucket at a time, whose stretch of the
table stays in cache (about 2x less time per record). Both run without the GIL, on halves of
a batch and on halves of the buckets, while DuckDB reads the next batch on its own threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit

EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)

# ----------------------------------------------------------------------------- SipHash-2-4


@njit(cache=True, inline="always")
def _rotl(x, b):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    return (x << np.uint64(b)) | (x >> np.uint64(64 - b))


@njit(cache=True, inline="always")
def _sipround(v0, v1, v2, v3):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    v0 += v1
    v1 = _rotl(v1, 13) ^ v0
    v0 = _rotl(v0, 32)
    v2 += v3
    v3 = _rotl(v3, 16) ^ v2
    v0 += v3
    v3 = _rotl(v3, 21) ^ v0
    v2 += v1
    v1 = _rotl(v1, 17) ^ v2
    v2 = _rotl(v2, 32)
    return v0, v1, v2, v3


@njit(cache=True)
def _siphash(buf, length, k0, k1):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    v0 = k0 ^ np.uint64(0x736F6D6570736575)
    v1 = k1 ^ np.uint64(0x646F72616E646F6D)
    v2 = k0 ^ np.uint64(0x6C7967656E657261)
    v3 = k1 ^ np.uint64(0x7465646279746573)
    blocks = length // 8 + 1
    for b in range(blocks):
        m = np.uint64(0)
        for j in range(8):
            pos = b * 8 + j
            if pos < length:
                byte = np.uint64(buf[pos])
            elif j == 7:
                byte = np.uint64(length & 0xFF)
            else:
                byte = np.uint64(0)
            m |= byte << np.uint64(8 * j)
        v3 ^= m
        for _ in range(2):
            v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
        v0 ^= m
    v2 ^= np.uint64(0xFF)
    for _ in range(4):
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


@njit(cache=True)
def siphash_rows(matrix, lengths, k0, k1):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    """SipHash-2-4 of each row's first ``lengths[i]`` bytes (``lengths[i] < 0``: no value)."""
    out = np.zeros(matrix.shape[0], dtype=np.uint64)
    for i in range(matrix.shape[0]):
        if lengths[i] >= 0:
            out[i] = _siphash(matrix[i], lengths[i], k0, k1)
    return out


@njit(cache=True)
def siphash_integers(values, k0, k1):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    """SipHash-2-4 of each integer's decimal text (so 17 and "17" hash alike)."""
    out = np.zeros(values.shape[0], dtype=np.uint64)
    buf = np.zeros(24, dtype=np.uint8)
    digits = np.zeros(24, dtype=np.uint8)
    for i in range(values.shape[0]):
        v = values[i]
        # the magnitude as uint64, so that the smallest int64 has one too
        mag = np.uint64(-(v + 1)) + np.uint64(1) if v < 0 else np.uint64(v)
        n = 0
        while True:
            digits[n] = 48 + mag % np.uint64(10)
            n += 1
            mag //= np.uint64(10)
            if mag == 0:
                break
        length = 0
        if v < 0:
            buf[0] = 45  # "-"
            length = 1
        for j in range(n):
            buf[length + j] = digits[n - 1 - j]
        out[i] = _siphash(buf, length + n, k0, k1)
    return out


# ----------------------------------------------------------------------------- the tally


@njit(cache=True, inline="always")
def _slot(key, shift):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    return (key * _GOLDEN) >> shift


@njit(cache=True)
def build_table(keys, values, bits, width):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    """An open-addressing table of ``2**bits`` entries ``[key, value, 0 ...]`` of ``width``
    words, flat (entry ``h`` starts at ``h * width``).

    ``keys`` (int64, stored as their uint64 bits) must be distinct and none may be -1, whose bits
    are ``EMPTY`` (the caller checks). Values are stored as uint64 bits too (-1: huge)."""
    size = np.uint64(1) << np.uint64(bits)
    mask = size - np.uint64(1)
    shift = np.uint64(64 - bits)
    w = np.uint64(width)
    table = np.zeros(size * w, dtype=np.uint64)
    table[::width] = EMPTY
    for i in range(keys.shape[0]):
        k = np.uint64(keys[i])
        h = _slot(k, shift)
        while table[h * w] != EMPTY:
            h = (h + np.uint64(1)) & mask
        table[h * w] = k
        table[h * w + np.uint64(1)] = np.uint64(values[i])
    return table


@njit(cache=True, inline="always")
def _probe(table, w, key, h, mask):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    """The entry holding ``key``, searching from slot ``h``; ``EMPTY`` when it is absent."""
    while True:
        k = table[h * w]
        if k == EMPTY:  # first: no stored key equals EMPTY, a looked-up key may
            return EMPTY
        if k == key:
            return h
        h = (h + np.uint64(1)) & mask


# record codes between the two passes (a bit position otherwise)
_ZONE_OUTSIDE = -1  # the call's cell lies outside the given zones
_OUT_OF_WINDOW = -2  # the call falls outside the time window


@njit(cache=True, nogil=True)
def partition(  # type: ignore[no-untyped-def]  # noqa: ANN201
    subscribers,  # noqa: ANN001
    cells,  # noqa: ANN001
    micros,  # noqa: ANN001
    flags,  # noqa: ANN001
    window_start,  # noqa: ANN001
    window_end,  # noqa: ANN001
    first_hour,  # noqa: ANN001
    cell_table,  # noqa: ANN001
    cell_bits,  # noqa: ANN001
    cell_zones,  # noqa: ANN001
    cell_low,  # noqa: ANN001
    nz,  # noqa: ANN001
    nh,  # noqa: ANN001
    sub_bits,  # noqa: ANN001
    radix,  # noqa: ANN001
    keys,  # noqa: ANN001
    cols,  # noqa: ANN001
    fill,  # noqa: ANN001
    status,  # noqa: ANN001
):
    """First pass of the tally: check each record that needs no subscriber lookup and file it
    by the top ``radix`` bits of its subscriber's home slot, into ``keys[b, fill[b]]`` (the
    subscriber) and ``cols[b, fill[b]]`` (its seen-bit, origin x hours + hour position, or a
    negative code). Returns the number of records taken: fewer than all when a bucket filled
    (the caller runs :func:`settle` and calls again with the rest).

    ``micros[i]``: the call's local wall-clock time in microseconds since 1970-01-01 (its hour
    position counts from ``first_hour``); the window is [``window_start``, ``window_end``)
    seconds after midnight, across midnight when the end is not after the start. ``flags[i]``:
    1 missing value, 2 bad timestamp, else 0; an empty ``flags`` means no record has either.
    Where the cell ids are compact, ``cell_zones[cell - cell_low]`` gives a cell's zone
    directly (-1 outside the given zones, -2 no such cell); an empty ``cell_zones`` means
    "probe ``cell_table``". Status counts: 1 missing, 2 bad timestamp, 3 unknown cell (the
    others are known only in the second pass)."""
    bshift = np.uint64(64 - radix)
    cap = keys.shape[1]
    n_dense = cell_zones.shape[0]
    dense = n_dense > 0
    flagged = flags.shape[0] > 0
    cshift = np.uint64(64 - cell_bits)
    cmask = (np.uint64(1) << np.uint64(cell_bits)) - np.uint64(1)
    crosses = window_end <= window_start
    day = np.int64(86_400_000_000)
    start_us = np.int64(window_start) * 1_000_000
    end_us = np.int64(window_end) * 1_000_000
    missing = bad_time = no_cell = 0
    n = subscribers.shape[0]
    i = 0
    while i < n:
        if flagged and flags[i] != 0:
            if flags[i] == 1:
                missing += 1
            else:
                bad_time += 1
            i += 1
            continue
        if dense:
            offset = np.int64(cells[i]) - cell_low
            z = cell_zones[offset] if 0 <= offset < n_dense else -2
        else:
            ckey = np.uint64(cells[i])
            c = _probe(cell_table, np.uint64(2), ckey, _slot(ckey, cshift), cmask)
            z = -2 if c == EMPTY else np.int64(cell_table[c * np.uint64(2) + np.uint64(1)])
        if z == -2:
            no_cell += 1
            i += 1
            continue
        key = np.uint64(subscribers[i])
        b = (key * _GOLDEN) >> bshift
        f = fill[b]
        if f == cap:
            break
        if z < 0 or z >= nz:
            col = _ZONE_OUTSIDE
        else:
            t = micros[i] % day  # Python's modulo: right before 1970 too
            inside = (t >= start_us or t < end_us) if crosses else (start_us <= t < end_us)
            hour = (t // 3_600_000_000 - first_hour + 24) % 24
            col = z * nh + hour if inside else _OUT_OF_WINDOW
        keys[b, f] = key
        cols[b, f] = col
        fill[b] = f + 1
        i += 1
    status[1] += missing
    status[2] += bad_time
    status[3] += no_cell
    return i


@njit(cache=True, nogil=True)
def settle(  # type: ignore[no-untyped-def]  # noqa: ANN201
    keys,  # noqa: ANN001
    cols,  # noqa: ANN001
    fill,  # noqa: ANN001
    first,  # noqa: ANN001
    last,  # noqa: ANN001
    subs,  # noqa: ANN001
    sub_bits,  # noqa: ANN001
    width,  # noqa: ANN001
    nz,  # noqa: ANN001
    nh,  # noqa: ANN001
    trips,  # noqa: ANN001
    status,  # noqa: ANN001
):
    """Second pass: for buckets ``first`` to ``last - 1`` of every filer (``keys[t]``,
    ``cols[t]``, ``fill[t]`` from :func:`partition`), find each subscriber, mark its seen-bit
    and count the trip into ``trips`` laid out (destination, origin, hour position); empty
    the buckets. A bucket's subscribers live in one stretch of the table, small enough to
    stay in cache while the bucket is worked through; two threads given disjoint bucket
    ranges never write the same entry (a subscriber's entry is found from its home slot,
    which fixes its bucket). Status counts: 0 used, 4 unknown subscriber, 5 zone outside the
    given ones, 6 outside the window (the first that applies)."""
    sshift = np.uint64(64 - sub_bits)
    smask = (np.uint64(1) << np.uint64(sub_bits)) - np.uint64(1)
    w = np.uint64(width)
    nznh = nz * nh
    used = no_caller = no_zone = outside = 0
    for t in range(keys.shape[0]):
        for b in range(first, last):
            for j in range(fill[t, b]):
                key = keys[t, b, j]
                h = _probe(subs, w, key, _slot(key, sshift), smask)
                if h == EMPTY:
                    no_caller += 1
                    continue
                d = np.int64(subs[h * w + np.uint64(1)])
                col = np.int64(cols[t, b, j])
                if col == _ZONE_OUTSIDE or d < 0 or d >= nz:
                    no_zone += 1
                    continue
                if col == _OUT_OF_WINDOW:
                    outside += 1
                    continue
                used += 1
                ucol = np.uint64(col)
                subs[h * w + np.uint64(2) + (ucol >> np.uint64(6))] |= np.uint64(1) << (
                    ucol & np.uint64(63)
                )
                trips[d * nznh + col] += 1
            fill[t, b] = 0
    status[0] += used
    status[4] += no_caller
    status[5] += no_zone
    status[6] += outside


# the lowest set bit's position by a de Bruijn sequence: (bit * _DE_BRUIJN) >> 58 differs for
# each of the 64 bits (Leiserson, Prokop and Randall, "Using de Bruijn sequences to index a 1
# in a computer word", 1998)
_DE_BRUIJN = np.uint64(0x03F79D71B4CB0A89)
_BIT_AT = np.zeros(64, dtype=np.int64)
for _bit in range(64):
    _BIT_AT[((1 << _bit) * 0x03F79D71B4CB0A89 % 2**64) >> 58] = _bit


@njit(cache=True, inline="always")
def _lowest_bit(x):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    """Position of the lowest set bit of a non-zero uint64."""
    return _BIT_AT[((x & (~x + np.uint64(1))) * _DE_BRUIJN) >> np.uint64(58)]


@njit(cache=True)
def callers_per_cell(subs, width, nz, nh):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    """Distinct callers per (destination, origin, hour position), flat like ``trips``: every
    subscriber adds one to each (origin, hour) cell it was seen in, at its own zone."""
    out = np.zeros(nz * nz * nh, dtype=np.int64)
    nznh = nz * nh
    for start in range(0, subs.shape[0], width):
        if subs[start] == EMPTY:
            continue
        d = np.int64(subs[start + 1])
        if d < 0 or d >= nz:
            continue
        for word in range(width - 2):
            bits = subs[start + 2 + word]
            while bits != 0:
                out[d * nznh + word * 64 + _lowest_bit(bits)] += 1
                bits &= bits - np.uint64(1)
    return out
