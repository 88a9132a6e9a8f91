"""What the platform renders from a :class:`~sharingcity.planning.siting.problem.SitingResult`:
catchments, a table of plain rows, and a map (matplotlib, Agg backend, returns bytes)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np

from .errors import SitingError
from .problem import SitingResult


def catchments(result: SitingResult) -> dict[int, list[int]]:
    """For each chosen site, the zones it serves (ascending); unserved zones are left out."""
    out: dict[int, list[int]] = {int(j): [] for j in result.sites}
    for zone, site in enumerate(result.assignment.tolist()):
        if site >= 0:
            out.setdefault(int(site), []).append(zone)
    return out


def site_table(
    result: SitingResult,
    demand: object,
    travel: object,
    *,
    site_names: Sequence[str] | None = None,
) -> list[dict[str, object]]:
    """One row per chosen site: name, zones served, demand served, mean and max travel.

    Mean travel is demand-weighted over the zones served. Plain dicts, ready for a template or CSV.
    """
    w = np.asarray(demand, dtype=np.float64)
    d = np.asarray(travel, dtype=np.float64)
    if w.shape != result.assignment.shape or d.shape[0] != w.shape[0]:
        raise SitingError("demand and travel must be those the result was computed from")
    if site_names is not None and len(site_names) != d.shape[1]:
        raise SitingError(f"site_names has {len(site_names)} names for {d.shape[1]} sites")
    rows = []
    for site, zones in catchments(result).items():
        z = np.asarray(zones, dtype=np.int64)
        served = float(w[z].sum()) if z.size else 0.0
        times = d[z, site] if z.size else np.zeros(0)
        mean = float(w[z] @ times / served) if served > 0 else 0.0
        rows.append(
            {
                "site": site,
                "name": site_names[site] if site_names is not None else str(site),
                "zones": int(z.size),
                "demand": served,
                "mean_travel": mean,
                "max_travel": float(times.max()) if z.size else 0.0,
            }
        )
    return rows


def site_map(
    result: SitingResult,
    zone_xy: object,
    site_xy: object,
    *,
    demand: object | None = None,
    fmt: str = "png",
    title: str | None = None,
    links: bool | None = None,
    dpi: int = 110,
) -> bytes:
    """Draw zones coloured by catchment, chosen sites as stars, other candidates as grey dots.

    Parameters
    ----------
    zone_xy, site_xy : array_like, shapes (n, 2) and (m, 2)
        Coordinates in any planar system (metres, or longitude/latitude for a small city).
    demand : array_like, optional
        Marker area follows demand when given.
    fmt : {"png", "svg"}
    links : bool, optional
        Draw a line from each zone to its site; default only when there are at most 2,000 zones.

    Returns
    -------
    bytes
        The image file's content.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    if fmt not in ("png", "svg"):
        raise SitingError(f"fmt must be 'png' or 'svg', got {fmt!r}")
    zxy = np.asarray(zone_xy, dtype=np.float64)
    sxy = np.asarray(site_xy, dtype=np.float64)
    n = result.assignment.size
    if zxy.shape != (n, 2):
        raise SitingError(f"zone_xy must have shape ({n}, 2), got {zxy.shape}")
    if sxy.ndim != 2 or sxy.shape[1] != 2 or (result.sites and max(result.sites) >= sxy.shape[0]):
        raise SitingError(f"site_xy must be (m, 2) covering every chosen site, got {sxy.shape}")
    size = np.full(n, 8.0)
    if demand is not None:
        w = np.asarray(demand, dtype=np.float64)
        if w.shape != (n,):
            raise SitingError(f"demand must have shape ({n},), got {w.shape}")
        size = 4.0 + 40.0 * w / max(float(w.max()), 1e-12)
    fig = Figure(figsize=(7, 7))
    ax = fig.add_subplot()
    cmap = matplotlib.colormaps["tab20"]
    order = {s: k for k, s in enumerate(result.sites)}
    colours = np.array(
        [
            cmap(order[s] % 20) if s >= 0 else (0.6, 0.6, 0.6, 1.0)
            for s in result.assignment.tolist()
        ]
    )
    if links is None:
        links = n <= 2000
    if links:
        from matplotlib.collections import LineCollection

        served = np.flatnonzero(result.assignment >= 0)
        segs = np.stack([zxy[served], sxy[result.assignment[served]]], axis=1)
        ax.add_collection(
            LineCollection(list(segs), colors=colours[served], linewidths=0.4, alpha=0.5)
        )
    ax.scatter(zxy[:, 0], zxy[:, 1], s=size, c=colours, linewidths=0, alpha=0.8)
    unchosen = np.setdiff1d(np.arange(sxy.shape[0]), np.asarray(result.sites, dtype=np.int64))
    ax.scatter(
        sxy[unchosen, 0], sxy[unchosen, 1], s=6, c="0.55", marker=".", label="candidate site"
    )
    chosen = np.asarray(result.sites, dtype=np.int64)
    ax.scatter(
        sxy[chosen, 0],
        sxy[chosen, 1],
        s=160,
        c=[cmap(k % 20) for k in range(chosen.size)],
        marker="*",
        edgecolors="black",
        linewidths=0.8,
        label="chosen site",
        zorder=3,
    )
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(
        title or f"{result.model}: {len(result.sites)} sites, objective {result.objective:,.6g}"
    )
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def curve_chart(
    points: Sequence[dict[str, float]], *, fmt: str = "png", ylabel: str = "objective"
) -> bytes:
    """Line chart of a :func:`~sharingcity.planning.siting.curve.siting_curve` (objective and bound)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    if fmt not in ("png", "svg"):
        raise SitingError(f"fmt must be 'png' or 'svg', got {fmt!r}")
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    ps = [pt["p"] for pt in points]
    ax.plot(ps, [pt["objective"] for pt in points], marker="o", label="best found")
    ax.plot(ps, [pt["bound"] for pt in points], linestyle="--", label="proven bound")
    ax.set_xlabel("number of sites")
    ax.set_ylabel(ylabel)
    ax.legend()
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=110, bbox_inches="tight")
    return buf.getvalue()
