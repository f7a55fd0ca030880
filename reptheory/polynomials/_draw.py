"""Matplotlib drawing of a basis polynomial's multigraph (loops and parallel edges visible)."""

from __future__ import annotations

import math

import numpy as np

from ..errors import BackendUnavailableError

__all__ = ["draw_polynomial", "layout"]

_VERTEX_RADIUS = 0.27


def layout(poly) -> dict[int, np.ndarray]:
    """Vertex positions in ``[-1, 1]^2``: Kamada-Kawai for a connected H, else a circle."""
    import networkx as nx

    g = nx.Graph(poly.graph)
    nodes = sorted(g.nodes)
    if len(nodes) >= 3 and nx.is_connected(g):
        pos = nx.kamada_kawai_layout(g)
    else:
        t = np.pi / 2 + 2 * np.pi * np.arange(len(nodes)) / max(len(nodes), 1)
        pos = {v: np.array([np.cos(a), np.sin(a)]) for v, a in zip(nodes, t)}
    if not nodes:
        return {}
    xy = np.array([pos[v] for v in nodes], dtype=float)
    xy -= xy.mean(axis=0)
    xy /= max(np.abs(xy).max(), 1e-9)
    return {v: xy[i] for i, v in enumerate(nodes)}


def _bend(k: int) -> float:
    """arc3 curvature of the k-th (1-based) edge between two vertices: 0, +-0.35, +-0.7, ..."""
    return 0.35 * math.ceil((k - 1) / 2) * (1 if k % 2 == 0 else -1)


def draw_polynomial(poly, ax=None, title=None, marked_color="tab:orange", vertex_color="tab:blue"):
    """Draw ``poly``'s multigraph on ``ax``; see :meth:`Polynomial.draw`."""
    try:
        import matplotlib.pyplot as plt
        from matplotlib.patches import Circle, FancyArrowPatch
    except ImportError as exc:  # pragma: no cover - optional
        raise BackendUnavailableError(
            "drawing needs matplotlib: pip install 'reptheory[plot]'"
        ) from exc
    if ax is None:
        _, ax = plt.subplots(figsize=(3, 3))
    g, pos = poly.graph, layout(poly)
    seen: dict[tuple[int, int], int] = {}
    extent = 1.6
    for r, s in poly.edges:
        key = (min(r, s), max(r, s))
        k = seen[key] = seen.get(key, 0) + 1  # the k-th edge between these vertices
        if r == s:  # a loop: a circle touching the vertex on its outer side
            norm = np.linalg.norm(pos[r])
            out = pos[r] / norm if norm > 0.1 else np.array([0.0, 1.0])
            rad = 0.2 + 0.1 * (k - 1)
            centre = pos[r] + out * (rad + 0.15)
            patch = Circle(centre, rad, fill=False, lw=1.8, color="k")
            extent = max(extent, float(np.abs(centre).max()) + rad + 0.05)
        else:
            bend = _bend(k) * (1 if r < s else -1)  # same geometric side whatever the direction
            patch = FancyArrowPatch(
                pos[r], pos[s], arrowstyle="-" if poly.symmetric else "-|>", color="k", lw=1.8,
                connectionstyle=f"arc3,rad={bend}", mutation_scale=16, shrinkA=13, shrinkB=13,
            )
        patch.set_gid("edge")
        ax.add_patch(patch)
    for v in g.nodes:
        mark = g.nodes[v]["mark"]
        vertex = Circle(pos[v], _VERTEX_RADIUS, color=marked_color if mark else vertex_color, zorder=3)
        vertex.set_gid("marked vertex" if mark else "vertex")
        ax.add_patch(vertex)
        ax.text(*pos[v], mark or g.nodes[v]["letter"], ha="center", va="center",
                color="white", fontsize=12, fontweight="bold", zorder=4)
    ax.set(xlim=(-extent, extent), ylim=(-extent, extent), aspect="equal")
    ax.set_axis_off()
    ax.set_title(poly.einsum if title is None else title, fontsize=12, family="monospace")
    return ax
