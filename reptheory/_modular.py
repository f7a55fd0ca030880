"""Gaussian elimination of integer matrices modulo a prime (shared by exact-rank selections).

Columns independent modulo a prime p are independent over the rationals (a minor that is
nonzero mod p is a nonzero integer), so the pivots found here are *certified* independent;
callers decide separately whether they also span.
"""

from __future__ import annotations

import numpy as np

__all__ = ["pivot_columns_mod_p"]


def pivot_columns_mod_p(matrix, p: int) -> list[int]:
    """Greedy independent columns (lexicographically first) of an integer matrix modulo p.

    ``matrix`` may be a nested sequence or an array of Python or numpy integers (object arrays
    hold big integers); ``p`` must be a prime below 2**31 so products of residues fit in int64.

    Examples
    --------
    >>> pivot_columns_mod_p([[1, 2, 3], [2, 4, 7]], 2147483647)
    [0, 2]
    """
    if isinstance(matrix, np.ndarray):
        A = np.mod(np.asarray(matrix, dtype=object), p).astype(np.int64)
    else:
        A = np.array([[int(x) % p for x in row] for row in matrix], dtype=np.int64)
    if A.ndim != 2 or A.size == 0:
        return []
    rows, cols = A.shape
    r = 0
    pivots = []
    for j in range(cols):
        if r == rows:
            break
        nz = np.flatnonzero(A[r:, j])
        if nz.size == 0:
            continue
        i = r + int(nz[0])
        if i != r:
            A[[r, i]] = A[[i, r]]
        inv = pow(int(A[r, j]), p - 2, p)
        A[r, j:] = (A[r, j:] * inv) % p
        hit = np.flatnonzero(A[r + 1:, j])
        if hit.size:
            idx = r + 1 + hit
            A[idx, j:] = (A[idx, j:] - (A[idx, j][:, None] * A[r, j:][None, :]) % p) % p
        pivots.append(j)
        r += 1
    return pivots
