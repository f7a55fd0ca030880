"""Enumeration of the multigraph basis, one isomorphism class at a time.

A basis element of degree ``d`` is a multigraph with ``d`` edges, marked output vertices and no
isolated unmarked vertex.  It is the disjoint union of

* the component(s) holding the marked vertices (``a`` alone, ``a = b``, ``a`` and ``b`` together,
  or ``a`` and ``b`` in two different components; a marked component may be a lone vertex), and
* a multiset of connected unmarked components with at least one edge.

So the enumeration only needs the connected (rooted) classes with at most ``d`` edges, built by
adding one edge at a time with canonical deduplication, and then lists every basis element
exactly once by combining them, without any isomorphism test on the large graphs.
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Iterator

from .._validate import check_int
from ..errors import InvalidParameterError, SizeLimitError
from ._canonical import Cert, canonical_component

__all__ = [
    "DEFAULT_MAX_DEGREE",
    "OUTPUTS",
    "check_output",
    "connected_classes",
    "iter_component_sets",
    "pair_classes",
    "rooted_classes",
]

OUTPUTS = ("invariant", "node", "edge")
#: Degrees above this need an explicit ``max_degree=`` (the counts grow roughly 8x per degree).
DEFAULT_MAX_DEGREE = 6

A, B, AB = 1, 2, 3


def check_output(output: object) -> str:
    if output not in OUTPUTS:
        raise InvalidParameterError(
            f"output must be one of 'invariant', 'node', 'edge', got {output!r}"
        )
    return str(output)


def check_degree(degree: object, max_degree: int | None) -> int:
    d = check_int("degree", degree, minimum=0)
    limit = DEFAULT_MAX_DEGREE if max_degree is None else check_int("max_degree", max_degree, minimum=0)
    if d > limit:
        raise SizeLimitError(
            f"degree={d} is above the enumeration limit max_degree={limit}: the number of basis "
            f"elements grows about 8x per degree (877 directed edge-valued ones at degree 3, "
            f"422824 at degree 6); pass max_degree={d} to enumerate anyway"
        )
    return d


@functools.cache
def connected_classes(e: int, symmetric: bool) -> tuple[Cert, ...]:
    """Canonical certificates of connected uncoloured multigraphs with ``e`` edges.

    ``e = 0`` gives the single vertex.  Every connected multigraph with ``e >= 1`` edges loses an
    edge (and possibly a leaf) and stays connected, so one-edge extensions reach every class.

    Examples
    --------
    >>> len(connected_classes(1, True)), len(connected_classes(2, True))
    (2, 4)
    """
    if e == 0:
        return ((1, (0,), ()),)
    found: set[Cert] = set()
    for m, colors, edges in connected_classes(e - 1, symmetric):
        cands: list[tuple[int, tuple[int, int]]] = []
        for r in range(m):
            for s in range(m):
                if symmetric and s < r:
                    continue
                cands.append((m, (r, s)))
            cands.append((m + 1, (r, m)))
            if not symmetric:
                cands.append((m + 1, (m, r)))
        for mm, new in cands:
            found.add(canonical_component(mm, (0,) * mm, edges + (new,), symmetric))
    return tuple(sorted(found))


@functools.cache
def rooted_classes(e: int, symmetric: bool, color: int) -> tuple[Cert, ...]:
    """Connected multigraphs with ``e`` edges and one vertex of colour ``color``."""
    found = set()
    for m, _, edges in connected_classes(e, symmetric):
        for v in range(m):
            cols = [0] * m
            cols[v] = color
            found.add(canonical_component(m, cols, edges, symmetric))
    return tuple(sorted(found))


@functools.cache
def pair_classes(e: int, symmetric: bool) -> tuple[Cert, ...]:
    """Connected multigraphs with ``e >= 1`` edges and two distinct marked vertices ``a``, ``b``."""
    found = set()
    for m, _, edges in connected_classes(e, symmetric):
        for u in range(m):
            for v in range(m):
                if u == v:
                    continue
                cols = [0] * m
                cols[u], cols[v] = A, B
                found.add(canonical_component(m, cols, edges, symmetric))
    return tuple(sorted(found))


def _unmarked_multisets(t: int, symmetric: bool) -> Iterator[tuple[Cert, ...]]:
    """Multisets of connected unmarked classes (each with >= 1 edge) with ``t`` edges in total."""
    pool = [(e, c) for e in range(1, t + 1) for c in connected_classes(e, symmetric)]

    def rec(start: int, left: int) -> Iterator[tuple[Cert, ...]]:
        if left == 0:
            yield ()
            return
        for i in range(start, len(pool)):
            e, c = pool[i]
            if e > left:
                break
            for rest in rec(i, left - e):
                yield (c,) + rest

    return rec(0, t)


def iter_component_sets(d: int, output: str, symmetric: bool) -> Iterator[tuple[Cert, ...]]:
    """Every basis element of degree exactly ``d`` as its tuple of component certificates.

    The marked component(s) come first, then the unmarked ones in sorted order.
    """
    if output == "invariant":
        yield from _unmarked_multisets(d, symmetric)
        return
    if output == "node":
        for e0 in range(d + 1):
            for r in rooted_classes(e0, symmetric, A):
                for ms in _unmarked_multisets(d - e0, symmetric):
                    yield (r,) + ms
        return
    # edge-valued: a = b (diagonal), a and b in one component, a and b in two components
    for e0 in range(d + 1):
        for r in rooted_classes(e0, symmetric, AB):
            for ms in _unmarked_multisets(d - e0, symmetric):
                yield (r,) + ms
    for e0 in range(1, d + 1):
        for r in pair_classes(e0, symmetric):
            for ms in _unmarked_multisets(d - e0, symmetric):
                yield (r,) + ms
    for e1 in range(d + 1):
        for e2 in range(d + 1 - e1):
            for ra in rooted_classes(e1, symmetric, A):
                for rb in rooted_classes(e2, symmetric, B):
                    for ms in _unmarked_multisets(d - e1 - e2, symmetric):
                        yield (ra, rb) + ms


def count_component_sets(d: int, output: str, symmetric: bool) -> int:
    """Number of basis elements of degree exactly ``d`` (counted without listing them)."""
    # multiset counts by dynamic programming over the pool of unmarked connected classes
    ms = [1] + [0] * d
    for e in range(1, d + 1):
        k = len(connected_classes(e, symmetric))
        # multisets drawn from k classes of weight e: Euler transform step
        new = [0] * (d + 1)
        for total in range(d + 1):
            if not ms[total]:
                continue
            for j in range((d - total) // e + 1):
                new[total + j * e] += ms[total] * math.comb(k + j - 1, j)
        ms = new
    if output == "invariant":
        return ms[d]
    r1 = [len(rooted_classes(e, symmetric, A)) for e in range(d + 1)]
    if output == "node":
        return sum(r1[e] * ms[d - e] for e in range(d + 1))
    r2 = [0] + [len(pair_classes(e, symmetric)) for e in range(1, d + 1)]
    total = sum((r1[e] + r2[e]) * ms[d - e] for e in range(d + 1))
    total += sum(r1[e1] * r1[e2] * ms[d - e1 - e2] for e1 in range(d + 1) for e2 in range(d + 1 - e1))
    return total


def progress_wrapper(it: Iterator, total: int | None, progress: bool | None, desc: str) -> Iterator:
    """Wrap ``it`` in a tqdm bar (lazy import); ``progress=None`` means on for a terminal only."""
    tty = bool(getattr(sys.stderr, "isatty", lambda: False)())
    if progress is None:
        progress = (total or 0) > 2000
    if not (progress and tty):
        return it
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - optional
        return it
    return iter(tqdm(it, total=total, desc=desc, leave=False))
