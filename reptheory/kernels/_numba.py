"""The numba executor: one compiled strided kernel for every one-block operation.

Every step of a plan (contract, diagonal, transfer, broadcast/copy, J and Levi-Civita
contractions) is the same loop in the labels of the step:

    for each assignment of the labels:   dst[row, dst_off] += value * src[row, src_off]

with offsets that are sums of per-label strides (a label on two axes has the sum of their
strides, which walks a diagonal; a summed label has destination stride 0; a broadcast label has
source stride 0), and the labels fixed by sparse constants enumerated from their nonzero entries
(n for J, n! for the Levi-Civita symbol). The loop runs in parallel over batch x channel rows;
channel mixing is a BLAS matmul. Compiled lazily on first use, cached on disk in the reptheory
cache directory; without numba the planned numpy executor is used with a warning.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from ._checks import prepare_numpy_inputs

__all__ = [
    "apply_spec",
    "layer_matrix_gather",
    "numba_available",
    "run_plan_numba",
    "strided_accumulate_numpy",
]

_KERNELS: dict[str, Any] = {}
# expand strategy: False = group by group with SIMD-friendly special cases (faster in our
# measurements), True = all non-diagonal groups in one pass over y[b] (fewer writes)
_ONE_PASS = [False]
# True: mixing inside the compiled loop (one parallel region); False: reduce and expand
# compiled, channel mixing by BLAS over the whole batch (faster in our measurements)
_FUSED = [False]


def cache_dir() -> str:
    """reptheory's cache directory (``REPTHEORY_CACHE_DIR`` or ``~/.cache/reptheory``)."""
    return os.environ.get("REPTHEORY_CACHE_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "reptheory")


def numba_available() -> bool:
    try:
        _load()
        return True
    except ImportError:
        return False


def _load() -> dict[str, Any]:
    if _KERNELS:
        return _KERNELS
    os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(cache_dir(), "numba"))
    import numba
    from numba import njit, prange

    if not getattr(numba.config, "CACHE_DIR", ""):
        numba.config.CACHE_DIR = os.environ["NUMBA_CACHE_DIR"]

    @njit(cache=True, fastmath=True)
    def acc(src, s0, dst, d0, n, F, fs_src, fs_dst, fp, E, e_src, e_dst, e_val, ep, idx):
        # dst[d0 + dst_off] += v * src[s0 + src_off] over all label assignments
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

    @njit(parallel=True, cache=True, fastmath=True)
    def run_fused(x, y, w_eff, n, S, nd_kind, nd_src, nd_scs, nd_dst, nd_dcs, nd_fp, nd_fl,
                  nd_ep, nd_el, tm_op, tm_kind, tm_src, tm_size, tm_grp,
                  gr_off, gr_size, gr_fp, gr_fl, gr_ep, gr_el,
                  fs_src, fs_dst, e_src, e_dst, e_val, max_f, plain, diag, pstr, ystr,
                  one_pass, scratch_all, stage):
        # one parallel region: for each batch element, reduce -> mix -> expand in scratch
        B = x.shape[0]
        c_out = w_eff.shape[0]
        c_in = w_eff.shape[1]
        nk = x.shape[1] // c_in
        nl = y.shape[1] // c_out
        L = ystr.shape[0]
        outer_l = 1
        for _ in range(L - 1):
            outer_l *= n
        for b in prange(B):
            scratch = scratch_all[b]
            idx = np.zeros(max_f + 1, np.int64)
            xb = x[b]
            yb = y[b]
            cur = np.zeros(max(plain.shape[0], 1), np.int64)
            for i in range(nd_kind.shape[0] if stage <= 1 else 0):
                kind = nd_kind[i]
                if kind < 0:
                    continue
                for c in range(c_in):
                    if kind == 0:
                        acc(xb, c * nk, scratch, nd_dst[i] + c * nd_dcs[i], n, nd_fl[i], fs_src,
                            fs_dst, nd_fp[i], nd_el[i], e_src, e_dst, e_val, nd_ep[i], idx)
                    else:
                        acc(scratch, nd_src[i] + c * nd_scs[i], scratch,
                            nd_dst[i] + c * nd_dcs[i], n, nd_fl[i], fs_src, fs_dst, nd_fp[i],
                            nd_el[i], e_src, e_dst, e_val, nd_ep[i], idx)
            if stage == 1:
                continue
            for t in range(tm_op.shape[0] if stage == 0 else 0):
                size = tm_size[t]
                op = tm_op[t]
                g0 = tm_grp[t]
                for o in range(c_out):
                    go = g0 + o * size
                    for i in range(c_in):
                        wv = w_eff[o, i, op]
                        if wv == 0:
                            continue
                        if tm_kind[t] == 0:
                            s0 = i * nk
                            for e in range(size):
                                scratch[go + e] += wv * xb[s0 + e]
                        else:
                            s0 = tm_src[t] + i * size
                            for e in range(size):
                                scratch[go + e] += wv * scratch[s0 + e]
            # expand, part 1: every group without a diagonal output, in ONE pass over y[b]
            n_plain = plain.shape[0]
            if not one_pass:
                for j in range(yb.shape[0]):
                    yb[j] = 0.0
                for q in range(n_plain):
                    g = plain[q]
                    for o in range(c_out):
                        acc(scratch, gr_off[g] + o * gr_size[g], yb, o * nl, n, gr_fl[g],
                            fs_src, fs_dst, gr_fp[g], gr_el[g], e_src, e_dst, e_val, gr_ep[g],
                            idx)
                n_plain = 0
            for o in range(c_out):
                if n_plain == 0 and not one_pass:
                    break
                if L == 0:
                    a = 0.0
                    for q in range(n_plain):
                        g = plain[q]
                        a += scratch[gr_off[g] + o * gr_size[g]]
                    yb[o] = a
                    continue
                for f in range(L):
                    idx[f] = 0
                for _t in range(outer_l):
                    yo = o * nl
                    for f in range(L - 1):
                        yo += idx[f] * ystr[f]
                    for q in range(n_plain):
                        g = plain[q]
                        c0 = gr_off[g] + o * gr_size[g]
                        for f in range(L - 1):
                            c0 += idx[f] * pstr[q * L + f]
                        cur[q] = c0
                    for i in range(n):
                        a = 0.0
                        for q in range(n_plain):
                            a += scratch[cur[q] + i * pstr[q * L + L - 1]]
                        yb[yo + i] = a
                    f = L - 2
                    while f >= 0:
                        idx[f] += 1
                        if idx[f] < n:
                            break
                        idx[f] = 0
                        f -= 1
            # part 2: groups writing on diagonals of y (few entries), added on top
            for q in range(diag.shape[0]):
                g = diag[q]
                for o in range(c_out):
                    acc(scratch, gr_off[g] + o * gr_size[g], yb, o * nl, n, gr_fl[g], fs_src,
                        fs_dst, gr_fp[g], gr_el[g], e_src, e_dst, e_val, gr_ep[g], idx)

    @njit(parallel=True, cache=True)
    def gather(out, w, rows, cols, params, coefs, n_cols):
        # out: (P, R*C) dense, w: (P, nb); out[p, rows[e]*n_cols + cols[e]] += coefs[e] * w[p, params[e]]
        P = out.shape[0]
        E = rows.shape[0]
        for p in prange(P):
            for e in range(E):
                out[p, rows[e] * n_cols + cols[e]] += coefs[e] * w[p, params[e]]

    _KERNELS["run_fused"] = run_fused
    _KERNELS["gather"] = gather
    return _KERNELS


def strided_accumulate_numpy(src, dst, n, src_base, dst_base, vals, src_strides, dst_strides):
    """Numpy twin of the compiled kernel (the tests compare them)."""
    F = len(src_strides)
    grids = np.indices((n,) * F).reshape(F, -1) if F else np.zeros((0, 1), dtype=np.int64)
    so = np.asarray(src_strides, dtype=np.int64) @ grids if F else np.zeros(1, dtype=np.int64)
    do = np.asarray(dst_strides, dtype=np.int64) @ grids if F else np.zeros(1, dtype=np.int64)
    for e in range(len(vals)):
        contrib = vals[e] * src[:, src_base[e] + so]
        for r in range(dst.shape[0]):
            np.add.at(dst[r], dst_base[e] + do, contrib[r])


def _elem_strides(shape: tuple[int, ...]) -> list[int]:
    out, acc = [], 1
    for s in reversed(shape):
        out.append(acc)
        acc *= s
    return out[::-1]


def _step_args(labels_src, labels_dst, n, spec, factors, dtype):
    """Per-label element strides (src, dst) and the constant table, for one kernel call."""
    from ._plan import constant_table

    s_str = _elem_strides((n,) * len(labels_src))
    d_str = _elem_strides((n,) * len(labels_dst))
    all_labels = list(dict.fromkeys([*labels_src, *(a for _, lab in factors for a in lab),
                                     *labels_dst]))
    src_stride = {a: sum(s_str[p] for p, b in enumerate(labels_src) if b == a) for a in all_labels}
    dst_stride = {a: sum(d_str[p] for p, b in enumerate(labels_dst) if b == a) for a in all_labels}
    fixed, vals, assign = constant_table(spec, factors, dtype)
    free = [a for a in all_labels if a not in fixed]
    # innermost label: the one with the smallest strides (contiguous access)
    free.sort(key=lambda a: (-max(src_stride[a], dst_stride[a]), -src_stride[a]))
    src_base = (assign @ np.array([src_stride[a] for a in fixed], dtype=np.int64)
                if fixed else np.zeros(len(vals), dtype=np.int64))
    dst_base = (assign @ np.array([dst_stride[a] for a in fixed], dtype=np.int64)
                if fixed else np.zeros(len(vals), dtype=np.int64))
    return (np.ascontiguousarray(src_base, dtype=np.int64),
            np.ascontiguousarray(dst_base, dtype=np.int64), vals,
            np.array([src_stride[a] for a in free], dtype=np.int64),
            np.array([dst_stride[a] for a in free], dtype=np.int64))


def _prepared(spec, plan, dtype):
    """Kernel arguments of every node and group (cached on the plan per dtype)."""
    key = ("numba_args", np.dtype(dtype).str)
    cache = plan.__dict__.setdefault("_exec_cache", {}) if hasattr(plan, "__dict__") else {}
    if key in cache:
        return cache[key]
    n = spec.n
    node_args = []
    for nd in plan.nodes:
        node_args.append(None if nd.is_alias() else
                         _step_args(nd.src_labels, nd.labels, n, spec, nd.factors, dtype))
    group_args = []
    for g in plan.groups:
        # labels: node axes 0..rank-1 and broadcast entries (negative) as they are in out_axes
        src_labels = tuple(range(g.rank))
        group_args.append(_step_args(src_labels, g.out_axes, n, spec, (), dtype))
    cache[key] = (node_args, group_args)
    return cache[key]


def _program(spec, plan, dtype):
    """The plan flattened into integer arrays for the fused compiled kernel (cached)."""
    key = ("numba_program", np.dtype(dtype).str)
    cache = plan.__dict__.setdefault("_exec_cache", {})
    if key in cache:
        return cache[key]
    node_args, group_args = _prepared(spec, plan, dtype)
    n = spec.n
    fs_src: list[int] = []
    fs_dst: list[int] = []
    e_src: list[int] = []
    e_dst: list[int] = []
    e_val: list[float] = []
    max_f = 0

    def push(args):
        nonlocal max_f
        sb, db, vals, ss, ds = args
        fp, ep = len(fs_src), len(e_src)
        fs_src.extend(int(v) for v in ss)
        fs_dst.extend(int(v) for v in ds)
        e_src.extend(int(v) for v in sb)
        e_dst.extend(int(v) for v in db)
        e_val.extend(float(v) for v in vals)
        max_f = max(max_f, len(ss))
        return fp, len(ss), ep, len(vals)

    nd: dict[str, list[int]] = {k: [] for k in ("kind", "src", "scs", "dst", "dcs", "fp", "fl",
                                                "ep", "el")}
    for i, node in enumerate(plan.nodes):
        if node.is_alias():
            for name, v in zip(nd, (-1, 0, 0, 0, 0, 0, 0, 0, 0)):
                nd[name].append(v)
            continue
        fp, fl, ep, el = push(node_args[i])
        from_x = node.src == -1 or plan.nodes[node.src].is_alias()
        nd["kind"].append(0 if from_x else 1)
        nd["src"].append(node.src)      # node index; turned into an offset later
        nd["scs"].append(n ** (len(set(node.src_labels)) if node.src >= 0 else 0))
        nd["dst"].append(i)
        nd["dcs"].append(n ** node.rank)
        nd["fp"].append(fp)
        nd["fl"].append(fl)
        nd["ep"].append(ep)
        nd["el"].append(el)
    gr: dict[str, list[int]] = {k: [] for k in ("size", "fp", "fl", "ep", "el")}
    for g, grp in enumerate(plan.groups):
        fp, fl, ep, el = push(group_args[g])
        gr["size"].append(n ** grp.rank)
        gr["fp"].append(fp)
        gr["fl"].append(fl)
        gr["ep"].append(ep)
        gr["el"].append(el)
    i64 = lambda a: np.asarray(a, dtype=np.int64)
    plain = [g for g, grp in enumerate(plan.groups) if len(set(grp.out_axes)) == len(grp.out_axes)]
    diag = [g for g, grp in enumerate(plan.groups) if g not in plain]
    pstr = []
    for g in plain:
        grp = plan.groups[g]
        for a in grp.out_axes:   # stride in the group buffer of each output axis (0: broadcast)
            pstr.append(n ** (grp.rank - 1 - a) if a >= 0 else 0)
    ystr = [n ** (spec.l - 1 - p) for p in range(spec.l)]
    prog = {
        "nd": {k: i64(v) for k, v in nd.items()},
        "gr": {k: i64(v) for k, v in gr.items()},
        "flat": (i64(fs_src), i64(fs_dst), i64(e_src), i64(e_dst),
                 np.asarray(e_val, dtype=dtype)),
        "max_f": max_f,
        "expand": (i64(plain), i64(diag), i64(pstr), i64(ystr)),
    }
    cache[key] = prog
    return prog


def run_plan_numba(spec, plan, weights, x, dtype) -> np.ndarray:
    """Execute a plan with the fused compiled kernel: one parallel loop over the batch, each
    batch element reduced, mixed and expanded in a small scratch buffer (x read once, y
    written once)."""
    n, l = spec.n, spec.l
    batch, c_in, c_out = int(x.shape[0]), int(x.shape[1]), int(weights.shape[0])
    prog = _program(spec, plan, dtype)
    # scratch layout: nodes (c_in blocks), then groups (c_out blocks)
    node_off = np.zeros(len(plan.nodes), dtype=np.int64)
    pos = 0
    for i, node in enumerate(plan.nodes):
        node_off[i] = pos
        if not node.is_alias():
            pos += c_in * n ** node.rank
    gr_off = np.zeros(len(plan.groups), dtype=np.int64)
    for g, grp in enumerate(plan.groups):
        gr_off[g] = pos
        pos += c_out * n ** grp.rank
    nd = prog["nd"]
    kind = nd["kind"]
    nd_src = np.where(kind == 1, node_off[np.maximum(nd["src"], 0)], 0)
    nd_scs = nd["scs"]
    nd_dst = node_off.copy()
    tm_op = np.array([t.op for t in plan.terms], dtype=np.int64)
    tm_kind = np.array([0 if plan.nodes[t.node].is_alias() else 1 for t in plan.terms],
                       dtype=np.int64)
    tm_src = np.array([node_off[t.node] for t in plan.terms], dtype=np.int64)
    tm_size = np.array([n ** plan.nodes[t.node].rank for t in plan.terms], dtype=np.int64)
    tm_grp = np.array([gr_off[t.group] for t in plan.terms], dtype=np.int64)
    C = spec.coefficient_matrix(dtype).toarray()
    w_eff = np.ascontiguousarray((weights.reshape(c_out * c_in, len(spec)).astype(dtype) @ C)
                                 .reshape(c_out, c_in, spec.num_operations))
    xr = np.ascontiguousarray(x, dtype=dtype).reshape(batch, -1)
    y = np.empty((batch, c_out * n**l), dtype=dtype)
    gr = prog["gr"]
    scratch = np.zeros((batch, max(pos, 1)), dtype=dtype)
    run = _load()["run_fused"]

    def call(stage):
        run(xr, y, w_eff, n, max(pos, 1), kind, nd_src, nd_scs, nd_dst, nd["dcs"], nd["fp"],
            nd["fl"], nd["ep"], nd["el"], tm_op, tm_kind, tm_src, tm_size, tm_grp, gr_off,
            gr["size"], gr["fp"], gr["fl"], gr["ep"], gr["el"], *prog["flat"], prog["max_f"],
            *prog["expand"], _ONE_PASS[0], scratch, stage)

    if _FUSED[0]:
        call(0)             # reduce, mix and expand per batch element in one parallel loop
    else:
        call(1)             # compiled reduce of every node, parallel over the batch
        for t in range(len(plan.terms)):       # channel mixing: BLAS over the whole batch
            size = int(tm_size[t])
            if tm_kind[t] == 0:
                r = xr.reshape(batch, c_in, size)
            else:
                r = scratch[:, tm_src[t]:tm_src[t] + c_in * size].reshape(batch, c_in, size)
            g0 = int(tm_grp[t])
            G = scratch[:, g0:g0 + c_out * size].reshape(batch, c_out, size)
            G += np.matmul(w_eff[:, :, int(tm_op[t])], r)
        call(3)             # compiled expand into y, parallel over the batch
    return y.reshape((batch, c_out) + (n,) * l)


def run_plan_steps(spec, plan, weights, x, dtype, kernel=None) -> np.ndarray:
    """Step-by-step execution of a plan with ``kernel`` (default: the numpy twin)."""
    kernel = kernel or strided_accumulate_numpy
    n, l = spec.n, spec.l
    batch, c_in, c_out = int(x.shape[0]), int(x.shape[1]), int(weights.shape[0])
    node_args, group_args = _prepared(spec, plan, dtype)
    C = spec.coefficient_matrix(dtype).toarray()
    w_eff = (weights.reshape(c_out * c_in, len(spec)).astype(dtype) @ C).reshape(
        c_out, c_in, spec.num_operations)
    xr = np.ascontiguousarray(x, dtype=dtype).reshape(batch * c_in, -1)
    vals: list[Any] = [None] * len(plan.nodes)
    for i, nd in enumerate(plan.nodes):
        if nd.is_alias():
            vals[i] = xr
            continue
        src = xr if nd.src == -1 else vals[nd.src]
        dst = np.zeros((batch * c_in, n ** nd.rank), dtype=dtype)
        kernel(src, dst, n, *node_args[i])
        vals[i] = dst
    G: list[Any] = [None] * len(plan.groups)
    for t in plan.terms:
        r = vals[t.node].reshape(batch, c_in, -1)
        m = np.matmul(w_eff[:, :, t.op], r)
        if G[t.group] is None:
            G[t.group] = m
        else:
            G[t.group] += m
    y = np.zeros((batch * c_out, n**l), dtype=dtype)
    for g in range(len(plan.groups)):
        if G[g] is not None:
            kernel(np.ascontiguousarray(G[g]).reshape(batch * c_out, -1), y, n, *group_args[g])
    return y.reshape((batch, c_out) + (n,) * l)


def apply_spec(spec, weights, x, share: bool = True) -> np.ndarray:
    """Apply the layer with compiled numba kernels (parallel over batch x channels).

    Falls back to the planned numpy executor with a warning when numba is not installed.

    Examples
    --------
    >>> import numpy as np, reptheory as rt
    >>> B = rt.layer_basis(rt.S(3), 1, 1)
    >>> apply_spec(B.spec, np.array([[[1.0, 1.0]]]), np.array([[[1.0, 2.0, 3.0]]]))
    array([[[7., 8., 9.]]])
    """
    from ._array import get_plan

    x, weights, dtype, _, _ = prepare_numpy_inputs(spec, weights, x)
    try:
        _load()
    except ImportError:
        warnings.warn("numba is not installed; using the numpy executor "
                      "(pip install 'reptheory[fast]' for compiled kernels)", RuntimeWarning,
                      stacklevel=2)
        from ._array import apply_spec as numpy_apply

        return numpy_apply(spec, weights, x, share=share)
    if dtype.kind == "c":
        from ._array import apply_spec as numpy_apply

        return numpy_apply(spec, weights, x, share=share)
    return run_plan_numba(spec, get_plan(spec, share), weights, x, dtype)


def layer_matrix_gather(pattern, w2d: np.ndarray, n_rows: int, n_cols: int) -> np.ndarray:
    """Dense (P, n_rows * n_cols) matrices from weight rows w2d (P, nb) over a sharing pattern."""
    out = np.zeros((w2d.shape[0], n_rows * n_cols), dtype=w2d.dtype)
    try:
        gather = _load()["gather"]
    except ImportError:
        warnings.warn("numba is not installed; using numpy (pip install 'reptheory[fast]')",
                      RuntimeWarning, stacklevel=2)
        flat = pattern.rows * n_cols + pattern.cols
        for p in range(w2d.shape[0]):
            out[p] = np.bincount(flat, weights=pattern.coefficients * w2d[p, pattern.params],
                                 minlength=n_rows * n_cols)
        return out
    gather(out, np.ascontiguousarray(w2d), pattern.rows, pattern.cols, pattern.params,
           pattern.coefficients.astype(w2d.dtype), n_cols)
    return out
