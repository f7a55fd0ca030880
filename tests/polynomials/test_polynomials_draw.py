"""Polynomial.draw: every edge (loops and parallel edges included) is a distinct visible artist."""

import itertools
import warnings

import numpy as np
import pytest

from reptheory.polynomials import Polynomial

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.collections import LineCollection
from matplotlib.patches import Circle, FancyArrowPatch

CASES = [
    # undirected: triple parallel edge, a double loop, a loop on a summed vertex
    ([(0, 1), (0, 1), (1, 0), (0, 0), (0, 0), (1, 2), (2, 2)], (0, 1), True),
    # directed: parallel and antiparallel edges, loops on marked and summed vertices
    ([(0, 1), (0, 1), (1, 0), (1, 1), (2, 2), (2, 0)], (0, 1), False),
    ([(0, 0), (0, 0), (0, 0)], (), True),  # one vertex, three loops
    ([(0, 1), (1, 2), (2, 0), (0, 1)], (0, 0), False),  # a = b marked
    ([(0, 1)] * 6, (0,), True),  # six parallel edges
    ([], (0, 1), True),
]


def _display_points(artist):
    return artist.get_transform().transform_path(artist.get_path()).vertices


def _edge_pieces(ax):
    """Point arrays of everything that can draw an edge: arrows/arcs, unfilled circles, lines."""
    pieces = []
    for patch in ax.patches:
        if isinstance(patch, FancyArrowPatch) or (isinstance(patch, Circle) and not patch.get_fill()):
            pieces.append(_display_points(patch))
    for coll in ax.collections:
        if isinstance(coll, LineCollection):
            trans = coll.get_transform()
            pieces.extend(trans.transform(np.asarray(seg)) for seg in coll.get_segments())
    return pieces


def _vertex_discs(ax):
    """(centre, radius, facecolour) of the filled circles, in display coordinates."""
    discs = []
    for patch in ax.patches:
        if isinstance(patch, Circle) and patch.get_fill():
            pts = _display_points(patch)
            centre = pts.mean(axis=0)
            discs.append((centre, np.abs(pts - centre).max(), tuple(patch.get_facecolor())))
    return discs


@pytest.mark.parametrize("edges,marked,symmetric", CASES)
def test_every_edge_is_drawn_visibly(edges, marked, symmetric):
    p = Polynomial.from_edges(edges, marked=marked, symmetric=symmetric)
    fig, ax = plt.subplots(figsize=(3, 3))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # networkx warns when it ignores connectionstyle
            assert p.draw(ax=ax) is ax
            fig.canvas.draw()
        pieces = _edge_pieces(ax)
        assert len(pieces) == p.degree == len(edges)
        discs = _vertex_discs(ax)
        assert len(discs) == p.num_vertices
        for pts in pieces:  # some part of every edge lies outside all vertex discs
            outside = np.ones(len(pts), dtype=bool)
            for centre, radius, _ in discs:
                outside &= np.linalg.norm(pts - centre, axis=1) > radius + 1
            assert outside.any()
        for a, b in itertools.combinations(pieces, 2):  # no two edges drawn on top of each other
            assert np.linalg.norm(a.mean(axis=0) - b.mean(axis=0)) > 2
        marked_colours = {c for (_, _, c), v in zip(discs, range(p.num_vertices)) if v in p.outputs}
        summed_colours = {c for (_, _, c), v in zip(discs, range(p.num_vertices)) if v not in p.outputs}
        assert not marked_colours & summed_colours
        labels = {t.get_text() for t in ax.texts}
        expected = {"ab"} if p.diagonal else {"a", "b"}.intersection("ab"[: len(p.outputs)])
        assert expected <= labels
    finally:
        plt.close(fig)


def test_draw_no_warnings_new_axes(recwarn):
    p = Polynomial.from_edges([(0, 1), (0, 1), (1, 1)], marked=(0,), symmetric=True)
    ax = p.draw(title="double edge")
    assert ax.get_title() == "double edge"
    assert not [w for w in recwarn if "connectionstyle" in str(w.message)]
    assert sum(patch.get_gid() == "edge" for patch in ax.patches) == 3
    plt.close("all")
