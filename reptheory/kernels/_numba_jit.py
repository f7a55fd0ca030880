"""Compiled kernels of the numba executor (module-level ``@njit(cache=True)`` functions).

Importing this module imports numba, after pointing numba's on-disk cache at
``reptheory._cache.cache_dir("numba")``; the compiled machine code is written there on first
use and read back by later processes. :mod:`reptheory.kernels._numba` imports it lazily.
"""

from __future__ import annotations

from .._cache import numba_cache

numba_cache()

import numpy as np
from numba import njit, prange

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
            # views keep every index provably >= 0, so the loops below vectorise
            if dl == 1 and sl == 1:           # contiguous copy / transfer
                d = dst[do:do + n]
                s = src[so:so + n]
                for i in range(n):
                    d[i] += v * s[i]
            elif dl == 1 and sl == 0:         # broadcast along the innermost axis
                d = dst[do:do + n]
                c = v * src[so]
                for i in range(n):
                    d[i] += c
            elif dl == 1:                     # strided read, contiguous write (a transpose)
                d = dst[do:do + n]
                s2 = src[so:so + (n - 1) * sl + 1:sl]
                for i in range(n):
                    d[i] += v * s2[i]
            elif dl == 0 and sl == 1:         # contiguous contraction (4 partial sums)
                s = src[so:so + n]
                a0 = s[0] * 0
                a1 = a0
                a2 = a0
                a3 = a0
                m = n - n % 4
                for i in range(0, m, 4):
                    a0 += s[i]
                    a1 += s[i + 1]
                    a2 += s[i + 2]
                    a3 += s[i + 3]
                for i in range(m, n):
                    a0 += s[i]
                dst[do] += v * ((a0 + a1) + (a2 + a3))
            elif dl == 0:                     # strided contraction
                s2 = src[so:so + (n - 1) * sl + 1:sl]
                a = s2[0] * 0
                for i in range(n):
                    a += s2[i]
                dst[do] += v * a
            elif sl == 0:                     # strided broadcast
                d2 = dst[do:do + (n - 1) * dl + 1:dl]
                c = v * src[so]
                for i in range(n):
                    d2[i] += c
            else:                             # strided transfer (e.g. a transpose)
                d2 = dst[do:do + (n - 1) * dl + 1:dl]
                s2 = src[so:so + (n - 1) * sl + 1:sl]
                for i in range(n):
                    d2[i] += v * s2[i]
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
    d = dst[d0:d0 + size]
    i = 0
    while i + 4 <= c_in:
        w0 = w_eff[o, i, op]
        w1 = w_eff[o, i + 1, op]
        w2 = w_eff[o, i + 2, op]
        w3 = w_eff[o, i + 3, op]
        a0 = s0 + i * step
        x0 = src[a0:a0 + size]
        x1 = src[a0 + step:a0 + step + size]
        x2 = src[a0 + 2 * step:a0 + 2 * step + size]
        x3 = src[a0 + 3 * step:a0 + 3 * step + size]
        for e in range(size):
            d[e] += w0 * x0[e] + w1 * x1[e] + w2 * x2[e] + w3 * x3[e]
        i += 4
    while i < c_in:
        wv = w_eff[o, i, op]
        if wv != 0:
            a0 = s0 + i * step
            x0 = src[a0:a0 + size]
            for e in range(size):
                d[e] += wv * x0[e]
        i += 1


@njit(cache=True, fastmath=True, nogil=True)
def run_program(x, y, w_eff, n, chunks, scratch, nd_kind, nd_src, nd_scs, nd_dst, nd_size,
                nd_fp, nd_fl, nd_ep, nd_el, gr_direct, gr_size, gr_fp, gr_fl, gr_ep, gr_el,
                gr_t0, gr_t1, gr_child, gr_root, gr_last, tm_op, tm_alias, tm_src, fs_src,
                fs_dst, e_src, e_dst, e_val, max_f, has_direct, g_off, t_off):
    """Run a flattened plan on x (batch, c_in * n^k) into y (batch, c_out * n^l).

    Each batch element is done start to end while it is in cache: reduce x into the small node
    buffers, mix the channels of each expand group (the full-size group that has y's own
    layout is mixed straight into y; a group whose pattern another group's contains is mixed
    into a second buffer and added into that group's buffer), add every other group onto y
    through its strides. ``chunks`` splits the batch in pieces run one after the other;
    ``scratch[t]`` is piece t's buffer: the reduce nodes, then the group buffer at ``g_off``
    and the buffer of absorbed groups at ``t_off``. The GIL is released, so threads can run
    pieces side by side.
    """
    c_out = w_eff.shape[0]
    c_in = w_eff.shape[1]
    nk = x.shape[1] // c_in
    nl = y.shape[1] // c_out
    n_nodes = nd_kind.shape[0]
    n_groups = gr_size.shape[0]
    for t in range(chunks.shape[0] - 1):
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
                scr[d0:d0 + c_in * sz] = 0.0
                for c in range(c_in):
                    if kind == 0:
                        accumulate(xb, c * nk, scr, d0 + c * sz, n, nd_fl[i], fs_src, fs_dst,
                                   nd_fp[i], nd_el[i], e_src, e_dst, e_val, nd_ep[i], idx)
                    else:
                        accumulate(scr, nd_src[i] + c * nd_scs[i], scr, d0 + c * sz, n,
                                   nd_fl[i], fs_src, fs_dst, nd_fp[i], nd_el[i], e_src, e_dst,
                                   e_val, nd_ep[i], idx)
            if not has_direct:
                yb[:] = 0.0
            for g in range(n_groups):
                size = gr_size[g]
                child = gr_child[g] != 0
                if gr_direct[g] != 0:
                    G = yb[0:c_out * size]
                elif child:
                    G = scr[t_off:t_off + c_out * size]
                else:
                    G = scr[g_off:g_off + c_out * size]
                G[:] = 0.0
                for q in range(gr_t0[g], gr_t1[g]):
                    if tm_alias[q] != 0:
                        src = xb[0:c_in * size]
                    else:
                        src = scr[tm_src[q]:tm_src[q] + c_in * size]
                    for o in range(c_out):
                        _mix_into(G, o * size, size, o, w_eff, tm_op[q], src, 0, size)
                if child:
                    r = gr_root[g]
                    rsize = gr_size[r]
                    for o in range(c_out):
                        accumulate(G, o * size, scr, g_off + o * rsize, n, gr_fl[g], fs_src,
                                   fs_dst, gr_fp[g], gr_el[g], e_src, e_dst, e_val, gr_ep[g],
                                   idx)
                if gr_last[g] != 0:
                    r = gr_root[g]
                    if gr_direct[r] == 0:
                        rsize = gr_size[r]
                        for o in range(c_out):
                            accumulate(scr, g_off + o * rsize, yb, o * nl, n, gr_fl[r], fs_src,
                                       fs_dst, gr_fp[r], gr_el[r], e_src, e_dst, e_val, gr_ep[r],
                                       idx)


@njit(parallel=True, cache=True)
def gather(out, w, rows, cols, params, coefs, n_cols):
    """out[p, rows[e] * n_cols + cols[e]] += coefs[e] * w[p, params[e]] (dense layer matrices)."""
    P = out.shape[0]
    E = rows.shape[0]
    for p in prange(P):
        for e in range(E):
            out[p, rows[e] * n_cols + cols[e]] += coefs[e] * w[p, params[e]]
