"""The numba kernel of the sparse Clebsch-Gordan tensor product.

Importing this module imports numba (ImportError without it), after pointing numba's on-disk
cache at ``reptheory._cache.cache_dir("numba")``, so the compiled code is cached outside the
package and read back by later processes.

The numpy twin, with the same sums, is the fallback branch of ``reptheory.so3._tp_cg._sparse``.
"""

from __future__ import annotations

from .._cache import numba_cache

numba_cache()  # before numba is imported: compiled code is cached under cache_dir("numba")

from numba import njit  # ImportError without numba: the caller falls back

__all__ = ["cg_sparse_kernel"]


@njit(cache=True, fastmath=False, boundscheck=False)
def cg_sparse_kernel(a, b, I, J, K, vals, out):  # pragma: no cover - compiled
    """``out[n, K[e]] = sum_e vals[e] a[n, I[e]] b[n, J[e]]``; entries sorted by K, nnz >= 1."""
    nnz = I.shape[0]
    for n in range(a.shape[0]):
        acc = 0.0
        k = K[0]
        for e in range(nnz):
            if K[e] != k:
                out[n, k] = acc
                acc = 0.0
                k = K[e]
            acc += vals[e] * a[n, I[e]] * b[n, J[e]]
        out[n, k] = acc
