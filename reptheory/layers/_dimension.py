"""Exact dimensions of Hom_{S_n}((R^n)^{⊗k}, (R^n)^{⊗l}), computed two independent ways.

* :func:`symmetric_hom_dimension`: sum_{t <= min(n, k+l)} S(k+l, t) (orbits of [n]^{k+l} are
  equality patterns with at most n classes).
* :func:`symmetric_hom_dimension_mckay`: closed walks of length k+l at the trivial vertex of the
  McKay quiver of the permutation representation M_n = R^n, whose vertices are partitions
  of n and whose arrows lambda -> mu count the ways to remove a box from lambda then add one
  to reach mu (M_n ⊗ S^lambda = Ind Res S^lambda).
"""

from __future__ import annotations

from functools import lru_cache

from sympy.utilities.iterables import partitions as _sympy_partitions

from .._deprecation import deprecated_alias
from .._validate import check_int
from ..diagrams import stirling2
from ._young import add_box, remove_box

__all__ = ["mckay_quiver", "symmetric_hom_dimension", "symmetric_hom_dimension_mckay"]


def symmetric_hom_dimension(n: int, k: int, l: int) -> int:
    """dim Hom_{S_n}((R^n)^{⊗k}, (R^n)^{⊗l}) = sum_{t=1}^{min(n, k+l)} S(k+l, t) (1 when k = l = 0).

    Examples
    --------
    >>> [symmetric_hom_dimension(n, 2, 2) for n in range(1, 6)]
    [1, 8, 14, 15, 15]
    """
    n = check_int("n", n, minimum=1)
    m = check_int("k", k, minimum=0) + check_int("l", l, minimum=0)
    if m == 0:
        return 1
    return sum(stirling2(m, t) for t in range(1, min(n, m) + 1))


@lru_cache(maxsize=64)
def mckay_quiver(n: int) -> tuple[tuple[tuple[int, ...], ...], dict[tuple[int, ...], dict[tuple[int, ...], int]]]:
    """The McKay quiver of (S_n, R^n): (vertices, arrows) with arrows[lam][mu] = multiplicity.

    Vertices are the partitions of n (the irreducible S_n-modules S^lambda), the trivial
    module (n,) first.

    Examples
    --------
    >>> verts, arrows = mckay_quiver(3)
    >>> verts
    ((3,), (2, 1), (1, 1, 1))
    >>> [[arrows[a].get(b, 0) for b in verts] for a in verts]
    [[1, 1, 0], [1, 2, 1], [0, 1, 1]]
    """
    n = check_int("n", n, minimum=1)
    verts = []
    for p in _sympy_partitions(n):
        lam = tuple(sorted((part for part, mult in p.items() for _ in range(mult)), reverse=True))
        verts.append(lam)
    verts.sort(reverse=True)
    arrows: dict[tuple[int, ...], dict[tuple[int, ...], int]] = {}
    for lam in verts:
        row: dict[tuple[int, ...], int] = {}
        for nu in remove_box(lam):
            for mu in add_box(nu):
                row[mu] = row.get(mu, 0) + 1
        arrows[lam] = row
    return tuple(verts), arrows


def symmetric_hom_dimension_mckay(n: int, k: int, l: int) -> int:
    """dim Hom_{S_n} as the number of closed walks of length k+l at the trivial vertex of the
    McKay quiver of M_n (independent of :func:`symmetric_hom_dimension`).

    Examples
    --------
    >>> [symmetric_hom_dimension_mckay(3, m, 0) for m in range(1, 9)]
    [1, 2, 5, 14, 41, 122, 365, 1094]
    """
    m = check_int("k", k, minimum=0) + check_int("l", l, minimum=0)
    verts, arrows = mckay_quiver(n)
    vec = {verts[0]: 1}
    for _ in range(m):
        new: dict[tuple[int, ...], int] = {}
        for lam, c in vec.items():
            for mu, mult in arrows[lam].items():
                new[mu] = new.get(mu, 0) + c * mult
        vec = new
    return vec.get(verts[0], 0)


# deprecated names (one release)
sn_hom_dimension_stirling = deprecated_alias(symmetric_hom_dimension, "sn_hom_dimension_stirling")
sn_hom_dimension_mckay = deprecated_alias(symmetric_hom_dimension_mckay, "sn_hom_dimension_mckay")
