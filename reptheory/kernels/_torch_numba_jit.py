"""Compiled kernel of the torch executor's numba route (a module-level ``@njit(cache=True)``).

Importing this module imports numba, after pointing numba's on-disk cache at
``reptheory._cache.cache_dir("numba")``. :mod:`reptheory.kernels._torch_numba` imports it
lazily.
"""

from __future__ import annotations

from .._cache import numba_cache

numba_cache()

import numpy as np
from numba import njit

__all__ = ["permuted_inner"]


@njit(cache=True, fastmath=True, nogil=True)
def permuted_inner(gy, x, idx, identity, out):
    """``out[t, o, c] += sum_b sum_p gy[b, o, p] * x[b, c, idx[t, p]]`` for every term t.

    ``gy`` (batch, c_out, P) and ``x`` (batch, c_in, P) are contiguous; ``idx`` (T, P) holds
    one permutation of the P entries per term (``identity[t]``: idx[t] is the identity, read x
    directly). Each permuted x[b, c] is gathered once into a scratch row that stays in cache
    and is paired with every output channel; ``out`` is float64.
    """
    batch, c_out, P = gy.shape
    c_in = x.shape[1]
    scratch = np.empty(P, dtype=x.dtype)
    zero = np.zeros(1, dtype=x.dtype)[0]
    for b in range(batch):
        for t in range(idx.shape[0]):
            for c in range(c_in):
                if identity[t]:
                    row = x[b, c]
                else:
                    src = x[b, c]
                    for p in range(P):
                        scratch[p] = src[idx[t, p]]
                    row = scratch
                o = 0
                while o + 4 <= c_out:      # four output channels per pass over the row
                    g0, g1, g2, g3 = gy[b, o], gy[b, o + 1], gy[b, o + 2], gy[b, o + 3]
                    a0 = a1 = a2 = a3 = zero
                    for p in range(P):
                        v = row[p]
                        a0 += g0[p] * v
                        a1 += g1[p] * v
                        a2 += g2[p] * v
                        a3 += g3[p] * v
                    out[t, o, c] += a0
                    out[t, o + 1, c] += a1
                    out[t, o + 2, c] += a2
                    out[t, o + 3, c] += a3
                    o += 4
                while o < c_out:
                    g0 = gy[b, o]
                    a0 = zero
                    for p in range(P):
                        a0 += g0[p] * row[p]
                    out[t, o, c] += a0
                    o += 1
