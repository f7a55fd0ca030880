"""Canonical forms of small vertex-coloured multigraphs (loops and parallel edges allowed).

A *certificate* is a labelled multigraph ``(m, colors, edges)`` on the vertices ``0..m-1``:
``colors`` is a tuple of ``m`` small integers (0 = unmarked, 1 = output vertex ``a``, 2 = output
vertex ``b``, 3 = ``a = b``) and ``edges`` is the sorted tuple of edges ``(r, s)`` (with
``r <= s`` when the graph is undirected).  Two coloured multigraphs are isomorphic exactly when
their canonical certificates are equal.

The canonical labelling is computed per connected component by individualisation-refinement
(colour refinement, then branching over the vertices of the first non-singleton cell and
keeping the lexicographically smallest leaf certificate); a whole graph's canonical form is the
sorted tuple of its components' certificates.  Components of basis polynomials of degree ``d``
have at most ``d + 1`` vertices, so this is cheap.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

__all__ = ["Cert", "canonical_component", "canonical_components", "split_components"]

#: A labelled coloured multigraph ``(m, colors, edges)``.
Cert = tuple


def _rank(signatures: Sequence[Hashable]) -> list[int]:
    order = {s: i for i, s in enumerate(sorted(set(signatures)))}
    return [order[s] for s in signatures]


def _refine(colors: list[int], out_nb: list[list[int]], in_nb: list[list[int]] | None) -> list[int]:
    """Colour refinement until stable; the new colours refine (and respect the order of) the old."""
    ncls = len(set(colors))
    while True:
        if in_nb is None:
            sigs = [(colors[v], tuple(sorted(colors[u] for u in out_nb[v]))) for v in range(len(colors))]
        else:
            sigs = [
                (
                    colors[v],
                    tuple(sorted(colors[u] for u in out_nb[v])),
                    tuple(sorted(colors[u] for u in in_nb[v])),
                )
                for v in range(len(colors))
            ]
        new = _rank(sigs)
        k = len(set(new))
        if k == ncls:
            return new
        colors, ncls = new, k


def canonical_component(
    m: int, colors: Sequence[int], edges: Iterable[tuple[int, int]], symmetric: bool
) -> Cert:
    """Canonical certificate of a coloured multigraph on ``0..m-1`` (usually connected).

    Parameters
    ----------
    m : int
        Number of vertices.
    colors : sequence of int
        Colour of each vertex (0 unmarked, 1 ``a``, 2 ``b``, 3 ``a = b``).
    edges : iterable of (int, int)
        Edges ``(r, s)``, loops and repeats allowed.
    symmetric : bool
        If true, edges are undirected.

    Returns
    -------
    tuple
        ``(m, colors, edges)`` in canonical labelling.

    Examples
    --------
    >>> canonical_component(3, (0, 0, 0), [(0, 1), (1, 2)], True)
    (3, (0, 0, 0), ((0, 2), (1, 2)))
    >>> canonical_component(3, (0, 0, 0), [(2, 1), (1, 0)], True)
    (3, (0, 0, 0), ((0, 2), (1, 2)))
    """
    edges = [(int(r), int(s)) for r, s in edges]
    colors = tuple(int(c) for c in colors)
    out_nb: list[list[int]] = [[] for _ in range(m)]
    in_nb: list[list[int]] | None = None if symmetric else [[] for _ in range(m)]
    loops = [0] * m
    for r, s in edges:
        if r == s:
            loops[r] += 1
            continue
        out_nb[r].append(s)
        if symmetric:
            out_nb[s].append(r)
        else:
            in_nb[s].append(r)  # type: ignore[index]
    start = _rank([(colors[v], loops[v]) for v in range(m)])

    def leaf(lab: list[int]) -> Cert:
        new_colors = [0] * m
        for v in range(m):
            new_colors[lab[v]] = colors[v]
        if symmetric:
            es = sorted(tuple(sorted((lab[r], lab[s]))) for r, s in edges)
        else:
            es = sorted((lab[r], lab[s]) for r, s in edges)
        return (m, tuple(new_colors), tuple(es))

    def search(col: list[int]) -> Cert:
        col = _refine(col, out_nb, in_nb)
        if len(set(col)) == m:
            return leaf(col)
        counts: dict[int, int] = {}
        for c in col:
            counts[c] = counts.get(c, 0) + 1
        target = min(c for c, k in counts.items() if k > 1)
        best: Cert | None = None
        for v in range(m):
            if col[v] != target:
                continue
            new = [2 * c + 1 for c in col]
            new[v] = 2 * target
            cert = search(new)
            if best is None or cert < best:
                best = cert
        assert best is not None
        return best

    return search(start)


def split_components(
    m: int, edges: Sequence[tuple[int, int]]
) -> list[tuple[list[int], list[tuple[int, int]]]]:
    """Connected components as ``(vertices, edges)`` (vertices sorted, original labels).

    Examples
    --------
    >>> split_components(4, [(0, 1), (3, 3)])
    [([0, 1], [(0, 1)]), ([2], []), ([3], [(3, 3)])]
    """
    parent = list(range(m))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r, s in edges:
        pr, ps = find(r), find(s)
        if pr != ps:
            parent[pr] = ps
    groups: dict[int, list[int]] = {}
    for v in range(m):
        groups.setdefault(find(v), []).append(v)
    comps = []
    for verts in sorted(groups.values()):
        vs = set(verts)
        comps.append((verts, [e for e in edges if e[0] in vs]))
    return comps


def canonical_components(
    m: int, colors: Sequence[int], edges: Sequence[tuple[int, int]], symmetric: bool
) -> tuple[Cert, ...]:
    """Canonical form of a whole coloured multigraph: sorted tuple of component certificates.

    Examples
    --------
    >>> canonical_components(4, (1, 0, 0, 0), [(0, 1), (2, 3)], True)
    ((2, (0, 0), ((0, 1),)), (2, (0, 1), ((0, 1),)))
    """
    out = []
    for verts, es in split_components(m, edges):
        idx = {v: i for i, v in enumerate(verts)}
        out.append(
            canonical_component(
                len(verts), [colors[v] for v in verts], [(idx[r], idx[s]) for r, s in es], symmetric
            )
        )
    return tuple(sorted(out))
