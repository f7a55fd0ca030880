"""The CuPy executor: the shared plan of :mod:`reptheory.kernels._array` on the GPU.

Uses exactly the numpy planned code path with ``xp = cupy`` (einsum reductions, batched
matmul for channel mixing, strided views of y for the expand step). Requires the ``cupy`` extra
and a CUDA device; this module imports cupy.
"""

from __future__ import annotations

from typing import Any

import cupy
import numpy as np
from cupy.lib.stride_tricks import as_strided

from .._validate import check_dense_size
from ..errors import BackendUnavailableError, ReptheoryTypeError
from ._array import get_plan, run_plan
from ._checks import check_layer_inputs

__all__ = ["apply_spec", "cupy_layer_matrix", "layer_matrix"]


def _check_gpu() -> None:
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDARuntimeError when no driver
        raise BackendUnavailableError(f"backend 'cupy' needs a CUDA GPU, none found ({exc})") from exc
    if count < 1:
        raise BackendUnavailableError("backend 'cupy' needs a CUDA GPU, none found")


def apply_spec(spec, weights, x, share: bool = True) -> Any:
    """Apply the layer on the GPU; numpy in -> numpy out, CuPy in -> CuPy out."""
    _check_gpu()
    as_numpy = not isinstance(x, cupy.ndarray)
    if as_numpy:
        x = np.asarray(x)
    if not isinstance(weights, cupy.ndarray):
        weights = np.asarray(weights)
    xs = tuple(x.shape)
    if x.dtype.kind in "iub":
        x = x.astype(np.float64)
    if x.dtype.kind not in "f":
        raise ReptheoryTypeError(f"x must be a float32 or float64 array, got dtype {x.dtype}")
    batch, _, c_out = check_layer_inputs(spec, tuple(weights.shape), xs, x.dtype)
    dtype = np.result_type(x.dtype, weights.dtype, np.float32)
    check_dense_size("layer output", batch * c_out * spec.n**spec.l,
                     hint="apply the layer to a smaller batch")
    xg = cupy.asarray(x, dtype=dtype)
    wg = cupy.asarray(weights, dtype=dtype)
    y = run_plan(spec, get_plan(spec, share), wg, xg, cupy, as_strided, dtype)
    return cupy.asnumpy(y) if as_numpy else y


def _scatter_add(out, idx, vals) -> None:
    try:
        import cupyx

        cupyx.scatter_add(out, idx, vals)
    except (ImportError, AttributeError):
        cupy.add.at(out, idx, vals)


def cupy_layer_matrix(pattern, weights, sparse: bool = False):
    """Layer matrix on the GPU by a scatter-add gather over the sharing pattern."""
    _check_gpu()
    w = cupy.asarray(weights)
    if w.dtype.kind not in "f":
        w = w.astype(cupy.float64)
    nr, nc = pattern.shape
    rows = cupy.asarray(pattern.rows)
    cols = cupy.asarray(pattern.cols)
    params = cupy.asarray(pattern.params)
    coef = cupy.asarray(pattern.coefficients, dtype=w.dtype)
    if w.ndim == 1:
        if sparse:
            import cupyx.scipy.sparse as csp

            return csp.coo_matrix((coef * w[params], (rows, cols)), shape=(nr, nc)).tocsr()
        out = cupy.zeros(nr * nc, dtype=w.dtype)
        _scatter_add(out, rows * nc + cols, coef * w[params])
        return out.reshape(nr, nc)
    c_out, c_in, _ = w.shape
    out = cupy.zeros((c_out, c_in, nr * nc), dtype=w.dtype)
    vals = coef[None, None, :] * w[:, :, params]
    flat = rows * nc + cols
    for o in range(c_out):
        for i in range(c_in):
            _scatter_add(out[o, i], flat, vals[o, i])
    M = out.reshape(c_out, c_in, nr, nc).transpose(0, 2, 1, 3).reshape(c_out * nr, c_in * nc)
    if sparse:
        import cupyx.scipy.sparse as csp

        return csp.csr_matrix(M)
    return M


def layer_matrix(spec, weights, sparse: bool | None = None, max_entries: int | None = None):
    """Layer matrix on the GPU (dense CuPy array, or CuPy CSR with ``sparse=True``)."""
    from ._pattern import sharing_pattern

    return cupy_layer_matrix(sharing_pattern(spec, max_entries), weights, sparse=bool(sparse))
