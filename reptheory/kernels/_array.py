"""The planned executor for numpy-like array modules (numpy, and CuPy on the GPU).

It runs a :class:`~reptheory.kernels._plan.SpecPlan`: reduce nodes (einsum / sums, each
distinct partial contraction of x computed once), channel mixing per operation (a batched
matmul), and one strided write into y per expand group.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from ._checks import dense_coefficients, prepare_numpy_inputs

__all__ = ["apply_spec", "get_plan", "run_plan"]

_LETTERS = string.ascii_letters


def get_plan(spec, share: bool = True):
    """The cached plan of a spec (see :meth:`LayerSpec.plan`)."""
    plan_fn = getattr(spec, "plan", None)
    if plan_fn is not None:
        return plan_fn(share=share)
    from ._plan import build_plan  # pragma: no cover - specs always have plan()

    return build_plan(spec, share)  # pragma: no cover


def _subs(labels) -> str:
    return "".join(_LETTERS[a] for a in labels)


def reduce_node(xp, nd, src, consts: dict[str, Any]):
    """Compute one node from its source array (leading batch and channel axes)."""
    if nd.src >= 0 or (not nd.factors and len(set(nd.src_labels)) == len(nd.src_labels)):
        axes = tuple(2 + i for i, a in enumerate(nd.src_labels) if a not in nd.labels)
        out = src.sum(axis=axes) if axes else src
        kept_order = [a for a in nd.src_labels if a in nd.labels]
        if tuple(kept_order) != nd.labels:
            out = xp.moveaxis(out, [2 + kept_order.index(a) for a in nd.labels],
                              list(range(2, 2 + len(nd.labels))))
        return out
    ops = [src]
    subs = ["..." + _subs(nd.src_labels)]
    for name, lab in nd.factors:
        ops.append(consts[name])
        subs.append(_subs(lab))
    expr = ",".join(subs) + "->..." + _subs(nd.labels)
    # optimize: contract the constants with BLAS instead of einsum's naive loop over all labels
    return xp.einsum(expr, *ops, optimize=True)


def expand_add(xp, as_strided, y, G, group) -> None:
    """y[b, o, outputs] += G[b, o, node axes] through a strided view of y."""
    uniq = group.unique()
    ystr = y.strides
    shape = list(y.shape[:2])
    strides = list(ystr[:2])
    for u in uniq:
        strides.append(sum(ystr[2 + p] for p, a in enumerate(group.out_axes) if a == u))
        shape.append(y.shape[2 + group.out_axes.index(u)])
    kept = [u for u in uniq if u >= 0]
    Gt = xp.transpose(G, (0, 1) + tuple(2 + u for u in kept)) if kept != sorted(kept) else G
    new_shape = list(Gt.shape[:2])
    pos = 2
    for u in uniq:
        if u >= 0:
            new_shape.append(Gt.shape[pos])
            pos += 1
        else:
            new_shape.append(1)
    view = as_strided(y, shape=tuple(shape), strides=tuple(strides))
    view += Gt.reshape(new_shape)


def run_plan(spec, plan, weights, x, xp, as_strided, dtype) -> Any:
    """Execute ``plan`` with array module ``xp`` (arrays already validated and on device)."""
    n, l = spec.n, spec.l
    batch, c_in = int(x.shape[0]), int(x.shape[1])
    c_out = int(weights.shape[0])
    consts = {c.name: xp.asarray(c.to_dense(dtype)) for c in spec.constants}
    C = xp.asarray(dense_coefficients(spec, dtype))
    w_eff = (weights.reshape(c_out * c_in, len(spec)).astype(dtype) @ C).reshape(
        c_out, c_in, spec.num_operations)
    vals: list[Any] = [None] * len(plan.nodes)
    for i, nd in enumerate(plan.nodes):
        src = x if nd.src == -1 else vals[nd.src]
        vals[i] = reduce_node(xp, nd, src, consts)
    G: list[Any] = [None] * len(plan.groups)
    for t in plan.terms:
        r = vals[t.node]
        m = xp.matmul(w_eff[:, :, t.op], r.reshape(batch, c_in, n ** plan.nodes[t.node].rank))
        if G[t.group] is None:
            G[t.group] = m
        else:
            G[t.group] += m
    # the group with y's own layout (rank l, axes in order) becomes y: no zero fill, no copy
    direct = next((g for g, grp in enumerate(plan.groups)
                   if grp.rank == l and grp.out_axes == tuple(range(l)) and G[g] is not None), None)
    if direct is not None:
        y = G[direct].reshape((batch, c_out) + (n,) * l)
    else:
        y = xp.zeros((batch, c_out) + (n,) * l, dtype=dtype)
    for g, grp in enumerate(plan.groups):
        if G[g] is not None and g != direct:
            expand_add(xp, as_strided, y, G[g].reshape((batch, c_out) + (n,) * grp.rank), grp)
    return y


def apply_spec(spec, weights, x, share: bool = True) -> np.ndarray:
    """Planned numpy executor (same results as the reference, shared work).

    Examples
    --------
    >>> import numpy as np, reptheory as rt
    >>> B = rt.layer_basis(rt.S(3), 1, 1)
    >>> apply_spec(B.spec, np.array([[[1.0, 1.0]]]), np.array([[[1.0, 2.0, 3.0]]]))
    array([[[7., 8., 9.]]])
    """
    from numpy.lib.stride_tricks import as_strided

    x, weights, dtype, _, _ = prepare_numpy_inputs(spec, weights, x)
    return run_plan(spec, get_plan(spec, share), weights, x, np, as_strided, dtype)
