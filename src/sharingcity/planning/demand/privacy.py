"""Privacy machinery of the demand job: keyed pseudonyms, DP noise and consistent post-processing.

Unit of privacy
---------------
A *subscriber* (all of their calls). Each subscriber's contribution is bounded before noise:
they keep at most ``m = max_cells_per_caller`` (origin, hour) cells — the ones where they
called most, ties broken by hour then origin, a rule that looks only at their own calls — and
at most ``c = max_calls_per_cell`` calls in each. Their destination (billing zone) is fixed, so
their cells are distinct (origin, destination, hour) cells.

Measurements and sensitivities
------------------------------
For each of the two counts (``callers``; ``trips``) we measure four vectors: every
(origin, destination, hour) cell, the (origin, hour) margin, the (destination, hour) margin and
the hour totals. Adding or removing one subscriber changes them by at most (callers, with
``w = 1``; trips, with ``w = c``):

=====================  ===============  ================
measurement            L1 sensitivity   L2 sensitivity
=====================  ===============  ================
cells (o, d, h)        m w              sqrt(m) w
margin (o, h)          m w              sqrt(m) w        (the m cells have distinct (o, h))
margin (d, h)          m w              m w              (worst case: all m in one hour)
totals (h)             m w              m w
=====================  ===============  ================

*Pure* epsilon-DP (``delta is None``): each measurement gets the two-sided geometric
(discrete Laplace) mechanism with scale ``L1 / epsilon_i``; budgets add up (basic
composition) to ``epsilon``. *Approximate* (epsilon, delta)-DP: each gets the discrete
Gaussian with ``sigma_i = L2 / sqrt(2 rho_i)``, which is ``rho_i``-zCDP (Canonne, Kamath and
Steinke 2020, Thm. 4); zCDP composes by adding ``rho_i`` and ``rho``-zCDP implies
``(rho + 2 sqrt(rho ln(1/delta)), delta)``-DP (Bun and Steinke 2016, Prop. 1.3), which we
invert to get the largest ``rho`` for the stated (epsilon, delta).

Post-processing (free: it never looks at the true counts)
---------------------------------------------------------
Top-down, per hour: the noisy hour total is clipped at 0; each noisy margin is projected onto
the non-negative vectors summing to that total (Euclidean projection onto a scaled simplex,
Duchi et al. 2008) and rounded with the largest-remainder rule, which keeps the sum; finally
the noisy cells are replaced by the non-negative integer table *closest in L1* that has exactly
those row and column sums — a transportation problem solved by LP (HiGHS dual simplex), whose vertex optimum
is integral because the constraint matrix is totally unimodular. So the released table is
non-negative integers and its margins are exactly the released margins.

Small-cell suppression comes *after* noise and uses the noisy callers: a threshold on true
counts would make "released or not" depend on the data without noise and break the DP
guarantee; on noisy counts it is post-processing. Without noise, suppression uses the exact
counts (classic minimum-count rule) and no margins are released, since exact margins minus
released cells would give the suppressed cells back.

Caveat: noise is drawn with numpy's generator in floating point. That is the usual
research-grade practice; a production release should draw from a cryptographic source with an
exact sampler (e.g. OpenDP), and a fixed ``seed`` is for tests only.

References
----------
* C. Canonne, G. Kamath, T. Steinke, "The Discrete Gaussian for Differential Privacy",
  NeurIPS 2020, arXiv:2004.00010.
* M. Bun, T. Steinke, "Concentrated Differential Privacy: Simplifications, Extensions, and
  Lower Bounds", TCC 2016, arXiv:1605.02065.
* A. Ghosh, T. Roughgarden, M. Sundararajan, "Universally Utility-Maximizing Privacy
  Mechanisms", STOC 2009 (geometric mechanism).
* J. Duchi, S. Shalev-Shwartz, Y. Singer, T. Chandra, "Efficient Projections onto the
  l1-Ball for Learning in High Dimensions", ICML 2008.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .errors import DemandInputError

#: How each count's budget is shared among its four measurements.
BUDGET_SHARES: dict[str, float] = {
    "cells": 0.55,
    "origin_hour": 0.15,
    "destination_hour": 0.15,
    "hour": 0.15,
}
#: How the whole budget is shared between the two counts.
COUNT_SHARES: dict[str, float] = {"callers": 0.5, "trips": 0.5}

_PSEUDONYM_CONTEXT = b"sharingcity.planning.demand/pseudonym/v1"


# --------------------------------------------------------------------------- pseudonyms


def derive_key(secret: str | bytes) -> bytes:
    """Derive the pseudonymisation key from the telecom's secret (HMAC-SHA256 key derivation).

    The secret itself is used nowhere else, so it never reaches a query text, a log or a file.
    """
    raw = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    if len(raw) < 16:
        raise DemandInputError("the secret must be at least 16 bytes long")
    return hmac.digest(raw, _PSEUDONYM_CONTEXT, "sha256")


def pseudonym_key(key: bytes) -> tuple[int, int]:
    """The 128-bit SipHash key (two 64-bit words) derived from the pseudonymisation key."""
    raw = hmac.digest(key, b"siphash-2-4", "sha256")
    return int.from_bytes(raw[:8], "little"), int.from_bytes(raw[8:16], "little")


def pseudonymise(keys: Iterable[object], key: bytes) -> NDArray[np.int64]:
    """Replace subscriber keys by keyed pseudonyms: SipHash-2-4 of the key's text, 63 bits.

    SipHash (Aumasson and Bernstein 2012) is a pseudorandom function made for short inputs; its
    128-bit key is derived from ``key`` (:func:`pseudonym_key`). Both engines call this same
    function, so equal keys get equal pseudonyms everywhere. Integer keys and their decimal text
    give the same pseudonym. ``None`` stays ``-1``.

    Complexity: O(total key bytes), compiled: 2 million ten-digit keys take about 0.2 s (one
    HMAC-SHA256 per key in Python took over 4 s).
    """
    from ._kernels import siphash_integers, siphash_rows

    k0, k1 = (np.uint64(w) for w in pseudonym_key(key))
    if isinstance(keys, np.ndarray) and keys.dtype.kind == "i":
        hashed = siphash_integers(keys.astype(np.int64, copy=False), k0, k1)
        return (hashed >> np.uint64(1)).astype(np.int64)
    items = [None if k is None else str(k).encode("utf-8") for k in keys]
    lengths = np.array([-1 if b is None else len(b) for b in items], dtype=np.int64)
    width = max(1, int(lengths.max(initial=0)))
    matrix = np.zeros((len(items), width), dtype=np.uint8)
    for row, raw in enumerate(items):
        if raw:
            matrix[row, : len(raw)] = np.frombuffer(raw, dtype=np.uint8)
    out = (siphash_rows(matrix, lengths, k0, k1) >> np.uint64(1)).astype(np.int64)
    out[lengths < 0] = -1
    return out


def fingerprint(value: str | bytes) -> str:
    """A short non-reversible tag of a value (used to *test* that a secret is never written)."""
    raw = value.encode() if isinstance(value, str) else value
    return hashlib.sha256(raw).hexdigest()[:12]


# --------------------------------------------------------------------------- noise


def discrete_laplace(
    scale: float, size: int | tuple[int, ...], rng: np.random.Generator
) -> NDArray[np.int64]:
    """Two-sided geometric noise: P(x) proportional to exp(-|x| / scale) on the integers.

    Drawn as the difference of two geometric variables (Ghosh et al. 2009).
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    p = -math.expm1(-1.0 / scale)  # 1 - exp(-1/scale), accurate for large scales
    g1 = rng.geometric(p, size=size) - 1
    g2 = rng.geometric(p, size=size) - 1
    return (g1 - g2).astype(np.int64)


def discrete_gaussian(
    sigma: float, size: int | tuple[int, ...], rng: np.random.Generator
) -> NDArray[np.int64]:
    """Discrete Gaussian noise: P(x) proportional to exp(-x^2 / (2 sigma^2)) on the integers.

    Rejection sampling from a discrete Laplace of scale ``floor(sigma) + 1``
    (Canonne, Kamath and Steinke 2020, Algorithm 3), vectorised: expected fewer than two
    rounds.
    """
    if sigma <= 0:
        raise ValueError("sigma must be positive")
    shape = (size,) if isinstance(size, int) else tuple(size)
    n = int(np.prod(shape))
    t = math.floor(sigma) + 1
    out = np.empty(n, dtype=np.int64)
    todo = np.arange(n)
    while todo.size:
        y = discrete_laplace(t, todo.size, rng)
        accept = rng.random(todo.size) < np.exp(-((np.abs(y) - sigma**2 / t) ** 2) / (2 * sigma**2))
        out[todo[accept]] = y[accept]
        todo = todo[~accept]
    return out.reshape(shape)


def rho_for(epsilon: float, delta: float) -> float:
    """Largest rho such that rho-zCDP implies (epsilon, delta)-DP (Bun and Steinke 2016)."""
    log_term = math.log(1.0 / delta)
    return (math.sqrt(log_term + epsilon) - math.sqrt(log_term)) ** 2


@dataclass(frozen=True)
class NoiseSpec:
    """The differential-privacy settings of one release.

    Parameters
    ----------
    epsilon : float
        Total privacy-loss budget, > 0.
    delta : float or None
        None for pure epsilon-DP (discrete Laplace); else 0 < delta < 1 for
        (epsilon, delta)-DP through zCDP (discrete Gaussian).
    max_cells_per_caller : int
        ``m``: (origin, hour) cells kept per subscriber.
    max_calls_per_cell : int
        ``c``: calls counted per subscriber and cell.
    """

    epsilon: float
    delta: float | None = None
    max_cells_per_caller: int = 3
    max_calls_per_cell: int = 5

    def __post_init__(self) -> None:
        if not (self.epsilon > 0 and math.isfinite(self.epsilon)):
            raise DemandInputError(f"epsilon must be a positive number, got {self.epsilon}")
        if self.delta is not None and not 0 < self.delta < 1:
            raise DemandInputError(f"delta must lie strictly between 0 and 1, got {self.delta}")
        if self.max_cells_per_caller < 1 or self.max_calls_per_cell < 1:
            raise DemandInputError("contribution bounds must be at least 1")

    def sensitivities(self, count: str) -> dict[str, tuple[float, float]]:
        """(L1, L2) sensitivity of each measurement of ``count`` ("callers" or "trips")."""
        m = self.max_cells_per_caller
        w = 1 if count == "callers" else self.max_calls_per_cell
        return {
            "cells": (m * w, math.sqrt(m) * w),
            "origin_hour": (m * w, math.sqrt(m) * w),
            "destination_hour": (m * w, m * w),
            "hour": (m * w, m * w),
        }

    def mechanisms(self) -> dict[str, dict[str, dict[str, float | str]]]:
        """Mechanism, budget share and noise scale of every measurement (for the manifest)."""
        out: dict[str, dict[str, dict[str, float | str]]] = {}
        rho = rho_for(self.epsilon, self.delta) if self.delta is not None else None
        for count, cshare in COUNT_SHARES.items():
            out[count] = {}
            for meas, (l1, l2) in self.sensitivities(count).items():
                share = cshare * BUDGET_SHARES[meas]
                if rho is None:
                    eps_i = share * self.epsilon
                    out[count][meas] = {
                        "mechanism": "discrete_laplace",
                        "epsilon": eps_i,
                        "l1_sensitivity": l1,
                        "scale": l1 / eps_i,
                    }
                else:
                    rho_i = share * rho
                    out[count][meas] = {
                        "mechanism": "discrete_gaussian",
                        "rho": rho_i,
                        "l2_sensitivity": l2,
                        "sigma": l2 / math.sqrt(2 * rho_i),
                    }
        return out

    def accounting(self) -> dict[str, float | str | None]:
        if self.delta is None:
            return {"definition": "pure epsilon-DP, basic composition", "epsilon": self.epsilon}
        return {
            "definition": "zCDP, converted to (epsilon, delta)-DP (Bun & Steinke 2016, Prop. 1.3)",
            "epsilon": self.epsilon,
            "delta": self.delta,
            "rho": rho_for(self.epsilon, self.delta),
        }


def _draw(
    params: dict[str, float | str], shape: tuple[int, ...], rng: np.random.Generator
) -> NDArray[np.int64]:
    if params["mechanism"] == "discrete_laplace":
        return discrete_laplace(float(params["scale"]), shape, rng)
    return discrete_gaussian(float(params["sigma"]), shape, rng)


# --------------------------------------------------------------------------- post-processing


def project_to_simplex(
    values: NDArray[np.floating] | NDArray[np.integer], total: float
) -> NDArray[np.float64]:
    """Euclidean projection of ``values`` onto {x >= 0, sum(x) = total} (Duchi et al. 2008).

    Complexity: O(n log n).
    """
    v = np.asarray(values, dtype=np.float64)
    if total < 0:
        raise ValueError("total must be non-negative")
    if v.size == 0:
        return v
    if total == 0:
        return np.zeros_like(v)
    u = np.sort(v)[::-1]
    css = np.cumsum(u) - total
    idx = np.arange(1, v.size + 1)
    cond = u - css / idx > 0
    r = int(idx[cond][-1])
    theta = css[r - 1] / r
    return np.maximum(v - theta, 0.0)


def round_preserving_sum(values: NDArray[np.floating], total: int) -> NDArray[np.int64]:
    """Round non-negative reals summing to the integer ``total`` to integers with that sum.

    Largest-remainder rule: floors, then one more unit to the largest fractional parts (ties
    to the lower index, so the result is deterministic).
    """
    x = np.asarray(values, dtype=np.float64)
    floors = np.floor(x + 1e-9).astype(np.int64)
    floors = np.maximum(floors, 0)
    short = int(total - floors.sum())
    if short > 0:
        frac = x - floors
        order = np.lexsort((np.arange(x.size), -frac))
        floors[order[:short]] += 1
    elif short < 0:  # only from floating error: take back from the largest entries
        order = np.lexsort((np.arange(x.size), -(x - floors)))
        for i in order:
            if short == 0:
                break
            take = min(int(floors[i]), -short)
            floors[i] -= take
            short += take
    return floors


def fit_integer_table(
    noisy: NDArray[np.integer], row_sums: NDArray[np.integer], col_sums: NDArray[np.integer]
) -> NDArray[np.int64]:
    """The non-negative integer table closest in L1 to ``noisy`` with the given margins.

    Starting from ``y = max(noisy, 0)``, each cell may be raised by ``u >= 0`` or lowered by
    ``0 <= v <= y`` at unit cost, subject to the row and column sums: a transportation
    (min-cost flow) problem. Its constraint matrix — a bipartite incidence matrix with a
    negated copy — is totally unimodular, so with integer data a *vertex* optimum is integral;
    HiGHS' dual simplex (through :func:`scipy.optimize.linprog`) returns one.

    Complexity: one LP with 2 R C columns and R + C rows (sparse).
    """
    from scipy.optimize import linprog
    from scipy.sparse import csr_array, hstack

    y = np.maximum(np.asarray(noisy, dtype=np.int64), 0)
    rows = np.asarray(row_sums, dtype=np.int64)
    cols = np.asarray(col_sums, dtype=np.int64)
    if rows.sum() != cols.sum():
        raise ValueError(f"row sums ({rows.sum()}) and column sums ({cols.sum()}) differ")
    if (rows < 0).any() or (cols < 0).any():
        raise ValueError("margins must be non-negative")
    n_r, n_c = y.shape
    row_excess = rows - y.sum(axis=1)
    col_excess = cols - y.sum(axis=0)
    if not row_excess.any() and not col_excess.any():
        return y
    n = n_r * n_c
    cell = np.arange(n)
    ri, ci = np.divmod(cell, n_c)
    ones = np.ones(n)
    incidence = csr_array(
        (
            np.concatenate([ones, ones]),
            (np.concatenate([ri, n_r + ci]), np.concatenate([cell, cell])),
        ),
        shape=(n_r + n_c, n),
    )
    a_eq = hstack([incidence, -incidence]).tocsc()
    b_eq = np.concatenate([row_excess, col_excess]).astype(np.float64)
    bounds = np.column_stack(
        [np.zeros(2 * n), np.concatenate([np.full(n, np.inf), y.ravel().astype(np.float64)])]
    )
    res = linprog(np.ones(2 * n), A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs-ds")
    if res.status != 0:  # cannot happen for equal, non-negative margins
        raise RuntimeError(f"margin fitting failed: {res.message}")
    x = np.rint(res.x).astype(np.int64)
    table = y + (x[:n] - x[n:]).reshape(n_r, n_c)
    if (table < 0).any() or (table.sum(axis=1) != rows).any() or (table.sum(axis=0) != cols).any():
        raise RuntimeError("margin fitting returned a non-integral vertex")
    return table


@dataclass
class NoisyRelease:
    """Post-processed noisy counts over the full (origin, destination, hour) domain."""

    cells: dict[str, NDArray[np.int64]]  # count -> (Z, Z, H)
    origin_hour: dict[str, NDArray[np.int64]]  # count -> (Z, H)
    destination_hour: dict[str, NDArray[np.int64]]  # count -> (Z, H)
    hour: dict[str, NDArray[np.int64]]  # count -> (H,)


def noisy_release(
    true_cells: Mapping[str, NDArray[np.integer]], spec: NoiseSpec, rng: np.random.Generator
) -> NoisyRelease:
    """Measure every cell and margin with noise, then make them consistent.

    Parameters
    ----------
    true_cells : dict
        ``{"callers": A, "trips": B}``, integer arrays of shape (Z, Z, H) indexed
        (origin, destination, hour), *after* contribution bounding. Every cell of the domain
        must be present (zeros included): noise goes on all of them.
    spec : NoiseSpec
    rng : numpy.random.Generator

    Returns
    -------
    NoisyRelease
        Non-negative integers; for every count and hour, cells sum to the margins and the
        margins to the hour total.
    """
    mech = spec.mechanisms()
    out = NoisyRelease({}, {}, {}, {})
    for count in COUNT_SHARES:
        x = np.asarray(true_cells[count], dtype=np.int64)
        n_z, _, n_h = x.shape
        noisy_cells = x + _draw(mech[count]["cells"], x.shape, rng)
        noisy_oh = x.sum(axis=1) + _draw(mech[count]["origin_hour"], (n_z, n_h), rng)
        noisy_dh = x.sum(axis=0) + _draw(mech[count]["destination_hour"], (n_z, n_h), rng)
        noisy_h = x.sum(axis=(0, 1)) + _draw(mech[count]["hour"], (n_h,), rng)
        hour = np.maximum(noisy_h, 0)
        oh = np.empty((n_z, n_h), dtype=np.int64)
        dh = np.empty((n_z, n_h), dtype=np.int64)
        cells = np.empty_like(x)
        for h in range(n_h):
            total = int(hour[h])
            oh[:, h] = round_preserving_sum(project_to_simplex(noisy_oh[:, h], total), total)
            dh[:, h] = round_preserving_sum(project_to_simplex(noisy_dh[:, h], total), total)
            cells[:, :, h] = fit_integer_table(noisy_cells[:, :, h], oh[:, h], dh[:, h])
        out.cells[count], out.origin_hour[count] = cells, oh
        out.destination_hour[count], out.hour[count] = dh, hour
    return out
