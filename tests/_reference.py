"""Independent reference computations for the tests (no reptheory diagram code used)."""

from __future__ import annotations

import itertools

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components


def brute_diagram_matrix(blocks, k, l, n):
    """D_pi by looping over all index tuples: 1 iff indices in each block agree."""
    M = np.zeros((n**l, n**k))
    for idx in itertools.product(range(n), repeat=l + k):
        if all(len({idx[v] for v in b}) == 1 for b in blocks):
            row = np.ravel_multi_index(idx[:l], (n,) * l) if l else 0
            col = np.ravel_multi_index(idx[l:], (n,) * k) if k else 0
            M[row, col] = 1
    return M


def brute_orbit_matrix(blocks, k, l, n):
    """X_pi: 1 iff the equality pattern of the index tuple is exactly pi."""
    where = {v: i for i, b in enumerate(blocks) for v in b}
    M = np.zeros((n**l, n**k))
    for idx in itertools.product(range(n), repeat=l + k):
        ok = all((idx[u] == idx[v]) == (where[u] == where[v])
                 for u in range(l + k) for v in range(u + 1, l + k))
        if ok:
            row = np.ravel_multi_index(idx[:l], (n,) * l) if l else 0
            col = np.ravel_multi_index(idx[l:], (n,) * k) if k else 0
            M[row, col] = 1
    return M


def kron_power(g, p):
    out = np.ones((1, 1))
    for _ in range(p):
        out = np.kron(out, g)
    return out


def commutant_dimension_numeric(generators, k, l):
    """Nullity of the stacked constraints rho_l(g) W - W rho_k(g) = 0 (numerical SVD)."""
    n = generators[0].shape[0]
    rows = []
    for g in generators:
        A = kron_power(g, l)
        B = kron_power(g, k)
        # vec_row(A W - W B) = (A ⊗ I - I ⊗ B^T) vec_row(W)
        rows.append(np.kron(A, np.eye(n**k)) - np.kron(np.eye(n**l), B.T))
    K = np.vstack(rows)
    return K.shape[1] - np.linalg.matrix_rank(K, tol=1e-8)


def commutant_dimension_permutation_graph(perms, n, m):
    """For permutation generators: nullity of stacked (P_g - I) on (R^n)^{⊗m} = number of
    connected components of the graph i -> g(i) on index tuples (kernel of a graph Laplacian)."""
    size = n**m
    idx = np.indices((n,) * m).reshape(m, -1)
    src, dst = [], []
    for perm in perms:
        perm = np.asarray(perm)
        img = np.ravel_multi_index(tuple(perm[idx[a]] for a in range(m)), (n,) * m)
        src.append(np.arange(size))
        dst.append(img)
    A = sp.coo_matrix((np.ones(size * len(perms)), (np.concatenate(src), np.concatenate(dst))),
                      shape=(size, size))
    return connected_components(A, directed=True, connection="weak")[0]


def matrix_rank(mats):
    if not mats:
        return 0
    A = np.stack([np.asarray(m).ravel() for m in mats])
    return np.linalg.matrix_rank(A)


__all__ = [
    "brute_diagram_matrix",
    "brute_orbit_matrix",
    "commutant_dimension_numeric",
    "commutant_dimension_permutation_graph",
    "kron_power",
    "matrix_rank",
    "scipy",
]


def random_rotation(rng):
    """A Haar-random rotation matrix (QR of a Gaussian matrix, signs fixed, det +1)."""
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    return q * np.linalg.det(q)


def block_wigner_D(L, R):
    """The block-diagonal real Wigner D of all degrees l <= L, in the l*l + l + m layout."""
    from reptheory.so3 import wigner_D

    n = (L + 1) ** 2
    D = np.zeros((n, n))
    for l in range(L + 1):
        D[l * l : (l + 1) ** 2, l * l : (l + 1) ** 2] = wigner_D(l, R)
    return D
