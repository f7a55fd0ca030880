"""Exact linear (in)dependence of basis polynomials for a fixed number of nodes ``n``.

Each polynomial is evaluated exactly, in integers, on random integer matrices; the rows of the
evaluation matrix are reduced modulo the prime ``p = 1048573`` (below 2**20, see
:mod:`reptheory._modular`).  Rows independent modulo
``p`` are independent over the rationals (a non-zero minor mod p is a non-zero integer), so the
greedily chosen subset is *certified* independent; sampling more matrices until the rank stops
growing makes it spanning with overwhelming probability, and :func:`polynomial_basis` checks it
against the exact dimension (the number of multigraphs with at most ``n`` vertices).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._modular import FAST_PRIMES, pivot_columns_mod_p
from .._validate import check_int
from ._polynomial import Polynomial, evaluate_basis

__all__ = ["PRIME", "independent_subset", "rank_mod_p"]

PRIME = FAST_PRIMES[0]


def _pivot_columns_mod_p(M: np.ndarray, p: int = PRIME) -> list[int]:
    """Indices of the first maximal set of linearly independent columns of M modulo p."""
    return pivot_columns_mod_p(np.asarray(M), p)


def rank_mod_p(M: np.ndarray, p: int = PRIME) -> int:
    """Rank of an integer matrix modulo the prime ``p`` (a lower bound on its rational rank).

    Examples
    --------
    >>> rank_mod_p(np.array([[1, 2], [2, 4], [0, 1]]))
    2
    """
    return len(_pivot_columns_mod_p(np.asarray(M).T, p))


def _evaluation_matrix(polys: Sequence[Polynomial], n: int, samples: int, rng) -> np.ndarray:
    symmetric = all(p.symmetric for p in polys)
    X = rng.integers(-3, 4, size=(samples, n, n), dtype=np.int64)
    if symmetric:
        X = np.triu(X) + np.swapaxes(np.triu(X, 1), 1, 2)
    maxdeg = max(p.degree for p in polys)
    maxv = max(p.num_vertices for p in polys)
    if float(n) ** maxv * 3.0**maxdeg * 4 > 2.0**62:
        X = X.astype(object)
    vals = evaluate_basis(polys, X)  # (samples, k, ...)
    k = len(polys)
    return np.moveaxis(vals, 1, 0).reshape(k, -1)


def independent_subset(
    polynomials: Sequence[Polynomial], n: int, seed: int = 0
) -> list[Polynomial]:
    """A maximal linearly independent subset for ``n`` nodes, chosen greedily in order.

    Parameters
    ----------
    polynomials : sequence of Polynomial
        Polynomials of one output type.
    n : int
        Number of nodes.
    seed : int
        Seed of the random integer test matrices.

    Returns
    -------
    list of Polynomial
        The first polynomials (in the given order) that are independent of the earlier ones.

    Examples
    --------
    >>> from reptheory.polynomials import polynomial_basis
    >>> basis = polynomial_basis(2, "invariant", symmetric=True)
    >>> len(independent_subset(basis, 1))   # one node: only x^2 survives
    1
    """
    n = check_int("n", n, minimum=1)
    polys = list(polynomials)
    if not polys:
        return []
    rng = np.random.default_rng(seed)
    out_size = {"invariant": 1, "node": n, "edge": n * n}[polys[0].output]
    samples = max(2, -(-2 * len(polys) // out_size) + 1)
    best: list[int] = []
    while True:
        M = _evaluation_matrix(polys, n, samples, rng)
        piv = _pivot_columns_mod_p(M.T)
        if len(piv) <= len(best):
            break
        best = piv
        if len(best) == len(polys):
            break
        samples *= 2
    return [polys[i] for i in best]
