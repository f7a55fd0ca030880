"""Exact choice of independent Brauer and (l+k)\\n-diagrams by evaluation at random points.

A (k, l)-diagram beta defines the multilinear form on m = k + l vectors

    f_beta(x_1, ..., x_m) = sum_{I, J} M_beta[I, J] prod_u x_u[idx_u]
                          = prod over pairs {u, v} of <x_u, x_v>_beta
                            (times det[x_{f_1}, ..., x_{f_n}] for the free vertices f),

where <x_u, x_v>_beta is x_u . x_v for a delta pair and x_u^T J x_v for a symplectic same-row
pair. The map M_beta -> f_beta is linear and injective, so the diagrams' matrices satisfy
exactly the linear relations of their forms. Evaluating the forms at R random points gives an
R x N matrix E (one column per diagram) whose column relations contain those of the M_beta;
columns of E independent modulo a prime p are therefore certified independent diagrams
(a nonzero minor mod p is a nonzero integer). When their number equals the exact dimension of
the space, known from the Bratteli-walk formulas, they are a basis. With R = dimension + 4
random points this happens with overwhelming probability (the evaluation matrix of d
independent polynomials at random points is singular with probability at most deg/p by the
Schwartz-Zippel lemma, and the margin rows make a rank deficit rarer still); otherwise another
prime and other points are tried, and finally the exact rational elimination of the Gram matrix.

Compared with the Gram matrix (N x N, every entry a cycle count) this matrix has only
dimension + 4 rows, is built with vectorised integer arithmetic, and its blocked elimination
(:func:`reptheory._modular.greedy_pivots_mod_p`) stops as soon as the dimension is reached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from .._modular import FAST_PRIMES, _reduce, greedy_pivots_mod_p
from ._exact_rank import independent_columns

__all__ = ["independent_diagrams"]

#: Extra evaluation points beyond the dimension.
MARGIN = 4
#: Columns evaluated and eliminated at a time.
BLOCK = 256
#: Tries with fresh points and another prime before the exact Gram fallback.
ATTEMPTS = 3


def _inverse_mod_p(a: np.ndarray, p: int) -> np.ndarray:
    """a**(p-2) mod p elementwise (p < 2**20, so products fit in int64)."""
    result = np.ones_like(a)
    base = a % p
    e = p - 2
    while e:
        if e & 1:
            result = (result * base) % p
        base = (base * base) % p
        e >>= 1
    return result


def _det_mod_p(M: np.ndarray, p: int) -> np.ndarray:
    """Determinants mod p of a stack of square residue matrices (..., n, n), with pivoting."""
    A = M.reshape((-1,) + M.shape[-2:]).copy() % p
    count, n = A.shape[0], A.shape[1]
    det = np.ones(count, dtype=np.int64)
    rows = np.arange(count)
    for c in range(n):
        nonzero = A[:, c:, c] != 0
        has = nonzero.any(axis=1)
        det[~has] = 0
        piv = c + np.argmax(nonzero, axis=1)
        swap = has & (piv != c)
        if swap.any():
            top = A[rows[swap], c].copy()
            A[rows[swap], c] = A[rows[swap], piv[swap]]
            A[rows[swap], piv[swap]] = top
            det[swap] = (-det[swap]) % p
        pivot = np.where(has, A[:, c, c], 1)
        det = (det * pivot) % p
        if c + 1 < n:
            factor = (A[:, c + 1:, c] * _inverse_mod_p(pivot, p)[:, None]) % p
            A[:, c + 1:, c:] = (A[:, c + 1:, c:] - (factor[:, :, None] * A[:, None, c, c:]) % p) % p
    return det.reshape(M.shape[:-2])


def _pair_values(x: np.ndarray, p: int, l: int, symplectic: bool) -> np.ndarray:
    """G[r, u, v] = <x_u, x_v> at every point r: dot products, or x_u^T J x_v inside a row."""
    G = np.einsum("rui,rvi->ruv", x, x) % p
    if symplectic:
        Jx = np.empty_like(x)
        Jx[..., 0::2], Jx[..., 1::2] = x[..., 1::2], -x[..., 0::2]   # (J x)[2a] = x[2a+1]
        GJ = np.einsum("rui,rvi->ruv", x, Jx) % p
        top = np.arange(x.shape[1]) < l
        same = top[:, None] == top[None, :]
        G = np.where(same[None], GJ, G)
    return G.astype(np.float64)


def _pair_products(pairs: np.ndarray, Gt: np.ndarray, p: int) -> np.ndarray:
    """prod_t G[:, u_t, v_t] mod p for every row of ``pairs`` (b, P, 2), shape (b, R).

    ``Gt`` is G laid out as (m, m, R), so that every factor and every partial product is a
    contiguous row. Diagrams that share their first pairs share the partial products
    (consecutive diagrams of the enumeration share long prefixes), so each distinct prefix is
    multiplied once.
    """
    m, R = Gt.shape[0], Gt.shape[2]
    b, P = pairs.shape[0], pairs.shape[1]
    flat = Gt.reshape(m * m, R)
    vals = np.ones((1, R))
    node = np.zeros(b, dtype=np.int64)          # each diagram's prefix node at the last level
    for t in range(P):
        key = node * (m * m) + pairs[:, t, 0] * m + pairs[:, t, 1]
        _, first, node = np.unique(key, return_index=True, return_inverse=True)
        vals = vals[key[first] // (m * m)]
        vals *= flat[key[first] % (m * m)]
        _reduce(vals, p)
    return vals[node.reshape(-1)]


def _columns(ds: Sequence, x: np.ndarray, p: int, l: int, symplectic: bool) -> Iterator[np.ndarray]:
    """Blocks of the evaluation matrix, BLOCK diagrams at a time."""
    G = _pair_values(x, p, l, symplectic)
    Gt = np.ascontiguousarray(G.transpose(1, 2, 0))
    dets: dict[tuple[int, ...], np.ndarray] = {}
    for s in range(0, len(ds), BLOCK):
        chunk = ds[s:s + BLOCK]
        pairs = np.array([[b for b in d.blocks if len(b) == 2] for d in chunk], dtype=np.int64)
        if pairs.size:
            col = _pair_products(pairs, Gt, p).T
        else:
            col = np.ones((x.shape[0], len(chunk)))
        if hasattr(chunk[0], "free_vertices"):
            heads = [d.free_vertices for d in chunk]
            for h in set(heads) - set(dets):
                dets[h] = _det_mod_p(x[:, list(h), :].transpose(0, 2, 1), p).astype(np.float64)
            col = _reduce(col * np.stack([dets[h] for h in heads], axis=1), p)
        yield col


def independent_diagrams(ds: Sequence, n: int, expected: int, form: str = "orthogonal",
                         gram: Callable[[Sequence], list] | None = None) -> list[int]:
    """Indices of an independent subset of ``expected`` diagrams, certified exactly.

    Parameters
    ----------
    ds : sequence of BrauerDiagram or LeviCivitaDiagram
        All of one (k, l), in order; the greedy choice is the lexicographically first
        independent subset (modulo the prime used).
    n : int
    expected : int
        The exact dimension of their span.
    form : {"orthogonal", "symplectic"}
    gram : callable, optional
        Exact Gram matrix of ``ds``, used only if every modular try falls short.

    Examples
    --------
    >>> from reptheory.diagrams import brauer_diagrams
    >>> independent_diagrams(list(brauer_diagrams(2, 2)), 1, 1)
    [0]
    """
    ds = list(ds)
    if expected == 0 or not ds:
        return []
    if len(ds) == expected:
        return list(range(len(ds)))
    l = ds[0].l
    m = ds[0].l + ds[0].k
    rows = expected + MARGIN
    for attempt in range(ATTEMPTS):
        p = FAST_PRIMES[attempt]
        x = np.random.default_rng(attempt).integers(0, p, size=(rows, m, n), dtype=np.int64)
        cols = greedy_pivots_mod_p(_columns(ds, x, p, l, form == "symplectic"), rows, p,
                                   stop=expected)
        if len(cols) == expected:
            return cols
    if gram is None:  # pragma: no cover - needs three unlucky tries in a row
        from ..errors import ReptheoryError

        raise ReptheoryError("internal error: could not certify an independent subset")
    from .._validate import check_dense_size
    from ._registry import WORDS_PER_GRAM_ENTRY

    check_dense_size(f"the exact Gram matrix of {len(ds)} diagrams",
                     len(ds) ** 2 * WORDS_PER_GRAM_ENTRY, hint="lower k + l")
    return independent_columns(gram(ds), expected=expected)
