"""Brauer (k, l)-diagrams: perfect matchings of the l + k vertices, and their composition.

Vertices as for every reptheory diagram: top 0..l-1 (outputs), bottom l..l+k-1 (inputs).
A Brauer diagram beta gives two matrices:

* **orthogonal** (O(n), SO(n)): E_beta[I, J] = prod over pairs {u, v} of delta(idx_u, idx_v);
* **symplectic** (Sp(n), form J of :func:`reptheory.groups.symplectic_form`):
  F_beta = prod over pairs of a factor: a *cross* pair (top u, bottom v) gives
  delta(idx_u, idx_v); a pair {u < v} inside one row gives J[idx_u, idx_v] (oriented from
  the smaller vertex number, i.e. left to right).

Composition (:func:`compose_brauer`) follows matrix multiplication exactly:
``M(top) @ M(bottom) == c * M(composite)``. For the orthogonal form c = n**loops. For the
symplectic form each closed loop contributes +n or -n and each open strand a sign, both
determined by the orientations (the simplest loop, cap ∘ cup, is sum_ab J_ab^2 = +n; the snake
(id ⊗ cap)(cup ⊗ id) is -id).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from .._validate import check_dense_size, check_int
from ..errors import InvalidParameterError
from ._partition import Diagram, _canonical, _check_loop_value

__all__ = [
    "BrauerDiagram",
    "brauer_diagrams",
    "compose_brauer",
    "count_brauer_diagrams",
    "double_factorial",
    "nonnesting_brauer_diagrams",
    "perfect_matchings",
]

FORMS = ("orthogonal", "symplectic")


def double_factorial(m: int) -> int:
    """m!! (with (-1)!! = 0!! = 1).

    Examples
    --------
    >>> [double_factorial(m) for m in (-1, 1, 3, 5, 7)]
    [1, 1, 3, 15, 105]
    """
    out = 1
    while m > 1:
        out *= m
        m -= 2
    return out


def perfect_matchings(vertices) -> Iterator[tuple[tuple[int, int], ...]]:
    """All perfect matchings of a sorted sequence of vertices (pairs sorted by first vertex).

    Examples
    --------
    >>> list(perfect_matchings([0, 1, 2, 3]))
    [((0, 1), (2, 3)), ((0, 2), (1, 3)), ((0, 3), (1, 2))]
    """
    vs = list(vertices)
    if not vs:
        yield ()
        return
    if len(vs) % 2:
        return
    a = vs[0]
    for i in range(1, len(vs)):
        rest = vs[1:i] + vs[i + 1:]
        for m in perfect_matchings(rest):
            yield ((a, vs[i]),) + m


class BrauerDiagram(Diagram):
    """A Brauer (k, l)-diagram: a set partition of the l + k vertices into pairs.

    Examples
    --------
    >>> d = BrauerDiagram([[0, 1], [2, 3]], k=2, l=2)     # cap, then cup
    >>> d.to_text()
    "{1,2} {1',2'}"
    >>> d.block_types()["top"], d.block_types()["bottom"]
    ([(0, 1)], [(2, 3)])
    """

    __slots__ = ()

    def _check_blocks(self, blocks, k, l) -> None:
        if any(len(b) != 2 for b in blocks):
            raise InvalidParameterError(
                f"a Brauer diagram has blocks of size exactly 2, got {[list(b) for b in blocks]}")

    @classmethod
    def identity(cls, k: int) -> BrauerDiagram:
        """The identity (k, k)-diagram."""
        k = check_int("k", k, minimum=0)
        return cls._from_canonical(tuple((a, a + k) for a in range(k)), k, k)

    def compose(self, below: Diagram, n, form: str = "orthogonal"):  # type: ignore[override]
        """``self ∘ below`` with the loop/sign rule of ``form``, see :func:`compose_brauer`."""
        return compose_brauer(self, below, n, form)


def count_brauer_diagrams(k: int, l: int) -> int:
    """(k+l-1)!! if k+l is even, else 0.

    Examples
    --------
    >>> [count_brauer_diagrams(k, 2) for k in range(5)]
    [1, 0, 3, 0, 15]
    """
    m = check_int("k", k, minimum=0) + check_int("l", l, minimum=0)
    return 0 if m % 2 else double_factorial(m - 1)


def brauer_diagrams(k: int, l: int) -> Iterator[BrauerDiagram]:
    """All (k, l)-Brauer diagrams (none if k + l is odd), in a fixed deterministic order.

    Examples
    --------
    >>> [d.to_text() for d in brauer_diagrams(2, 2)]
    ["{1,2} {1',2'}", "{1,1'} {2,2'}", "{1,2'} {2,1'}"]
    """
    k = check_int("k", k, minimum=0)
    l = check_int("l", l, minimum=0)
    for m in perfect_matchings(range(l + k)):
        yield BrauerDiagram._from_canonical(m, k, l)


def _nonnesting_matchings(m: int) -> Iterator[tuple[tuple[int, int], ...]]:
    """Perfect matchings of 0..m-1 without two pairs a < c < d < b: each vertex opens a pair or
    closes the earliest open one (first in, first out), so they follow the Dyck words."""
    pairs: list[tuple[int, int]] = []

    def rec(v: int, opened: list[int], first: int):
        if v == m:
            if first == len(opened):
                yield tuple(sorted(pairs))
            return
        if len(opened) - first < m - v:               # room to close what is open: open v
            opened.append(v)
            yield from rec(v + 1, opened, first)
            opened.pop()
        if first < len(opened):                        # close the earliest open vertex
            pairs.append((opened[first], v))
            yield from rec(v + 1, opened, first + 1)
            pairs.pop()

    if m % 2 == 0:
        yield from rec(0, [], 0)


def nonnesting_brauer_diagrams(k: int, l: int, *, max_entries: int | None = None) -> list[BrauerDiagram]:
    """The (k, l)-Brauer diagrams with no nested pairs (no a < c < d < b with pairs {a, b} and
    {c, d}, vertices numbered top row then bottom row), in the order of :func:`brauer_diagrams`.

    There are Catalan(m/2) of them for m = k + l, and they are a basis of the Sp(2) = SL(2)
    equivariant maps: under x_v -> J^T x_v on the bottom vertices every pair of F_beta becomes a
    determinant [x_u, x_v], and the products of determinants whose pairs do not nest are the
    standard monomials of the Plücker algebra of 2-planes (the tableau with columns (a_i, b_i)
    is semistandard exactly when no two pairs nest), which are a basis of it (Hodge 1943;
    Doubilet, Rota and Stein, "On the foundations of combinatorial theory IX", 1974). They are
    also the greedy independent subset that :func:`~reptheory.layers.layer_basis` would select.

    Examples
    --------
    >>> [d.to_text() for d in nonnesting_brauer_diagrams(2, 2)]
    ["{1,2} {1',2'}", "{1,1'} {2,2'}"]
    >>> len(nonnesting_brauer_diagrams(6, 6))      # Catalan(6) of the 10395 Brauer diagrams
    132

    The list holds Catalan(m/2) diagrams of m vertices each; more than the size budget
    (``max_entries``, else ``REPTHEORY_MAX_DENSE_ENTRIES``) raises
    :class:`~reptheory.errors.SizeLimitError` before any is built.
    """
    k = check_int("k", k, minimum=0)
    l = check_int("l", l, minimum=0)
    m = k + l
    if m % 2:
        return []
    count = math.comb(m, m // 2) // (m // 2 + 1)
    check_dense_size(f"the {count} non-nesting ({k}, {l})-Brauer diagrams", count * max(m, 1),
                     max_entries, hint="ask for smaller k + l")
    return [BrauerDiagram._from_canonical(mt, k, l)
            for mt in sorted(_nonnesting_matchings(k + l))]


def _mul(acc: tuple[int, int], edge: tuple[int, int]) -> tuple[int, int]:
    """(sign, e) * (sign', e') for matrices sign * J**e with J*J = -I."""
    s, e = acc
    s2, e2 = edge
    s *= s2
    if e and e2:
        return -s, 0
    return s, e | e2


def compose_brauer(top: BrauerDiagram, bottom: BrauerDiagram, n, form: str = "orthogonal"):
    """Compose Brauer diagrams so that the matrices multiply: ``M(top) @ M(bottom) = c M(d)``.

    Parameters
    ----------
    top, bottom : BrauerDiagram
        ``bottom`` is a (k, m)-diagram, ``top`` an (m, l)-diagram.
    n : int or sympy.Expr
        The dimension (loop value).
    form : {"orthogonal", "symplectic"}
        Which matrices: E_beta (every pair a delta) or F_beta (same-row pairs give J).

    Returns
    -------
    (c, d)
        ``c`` is n**loops (orthogonal) or ±n**loops (symplectic), ``d`` the composite.

    Examples
    --------
    >>> cup = BrauerDiagram([[0, 1]], k=0, l=2)
    >>> cap = BrauerDiagram([[0, 1]], k=2, l=0)
    >>> compose_brauer(cap, cup, 4, "symplectic")[0]
    4
    >>> left = BrauerDiagram([[0, 1], [2, 3]], k=1, l=3)          # cup ⊗ id
    >>> right = BrauerDiagram([[0, 1], [2, 3]], k=3, l=1)         # id ⊗ cap
    >>> c, d = compose_brauer(right, left, 4, "symplectic")
    >>> c, d == BrauerDiagram.identity(1)
    (-1, True)
    """
    _check_loop_value(n)
    if form not in FORMS:
        raise InvalidParameterError(f"form must be one of {', '.join(FORMS)}, got {form!r}")
    if not isinstance(top, BrauerDiagram) or not isinstance(bottom, BrauerDiagram):
        raise InvalidParameterError("compose_brauer needs two BrauerDiagram objects")
    if top.k != bottom.l:
        raise InvalidParameterError(
            f"top.k must equal bottom.l to compose, got top.k={top.k}, bottom.l={bottom.l}")
    k, m, l = bottom.k, bottom.l, top.l
    symp = form == "symplectic"
    # global ids: new top 0..l-1, middle l..l+m-1, new bottom l+m..l+m+k-1
    edges: list[tuple[int, int, bool]] = []   # (a, b, carries J oriented a -> b)
    inc: dict[int, list[int]] = {v: [] for v in range(l + m + k)}

    def add(a: int, b: int, same_row: bool) -> None:
        inc[a].append(len(edges))
        inc[b].append(len(edges))
        edges.append((a, b, symp and same_row))

    for u, v in bottom.blocks:
        add(l + u if u < m else l + m + (u - m), l + v if v < m else l + m + (v - m),
            (u < m) == (v < m))
    for u, v in top.blocks:
        add(u if u < l else l + (u - l), v if v < l else l + (v - l), (u < l) == (v < l))

    def walk(start: int, stop_outer: bool):
        """Follow the strand from ``start``; returns (end vertex, sign, e) of sign * J**e."""
        acc = (1, 0)
        cur, came = start, None
        while True:
            nxt = [i for i in inc[cur] if i != came]
            if not nxt:
                return cur, acc
            i = nxt[0]
            a, b, j = edges[i]
            w = b if cur == a else a
            if j:
                acc = _mul(acc, (1, 1) if cur == a else (-1, 1))
            cur, came = w, i
            seen.add(cur)
            if cur == start or (stop_outer and (cur < l or cur >= l + m)):
                return cur, acc

    seen: set[int] = set()
    coefficient = 1
    pairs = []
    for start in [v for v in range(l + m + k) if v < l or v >= l + m]:
        if start in seen:
            continue
        seen.add(start)
        end, (s, e) = walk(start, True)
        a, b = min(start, end), max(start, end)
        if symp:
            if ((a < l) == (b < l)) != bool(e):  # pragma: no cover - impossible by parity
                raise AssertionError("inconsistent symplectic strand")
            if e and start > end:
                s = -s
        coefficient *= s
        pairs.append((a if a < l else a - m, b if b < l else b - m))
    loops = 0
    for v in range(l, l + m):
        if v in seen:
            continue
        seen.add(v)
        _, (s, e) = walk(v, False)
        if e:  # pragma: no cover - impossible by parity
            raise AssertionError("odd symplectic loop")
        coefficient *= s
        loops += 1
    coefficient = coefficient * n**loops
    return coefficient, BrauerDiagram._from_canonical(_canonical(pairs), k, l)
