"""Reader for the OR-Library uncapacitated p-median files ``pmed1`` ... ``pmed40`` (Beasley 1985).

Format: a header ``n m p`` (vertices, edges, medians), then ``m`` lines ``i j c``: an undirected
edge between vertices ``i`` and ``j`` (1-based) of integer cost ``c``. Travel between vertices is
the shortest-path distance. Some files list a vertex pair twice with different costs; the
published optima take the **last** occurrence (pmed1: 5819 with "last wins", 5718 with "minimum"),
so this reader does too. Every vertex is a demand point of weight 1 and a candidate site.

Reference: J.E. Beasley, "A note on solving large p-median problems", EJOR 21 (1985) 270-273.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, shortest_path

from .errors import SitingFileError


@dataclass(frozen=True)
class PMedianInstance:
    """An OR-Library p-median instance: all-pairs shortest travel, unit demand, and ``p``."""

    name: str
    n_vertices: int
    n_edges: int
    p: int
    travel: np.ndarray  # (n, n) shortest-path distances
    demand: np.ndarray  # (n,) ones


def _ints(path: Path, line_no: int, text: str, count: int, what: str) -> list[int]:
    fields = text.split()
    if len(fields) != count:
        raise SitingFileError(
            path,
            f"expected {count} numbers ({what}), found {len(fields)}: {text.strip()!r}",
            line=line_no,
        )
    out = []
    for f in fields:
        try:
            out.append(int(f))
        except ValueError:
            raise SitingFileError(path, f"{f!r} is not an integer ({what})", line=line_no) from None
    return out


def read_orlib_pmedian(path: str | Path) -> PMedianInstance:
    """Read an OR-Library p-median file and compute all-pairs shortest paths.

    Parameters
    ----------
    path : str or Path
        The file (e.g. ``pmed1.txt``).

    Returns
    -------
    PMedianInstance

    Raises
    ------
    SitingFileError
        Missing/empty file, malformed header or edge line (with its line number), vertices out of
        range, negative costs, fewer or more edge lines than the header says, or a disconnected
        graph (some vertices could not be served from others).

    Notes
    -----
    Dijkstra from every vertex, O(n (m + n log n)), via ``scipy.sparse.csgraph``.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SitingFileError(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SitingFileError(path, f"cannot read: {exc}") from None
    lines = [(k + 1, s) for k, s in enumerate(text.splitlines()) if s.strip()]
    if not lines:
        raise SitingFileError(path, "empty file; expected a header 'n m p'")
    head_no, head = lines[0]
    n, m, p = _ints(path, head_no, head, 3, "header n m p")
    if n < 1:
        raise SitingFileError(path, f"number of vertices must be positive, got {n}", line=head_no)
    if m < 0:
        raise SitingFileError(path, f"number of edges must be non-negative, got {m}", line=head_no)
    if not 1 <= p <= n:
        raise SitingFileError(path, f"p must be between 1 and n={n}, got {p}", line=head_no)
    body = lines[1:]
    if len(body) < m:
        raise SitingFileError(
            path, f"header announces {m} edges but the file has only {len(body)} edge lines"
        )
    if len(body) > m:
        extra_no, extra = body[m]
        raise SitingFileError(
            path,
            f"header announces {m} edges but more lines follow: {extra.strip()!r}",
            line=extra_no,
        )
    cost: dict[tuple[int, int], int] = {}
    for line_no, s in body:
        i, j, c = _ints(path, line_no, s, 3, "edge i j cost")
        for v in (i, j):
            if not 1 <= v <= n:
                raise SitingFileError(path, f"vertex {v} is outside 1..{n}", line=line_no)
        if c < 0:
            raise SitingFileError(path, f"edge cost must be non-negative, got {c}", line=line_no)
        if i == j:
            continue  # a loop never shortens a path
        key = (min(i, j), max(i, j))
        cost.pop(key, None)
        cost[key] = c  # the last occurrence wins, as in the published optima
    if cost:
        ij = np.array(list(cost.keys()), dtype=np.int64) - 1
        c_arr = np.array(list(cost.values()), dtype=np.float64)
    else:
        ij = np.zeros((0, 2), dtype=np.int64)
        c_arr = np.zeros(0)
    # csgraph reads a stored zero as "no edge" only in dense input; explicit zeros in a sparse
    # matrix are edges, so zero-cost edges survive.
    graph = sp.csr_matrix((c_arr, (ij[:, 0], ij[:, 1])), shape=(n, n))
    n_comp, _ = connected_components(graph, directed=False)
    if n_comp > 1:
        raise SitingFileError(
            path, f"the graph is disconnected ({n_comp} components): some vertices cannot be served"
        )
    travel = shortest_path(graph, method="D", directed=False)
    return PMedianInstance(
        name=path.stem,
        n_vertices=n,
        n_edges=m,
        p=p,
        travel=travel,
        demand=np.ones(n),
    )
