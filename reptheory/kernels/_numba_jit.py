"""Compiled kernels of the numba executor (module-level ``@njit(cache=True)`` functions).

Importing this module imports numba, after pointing numba's on-disk cache at
``reptheory._cache.cache_dir("numba")``; the compiled machine code is written there on first
use and read back by later processes. :mod:`reptheory.kernels._numba` imports it lazily.
"""

from __future__ import annotations

from .._cache import numba_cache

numba_cache()

import numpy as np  # noqa: E402
from numba import njit, prange  # noqa: E402

__all__ = ["accumulate", "gather", "run_program"]


@njit(cache=True, fastmath=True, nogil=True)
def accumulate(src, s0, dst, d0, n, F, fs_src, fs_dst, fp, E, e_src, e_dst, e_val, ep, idx):
    """dst[d0 + dst_off] += v * src[s0 + src_off] over every assignment of one step's labels.

    ``F`` free labels with per-label strides ``fs_src[fp:fp+F]`` / ``fs_dst[fp:fp+F]`` (the last
    one innermost), and ``E`` entries of the constants' joint table (offsets and values at
    ``ep``). A summed label has destination stride 0, a broadcast label source stride 0.
    """
    outer = 1
    for _ in range(F - 1):
        outer *= n
    for e in range(E):
        v = e_val[ep + e]
        so = s0 + e_src[ep + e]
        do = d0 + e_dst[ep + e]
        if F == 0:
            dst[do] += v * src[so]
            continue
        sl = fs_src[fp + F - 1]
        dl = fs_dst[fp + F - 1]
        for f in range(F):
            idx[f] = 0
        for _t in range(outer):
            if dl == 1 and sl == 1:           # contiguous copy / transfer (SIMD)
                for i in range(n):
                    dst[do + i] += v * src[so + i]
            elif dl == 1 and sl == 0:         # broadcast along the innermost axis
                c = v * src[so]
                for i in range(n):
                    dst[do + i] += c
            elif dl == 0 and sl == 1:         # contiguous contraction
                a = 0.0
                for i in range(n):
                    a += src[so + i]
                dst[do] += v * a
            elif dl == 0:
                a = 0.0
                s = so
                for _i in range(n):
                    a += src[s]
                    s += sl
                dst[do] += v * a
            else:
                s = so
                d = do
                for _i in range(n):
                    dst[d] += v * src[s]
                    s += sl
                    d += dl
            f = F - 2
            while f >= 0:
                idx[f] += 1
                so += fs_src[fp + f]
                do += fs_dst[fp + f]
                if idx[f] < n:
                    break
                so -= n * fs_src[fp + f]
                do -= n * fs_dst[fp + f]
                idx[f] = 0
                f -= 1


@njit(cache=True, fastmath=True, nogil=True)
def _mix_into(dst, d0, size, o, w_eff, op, src, s0, step):
    """dst[d0:d0+size] += sum_i w_eff[o, i, op] * src[s0 + i*step : ... + size] (4 inputs at a time)."""
    c_in = w_eff.shape[1]
    i = 0
    while i + 4 <= c_in:
        w0 = w_eff[o, i, op]
        w1 = w_eff[o, i + 1, op]
        w2 = w_eff[o, i + 2, op]
        w3 = w_eff[o, i + 3, op]
        a0 = s0 + i * step
        a1 = a0 + step
        a2 = a1 + step
        a3 = a2 + step
        for e in range(size):
            dst[d0 + e] += w0 * src[a0 + e] + w1 * src[a1 + e] + w2 * src[a2 + e] + w3 * src[a3 + e]
        i += 4
    while i < c_in:
        wv = w_eff[o, i, op]
        if wv != 0:
            a0 = s0 + i * step
            for e in range(size):
                dst[d0 + e] += wv * src[a0 + e]
        i += 1


@njit(parallel=True, cache=True, fastmath=True)
def run_program(x, y, w_eff, n, chunks, scratch, nd_kind, nd_src, nd_scs, nd_dst, nd_size,
                nd_fp, nd_fl, nd_ep, nd_el, gr_direct, gr_buf, gr_size, gr_fp, gr_fl, gr_ep,
                gr_el, gr_t0, gr_t1, tm_op, tm_alias, tm_src, fs_src, fs_dst, e_src, e_dst,
                e_val, max_f, has_direct):
    """Run a flattened plan on x (batch, c_in * n^k) into y (batch, c_out * n^l).

    Each batch element is done start to end while it is in cache: reduce x into the small node
    buffers, mix channels group by group (the full-size group that is y itself is written in
    place), add every other group onto y through its strides. ``chunks`` splits the batch
    between threads; ``scratch[t]`` is thread t's buffer.
    """
    c_out = w_eff.shape[0]
    c_in = w_eff.shape[1]
    nk = x.shape[1] // c_in
    nl = y.shape[1] // c_out
    n_nodes = nd_kind.shape[0]
    n_groups = gr_size.shape[0]
    for t in prange(chunks.shape[0] - 1):
        scr = scratch[t]
        idx = np.zeros(max_f + 1, np.int64)
        for b in range(chunks[t], chunks[t + 1]):
            xb = x[b]
            yb = y[b]
            for i in range(n_nodes):
                kind = nd_kind[i]
                if kind < 0:
                    continue
                sz = nd_size[i]
                d0 = nd_dst[i]
                for j in range(c_in * sz):
                    scr[d0 + j] = 0.0
                for c in range(c_in):
                    if kind == 0:
                        accumulate(xb, c * nk, scr, d0 + c * sz, n, nd_fl[i], fs_src, fs_dst,
                                   nd_fp[i], nd_el[i], e_src, e_dst, e_val, nd_ep[i], idx)
                    else:
                        accumulate(scr, nd_src[i] + c * nd_scs[i], scr, d0 + c * sz, n,
                                   nd_fl[i], fs_src, fs_dst, nd_fp[i], nd_el[i], e_src, e_dst,
                                   e_val, nd_ep[i], idx)
            if not has_direct:
                for j in range(yb.shape[0]):
                    yb[j] = 0.0
            for g in range(n_groups):
                size = gr_size[g]
                direct = gr_direct[g] != 0
                for o in range(c_out):
                    if direct:
                        d0 = o * nl
                        for e in range(size):
                            yb[d0 + e] = 0.0
                    else:
                        d0 = gr_buf[g]
                        for e in range(size):
                            scr[d0 + e] = 0.0
                    for q in range(gr_t0[g], gr_t1[g]):
                        if direct and tm_alias[q] != 0:
                            _mix_into(yb, d0, size, o, w_eff, tm_op[q], xb, 0, nk)
                        elif direct:
                            _mix_into(yb, d0, size, o, w_eff, tm_op[q], scr, tm_src[q], size)
                        elif tm_alias[q] != 0:
                            _mix_into(scr, d0, size, o, w_eff, tm_op[q], xb, 0, nk)
                        else:
                            _mix_into(scr, d0, size, o, w_eff, tm_op[q], scr, tm_src[q], size)
                    if not direct:
                        accumulate(scr, d0, yb, o * nl, n, gr_fl[g], fs_src, fs_dst, gr_fp[g],
                                   gr_el[g], e_src, e_dst, e_val, gr_ep[g], idx)


@njit(parallel=True, cache=True)
def gather(out, w, rows, cols, params, coefs, n_cols):
    """out[p, rows[e] * n_cols + cols[e]] += coefs[e] * w[p, params[e]] (dense layer matrices)."""
    P = out.shape[0]
    E = rows.shape[0]
    for p in prange(P):
        for e in range(E):
            out[p, rows[e] * n_cols + cols[e]] += coefs[e] * w[p, params[e]]
