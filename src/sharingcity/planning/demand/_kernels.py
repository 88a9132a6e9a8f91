"""Compiled inner loops of the DuckDB engine (Numba): keyed pseudonyms and the one-pass tally.

Why compiled: the exact job needs, per call record, the caller's billing zone (a lookup among
millions of subscribers) and a "this caller was seen at (origin, hour)" mark. As SQL that is a
hash join and a distinct count, about 7 % of a bare GROUP BY's rate at 1e8 rows; as a loop over
DuckDB's Arrow batches it is one probe of an open-addressing table whose entries carry the
caller's zone and seen-bits, so one cache line per record. ``numba`` is BSD-2-Clause.

The table: ``table[slot] = [key, destination zone, seen bits ...]`` (uint64 words), linear
probing, multiplicative hashing, at most half full. The loop runs without the GIL while DuckDB
reads the next batch on its own threads.
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


@njit(cache=True, nogil=True)
def tally(  # type: ignore[no-untyped-def]  # noqa: ANN201
    subscribers,  # noqa: ANN001
    cells,  # noqa: ANN001
    micros,  # noqa: ANN001
    flags,  # noqa: ANN001
    window_start,  # noqa: ANN001
    window_end,  # noqa: ANN001
    first_hour,  # noqa: ANN001
    subs,  # noqa: ANN001
    sub_bits,  # noqa: ANN001
    width,  # noqa: ANN001
    cell_table,  # noqa: ANN001
    cell_bits,  # noqa: ANN001
    cell_zones,  # noqa: ANN001
    cell_low,  # noqa: ANN001
    nz,  # noqa: ANN001
    nh,  # noqa: ANN001
    trips,  # noqa: ANN001
    status,  # noqa: ANN001
    part,  # noqa: ANN001
    part_bits,  # noqa: ANN001
):
    """Count one batch of records into ``trips``, ``status`` and the seen-bits of ``subs``.

    ``micros[i]``: the call's local wall-clock time in microseconds since 1970-01-01 (its hour
    position counts from ``first_hour``); the window is [``window_start``, ``window_end``)
    seconds after midnight, across midnight when the end is not after the start. ``flags[i]``:
    1 missing value, 2 bad timestamp, else 0; an empty ``flags`` means no record has either.
    Table values are zone indices (``nz`` or more: a zone outside
    the given ones). Where the cell ids are compact, ``cell_zones[cell - cell_low]`` gives a
    cell's zone directly (-1 outside the given zones, -2 no such cell) and the cell table is
    not probed; an empty ``cell_zones`` means "probe". ``trips`` is flat (origin, destination, hour position). Status counts:
    0 used, 1 missing, 2 bad timestamp, 3 unknown cell, 4 unknown subscriber, 5 zone outside
    the given ones, 6 outside the window (the first that applies, in this order).

    Only the records whose home slot's top ``part_bits`` bits equal ``part`` are counted, so
    ``2**part_bits`` threads can share a batch: a subscriber's entry is then only ever written
    by one of them (give each its own ``trips`` and ``status``).
    """
    sshift = np.uint64(64 - sub_bits)
    smask = (np.uint64(1) << np.uint64(sub_bits)) - np.uint64(1)
    cshift = np.uint64(64 - cell_bits)
    cmask = (np.uint64(1) << np.uint64(cell_bits)) - np.uint64(1)
    w = np.uint64(width)
    unz = np.uint64(nz)
    unh = np.uint64(nh)
    owner_shift = np.uint64(sub_bits - part_bits)
    upart = np.uint64(part)
    n_dense = cell_zones.shape[0]
    dense = n_dense > 0
    flagged = flags.shape[0] > 0
    crosses = window_end <= window_start
    used = missing = bad_time = no_cell = no_caller = no_zone = outside = 0
    # Blocks of records: first the home slots of a block are read, loads that do not depend
    # on each other, so the processor overlaps their cache misses; the second loop then finds
    # those lines in cache. (One record at a time waits for each miss in turn: 2-3x slower.)
    block = 64
    first = np.empty(block, dtype=np.uint64)
    homes = np.empty(block, dtype=np.uint64)
    rows = np.empty(block, dtype=np.int64)
    n = subscribers.shape[0]
    for start in range(0, n, block):
        m = 0
        for i in range(start, min(start + block, n)):
            home = _slot(np.uint64(subscribers[i]), sshift)
            if (home >> owner_shift) == upart:
                rows[m] = i
                homes[m] = home
                first[m] = subs[home * w]
                m += 1
        for j in range(m):
            i = rows[j]
            if flagged and flags[i] != 0:
                if flags[i] == 1:
                    missing += 1
                else:
                    bad_time += 1
                continue
            if dense:
                offset = cells[i] - cell_low
                z = cell_zones[offset] if 0 <= offset < n_dense else -2
                if z == -2:
                    no_cell += 1
                    continue
                o = np.uint64(z)
            else:
                ckey = np.uint64(cells[i])
                c = _probe(cell_table, np.uint64(2), ckey, _slot(ckey, cshift), cmask)
                if c == EMPTY:
                    no_cell += 1
                    continue
                o = cell_table[c * np.uint64(2) + np.uint64(1)]
            key = np.uint64(subscribers[i])
            h = homes[j]
            if first[j] != key or key == EMPTY:
                h = _probe(subs, w, key, h, smask)
                if h == EMPTY:
                    no_caller += 1
                    continue
            d = subs[h * w + np.uint64(1)]
            if o >= unz or d >= unz:
                no_zone += 1
                continue
            second = (micros[i] // 1_000_000) % 86400  # floor division: before 1970 too
            if crosses:
                inside = second >= window_start or second < window_end
            else:
                inside = window_start <= second < window_end
            if not inside:
                outside += 1
                continue
            position = np.uint64((second // 3600 - first_hour + 24) % 24)
            used += 1
            col = o * unh + position
            subs[h * w + np.uint64(2) + (col >> np.uint64(6))] |= np.uint64(1) << (
                col & np.uint64(63)
            )
            trips[(o * unz + d) * unh + position] += 1
    status[0] += used
    status[1] += missing
    status[2] += bad_time
    status[3] += no_cell
    status[4] += no_caller
    status[5] += no_zone
    status[6] += outside


@njit(cache=True)
def callers_per_cell(subs, width, nz, nh):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    """Distinct callers per (origin, destination, hour position), flat like ``trips``: every
    subscriber adds one to each (origin, hour) cell it was seen in, at its own zone."""
    out = np.zeros(nz * nz * nh, dtype=np.int64)
    for start in range(0, subs.shape[0], width):
        if subs[start] == EMPTY:
            continue
        d = subs[start + 1]
        if d >= nz:
            continue
        for word in range(width - 2):
            bits = subs[start + 2 + word]
            col = word * 64
            while bits != 0:
                if bits & np.uint64(1):
                    o = col // nh
                    out[(o * nz + np.int64(d)) * nh + col % nh] += 1
                bits >>= np.uint64(1)
                col += 1
    return out
