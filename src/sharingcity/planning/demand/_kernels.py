"""Compiled inner loops of the DuckDB engine (Numba): keyed pseudonyms and the tally.

Why compiled: the exact job needs, per call record, the caller's billing zone (a lookup among
millions of subscribers) and a "this caller was seen at (origin, hour)" mark. As SQL that is a
hash join and a distinct count, about 7 % of a bare GROUP BY's rate at 1e8 rows; as loops over
DuckDB's Arrow batches it is one probe of an open-addressing table whose entries carry the
caller's zone and seen-bits. ``numba`` is BSD-2-Clause.

The table: ``table[slot] = [mix, destination zone, seen bits ...]`` (uint64 words; the mix
is the subscriber id times an odd constant), linear probing, multiplicative hashing, at most
half full. With millions of subscribers it is far larger than the caches, and records come
in time order, so probing it record by record waits on memory (about 50 ns a record here,
24 ns with software prefetching). The tally therefore works in two passes, as a
radix-partitioned hash join does: :func:`partition` files each record as one word (the mix's
lower bits and a code: seen-bit or problem) in a bucket chosen by the mix's top bits, then
:func:`settle` reads one bucket's stretch of the table in order and works through the
bucket, whose probes then hit the cache (single thread: about 10 + 9 ns a record). One
thread runs both, without the GIL, while DuckDB reads the next batches on its own threads.
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


@njit(cache=True, nogil=True)
def siphash_rows(matrix, lengths, k0, k1):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    """SipHash-2-4 of each row's first ``lengths[i]`` bytes (``lengths[i] < 0``: no value)."""
    out = np.zeros(matrix.shape[0], dtype=np.uint64)
    for i in range(matrix.shape[0]):
        if lengths[i] >= 0:
            out[i] = _siphash(matrix[i], lengths[i], k0, k1)
    return out


@njit(cache=True, nogil=True)
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

# Tables are keyed by a key's mix ``key * _GOLDEN`` (mod 2**64): multiplying by an odd number
# is a bijection, so mixes are as distinct as keys; the top bits of the mix pick the home slot
# (multiplicative hashing) and, in the tally, the bucket. The one key whose mix is EMPTY cannot
# be stored (the caller checks with :func:`storable`).
KEY_OF_EMPTY = np.int64(
    np.uint64((0xFFFFFFFFFFFFFFFF * pow(0x9E3779B97F4A7C15, -1, 2**64)) % 2**64).view(np.int64)
)


def storable(keys: np.ndarray) -> bool:
    """Whether every key (int64) can go in a table."""
    return not bool((np.asarray(keys, dtype=np.int64) == KEY_OF_EMPTY).any())


@njit(cache=True, nogil=True)
def build_table(keys, values, bits, width):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    """An open-addressing table of ``2**bits`` entries ``[mix, value, 0 ...]`` of ``width``
    words, flat (entry ``h`` starts at ``h * width``), starting on a 64-byte boundary.

    ``keys`` (int64) must be distinct and :func:`storable`. Values are stored as uint64 bits
    (-1: huge)."""
    size = np.uint64(1) << np.uint64(bits)
    mask = size - np.uint64(1)
    shift = np.uint64(64 - bits)
    w = np.uint64(width)
    # entries of four words then sit in one cache line each
    room = np.empty(size * w + np.uint64(8), dtype=np.uint64)
    skip = (np.uint64(64) - np.uint64(room.ctypes.data) % np.uint64(64)) % np.uint64(64)
    table = room[skip // np.uint64(8) : skip // np.uint64(8) + size * w]
    table[:] = 0
    table[::width] = EMPTY
    for i in range(keys.shape[0]):
        m = np.uint64(keys[i]) * _GOLDEN
        h = m >> shift
        while table[h * w] != EMPTY:
            h = (h + np.uint64(1)) & mask
        table[h * w] = m
        table[h * w + np.uint64(1)] = np.uint64(values[i])
    return table


@njit(cache=True, inline="always")
def _probe(table, w, m, shift, mask):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    """The entry holding mix ``m``; ``EMPTY`` when it is absent."""
    h = m >> shift
    while True:
        k = table[h * w]
        if k == EMPTY:  # first: no stored mix equals EMPTY, a looked-up one may
            return EMPTY
        if k == m:
            return h
        h = (h + np.uint64(1)) & mask


# microseconds in a day and an hour; a whole number of days near 2**62
_DAY = np.uint64(86_400_000_000)
_HOUR = np.uint64(3_600_000_000)
_WHOLE_DAYS = np.int64(2**62 // 86_400_000_000 * 86_400_000_000)


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
    radix,  # noqa: ANN001
    buckets,  # noqa: ANN001
    fill,  # noqa: ANN001
    status,  # noqa: ANN001
):
    """First pass of the tally: check each record that needs no subscriber lookup and file it
    in bucket ``b``, the top ``radix`` bits of its subscriber's mix, as one word
    ``buckets[b, fill[b]]``: the mix's other bits, then a ``radix``-bit code, the seen-bit
    (origin x hours + hour position) or :func:`codes`' "zone outside" and "outside the window".
    Returns the number of records taken: fewer than all when a bucket filled (the caller runs
    :func:`settle` and calls again with the rest).

    ``micros[i]``: the call's local wall-clock time in microseconds since 1970-01-01 (its hour
    position counts from ``first_hour``); the window is [``window_start``, ``window_end``)
    seconds after midnight, across midnight when the end is not after the start. ``flags[i]``:
    1 missing value, 2 bad timestamp, else 0; an empty ``flags`` means no record has either.
    Where the cell ids are compact, ``cell_zones[cell - cell_low]`` gives a cell's zone
    directly (-1 outside the given zones, -2 no such cell); an empty ``cell_zones`` means
    "probe ``cell_table``". Status counts: 1 missing, 2 bad timestamp, 3 unknown cell (the
    others are known only in the second pass)."""
    r = np.uint64(radix)
    bshift = np.uint64(64 - radix)
    zone_outside, out_of_window = codes(radix)
    cap = buckets.shape[1]
    n_dense = cell_zones.shape[0]
    dense = n_dense > 0
    flagged = flags.shape[0] > 0
    cshift = np.uint64(64 - cell_bits)
    cmask = (np.uint64(1) << np.uint64(cell_bits)) - np.uint64(1)
    crosses = window_end <= window_start
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
            c = _probe(cell_table, np.uint64(2), np.uint64(cells[i]) * _GOLDEN, cshift, cmask)
            z = -2 if c == EMPTY else np.int64(cell_table[c * np.uint64(2) + np.uint64(1)])
        if z == -2:
            no_cell += 1
            i += 1
            continue
        m = np.uint64(subscribers[i]) * _GOLDEN
        b = m >> bshift
        f = fill[b]
        if f == cap:
            break
        if z < 0 or z >= nz:
            code = zone_outside
        else:
            us = micros[i]
            if -_WHOLE_DAYS <= us < _WHOLE_DAYS:  # years -144,000 to 148,000
                # unsigned division by a constant is a multiply (about 15 % of the pass)
                t = np.int64(np.uint64(us + _WHOLE_DAYS) % _DAY)
            else:
                t = us % 86_400_000_000  # Python's modulo: before 1970 too
            inside = (t >= start_us or t < end_us) if crosses else (start_us <= t < end_us)
            hour = np.int64(np.uint64(t) // _HOUR) - first_hour
            if hour < 0:
                hour += 24
            code = np.uint64(z * nh + hour) if inside else out_of_window
        buckets[b, f] = (m << r) | code
        fill[b] = f + 1
        i += 1
    status[1] += missing
    status[2] += bad_time
    status[3] += no_cell
    return i


@njit(cache=True, inline="always")
def codes(radix):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
    """The two codes above every seen-bit in a filed record: zone outside, outside the
    window (so a record's seen-bit must be below ``2**radix - 2``)."""
    top = (np.uint64(1) << np.uint64(radix)) - np.uint64(1)
    return top, top - np.uint64(1)


@njit(cache=True, nogil=True)
def settle(  # type: ignore[no-untyped-def]  # noqa: ANN201
    buckets,  # noqa: ANN001
    fill,  # noqa: ANN001
    radix,  # noqa: ANN001
    subs,  # noqa: ANN001
    sub_bits,  # noqa: ANN001
    width,  # noqa: ANN001
    nz,  # noqa: ANN001
    nh,  # noqa: ANN001
    trips,  # noqa: ANN001
    status,  # noqa: ANN001
):
    """Second pass: bucket by bucket, find each filed record's subscriber, mark its seen-bit
    and count the trip into ``trips`` laid out (destination, origin, hour position); empty
    the buckets. A bucket's subscribers have their home slots in one stretch of the table,
    read in order before the bucket is worked through, so that its probes hit the cache.
    Status counts: 0 used, 4 unknown subscriber, 5 zone outside the given ones, 6 outside the
    window (the first that applies)."""
    r = np.uint64(radix)
    top = np.uint64(64 - radix)
    low = (np.uint64(1) << r) - np.uint64(1)
    zone_outside, out_of_window = codes(radix)
    sshift = np.uint64(64 - sub_bits)
    smask = (np.uint64(1) << np.uint64(sub_bits)) - np.uint64(1)
    w = np.uint64(width)
    nznh = nz * nh
    # words of table whose home slots fall in one bucket (none to read ahead when buckets
    # outnumber slots)
    stretch = (
        (np.uint64(1) << np.uint64(sub_bits - radix)) * w if radix < sub_bits else np.uint64(0)
    )
    used = no_caller = no_zone = outside = 0
    warm = np.uint64(0)
    for b in range(buckets.shape[0]):
        ub = np.uint64(b)
        if fill[b] == 0:
            continue
        if stretch >= np.uint64(64):
            # one read per cache line, in order: the hardware prefetches the rest
            first = ub * stretch
            for x in range(first, first + stretch, np.uint64(8)):
                warm ^= subs[x]
        for j in range(fill[b]):
            word = buckets[b, j]
            code = word & low
            h = _probe(subs, w, (word >> r) | (ub << top), sshift, smask)
            if h == EMPTY:
                no_caller += 1
                continue
            d = np.int64(subs[h * w + np.uint64(1)])
            if code == zone_outside or d < 0 or d >= nz:
                no_zone += 1
                continue
            if code == out_of_window:
                outside += 1
                continue
            used += 1
            subs[h * w + np.uint64(2) + (code >> np.uint64(6))] |= np.uint64(1) << (
                code & np.uint64(63)
            )
            trips[d * nznh + np.int64(code)] += 1
        fill[b] = 0
    status[0] += used
    status[4] += no_caller
    status[5] += no_zone
    status[6] += outside
    return warm


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
