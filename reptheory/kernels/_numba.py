"""The numba executor: one compiled program runs the plan of any LayerSpec.

Every step of a plan (contract, diagonal, transfer, broadcast/copy, J and Levi-Civita
contractions) is the same loop in the labels of the step:

    for each assignment of the labels:   dst[row, dst_off] += value * src[row, src_off]

with offsets that are sums of per-label strides (a label on two axes has the sum of their
strides, which walks a diagonal; a summed label has destination stride 0; a broadcast label has
source stride 0), and the labels fixed by sparse constants enumerated from their nonzero entries
(n for J, n! for the Levi-Civita symbol).

One strategy: threads split the batch; each batch element is reduced, mixed and expanded
while it is in cache (x read once from memory, y written once), in the steps of
:func:`reptheory.kernels._numba_jit.run_program`: the reduce nodes go to a small per-thread
buffer; full-size nodes that y reads in another axis order (a transpose) are copied into y's
order in small blocks (or, with fewer output than input channels, mixed first and then
copied); every smaller group is mixed over channels into a buffer (a group whose output pattern
another group's contains, e.g. the constant term in the row-broadcast term, is added into that
group's buffer; buffers read by y in another axis order are copied into y's order); one tiled
pass then writes y: per tile of whole rows and output channel, the row-vector and
one-number-per-row buffers in one store, the contiguous buffers, and the full-size sources
mixed over the input channels; groups on diagonals of y are added last. The compiled functions
live at module level in :mod:`reptheory.kernels._numba_jit` with ``cache=True``, cached under
``reptheory._cache.cache_dir("numba")`` and read back by later processes. Without numba the
planned numpy executor is used with a warning.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ._checks import dense_coefficients, prepare_numpy_inputs

__all__ = [
    "apply_spec",
    "layer_matrix",
    "layer_matrix_gather",
    "numba_available",
    "run_plan_numba",
    "run_plan_steps",
    "strided_accumulate_numpy",
]


def numba_available() -> bool:
    """Whether numba can be imported (compiles nothing)."""
    try:
        _load()
        return True
    except ImportError:
        return False


def _load():
    """The module of compiled kernels (imports numba; its cache set up first)."""
    from . import _numba_jit

    return _numba_jit


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
    # (a tie, as in a transpose, puts the label with contiguous writes innermost)
    free.sort(key=lambda a: (-max(src_stride[a], dst_stride[a]), -dst_stride[a]))
    src_base = (assign @ np.array([src_stride[a] for a in fixed], dtype=np.int64)
                if fixed else np.zeros(len(vals), dtype=np.int64))
    dst_base = (assign @ np.array([dst_stride[a] for a in fixed], dtype=np.int64)
                if fixed else np.zeros(len(vals), dtype=np.int64))
    return (np.ascontiguousarray(src_base, dtype=np.int64),
            np.ascontiguousarray(dst_base, dtype=np.int64), vals,
            np.array([src_stride[a] for a in free], dtype=np.int64),
            np.array([dst_stride[a] for a in free], dtype=np.int64))


def _split_factors(nd) -> tuple[tuple, tuple]:
    """A node's constants split into those linked to x's labels (directly or through other
    constants) and those that are not (their product is a constant tensor factor)."""
    conn = set(nd.src_labels)
    attached: list[int] = []
    changed = True
    while changed:
        changed = False
        for i, (_, lab) in enumerate(nd.factors):
            if i not in attached and conn & set(lab):
                attached.append(i)
                conn |= set(lab)
                changed = True
    return (tuple(f for i, f in enumerate(nd.factors) if i in attached),
            tuple(f for i, f in enumerate(nd.factors) if i not in attached))


def _absorptions(plan, direct: int) -> dict[int, int]:
    """Groups added into another group's (smaller than y) buffer instead of onto y.

    Group a goes into group b when b's output pattern contains a's: the same output axes are
    equal in both (same diagonals) and every axis fed by a node in a is fed by a node in b, with
    b of higher rank but below y's (e.g. the constant term into the row-broadcast term of
    S_n 2 -> 2). The sum is then written onto y once. ``{a: b}``; b is never absorbed itself.
    """
    groups = plan.groups

    def contains(b, a) -> bool:
        A, B = groups[a].out_axes, groups[b].out_axes
        L = len(A)
        if groups[b].rank <= groups[a].rank or groups[b].rank >= L or b == direct:
            return False
        if any(A[p] >= 0 and B[p] < 0 for p in range(L)):
            return False
        return all((A[p] == A[q]) == (B[p] == B[q]) for p in range(L) for q in range(p + 1, L))

    absorbable = {a for a in range(len(groups))
                  if any(contains(b, a) for b in range(len(groups)))}
    out = {}
    for a in sorted(absorbable):
        targets = [b for b in range(len(groups)) if b not in absorbable and contains(b, a)]
        if targets:
            out[a] = min(targets, key=lambda b: (groups[b].rank, b))
    return out


def _prepared(spec, plan, dtype):
    """Kernel arguments of every node and group (cached on the plan per dtype)."""
    key = ("numba_args", np.dtype(dtype).str)
    cache = plan.__dict__.setdefault("_exec_cache", {}) if hasattr(plan, "__dict__") else {}
    if key in cache:
        return cache[key]
    n = spec.n
    node_args = []
    for nd in plan.nodes:
        if nd.is_alias():
            node_args.append(None)
            continue
        attached, detached = _split_factors(nd)
        if nd.src == -1 and detached:
            # x contracted with the constants it meets (a small core), then the constants that
            # touch no label of x multiplied in: n^r entries instead of a dense product table
            conn = set(nd.src_labels).union(*(set(lab) for _, lab in attached))
            core = tuple(a for a in nd.labels if a in conn)
            node_args.append((core,
                              _step_args(nd.src_labels, core, n, spec, attached, dtype),
                              _step_args(core, nd.labels, n, spec, detached, dtype)))
        else:
            node_args.append((None, _step_args(nd.src_labels, nd.labels, n, spec, nd.factors,
                                               dtype), None))
    group_args = []
    for g in plan.groups:
        # labels: node axes 0..rank-1 and broadcast entries (negative) as they are in out_axes
        src_labels = tuple(range(g.rank))
        group_args.append(_step_args(src_labels, g.out_axes, n, spec, (), dtype))
    cache[key] = (node_args, group_args)
    return cache[key]


def _perm_strides(out_axes, n: int) -> tuple[list[int], list[int]]:
    """Per-label strides (src, dst) that copy a full-size tensor (node axis order) into y's
    axis order (y axis p holds node axis ``out_axes[p]``), ordered for ``permute_copy``: outer
    labels, then the label read contiguously, then the label written contiguously."""
    r = len(out_axes)
    src = {a: n ** (r - 1 - a) for a in range(r)}
    dst = {a: n ** (r - 1 - p) for p, a in enumerate(out_axes)}
    if r == 0:
        return [], []
    u, v = r - 1, out_axes[-1]
    last = [u] if u == v else [u, v]
    outer = sorted((a for a in range(r) if a not in last), key=lambda a: -dst[a])
    order = outer + last
    return [src[a] for a in order], [dst[a] for a in order]


def _is_dense(group) -> bool:
    """Whether a group writes every entry of y (no two output axes equal: no diagonal)."""
    return len(set(group.out_axes)) == len(group.out_axes)


def _program(spec, plan, dtype, c_in: int, c_out: int):
    """The plan flattened into integer tables for :func:`_numba_jit.run_program` (cached per
    dtype and channel counts, which fix the scratch layout)."""
    key = ("numba_program", np.dtype(dtype).str, c_in, c_out)
    cache = plan.__dict__.setdefault("_exec_cache", {})
    if key in cache:
        return cache[key]
    node_args, group_args = _prepared(spec, plan, dtype)
    n, k, l = spec.n, spec.k, spec.l
    nk, nl = n ** k, n ** l
    fs_src: list[int] = []
    fs_dst: list[int] = []
    e_src: list[int] = []
    e_dst: list[int] = []
    e_val: list[float] = []
    max_f = [0]
    scratch = [0]

    def alloc(size: int) -> int:
        off = scratch[0]
        scratch[0] += size
        return off

    def push(args):
        sb, db, vals, ss, ds = args
        fp, ep = len(fs_src), len(e_src)
        fs_src.extend(int(v) for v in ss)
        fs_dst.extend(int(v) for v in ds)
        e_src.extend(int(v) for v in sb)
        e_dst.extend(int(v) for v in db)
        e_val.extend(float(v) for v in vals)
        max_f[0] = max(max_f[0], len(ss))
        return fp, len(ss), ep, len(vals)

    def push_perm(out_axes):
        ss, ds = _perm_strides(out_axes, n)
        fp = len(fs_src)
        fs_src.extend(ss)
        fs_dst.extend(ds)
        max_f[0] = max(max_f[0], len(ss))
        return fp, len(ss)

    # 1. reduce nodes: (kind 0 from x / 1 from a node, src off, src step, dst off, dst step,
    #    fp, fl, ep, el); a node with a detached constant factor is two rows
    ND: list[list[int]] = []
    where: list[tuple[int, int, int]] = []       # (kind 0 x / 1 scratch, offset, channel step)
    for i, node in enumerate(plan.nodes):
        if node.is_alias():
            where.append((0, 0, nk))
            continue
        core, first, second = node_args[i]
        sk, so, sstep = where[node.src] if node.src >= 0 else (0, 0, nk)
        rows = [(first, n ** len(core))] if second is not None else []
        rows.append((second if second is not None else first, n ** node.rank))
        for args, size in rows:
            d = alloc(c_in * size)
            ND.append([sk, so, sstep, d, size, *push(args)])
            sk, so, sstep = 1, d, size
        where.append((1, ND[-1][3], n ** node.rank))
    # steps reading x first, those that read all of it before those on a diagonal (fewer free
    # labels than k), so that the pass bringing x from memory is sequential; the steps from
    # other nodes keep their order (each after its source)
    ND.sort(key=lambda r: (r[0], r[0] == 0 and r[6] < k))
    # 2-6. groups: full-size ones mixed in the row pass (their nodes copied into y's order
    # first) or mixed first and copied (fewer output channels); the others mixed into buffers
    children = _absorptions(plan, -1)
    gbuf: dict[int, int] = {}
    PI: list[list[int]] = []
    MX: list[list[int]] = []
    TM: list[list[int]] = []
    PO: list[list[int]] = []
    AD_child: list[list[int]] = []
    AD_perm: list[list[int]] = []
    SP_x: list[list[int]] = []   # full-size sources in x (first in the row pass)
    SP_s: list[list[int]] = []   # and in scratch
    PD: list[list[int]] = []
    pd_str: list[list[int]] = []
    YA: list[list[int]] = []
    perm_cache: dict[tuple[int, tuple[int, ...]], int] = {}
    ident = tuple(range(l))
    order = sorted(range(len(plan.groups)), key=lambda g: g in children)   # roots first
    for g in order:
        grp = plan.groups[g]
        terms = [t for t in plan.terms if t.group == g]
        size = n ** grp.rank
        if grp.rank == l and l == len(set(grp.out_axes)) and (
                grp.out_axes == ident or c_in <= c_out):
            # mixed in the row pass from sources in y's order (x itself, or a copy)
            for t in terms:
                kind, off, step = where[t.node]
                if grp.out_axes != ident:
                    pk = (t.node, grp.out_axes)
                    if pk not in perm_cache:
                        d = alloc(c_in * nl)
                        PI.append([kind, off, step, d, nl, *push_perm(grp.out_axes)])
                        perm_cache[pk] = d
                    kind, off, step = 1, perm_cache[pk], nl
                (SP_x if kind == 0 else SP_s).extend([kind, off + c * step, c, t.op]
                                                     for c in range(c_in))
            continue
        d = alloc(c_out * size)
        gbuf[g] = d
        MX.append([d, size, len(TM), len(TM) + len(terms)])
        TM.extend([*where[t.node], t.op] for t in terms)
        if g in children:
            root = plan.groups[children[g]]
            dst = tuple(grp.out_axes[root.out_axes.index(u)] for u in range(root.rank))
            fp, fl, ep, el = push(_step_args(tuple(range(grp.rank)), dst, n, spec, (), dtype))
            rsize = n ** root.rank
            AD_child.append([d, size, gbuf[children[g]], rsize, fp, fl, ep, el, 0])
            continue
        if not _is_dense(grp):
            YA.append([d, size, *push(group_args[g])])
            continue
        axes = [a for a in grp.out_axes if a >= 0]
        if grp.rank == l:                         # full-size: mix, then copy into y's order
            d2 = alloc(c_out * size)
            PO.append([1, d, size, d2, size, *push_perm(grp.out_axes)])
            d = d2
        elif axes != sorted(axes):                # buffer copied into y's axis order
            d2 = alloc(c_out * size)
            fp, fl, ep, el = push(_step_args(tuple(range(grp.rank)), tuple(axes), n, spec, (),
                                             dtype))
            AD_perm.append([d, size, d2, size, fp, fl, ep, el, 1])
            d = d2
        PD.append([d, size])
        pd_str.append([0 if a < 0 else n ** (grp.rank - 1 - axes.index(a))
                       for a in grp.out_axes] or [0])

    def table(rows, width):
        return np.asarray(rows, dtype=np.int64).reshape(len(rows), width)

    prog = {
        "tables": (table(ND, 9), table(PI, 7), table(MX, 4), table(TM, 4), table(PO, 7),
                   table(AD_child + AD_perm, 9), table(SP_x + SP_s, 4), len(SP_x), table(PD, 2),
                   table(pd_str, max(l, 1)), table(YA, 6)),
        "flat": (np.asarray(fs_src, dtype=np.int64), np.asarray(fs_dst, dtype=np.int64),
                 np.asarray(e_src, dtype=np.int64), np.asarray(e_dst, dtype=np.int64),
                 np.asarray(e_val, dtype=dtype)),
        "max_f": max_f[0],
        "scratch": max(scratch[0], 1),
        "C": dense_coefficients(spec, dtype),
    }
    cache[key] = prog
    return prog


def _num_threads() -> int:
    """Threads for the batch: ``NUMBA_NUM_THREADS`` as numba reads it (no thread pool started)."""
    import numba

    return max(1, int(numba.config.NUMBA_NUM_THREADS))


def run_plan_numba(spec, plan, weights, x, dtype) -> np.ndarray:
    """Execute a plan with the compiled program (see the module docstring)."""
    n, l = spec.n, spec.l
    batch, c_in, c_out = int(x.shape[0]), int(x.shape[1]), int(weights.shape[0])
    dtype = np.dtype(dtype)
    if batch == 0 or c_in == 0 or c_out == 0 or len(spec) == 0:
        return _zero_or_empty(spec, weights, x, dtype)
    prog = _program(spec, plan, dtype, c_in, c_out)
    C = prog["C"]
    w_eff = np.ascontiguousarray((weights.reshape(c_out * c_in, len(spec)).astype(dtype) @ C)
                                 .reshape(c_out, c_in, spec.num_operations))
    xr = np.ascontiguousarray(x, dtype=dtype).reshape(batch, -1)
    if not xr.flags.writeable:
        xr = xr.copy()
    y = np.empty((batch, c_out * n**l), dtype=dtype)
    threads = max(1, min(_num_threads(), batch))
    bounds = np.array([batch * t // threads for t in range(threads + 1)], dtype=np.int64)
    scratch = np.empty((threads, prog["scratch"]), dtype=dtype)
    run = _load().run_program
    rest = (*prog["tables"], *prog["flat"], prog["max_f"])

    def piece(t: int) -> None:
        run(xr, y, w_eff, n, l, bounds[t:t + 2], scratch[t:t + 1], *rest)

    if threads == 1:
        piece(0)
    else:   # the compiled program releases the GIL: threads split the batch
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(piece, range(threads)))
    return y.reshape((batch, c_out) + (n,) * l)


def _zero_or_empty(spec, weights, x, dtype) -> np.ndarray:
    """The output when there is nothing to compute (empty batch or channels, empty basis)."""
    return np.zeros((int(x.shape[0]), int(weights.shape[0])) + (spec.n,) * spec.l, dtype=dtype)


def run_plan_steps(spec, plan, weights, x, dtype, kernel=None) -> np.ndarray:
    """Step-by-step execution of a plan with ``kernel`` (default: the numpy twin)."""
    kernel = kernel or strided_accumulate_numpy
    n, l = spec.n, spec.l
    batch, c_in, c_out = int(x.shape[0]), int(x.shape[1]), int(weights.shape[0])
    node_args, group_args = _prepared(spec, plan, dtype)
    C = dense_coefficients(spec, dtype)
    w_eff = (weights.reshape(c_out * c_in, len(spec)).astype(dtype) @ C).reshape(
        c_out, c_in, spec.num_operations)
    xr = np.ascontiguousarray(x, dtype=dtype).reshape(batch * c_in, -1)
    vals: list[Any] = [None] * len(plan.nodes)
    for i, nd in enumerate(plan.nodes):
        if nd.is_alias():
            vals[i] = xr
            continue
        src = xr if nd.src == -1 else vals[nd.src]
        core, first, second = node_args[i]
        if second is not None:
            mid = np.zeros((batch * c_in, n ** len(core)), dtype=dtype)
            kernel(src, mid, n, *first)
            src, first = mid, second
        dst = np.zeros((batch * c_in, n ** nd.rank), dtype=dtype)
        kernel(src, dst, n, *first)
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

    Complex inputs, and every input when numba is not installed (with a warning), go to the
    planned numpy executor, :func:`reptheory.kernels._array.apply_spec`.

    Examples
    --------
    >>> import numpy as np, reptheory as rt
    >>> from reptheory.kernels._array import apply_spec as numpy_apply
    >>> B = rt.layer_basis(rt.O(3), 2, 2)
    >>> w, x = np.ones((2, 1, len(B))), np.arange(18.0).reshape(2, 1, 3, 3)
    >>> y = apply_spec(B.spec, w, x)
    >>> y.shape, bool(np.allclose(y, numpy_apply(B.spec, w, x)))
    ((2, 2, 3, 3), True)
    """
    from ._array import apply_spec as numpy_apply
    from ._array import get_plan

    x, weights, dtype, _, _ = prepare_numpy_inputs(spec, weights, x)
    if dtype.kind != "c":
        try:
            _load()
        except ImportError:
            warnings.warn("numba is not installed; using the numpy executor "
                          "(pip install 'reptheory[fast]' for compiled kernels)", RuntimeWarning,
                          stacklevel=2)
        else:
            return run_plan_numba(spec, get_plan(spec, share), weights, x, dtype)
    return numpy_apply(spec, weights, x, share=share)


def layer_matrix_gather(pattern, w2d: np.ndarray, n_rows: int, n_cols: int) -> np.ndarray:
    """Dense (P, n_rows * n_cols) matrices from weight rows w2d (P, nb) over a sharing pattern."""
    out = np.zeros((w2d.shape[0], n_rows * n_cols), dtype=w2d.dtype)
    try:
        gather = _load().gather
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


def layer_matrix(spec, weights, sparse: bool | None = None, max_entries: int | None = None):
    """Dense layer matrix by the compiled gather over the sharing pattern (no sparse output)."""
    from ..errors import InvalidParameterError
    from ._pattern import sharing_pattern

    if sparse:
        raise InvalidParameterError("backend 'numba' builds dense matrices; use sparse=False")
    pat = sharing_pattern(spec, max_entries)
    w = np.asarray(weights)
    if w.dtype.kind not in "f":
        w = w.astype(np.float64)
    nr, nc = pat.shape
    nb = len(spec)
    if w.ndim == 1:
        return layer_matrix_gather(pat, w[None, :], nr, nc).reshape(nr, nc)
    c_out, c_in, _ = w.shape
    M = layer_matrix_gather(pat, w.reshape(c_out * c_in, nb), nr, nc)
    return np.ascontiguousarray(M.reshape(c_out, c_in, nr, nc).transpose(0, 2, 1, 3)
                                .reshape(c_out * nr, c_in * nc))
