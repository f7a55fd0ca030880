"""Compiled kernels of the numba executor (module-level ``@njit(cache=True)`` functions).

Importing this module imports numba, after pointing numba's on-disk cache at
``reptheory._cache.cache_dir("numba")``; the compiled machine code is written there on first
use and read back by later processes. :mod:`reptheory.kernels._numba` imports it lazily.

The inner loops index whole arrays with unsigned offsets (``np.uint64``) instead of slicing
views: an unsigned index needs no negative-index wraparound, so the loops vectorise, and no
view is created (each would cost reference-count updates) in the hot loops.
"""

from __future__ import annotations

from .._cache import numba_cache

numba_cache()

import numpy as np
from numba import njit, prange

from ._numba_simd import transpose4, transpose8

__all__ = ["accumulate", "gather", "permute_copy", "row_pass", "run_program"]


@njit(cache=True, fastmath=True, nogil=True)
def accumulate(src, s_0, s_step, dst, d_0, d_step, nch, n, F, fs_src, fs_dst, fp, E, e_src,
               e_dst, e_val, ep, idx):
    """dst[d0 + dst_off] += v * src[s0 + src_off] over every assignment of one step's labels,
    for ``nch`` channels (s0 = s_0 + c * s_step, d0 = d_0 + c * d_step).

    ``F`` free labels with per-label strides ``fs_src[fp:fp+F]`` / ``fs_dst[fp:fp+F]`` (the last
    one innermost), and ``E`` entries of the constants' joint table (offsets and values at
    ``ep``). A summed label has destination stride 0, a broadcast label source stride 0.
    """
    nu = np.uint64(n)
    outer = 1
    for _ in range(F - 1):
        outer *= n
    for ce in range(nch * E):
        ch = ce // E if E > 1 else ce
        e = ce - ch * E
        s0 = s_0 + ch * s_step
        d0 = d_0 + ch * d_step
        v = e_val[ep + e]
        so = s0 + e_src[ep + e]
        do = d0 + e_dst[ep + e]
        if F == 0:
            dst[np.uint64(do)] += v * src[np.uint64(so)]
            continue
        sl = np.uint64(fs_src[fp + F - 1])
        dl = np.uint64(fs_dst[fp + F - 1])
        for f in range(F):
            idx[f] = 0
        s2 = fs_src[fp + F - 2] if F >= 2 else 0
        d2 = fs_dst[fp + F - 2] if F >= 2 else 0
        # a sum over consecutive rows (a column sum): four rows added into the destination as
        # one (a row sum, also four at a time, was slower where x streams in from memory)
        rows4 = sl == 1 and s2 == n and n % 4 == 0 and dl == 1 and d2 == 0
        step = 4 if rows4 else 1
        step_src = step * s2
        step_dst = step * d2
        for _t in range(0, outer, step):
            su = np.uint64(so)
            du = np.uint64(do)
            if rows4:
                u1 = su + nu
                u2 = u1 + nu
                u3 = u2 + nu
                for i in range(nu):
                    dst[du + i] += v * (src[su + i] + src[u1 + i] + src[u2 + i] + src[u3 + i])
            elif dl == 1 and sl == 1:         # contiguous copy / transfer
                for i in range(nu):
                    dst[du + i] += v * src[su + i]
            elif dl == 1 and sl == 0:         # broadcast along the innermost axis
                c = v * src[su]
                for i in range(nu):
                    dst[du + i] += c
            elif dl == 1:                     # strided read, contiguous write
                for i in range(nu):
                    dst[du + i] += v * src[su + i * sl]
            elif dl == 0 and sl == 1:         # contiguous contraction (vectorised sum)
                a = src[su] * 0
                for i in range(nu):
                    a += src[su + i]
                dst[du] += v * a
            elif dl == 0:                     # strided contraction
                a = src[su] * 0
                for i in range(nu):
                    a += src[su + i * sl]
                dst[du] += v * a
            elif sl == 0:                     # strided broadcast
                c = v * src[su]
                for i in range(nu):
                    dst[du + i * dl] += c
            else:                             # strided transfer
                for i in range(nu):
                    dst[du + i * dl] += v * src[su + i * sl]
            if F >= 2:                        # the odometer: label F - 2 advanced by step
                f = F - 2
                idx[f] += step
                so += step_src
                do += step_dst
                while idx[f] >= n:            # carried into the labels before it
                    so -= n * fs_src[fp + f]
                    do -= n * fs_dst[fp + f]
                    idx[f] = 0
                    f -= 1
                    if f < 0:
                        break
                    idx[f] += 1
                    so += fs_src[fp + f]
                    do += fs_dst[fp + f]


@njit(cache=True, fastmath=True, nogil=True)
def _zero(buf, a, m):
    """buf[a : a + m] = 0."""
    au = np.uint64(a)
    for i in range(np.uint64(m)):
        buf[au + i] = 0


@njit(cache=True, fastmath=True, nogil=True)
def _mix_into(dst, d0, size, w_eff, op, src, s0, step):
    """dst[d0 + o*size : ... + size] += sum_i w_eff[o, i, op] * src[s0 + i*step : ... + size]
    for every output channel o (4 inputs at a time)."""
    c_out = w_eff.shape[0]
    c_in = w_eff.shape[1]
    m = np.uint64(size)
    for o in range(c_out):
        du = np.uint64(d0 + o * size)
        i = 0
        while i + 4 <= c_in:
            w0 = w_eff[o, i, op]
            w1 = w_eff[o, i + 1, op]
            w2 = w_eff[o, i + 2, op]
            w3 = w_eff[o, i + 3, op]
            a0 = np.uint64(s0 + i * step)
            a1 = np.uint64(s0 + (i + 1) * step)
            a2 = np.uint64(s0 + (i + 2) * step)
            a3 = np.uint64(s0 + (i + 3) * step)
            for e in range(m):
                dst[du + e] += (w0 * src[a0 + e] + w1 * src[a1 + e] + w2 * src[a2 + e]
                                + w3 * src[a3 + e])
            i += 4
        while i < c_in:
            wv = w_eff[o, i, op]
            if wv != 0:
                a0 = np.uint64(s0 + i * step)
                for e in range(m):
                    dst[du + e] += wv * src[a0 + e]
            i += 1


@njit(cache=True, fastmath=True, nogil=True)
def permute_copy(src, s0, s_step, dst, d0, d_step, nch, n, F, fs_src, fs_dst, fp, idx):
    """Every channel c < nch: dst[d0 + c * d_step + dst_off] = src[s0 + c * s_step + src_off]
    over every assignment of ``F`` labels (a full-size tensor written in another axis order;
    the strides are a permutation of powers of n).

    The last label has destination stride 1; when its source stride is 1 too, rows are copied.
    Otherwise the label before it has source stride 1 and the two are walked in tiles: 8 x 8
    float32 or 4 x 4 float64 blocks transposed in registers (:mod:`._numba_simd`) when n is a
    multiple of the block, else 8 x 8 or 16 x 16 tiles copied entry by entry, so that both
    sides of a tile stay in L1.
    """
    if F == 0:
        for c in range(nch):
            dst[np.uint64(d0 + c * d_step)] = src[np.uint64(s0 + c * s_step)]
        return
    rows = fs_src[fp + F - 1] == 1
    n_outer = F - 1 if rows else F - 2
    outer = 1
    for _ in range(n_outer):
        outer *= n
    ud = np.uint64(fs_dst[fp + F - 2]) if F >= 2 else np.uint64(0)
    vs = np.uint64(fs_src[fp + F - 1])
    nu = np.uint64(n)
    T = np.uint64(16)
    E = np.uint64(8)
    so = s0
    do = d0
    for ct in range(nch * outer):
        if ct % outer == 0:
            for f in range(n_outer):
                idx[f] = 0
            so = s0 + (ct // outer) * s_step
            do = d0 + (ct // outer) * d_step
        su = np.uint64(so)
        du = np.uint64(do)
        if rows:
            for i in range(nu):
                dst[du + i] = src[su + i]
        elif n % 8 == 0 and src.itemsize == 4:    # 8 x 8 blocks, transposed in registers
            for ub in range(np.uint64(0), nu, E):
                for vb in range(np.uint64(0), nu, E):
                    transpose8(dst, du + ub * ud + vb, ud, src, su + ub + vb * vs, vs)
        elif n % 4 == 0 and src.itemsize == 8:    # 4 x 4 blocks of float64
            F4 = np.uint64(4)
            for ub in range(np.uint64(0), nu, F4):
                for vb in range(np.uint64(0), nu, F4):
                    transpose4(dst, du + ub * ud + vb, ud, src, su + ub + vb * vs, vs)
        elif n % 8 == 0:                      # 8 x 8 blocks of constant size
            for ub in range(np.uint64(0), nu, E):
                for vb in range(np.uint64(0), nu, E):
                    for u in range(E):
                        for v in range(E):
                            dst[du + (ub + u) * ud + vb + v] = src[su + ub + u + (vb + v) * vs]
        else:
            for ub in range(np.uint64(0), nu, T):
                ue = min(ub + T, nu)
                for vb in range(np.uint64(0), nu, T):
                    ve = min(vb + T, nu)
                    for u in range(ub, ue):
                        for v in range(vb, ve):
                            dst[du + u * ud + v] = src[su + u + v * vs]
        f = n_outer - 1
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
def _axpy4(y, da, src, a0, w0, a1, w1, a2, w2, a3, w3, L, first):
    """y[da + i] (= if ``first``, else +=) w0 src[a0 + i] + ... + w3 src[a3 + i], i < L."""
    if first:
        for i in range(L):
            y[da + i] = w0 * src[a0 + i] + w1 * src[a1 + i] + w2 * src[a2 + i] + w3 * src[a3 + i]
    else:
        for i in range(L):
            y[da + i] += w0 * src[a0 + i] + w1 * src[a1 + i] + w2 * src[a2 + i] + w3 * src[a3 + i]


@njit(cache=True, fastmath=True, nogil=True)
def _axpy1(y, da, src, a0, w0, L, first):
    """y[da + i] (= if ``first``, else +=) w0 src[a0 + i], i < L."""
    if first:
        for i in range(L):
            y[da + i] = w0 * src[a0 + i]
    else:
        for i in range(L):
            y[da + i] += w0 * src[a0 + i]


@njit(cache=True, fastmath=True, nogil=True)
def _axpy4x2(y, da, db, src, a0, a1, a2, a3, w0, w1, w2, w3, v0, v1, v2, v3, L, first):
    """Two output channels from the same four source rows: y[da + i] (= or +=) sum w_k
    src[a_k + i] and y[db + i] (= or +=) sum v_k src[a_k + i], i < L."""
    if first:
        for i in range(L):
            s0 = src[a0 + i]
            s1 = src[a1 + i]
            s2 = src[a2 + i]
            s3 = src[a3 + i]
            y[da + i] = w0 * s0 + w1 * s1 + w2 * s2 + w3 * s3
            y[db + i] = v0 * s0 + v1 * s1 + v2 * s2 + v3 * s3
    else:
        for i in range(L):
            s0 = src[a0 + i]
            s1 = src[a1 + i]
            s2 = src[a2 + i]
            s3 = src[a3 + i]
            y[da + i] += w0 * s0 + w1 * s1 + w2 * s2 + w3 * s3
            y[db + i] += v0 * s0 + v1 * s1 + v2 * s2 + v3 * s3


@njit(cache=True, fastmath=True, nogil=True, inline="always")
def _mix_sources2(y, da, db, src, SP, j0, j1, w_eff, o, row0, L, first):
    """:func:`_mix_sources` for output channels o (at ``da``) and o + 1 (at ``db``) at once."""
    j = j0
    while j + 4 <= j1:
        _axpy4x2(y, da, db, src, np.uint64(SP[j, 1] + row0), np.uint64(SP[j + 1, 1] + row0),
                 np.uint64(SP[j + 2, 1] + row0), np.uint64(SP[j + 3, 1] + row0),
                 w_eff[o, SP[j, 2], SP[j, 3]], w_eff[o, SP[j + 1, 2], SP[j + 1, 3]],
                 w_eff[o, SP[j + 2, 2], SP[j + 2, 3]], w_eff[o, SP[j + 3, 2], SP[j + 3, 3]],
                 w_eff[o + 1, SP[j, 2], SP[j, 3]], w_eff[o + 1, SP[j + 1, 2], SP[j + 1, 3]],
                 w_eff[o + 1, SP[j + 2, 2], SP[j + 2, 3]],
                 w_eff[o + 1, SP[j + 3, 2], SP[j + 3, 3]], L, first)
        first = False
        j += 4
    while j < j1:
        a = np.uint64(SP[j, 1] + row0)
        _axpy1(y, da, src, a, w_eff[o, SP[j, 2], SP[j, 3]], L, first)
        _axpy1(y, db, src, a, w_eff[o + 1, SP[j, 2], SP[j, 3]], L, first)
        first = False
        j += 1
    return not first


@njit(cache=True, fastmath=True, nogil=True, inline="always")
def _mix_sources(y, da, src, SP, j0, j1, w_eff, o, row0, L, first):
    """y[da : da + L] (=, when ``first``, else +=) the sum over the sources j0 <= j < j1 of
    w_eff[o, SP[j, 2], SP[j, 3]] * src[SP[j, 1] + row0 : ... + L], four sources at a time.
    Returns whether anything was written."""
    j = j0
    while j + 4 <= j1:
        _axpy4(y, da, src, np.uint64(SP[j, 1] + row0), w_eff[o, SP[j, 2], SP[j, 3]],
               np.uint64(SP[j + 1, 1] + row0), w_eff[o, SP[j + 1, 2], SP[j + 1, 3]],
               np.uint64(SP[j + 2, 1] + row0), w_eff[o, SP[j + 2, 2], SP[j + 2, 3]],
               np.uint64(SP[j + 3, 1] + row0), w_eff[o, SP[j + 3, 2], SP[j + 3, 3]], L, first)
        first = False
        j += 4
    while j < j1:
        _axpy1(y, da, src, np.uint64(SP[j, 1] + row0), w_eff[o, SP[j, 2], SP[j, 3]], L, first)
        first = False
        j += 1
    return not first


@njit(cache=True, fastmath=True, nogil=True)
def _fill_tile(y, da, work, w0, rows, L):
    """y[da + r * L + i] = S[r] + V[i] for r < rows, i < L (V = work[w0:w0 + L], S = work[w0 +
    L:])."""
    Lu = np.uint64(L)
    wu = np.uint64(w0)
    for r in range(np.uint64(rows)):
        sr = work[wu + Lu + r]
        d = da + r * Lu
        for i in range(Lu):
            y[d + i] = sr + work[wu + i]


@njit(cache=True, fastmath=True, nogil=True, inline="always")
def _fill_mix4x2(y, da, db, src, SP, j, w_eff, o, row0, work, wa, wb, rows, L):
    """The first write of a tile of output channels o (at ``da``) and o + 1 (at ``db``): the
    row vector and per-row numbers of each (``work`` at ``wa`` / ``wb``, as in
    :func:`_fill_tile`) plus the sources j..j+3 of ``SP`` mixed in, in one store."""
    a0 = np.uint64(SP[j, 1] + row0)
    a1 = np.uint64(SP[j + 1, 1] + row0)
    a2 = np.uint64(SP[j + 2, 1] + row0)
    a3 = np.uint64(SP[j + 3, 1] + row0)
    w0 = w_eff[o, SP[j, 2], SP[j, 3]]
    w1 = w_eff[o, SP[j + 1, 2], SP[j + 1, 3]]
    w2 = w_eff[o, SP[j + 2, 2], SP[j + 2, 3]]
    w3 = w_eff[o, SP[j + 3, 2], SP[j + 3, 3]]
    v0 = w_eff[o + 1, SP[j, 2], SP[j, 3]]
    v1 = w_eff[o + 1, SP[j + 1, 2], SP[j + 1, 3]]
    v2 = w_eff[o + 1, SP[j + 2, 2], SP[j + 2, 3]]
    v3 = w_eff[o + 1, SP[j + 3, 2], SP[j + 3, 3]]
    Lu = np.uint64(L)
    wau = np.uint64(wa)
    wbu = np.uint64(wb)
    for r in range(np.uint64(rows)):
        sa = work[wau + Lu + r]
        sb = work[wbu + Lu + r]
        q = r * Lu
        for i in range(Lu):
            s0 = src[a0 + q + i]
            s1 = src[a1 + q + i]
            s2 = src[a2 + q + i]
            s3 = src[a3 + q + i]
            y[da + q + i] = sa + work[wau + i] + w0 * s0 + w1 * s1 + w2 * s2 + w3 * s3
            y[db + q + i] = sb + work[wbu + i] + v0 * s0 + v1 * s1 + v2 * s2 + v3 * s3


@njit(cache=True, fastmath=True, nogil=True)
def _add_blocks(yb, da, scr, PD, pd_str, base, o, l, one, tl, f):
    """Add (or write, when ``f``) the contiguous expand buffers of output channel o onto the
    tile of y at ``da``; returns whether nothing was written (``f`` unchanged then)."""
    for g in range(PD.shape[0]):
        s2 = pd_str[g, l - 2] if l >= 2 else 0
        if pd_str[g, l - 1] != 0 and s2 != 0:     # a contiguous block (s2 == n)
            _axpy1(yb, da, scr, np.uint64(base[g] + o * PD[g, 1]), one, tl, f)
            f = False
    return f


@njit(cache=True, fastmath=True, nogil=True)
def row_pass(xb, scr, yb, n, l, w_eff, SP, n_x, PD, pd_str, base, work):
    """Write y (one batch element) once, in tiles of whole rows (a row: the last axis of y).

    ``SP``: the full-size sources (x, the first ``n_x``, or scratch tensors in y's layout;
    ``(kind, offset, input channel, operation)``, one row per input channel), mixed over the
    input channels. ``PD``: the expand buffers (already mixed, in y's axis order; ``(offset,
    channel step)``) with ``pd_str``, the stride of each axis of y in the buffer (the last one
    1, or 0 for a constant along the row). A tile is a run of rows along the second-to-last
    axis of y (about 512 entries); in it each buffer is a contiguous block (stride n there),
    one vector repeated on every row (stride 0), or one number per row (last stride 0).
    For each tile and output channel: the vectors and numbers are summed into ``work`` (V, the
    row vector, and S, one number per row) and y = S[r] + V[i] written, then the contiguous
    blocks and the sources added in loops over the whole tile, four sources at a time. With
    four or more sources in x, y = S[r] + V[i] is not stored on its own: it goes into the same
    store as the first four sources, two output channels at a time (:func:`_fill_mix4x2`).
    """
    c_out = w_eff.shape[0]
    L = n if l > 0 else 1
    Lu = np.uint64(L)
    nrows = 1
    for _ in range(l - 1):
        nrows *= n
    nl = nrows * L
    n_pd = PD.shape[0]
    zero = w_eff[0, 0, 0] * 0
    one = zero + 1
    # rows per tile: a power of two (at most 512 entries) that divides n, so that a tile never
    # crosses a wrap of the second-to-last axis of y and each buffer's row offset is affine in it
    rpt = 1
    while rpt * 2 * L <= 512 and n % (rpt * 2) == 0:
        rpt *= 2
    # base[g]: offset of the tile's first row in buffer g; base[n_pd + p]: index of y axis p
    for g in range(n_pd):
        base[g] = PD[g, 0]
    for p in range(l):
        base[n_pd + p] = 0
    n_small = 0                        # buffers summed into V and S
    for g in range(n_pd):
        s2 = pd_str[g, l - 2] if l >= 2 else 0
        if pd_str[g, l - 1] == 0 or s2 == 0:
            n_small += 1
    # with four or more sources in x, V and S go into y in the same store as the first four
    W = L + rpt                        # work of output channel o at o * W
    fuse = n_small > 0 and n_x >= 4
    for R0 in range(0, nrows, rpt):
        if R0 > 0:                             # advance the odometer by rpt rows
            p = l - 2
            step = rpt
            while p >= 0:
                base[n_pd + p] += step
                for g in range(n_pd):
                    base[g] += step * pd_str[g, p]
                if base[n_pd + p] < n:
                    break
                base[n_pd + p] = 0
                for g in range(n_pd):
                    base[g] -= n * pd_str[g, p]
                step = 1
                p -= 1
        rows = min(rpt, nrows - R0)
        tl = np.uint64(rows * L)
        first = True
        for o in range(c_out):
            da = np.uint64(o * nl + R0 * L)
            wo = o * W
            wou = np.uint64(wo)
            if n_small > 0:
                for i in range(Lu + np.uint64(rows)):
                    work[wou + i] = zero
                for g in range(n_pd):
                    off = base[g] + o * PD[g, 1]
                    s2 = pd_str[g, l - 2] if l >= 2 else 0
                    if pd_str[g, l - 1] == 0:
                        for r in range(rows):
                            work[wo + L + r] += scr[off + r * s2]
                    elif s2 == 0:
                        ou = np.uint64(off)
                        for i in range(Lu):
                            work[wou + i] += scr[ou + i]
                if not fuse or (o % 2 == 0 and o + 1 == c_out):
                    _fill_tile(yb, da, work, wo, rows, L)
            f = n_small == 0
            if not fuse:               # _add_blocks written out (a call: 6-9% slower at 1 -> 1)
                for g in range(n_pd):
                    s2 = pd_str[g, l - 2] if l >= 2 else 0
                    if pd_str[g, l - 1] != 0 and s2 != 0:     # a contiguous block (s2 == n)
                        _axpy1(yb, da, scr, np.uint64(base[g] + o * PD[g, 1]), one, tl, f)
                        f = False
            first = f                  # the same for every output channel
        o = 0
        f1 = first
        while o < c_out:               # the sources, two output channels at a time
            da = np.uint64(o * nl + R0 * L)
            f1 = first
            if o + 1 < c_out:
                db = np.uint64((o + 1) * nl + R0 * L)
                j0 = 0
                if fuse:               # the fill and the first four sources in one store
                    _fill_mix4x2(yb, da, db, xb, SP, 0, w_eff, o, R0 * L, work, o * W,
                                 (o + 1) * W, rows, L)
                    j0 = 4
                    f1 = False
                if _mix_sources2(yb, da, db, xb, SP, j0, n_x, w_eff, o, R0 * L, tl, f1):
                    f1 = False
                if _mix_sources2(yb, da, db, scr, SP, n_x, SP.shape[0], w_eff, o, R0 * L, tl,
                                 f1):
                    f1 = False
                if fuse:
                    _add_blocks(yb, da, scr, PD, pd_str, base, o, l, one, tl, False)
                    _add_blocks(yb, db, scr, PD, pd_str, base, o + 1, l, one, tl, False)
                o += 2
            else:
                if fuse:
                    f1 = _add_blocks(yb, da, scr, PD, pd_str, base, o, l, one, tl, False)
                if _mix_sources(yb, da, xb, SP, 0, n_x, w_eff, o, R0 * L, tl, f1):
                    f1 = False
                if _mix_sources(yb, da, scr, SP, n_x, SP.shape[0], w_eff, o, R0 * L, tl, f1):
                    f1 = False
                o += 1
        if f1:                         # nothing at all was written
            for o2 in range(c_out):
                da = np.uint64(o2 * nl + R0 * L)
                for i in range(tl):
                    yb[da + i] = zero


@njit(cache=True, fastmath=True, nogil=True)
def run_program(x, y, w_eff, n, l, chunks, scratch, ND, PI, MX, TM, PO, AD, SP, n_x, PD, pd_str,
                YA, fs_src, fs_dst, e_src, e_dst, e_val, max_f):
    """Run a flattened plan on x (batch, c_in * n^k) into y (batch, c_out * n^l).

    Each batch element is done start to end while it is in cache, in six steps (each a table
    of integer rows; offsets into ``scratch[t]``, the buffer of batch piece t):

    1. ``ND``: the reduce nodes, from x or from another node (``accumulate``);
    2. ``PI``: full-size nodes copied into y's axis order (``permute_copy``), c_in channels;
    3. ``MX`` / ``TM``: channel mixing of every group that is not mixed in the row pass;
    4. ``PO``: mixed full-size groups copied into y's axis order, c_out channels;
    5. ``AD``: groups added into a containing group's buffer, buffers permuted into y's order;
    6. ``row_pass``: y written once; then ``YA``: the diagonal groups added onto y.

    ``chunks`` splits the batch into pieces run one after the other. The GIL is released, so
    threads can run pieces side by side.
    """
    c_out = w_eff.shape[0]
    c_in = w_eff.shape[1]
    nk = x.shape[1] // c_in
    nl = y.shape[1] // c_out
    for t in range(chunks.shape[0] - 1):
        scr = scratch[t]
        idx = np.zeros(max_f + 1, np.int64)
        base = np.zeros(PD.shape[0] + l + 1, np.int64)
        work = np.empty(c_out * (n + 513), y.dtype)
        for b in range(chunks[t], chunks[t + 1]):
            xb = x[b]
            yb = y[b]
            for i in range(ND.shape[0]):
                d_off = ND[i, 3]
                d_step = ND[i, 4]
                _zero(scr, d_off, c_in * d_step)
                if ND[i, 0] == 0:
                    accumulate(xb, 0, nk, scr, d_off, d_step, c_in, n, ND[i, 6], fs_src, fs_dst,
                               ND[i, 5], ND[i, 8], e_src, e_dst, e_val, ND[i, 7], idx)
                else:
                    accumulate(scr, ND[i, 1], ND[i, 2], scr, d_off, d_step, c_in, n, ND[i, 6],
                               fs_src, fs_dst, ND[i, 5], ND[i, 8], e_src, e_dst, e_val, ND[i, 7],
                               idx)
            for i in range(PI.shape[0]):
                if PI[i, 0] == 0:
                    permute_copy(xb, PI[i, 1], PI[i, 2], scr, PI[i, 3], PI[i, 4], c_in, n,
                                 PI[i, 6], fs_src, fs_dst, PI[i, 5], idx)
                else:
                    permute_copy(scr, PI[i, 1], PI[i, 2], scr, PI[i, 3], PI[i, 4], c_in, n,
                                 PI[i, 6], fs_src, fs_dst, PI[i, 5], idx)
            for i in range(MX.shape[0]):
                d_off = MX[i, 0]
                size = MX[i, 1]
                _zero(scr, d_off, c_out * size)
                for q in range(MX[i, 2], MX[i, 3]):
                    if TM[q, 0] == 0:
                        _mix_into(scr, d_off, size, w_eff, TM[q, 3], xb, TM[q, 1], TM[q, 2])
                    else:
                        _mix_into(scr, d_off, size, w_eff, TM[q, 3], scr, TM[q, 1], TM[q, 2])
            for i in range(PO.shape[0]):
                permute_copy(scr, PO[i, 1], PO[i, 2], scr, PO[i, 3], PO[i, 4], c_out, n,
                             PO[i, 6], fs_src, fs_dst, PO[i, 5], idx)
            for i in range(AD.shape[0]):
                d_off = AD[i, 2]
                d_step = AD[i, 3]
                if AD[i, 8] != 0:
                    _zero(scr, d_off, c_out * d_step)
                accumulate(scr, AD[i, 0], AD[i, 1], scr, d_off, d_step, c_out, n, AD[i, 5],
                           fs_src, fs_dst, AD[i, 4], AD[i, 7], e_src, e_dst, e_val, AD[i, 6], idx)
            row_pass(xb, scr, yb, n, l, w_eff, SP, n_x, PD, pd_str, base, work)
            for i in range(YA.shape[0]):
                accumulate(scr, YA[i, 0], YA[i, 1], yb, 0, nl, c_out, n, YA[i, 3], fs_src,
                           fs_dst, YA[i, 2], YA[i, 5], e_src, e_dst, e_val, YA[i, 4], idx)


@njit(parallel=True, cache=True)
def gather(out, w, rows, cols, params, coefs, n_cols):
    """out[p, rows[e] * n_cols + cols[e]] += coefs[e] * w[p, params[e]] (dense layer matrices)."""
    P = out.shape[0]
    E = rows.shape[0]
    for p in prange(P):
        for e in range(E):
            out[p, rows[e] * n_cols + cols[e]] += coefs[e] * w[p, params[e]]
