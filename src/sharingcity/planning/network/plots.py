"""Pictures of a network plan, as PNG or SVG bytes (matplotlib, Agg; no pyplot state)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .errors import NetworkError
from .instance import TransitNetwork
from .nightbus import CoveragePoint

FORMATS = ("png", "svg")


def _render(fig: Figure, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise NetworkError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, bbox_inches="tight")
    return buf.getvalue()


def route_map(
    network: TransitNetwork,
    routes: Sequence[Sequence[int]],
    *,
    fmt: str = "png",
    title: str | None = None,
    labels: bool = True,
) -> bytes:
    """The street graph in grey with each route in its own colour.

    Parallel routes on one link are drawn side by side (a small sideways offset per route), so
    shared corridors stay readable.
    """
    if network.coords is None:
        raise NetworkError("the network has no coordinates to draw")
    xy = network.coords
    fig = Figure(figsize=(7, 6))
    ax = fig.add_subplot()
    for a, b in network.edges:
        ax.plot(*xy[[a, b]].T, color="#d0d0d0", lw=1, zorder=1)
    span = float(np.ptp(xy, axis=0).max()) or 1.0
    cmap = colormaps["tab20"]
    for k, route in enumerate(routes):
        pts = xy[np.asarray(route, dtype=int)]
        shift = (k - (len(routes) - 1) / 2) * span * 0.004
        ax.plot(
            pts[:, 0] + shift,
            pts[:, 1] + shift,
            color=cmap(k % 20),
            lw=2.2,
            alpha=0.85,
            zorder=2,
            label=f"route {k + 1}",
        )
    ax.scatter(xy[:, 0], xy[:, 1], s=18, color="black", zorder=3)
    if labels:
        for s in range(network.n_stops):
            ax.annotate(
                network.label(s), xy[s], fontsize=6, xytext=(3, 3), textcoords="offset points"
            )
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    if len(routes) <= 20:
        ax.legend(fontsize=6, loc="best", ncols=2)
    ax.set_title(title or f"{network.name or 'network'}: {len(routes)} routes")
    return _render(fig, fmt)


def coverage_chart(
    points: Sequence[CoveragePoint], *, fmt: str = "png", title: str | None = None
) -> bytes:
    """Share of night demand served against fleet size, with the LP upper bound."""
    if not points:
        raise NetworkError("no coverage points to draw")
    fleet = [p.fleet for p in points]
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    ax.plot(fleet, [100 * p.served_share for p in points], "o-", label="plan (exact)")
    ax.plot(
        fleet,
        [100 * p.bound_share for p in points],
        "s--",
        color="grey",
        label="upper bound (LP relaxation)",
    )
    ax.set_xlabel("buses")
    ax.set_ylabel("share of night trips served (%)")
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(title or "Demand served against fleet size")
    return _render(fig, fmt)
