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

__all__ = ["fused_reduce", "permuted_inner"]


@njit(cache=True, fastmath=True, nogil=True)
def permuted_inner(gy, x, strides, identity, n, out, xtab, xdst, gtab, gdst):
    """``out[t, o, c] += sum_b sum_i gy[b, o, i] * x[b, c, perm_t(i)]`` for every term t.

    ``gy`` (batch, c_out, n^L) and ``x`` (batch, c_in, n^L) are contiguous, flat over L axes
    of size n. Term t reads x with its axes permuted: entry (i_0, ..., i_{L-1}) of y pairs with
    the entry of x at flat offset ``sum_p i_p * strides[t, p]`` (``identity[t]``: the plain
    layout, read x directly). Each permuted x[b, c] is gathered once into a scratch row that
    stays in cache and is paired with every output channel; ``out`` is float64. While x[b]
    and gy[b] are in cache, the reductions ``xtab`` of x's rows go to ``xdst`` and ``gtab`` of
    gy's rows to ``gdst`` (as :func:`fused_reduce`, rows numbered b * channels + channel).
    """
    batch, c_out, P = gy.shape
    c_in = x.shape[1]
    L = strides.shape[1]
    scratch = np.empty(P, dtype=x.dtype)
    zero = np.zeros(1, dtype=x.dtype)[0]
    idx = np.zeros(max(L - 1, 1), dtype=np.int64)
    for b in range(batch):
        for c in range(c_in):
            _reduce_row(x[b, c], b * c_in + c, n, L, idx, xtab, xdst)
        for o in range(c_out):
            _reduce_row(gy[b, o], b * c_out + o, n, L, idx, gtab, gdst)
        for t in range(strides.shape[0]):
            last = strides[t, L - 1]
            for c in range(c_in):
                if identity[t]:
                    row = x[b, c]
                else:
                    src = x[b, c]
                    for r in range(P // n):       # rows of y: decode (i_0, ..., i_{L-2})
                        base = 0
                        rem = r
                        for p in range(L - 2, -1, -1):
                            base += (rem % n) * strides[t, p]
                            rem //= n
                        for j in range(n):
                            scratch[r * n + j] = src[base + j * last]
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


@njit(cache=True, fastmath=True, nogil=True)
def fused_reduce(src, n, k, tab, dst):
    """Several reductions of every row of ``src`` (R, n^k) in one pass, into the flat ``dst``.

    ``tab = (strides, equal, mode, last_stride, last_equal, offsets, sizes)``. Reduction m (a
    diagonal and / or sums over axes of the k-axis tensor) is the block
    ``dst[offsets[m]:offsets[m] + R * sizes[m]]``, one row of ``sizes[m]`` entries per row of
    src. It adds the entry at index (i_0, ..., i_{k-1}) of row r at
    ``offsets[m] + r * sizes[m] + sum_a i_a * strides[m, a] (+ the last axis)`` when
    ``i_a == i_{equal[m, a]}`` for every axis a < k - 1 with ``equal[m, a] >= 0`` (a repeated
    label: a diagonal). The last axis, walked innermost over a contiguous row of n entries, is
    ``mode[m]`` 0: kept (destination stride ``last_stride[m]``), 1: summed, 2: on a diagonal
    with axis ``last_equal[m]`` (only that entry).
    """
    idx = np.zeros(max(k - 1, 1), dtype=np.int64)
    for r in range(src.shape[0]):
        _reduce_row(src[r], r, n, k, idx, tab, dst)


@njit(cache=True, fastmath=True, nogil=True)
def _reduce_row(row, r, n, k, idx, tab, dst):
    """The reductions of :func:`fused_reduce` for row r (``idx``: scratch of k - 1 ints)."""
    strides, equal, mode, last_stride, last_equal, offsets, sizes = tab
    M = offsets.shape[0]
    if M == 0:
        return
    outer = 1
    for _ in range(k - 1):
        outer *= n
    zero = np.zeros(1, dtype=dst.dtype)[0]
    for q in range(outer):
        rem = q
        for a in range(k - 2, -1, -1):
            idx[a] = rem % n
            rem //= n
        seg = row[q * n:(q + 1) * n]
        for m in range(M):
            ok = True
            base = offsets[m] + r * sizes[m]
            for a in range(k - 1):
                e = equal[m, a]
                if e >= 0 and idx[a] != idx[e]:
                    ok = False
                    break
                base += idx[a] * strides[m, a]
            if not ok:
                continue
            md = mode[m]
            if md == 0:
                ls = last_stride[m]
                if ls == 1:
                    out = dst[base:base + n]
                    for j in range(n):
                        out[j] += seg[j]
                else:
                    for j in range(n):
                        dst[base + j * ls] += seg[j]
            elif md == 1:
                acc = zero
                for j in range(n):
                    acc += seg[j]
                dst[base] += acc
            else:
                dst[base] += seg[idx[last_equal[m]]]
