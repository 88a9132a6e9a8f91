"""Pseudonyms, noise distributions and the consistency of the post-processing."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sharingcity.planning.demand import DemandInputError, NoiseSpec
from sharingcity.planning.demand.privacy import (
    derive_key,
    discrete_gaussian,
    discrete_laplace,
    fit_integer_table,
    noisy_release,
    project_to_simplex,
    pseudonym_key,
    pseudonymise,
    rho_for,
    round_preserving_sum,
)

# --------------------------------------------------------------------------- pseudonyms


def test_pseudonyms_are_keyed_deterministic_and_63_bit():
    k1, k2 = derive_key("a" * 16), derive_key("b" * 16)
    a = pseudonymise([1, "1", 2, None], k1)
    assert a[0] == a[1] != a[2] and a[3] == -1
    assert (a[:3] >= 0).all()
    assert (pseudonymise([1, 2], k1) == pseudonymise([1, 2], k1)).all()
    assert (pseudonymise([1, 2], k1) != pseudonymise([1, 2], k2)).all()
    k0, k1_ = pseudonym_key(k1)
    assert a[2] == _siphash_reference(k0, k1_, b"2") >> 1


_MASK = (1 << 64) - 1


def _siphash_reference(k0: int, k1: int, msg: bytes) -> int:
    """SipHash-2-4 written out from the paper (Aumasson and Bernstein 2012) with Python ints."""

    def rotl(x: int, b: int) -> int:
        return ((x << b) | (x >> (64 - b))) & _MASK

    def rnd(v: list[int]) -> None:
        v[0] = (v[0] + v[1]) & _MASK
        v[1] = rotl(v[1], 13) ^ v[0]
        v[0] = rotl(v[0], 32)
        v[2] = (v[2] + v[3]) & _MASK
        v[3] = rotl(v[3], 16) ^ v[2]
        v[0] = (v[0] + v[3]) & _MASK
        v[3] = rotl(v[3], 21) ^ v[0]
        v[2] = (v[2] + v[1]) & _MASK
        v[1] = rotl(v[1], 17) ^ v[2]
        v[2] = rotl(v[2], 32)

    v = [
        k0 ^ 0x736F6D6570736575,
        k1 ^ 0x646F72616E646F6D,
        k0 ^ 0x6C7967656E657261,
        k1 ^ 0x7465646279746573,
    ]
    tail = len(msg) % 8
    padded = msg + bytes(7 - tail) + bytes([len(msg) & 0xFF])
    for i in range(0, len(padded), 8):
        m = int.from_bytes(padded[i : i + 8], "little")
        v[3] ^= m
        rnd(v)
        rnd(v)
        v[0] ^= m
    v[2] ^= 0xFF
    for _ in range(4):
        rnd(v)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def test_siphash_matches_the_papers_vectors():
    from sharingcity.planning.demand._kernels import siphash_rows

    k0 = int.from_bytes(bytes(range(8)), "little")
    k1 = int.from_bytes(bytes(range(8, 16)), "little")
    # Appendix A of the paper (key 00..0f, message 00..0e) and the empty message's vector.
    assert _siphash_reference(k0, k1, bytes(range(15))) == 0xA129CA6149BE45E5
    assert _siphash_reference(k0, k1, b"") == 0x726FDB47DD0E0E31
    rows = np.zeros((2, 16), dtype=np.uint8)
    rows[1, :15] = np.arange(15)
    got = siphash_rows(rows, np.array([0, 15]), np.uint64(k0), np.uint64(k1))
    assert [int(x) for x in got] == [0x726FDB47DD0E0E31, 0xA129CA6149BE45E5]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.integers(-(2**63), 2**63 - 1), st.text(min_size=1, max_size=40)),
        min_size=1,
        max_size=20,
    )
)
def test_pseudonyms_are_siphash_of_the_keys_text(keys):
    key = derive_key("the-telecom-secret-123")
    k0, k1 = pseudonym_key(key)
    want = [_siphash_reference(k0, k1, str(k).encode("utf-8")) >> 1 for k in keys]
    assert pseudonymise(keys, key).tolist() == want
    ints = [k for k in keys if isinstance(k, int)]
    if ints:
        as_array = pseudonymise(np.array(ints, dtype=np.int64), key).tolist()
        assert as_array == pseudonymise([str(k) for k in ints], key).tolist()


def test_spark_pseudonym_function_agrees_with_the_library():
    from sharingcity.planning.demand.engine_spark import pseudonym_batches

    key = derive_key("the-telecom-secret-123")
    keys = pa.array([5, 17, None, 123456789012], pa.int64())
    batch = pa.RecordBatch.from_arrays(
        [keys, pa.array(["A", "B", "C", "D"])], names=["subscriber", "zone"]
    )
    (out,) = list(pseudonym_batches(key)(iter([batch])))
    assert out.column(1).to_pylist() == pseudonymise(keys.to_pylist(), key).tolist()


# --------------------------------------------------------------------------- noise


def test_discrete_laplace_moments():
    rng = np.random.default_rng(0)
    x = discrete_laplace(3.0, 200_000, rng)
    assert x.dtype == np.int64
    # variance of the two-sided geometric with a = exp(-1/t): 2a / (1 - a)^2
    a = math.exp(-1 / 3.0)
    assert abs(x.mean()) < 0.05
    assert x.var() == pytest.approx(2 * a / (1 - a) ** 2, rel=0.03)


@pytest.mark.parametrize("sigma", [0.7, 4.0, 25.0])
def test_discrete_gaussian_matches_its_pmf(sigma):
    rng = np.random.default_rng(1)
    x = discrete_gaussian(sigma, 200_000, rng)
    support = np.arange(-int(12 * sigma) - 2, int(12 * sigma) + 3)
    pmf = np.exp(-(support**2) / (2 * sigma**2))
    pmf /= pmf.sum()
    assert abs(x.mean()) < 0.02 * sigma + 0.01
    assert x.var() == pytest.approx(float((pmf * support**2).sum()), rel=0.03)
    if sigma < 1:
        assert (x == 0).mean() == pytest.approx(pmf[support == 0][0], abs=0.005)


def test_rho_conversion_inverts_bun_steinke():
    for eps, delta in [(0.5, 1e-6), (1.0, 1e-5), (4.0, 1e-9)]:
        rho = rho_for(eps, delta)
        assert rho + 2 * math.sqrt(rho * math.log(1 / delta)) == pytest.approx(eps)


def test_noise_scales_follow_the_sensitivities():
    spec = NoiseSpec(2.0, None, max_cells_per_caller=4, max_calls_per_cell=5)
    mech = spec.mechanisms()
    eps_total = sum(m["epsilon"] for c in mech.values() for m in c.values())
    assert eps_total == pytest.approx(2.0)
    cells = mech["trips"]["cells"]
    assert cells["l1_sensitivity"] == 20 and cells["scale"] == pytest.approx(20 / cells["epsilon"])
    g = NoiseSpec(1.0, 1e-6, max_cells_per_caller=4, max_calls_per_cell=5).mechanisms()
    rho = sum(m["rho"] for c in g.values() for m in c.values())
    assert rho == pytest.approx(rho_for(1.0, 1e-6))
    assert g["callers"]["cells"]["l2_sensitivity"] == pytest.approx(2.0)
    assert g["callers"]["destination_hour"]["l2_sensitivity"] == 4


def test_noise_spec_validation():
    with pytest.raises(DemandInputError):
        NoiseSpec(-1.0)
    with pytest.raises(DemandInputError):
        NoiseSpec(1.0, 0.0)
    with pytest.raises(DemandInputError):
        NoiseSpec(1.0, None, max_calls_per_cell=0)


# --------------------------------------------------------------------------- post-processing

vectors = arrays(np.int64, st.integers(1, 30), elements=st.integers(-50, 200))


@settings(max_examples=80, deadline=None)
@given(vectors, st.integers(0, 500))
def test_simplex_projection_is_feasible_and_nearest(v, total):
    x = project_to_simplex(v, total)
    assert (x >= 0).all()
    assert x.sum() == pytest.approx(total, abs=1e-6)
    # no feasible point is closer: compare with a few other points of the simplex
    rng = np.random.default_rng(0)
    for _ in range(5):
        w = rng.dirichlet(np.ones(v.size)) * total
        assert np.sum((x - v) ** 2) <= np.sum((w - v) ** 2) + 1e-6


@settings(max_examples=80, deadline=None)
@given(arrays(np.float64, st.integers(1, 30), elements=st.floats(0, 100)))
def test_rounding_keeps_the_sum(x):
    total = int(round(x.sum()))
    x = project_to_simplex(x, total)
    r = round_preserving_sum(x, total)
    assert r.dtype == np.int64 and (r >= 0).all()
    assert r.sum() == total
    assert np.abs(r - x).max() < 1 + 1e-9


@st.composite
def tables_with_margins(draw):
    n_r, n_c = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    noisy = draw(arrays(np.int64, (n_r, n_c), elements=st.integers(-20, 40)))
    target = draw(arrays(np.int64, (n_r, n_c), elements=st.integers(0, 30)))
    return noisy, target.sum(axis=1), target.sum(axis=0)


def _l1_oracle(noisy, rows, cols):
    """Min L1 distance by networkx's network simplex: an independent solver."""
    y = np.maximum(noisy, 0)
    g = nx.DiGraph()
    n_r, n_c = y.shape
    for i in range(n_r):
        g.add_node(("r", i), demand=-int(rows[i] - y[i].sum()))
    for j in range(n_c):
        g.add_node(("c", j), demand=int(cols[j] - y[:, j].sum()))
    for i in range(n_r):
        for j in range(n_c):
            g.add_edge(("r", i), ("c", j), weight=1)
            g.add_edge(("c", j), ("r", i), weight=1, capacity=int(y[i, j]))
    return nx.min_cost_flow_cost(g)


@settings(max_examples=60, deadline=None)
@given(tables_with_margins())
def test_table_fitting_keeps_margins_and_is_l1_optimal(case):
    noisy, rows, cols = case
    table = fit_integer_table(noisy, rows, cols)
    assert table.dtype == np.int64 and (table >= 0).all()
    assert (table.sum(axis=1) == rows).all() and (table.sum(axis=0) == cols).all()
    assert np.abs(table - np.maximum(noisy, 0)).sum() == _l1_oracle(noisy, rows, cols)


@settings(max_examples=25, deadline=None)
@given(
    arrays(np.int64, (4, 4, 3), elements=st.integers(0, 60)),
    st.sampled_from([None, 1e-6]),
    st.floats(0.1, 8.0),
    st.integers(0, 2**32 - 1),
)
def test_noisy_release_is_non_negative_integers_with_margins_kept(cube, delta, epsilon, seed):
    true = {"callers": cube, "trips": cube * 2}
    rel = noisy_release(true, NoiseSpec(epsilon, delta), np.random.default_rng(seed))
    for count in ("callers", "trips"):
        cells = rel.cells[count]
        assert cells.dtype == np.int64 and (cells >= 0).all()
        assert (cells.sum(axis=1) == rel.origin_hour[count]).all()
        assert (cells.sum(axis=0) == rel.destination_hour[count]).all()
        assert (rel.origin_hour[count].sum(axis=0) == rel.hour[count]).all()
        assert (rel.destination_hour[count].sum(axis=0) == rel.hour[count]).all()
        assert (rel.hour[count] >= 0).all()


def test_noise_shrinks_with_budget():
    rng = np.random.default_rng(5)
    cube = rng.integers(20, 200, size=(10, 10, 5))
    true = {"callers": cube, "trips": cube * 3}
    errs = []
    for eps in (0.5, 50.0):
        rel = noisy_release(true, NoiseSpec(eps, 1e-6), np.random.default_rng(1))
        errs.append(np.abs(rel.cells["callers"] - cube).mean())
    assert errs[1] < errs[0] / 5
