"""The reference executor: applies a :class:`~reptheory.layers.LayerSpec` with numpy.

Never builds an n^(k+l) array. Each operation costs O(n^k) reads and O(n^l) writes:

1. *reduce*: one ``einsum`` takes the diagonals of x named by repeated input labels,
   multiplies the constant tensors in and sums the contracted labels;
2. *mix*: contract the channel axis with the operation's effective weights
   ``W_eff = weights @ C`` (C is the spec's coefficient matrix);
3. *expand*: add the result into y through a strided view, which places it on the
   generalised diagonals of repeated output labels and broadcasts along output-only labels.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._validate import check_dense_size
from ..errors import ReptheoryTypeError
from ._checks import prepare_numpy_inputs

__all__ = ["apply_operation", "apply_spec", "dense_constants", "operation_matrix", "spec_matrices"]

_LETTERS = string.ascii_letters


def dense_constants(spec, dtype: Any = np.float64) -> dict[str, np.ndarray]:
    """Dense arrays of the spec's constant tensors (guarded)."""
    return {c.name: c.to_dense(dtype) for c in spec.constants}


def _reduce(op, x: np.ndarray, consts: dict[str, np.ndarray]) -> np.ndarray:
    """x of shape (..., n^k axes) -> (..., n^len(kept) axes)."""
    labels = op.labels()
    if len(labels) > len(_LETTERS):  # pragma: no cover - would need > 52 distinct labels
        raise ReptheoryTypeError("operation has more than 52 labels")
    letter = {a: _LETTERS[i] for i, a in enumerate(labels)}
    operands = [x]
    subs = ["..." + "".join(letter[a] for a in op.inputs)]
    for name, lab in op.factors:
        operands.append(consts[name])
        subs.append("".join(letter[a] for a in lab))
    out = "..." + "".join(letter[a] for a in op.kept_labels())
    return np.einsum(",".join(subs) + "->" + out, *operands, optimize=len(operands) > 2)


def _expand_add(op, y: np.ndarray, r: np.ndarray, lead: int) -> None:
    """y[..., outputs] += r[..., kept] (diagonals and broadcasts placed through a view)."""
    uniq = op.unique_output_labels()
    kept = set(op.kept_labels())
    ystr = y.strides
    strides = list(ystr[:lead])
    shape = list(y.shape[:lead])
    for u in uniq:
        strides.append(sum(ystr[lead + j] for j, a in enumerate(op.outputs) if a == u))
        shape.append(y.shape[lead + op.outputs.index(u)])
    # r's axes are the kept labels in order; insert size-1 axes for broadcast labels
    new_shape = list(r.shape[:lead])
    pos = lead
    for u in uniq:
        if u in kept:
            new_shape.append(r.shape[pos])
            pos += 1
        else:
            new_shape.append(1)
    view = as_strided(y, shape=tuple(shape), strides=tuple(strides), writeable=True)
    view += r.reshape(new_shape)


def apply_operation(op, x: np.ndarray, n: int, consts: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Apply one operation to x of shape (..., n, ..., n) (k trailing axes).

    Examples
    --------
    >>> import numpy as np
    >>> from reptheory.layers import Operation
    >>> x = np.arange(4.0).reshape(2, 2)
    >>> apply_operation(Operation((0, 1), (1, 0)), x, n=2)    # transpose
    array([[0., 2.],
           [1., 3.]])
    """
    consts = consts or {}
    lead = x.ndim - op.k
    r = _reduce(op, x, consts)
    y = np.zeros(x.shape[:lead] + (n,) * op.l, dtype=np.result_type(x.dtype, np.float32))
    _expand_add(op, y, r, lead)
    return y


def apply_spec(spec, weights: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Apply the layer ``sum_b weights[:, :, b] B_b`` to x.

    Parameters
    ----------
    spec : LayerSpec
    weights : array of shape (c_out, c_in, len(spec))
    x : array of shape (batch, c_in, n, ..., n) with k trailing axes

    Returns
    -------
    y : array of shape (batch, c_out, n, ..., n) with l trailing axes
    """
    x, weights, dtype, batch, c_out = prepare_numpy_inputs(spec, weights, x)
    c_in = x.shape[1]
    n, l = spec.n, spec.l
    consts = dense_constants(spec, dtype)
    C = spec.coefficient_matrix(dtype)
    # effective weights per operation: (c_out, c_in, n_ops)
    w_eff = np.asarray(weights.reshape(c_out * c_in, len(spec)).astype(dtype) @ C).reshape(
        c_out, c_in, spec.num_operations)
    y = np.zeros((batch, c_out) + (n,) * l, dtype=dtype)
    for j, op in enumerate(spec.operations):
        w = w_eff[:, :, j]
        if not w.any():
            continue
        r = _reduce(op, x, consts)                       # (batch, c_in, kept...)
        r = np.tensordot(w, r, axes=([1], [1]))           # (c_out, batch, kept...)
        r = np.moveaxis(r, 0, 1)
        _expand_add(op, y, r, lead=2)
    return y


def label_assignment_entries(op, n: int, arrays: dict[str, np.ndarray], max_entries: int | None,
                             hint: str, value_dtype: Any = np.float64):
    """(rows, cols, values) of an operation's matrix, by enumerating its n**L label assignments.

    ``arrays`` maps constant names to dense arrays (float, int64 or object for exact values).
    Entries with value 0 are dropped; repeated (row, col) pairs are to be summed by the caller.
    """
    labels = op.labels()
    L = len(labels)
    check_dense_size("label assignments of an operation", n**L, max_entries, hint=hint)
    pos = {a: i for i, a in enumerate(labels)}
    grid = np.indices((n,) * L).reshape(L, -1) if L else np.zeros((0, 1), dtype=np.int64)
    vals = np.ones(grid.shape[1], dtype=value_dtype)
    for name, lab in op.factors:
        vals = vals * arrays[name][tuple(grid[pos[a]] for a in lab)]
    keep = vals != 0
    grid, vals = grid[:, keep], vals[keep]
    rows = (np.ravel_multi_index(tuple(grid[pos[a]] for a in op.outputs), (n,) * op.l)
            if op.l else np.zeros(grid.shape[1], dtype=np.int64))
    cols = (np.ravel_multi_index(tuple(grid[pos[a]] for a in op.inputs), (n,) * op.k)
            if op.k else np.zeros(grid.shape[1], dtype=np.int64))
    return rows.astype(np.int64), cols.astype(np.int64), vals


def operation_matrix(op, n: int, consts: dict[str, Any] | None = None, max_entries: int | None = None):
    """The exact operation as a scipy CSR matrix of shape (n**l, n**k).

    Built by enumerating the n**L assignments of its L labels (guarded), never densely.
    ``consts`` maps constant names to :class:`~reptheory.layers.ConstantTensor` or arrays.
    """
    import scipy.sparse as sp

    arrays = {}
    for name, c in (consts or {}).items():
        arrays[name] = c if isinstance(c, np.ndarray) else c.to_dense()
    rows, cols, vals = label_assignment_entries(
        op, n, arrays, max_entries, hint="use apply() instead of building matrices")
    m = sp.coo_matrix((vals, (rows, cols)), shape=(n**op.l, n**op.k)).tocsr()
    m.sum_duplicates()
    return m


def spec_matrices(spec, max_entries: int | None = None) -> list:
    """The basis matrices of a spec (scipy CSR, shape (n**l, n**k)), guarded by size."""
    import scipy.sparse as sp

    n = spec.n
    consts = {c.name: c.to_dense(max_entries=max_entries) for c in spec.constants}
    op_mats = [operation_matrix(op, n, consts, max_entries) for op in spec.operations]
    out = []
    for row in spec.coefficients:
        m = sp.csr_matrix((n**spec.l, n**spec.k))
        for j, c in row:
            m = m + float(c) * op_mats[j]
        m.eliminate_zeros()
        out.append(m.tocsr())
    return out
