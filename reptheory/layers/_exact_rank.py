"""Exact linear independence of spanning sets (exact integer arithmetic).

A spanning set {M_i} of real matrices is represented by its *integer Gram matrix*
G[i, j] = <M_i, M_j> (Frobenius), computed combinatorially from the diagrams. The linear
relations among the M_i are exactly those among the columns of G (G = V^T V and V^T is
injective on the column space of V), so the greedy independent subset of the columns of G is
a basis of span{M_i}.

Two exact routes:

* :func:`pivot_columns_exact`: reduced row echelon form over Q (sympy ``DomainMatrix``,
  fraction-free over Z), giving the lexicographically first independent columns;
* :func:`independent_columns` with ``expected``: Gaussian elimination modulo a prime below
  2**20 (blocked; exact integer products carried by float64 BLAS, see
  :mod:`reptheory._modular`) finds columns whose minor is nonzero mod p, hence nonzero over Z:
  those columns are *certainly* independent. If their number equals ``expected`` (the exact
  dimension of the space they lie in, known from a theorem), they are certainly a basis. Only
  if the count falls short (an unlucky prime) does it try other primes and finally the exact
  rational elimination.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._modular import FAST_PRIMES
from .._modular import pivot_columns_mod_p as _pivots_mod_p
from ..errors import ReptheoryError

__all__ = ["exact_rank", "independent_columns", "pivot_columns_exact", "pivot_columns_mod_p"]

#: Primes below 2**20 tried in turn (products of two residues are exact in float64).
PRIMES = FAST_PRIMES[:4]


def pivot_columns_mod_p(matrix, p: int = PRIMES[0]) -> list[int]:
    """Greedy independent columns of an integer matrix modulo the prime p.

    Examples
    --------
    >>> pivot_columns_mod_p([[1, 2, 3], [2, 4, 7]])
    [0, 2]
    """
    return _pivots_mod_p(matrix, p)


def pivot_columns_exact(matrix) -> list[int]:
    """Greedy independent columns of an integer/rational matrix, exactly (rref over Q).

    Examples
    --------
    >>> pivot_columns_exact([[1, 2, 3], [2, 4, 7]])
    [0, 2]
    """
    from sympy import ZZ
    from sympy.polys.matrices import DomainMatrix

    rows = [[int(x) for x in row] for row in matrix]
    if not rows or not rows[0]:
        return []
    dm = DomainMatrix.from_list(rows, ZZ)
    return [int(j) for j in dm.rref_den()[2]]


def exact_rank(matrix) -> int:
    """Exact rank of an integer matrix (rational elimination).

    Examples
    --------
    >>> exact_rank([[1, 2], [2, 4]])
    1
    """
    return len(pivot_columns_exact(matrix))


def independent_columns(matrix: Sequence[Sequence[int]], expected: int | None = None) -> list[int]:
    """Indices of a subset of columns forming a basis of the column space, chosen exactly.

    Parameters
    ----------
    matrix : 2-D integer array or nested lists
    expected : int, optional
        The known rank. With it, the fast modular route is certified (see the module
        docstring); without it, exact rational elimination is used.

    Raises
    ------
    ReptheoryError
        If ``expected`` is given and the exact rank differs (a bug, never expected).

    Examples
    --------
    >>> independent_columns([[1, 1, 0], [1, 1, 1]], expected=2)
    [0, 2]
    """
    if expected is not None:
        for p in PRIMES:
            cols = pivot_columns_mod_p(matrix, p)
            if len(cols) == expected:
                return cols
    cols = pivot_columns_exact(matrix)
    if expected is not None and len(cols) != expected:
        raise ReptheoryError(
            f"internal error: exact rank {len(cols)} differs from the dimension {expected}")
    return cols
