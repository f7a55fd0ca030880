"""Gaussian elimination of integer matrices modulo a prime (shared by exact-rank selections).

Columns independent modulo a prime p are independent over the rationals (a minor that is
nonzero mod p is a nonzero integer), so the pivots found here are *certified* independent;
callers decide separately whether they also span.

The arithmetic is float64 holding exact integers: residues are kept in (-p, p) and p < 2**20,
so a product of two residues is below 2**40 and sums of up to 2**13 products stay below 2**53,
where float64 is exact; a matrix product mod p is then BLAS on chunks of 2**13, and reduction is
x - p * rint(x / p) (exact: an error of one in the rounded quotient leaves |x| < p). The
elimination is blocked: columns are processed left to right in blocks; the pivot vectors found
so far are kept fully reduced (identity on their pivot rows) and only the rows that are not yet
pivot rows are stored, so a block costs O((R - r) r b) for R rows, r pivots and width b and the
work shrinks as the rank fills up. Inside a block, halves are eliminated recursively and the
right half is reduced against the left half by one matrix product (blocked column-echelon
elimination, as in Dumas, Pernet and Sultan, "Simultaneous computation of the row and column
rank profiles", ISSAC 2013; here left-looking).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .errors import InvalidParameterError

__all__ = ["FAST_PRIMES", "MAX_PRIME", "greedy_pivots_mod_p", "matmul_mod_p",
           "pivot_columns_mod_p"]

#: Exclusive upper bound of the primes accepted (products of residues stay exact in float64).
MAX_PRIME = 2**20

#: Primes below 2**20, largest first.
FAST_PRIMES = (1048573, 1048571, 1048559, 1048549, 1048517)

_CHUNK = 2**13


def _check_prime(p: int) -> int:
    if not (isinstance(p, (int, np.integer)) and 2 < int(p) < MAX_PRIME):
        raise InvalidParameterError(f"p must be an odd prime below 2**20 = {MAX_PRIME}, got {p!r}")
    return int(p)


#: Elements reduced at a time (the quotients stay in the cache: 2-4x faster on large arrays).
_REDUCE_CHUNK = 2**14


def _reduce(x: np.ndarray, p: int) -> np.ndarray:
    """x mod p as a float64 residue in (-p, p), in place (x: exact integers below 2**53)."""
    inv = 1.0 / p
    if x.size <= _REDUCE_CHUNK or not x.flags.c_contiguous:
        q = x * inv
        np.rint(q, out=q)
        q *= p
        x -= q
        return x
    flat = x.reshape(-1)
    buf = np.empty(_REDUCE_CHUNK)
    for s in range(0, flat.size, _REDUCE_CHUNK):
        part = flat[s:s + _REDUCE_CHUNK]
        q = buf[:part.size]
        np.multiply(part, inv, out=q)
        np.rint(q, out=q)
        q *= p
        part -= q
    return x


def matmul_mod_p(A: np.ndarray, B: np.ndarray, p: int) -> np.ndarray:
    """(A @ B) mod p, exactly, for float64 residues in (-p, p), p < 2**20 (residues in (-p, p)).

    Examples
    --------
    >>> p = 1048573
    >>> A = np.array([[p - 1.0, 2.0]]); B = np.array([[p - 1.0], [3.0]])
    >>> int(matmul_mod_p(A, B, p)[0, 0]) % p == ((p - 1) ** 2 + 6) % p
    True
    """
    K = A.shape[1]
    if K <= _CHUNK:
        return _reduce(A @ B, p) if K else np.zeros((A.shape[0], B.shape[1]))
    out = np.zeros((A.shape[0], B.shape[1]))
    for s in range(0, K, _CHUNK):
        out += _reduce(A[:, s:s + _CHUNK] @ B[s:s + _CHUNK], p)
        _reduce(out, p)
    return out


def _sub_matmul_mod_p(C: np.ndarray, A: np.ndarray, B: np.ndarray, p: int) -> np.ndarray:
    """(C - A @ B) mod p as a new array, with one reduction when the inner dimension is short
    (|C| < p and |A @ B| < K p**2, so the difference is exact below 2**53)."""
    K = A.shape[1]
    if K == 0:
        return C.copy()
    if K >= _CHUNK:
        return _reduce(C - matmul_mod_p(A, B, p), p)
    out = A @ B
    np.subtract(C, out, out=out)
    return _reduce(out, p)


def _inverse_unit_lower(T: np.ndarray, p: int) -> np.ndarray:
    """Inverse mod p of a unit lower-triangular matrix of residues (blocked in halves)."""
    t = T.shape[0]
    if t <= 8:
        inv = np.zeros((t, t))
        for i in range(t):
            row = -_reduce(T[i:i + 1, :i] @ inv[:i], p)[0] if i else np.zeros(t)
            row[i] = 1.0
            inv[i] = row
        return inv
    h = t // 2
    A = _inverse_unit_lower(T[:h, :h], p)
    D = _inverse_unit_lower(T[h:, h:], p)
    inv = np.zeros((t, t))
    inv[:h, :h], inv[h:, h:] = A, D
    inv[h:, :h] = -matmul_mod_p(D, matmul_mod_p(T[h:, :h], A, p), p)
    return inv


#: Width below which a block is eliminated column by column (above it: split in halves).
_LEAF = 16


def _echelon(C: np.ndarray, p: int, stop: int) -> tuple[list[int], list[int], np.ndarray]:
    """Greedy pivots of the residue matrix C (F x b), at most ``stop`` of them.

    Returns (columns, rows, V): the pivot columns in order, their pivot rows, and the reduced
    pivot vectors V (F x t) spanning the same space as C[:, columns], with V[rows] = identity.
    Blocks wider than _LEAF are split in two halves; the right half is reduced against the
    left half's vectors by one matrix product, so almost all the work is in matrix products.
    """
    F, b = C.shape
    if b > _LEAF:
        h = b // 2
        c1, r1, V1 = _echelon(C[:, :h], p, stop)
        if len(c1) >= stop:
            return c1, r1, V1
        right = C[:, h:]
        if c1:
            right = _sub_matmul_mod_p(right, V1, right[r1], p)
        keep = np.ones(F, dtype=bool)
        keep[r1] = False
        idx = np.flatnonzero(keep)
        c2, r2, V2 = _echelon(right[idx], p, stop - len(c1))
        if not c2:
            return c1, r1, V1
        r2 = [int(idx[i]) for i in r2]
        W2 = np.zeros((F, len(c2)))
        W2[idx] = V2
        if c1:
            V1 = _sub_matmul_mod_p(V1, W2, V1[r2], p)
        return c1 + [h + c for c in c2], r1 + r2, np.concatenate([V1, W2], axis=1)
    T = np.ascontiguousarray(C.T)        # one column per row: row operations are contiguous
    cols: list[int] = []
    rows: list[int] = []
    for j in range(b):
        nz = np.flatnonzero(T[j])
        if nz.size == 0:
            continue
        i = int(nz[0])
        T[j] = _reduce(T[j] * float(pow(int(T[j, i]) % p, p - 2, p)), p)
        if j + 1 < b:
            hit = j + 1 + np.flatnonzero(T[j + 1:, i])
            if hit.size:
                upd = T[hit] - T[hit, i:i + 1] * T[j]      # below 2**41: one reduction
                T[hit] = _reduce(upd, p)
        cols.append(j)
        rows.append(i)
        if len(cols) >= stop:
            break
    if not cols:
        return [], [], np.zeros((F, 0))
    V = T[cols].T
    # V[rows] is unit lower triangular (each column was reduced at the earlier pivot rows)
    return cols, rows, matmul_mod_p(V, _inverse_unit_lower(V[rows], p), p)


def greedy_pivots_mod_p(blocks: Iterable[np.ndarray], n_rows: int, p: int,
                        stop: int | None = None) -> list[int]:
    """Greedy (lexicographically first) independent columns modulo p of a matrix given as a
    sequence of column blocks.

    Parameters
    ----------
    blocks : iterable of 2-D arrays
        Consecutive column blocks, each of shape (n_rows, b), of integers already reduced to
        (-p, p) (any integer or float64 dtype). Blocks may be produced lazily; they are read
        once.
    n_rows : int
    p : int
        A prime below 2**20.
    stop : int, optional
        Stop as soon as this many pivots are found (the remaining blocks are not read).

    Returns
    -------
    list of int
        Column indices (counted across blocks) of the pivots.

    Examples
    --------
    >>> A = np.array([[1, 2, 0, 1], [2, 4, 1, 0]])
    >>> greedy_pivots_mod_p([A[:, :2], A[:, 2:]], 2, 1048573)
    [0, 2]
    """
    p = _check_prime(p)
    limit = n_rows if stop is None else min(stop, n_rows)
    free = np.arange(n_rows)            # rows that are not pivot rows yet
    prow: list[int] = []                # pivot rows, in pivot order
    basis = np.zeros((n_rows, 0))       # pivot vectors restricted to free rows
    pivots: list[int] = []
    offset = 0
    for C in blocks:
        if len(pivots) >= limit:
            break
        C = np.asarray(C, dtype=np.float64)
        b = C.shape[1]
        Cf = _sub_matmul_mod_p(C[free], basis, C[prow], p) if prow else C[free]
        cols, rows, V = _echelon(Cf, p, limit - len(pivots))
        if cols:
            if prow:
                basis = _sub_matmul_mod_p(basis, V, basis[rows], p)
            keep = np.ones(free.size, dtype=bool)
            keep[rows] = False
            prow += [int(free[i]) for i in rows]
            basis = np.concatenate([basis[keep], V[keep]], axis=1)
            free = free[keep]
            pivots += [offset + c for c in cols]
        offset += b
    return pivots


def pivot_columns_mod_p(matrix, p: int = FAST_PRIMES[0], block: int = 256) -> list[int]:
    """Greedy independent columns (lexicographically first) of an integer matrix modulo p.

    ``matrix`` may be a nested sequence or an array of Python or numpy integers (object arrays
    hold big integers); ``p`` must be a prime below 2**20.

    Examples
    --------
    >>> pivot_columns_mod_p([[1, 2, 3], [2, 4, 7]])
    [0, 2]
    """
    p = _check_prime(p)
    if isinstance(matrix, np.ndarray) and matrix.dtype.kind in "iub":
        A = np.mod(matrix.astype(np.int64), p).astype(np.float64)
    else:
        A = np.array([[int(x) % p for x in row] for row in np.asarray(matrix, dtype=object)],
                     dtype=np.float64)
    if A.ndim != 2 or A.size == 0:
        return []
    return greedy_pivots_mod_p((A[:, s:s + block] for s in range(0, A.shape[1], block)),
                               A.shape[0], p)
