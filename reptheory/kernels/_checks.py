"""Input checks shared by every executor (shapes named in the messages)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validate import check_dense_size
from ..errors import ReptheoryTypeError, ShapeError

__all__ = ["check_layer_inputs", "dense_coefficients", "prepare_numpy_inputs"]


def check_layer_inputs(spec, weights_shape: tuple[int, ...], x_shape: tuple[int, ...],
                       x_dtype: Any = None) -> tuple[int, int, int]:
    """Validate shapes for ``apply``; return (batch, c_in, c_out).

    x must be (batch, c_in) + (n,)*k and weights (c_out, c_in, len(basis)).
    """
    n, k = spec.n, spec.k
    expected_x = f"(batch, c_in{', ' + ', '.join([str(n)] * k) if k else ''})"
    if len(x_shape) != 2 + k or any(int(s) != n for s in x_shape[2:]):
        raise ShapeError(f"x must have shape {expected_x} (k={k} trailing axes of size n={n}), "
                         f"got {tuple(x_shape)}")
    if len(weights_shape) != 3:
        raise ShapeError(f"weights must have shape (c_out, c_in, {len(spec)}), got {tuple(weights_shape)}")
    c_out, c_in, nb = (int(s) for s in weights_shape)
    if nb != len(spec):
        raise ShapeError(
            f"weights must have shape (c_out, c_in, {len(spec)}): the last axis is one weight per "
            f"basis element ({len(spec)}), got {tuple(weights_shape)}"
        )
    if c_in != int(x_shape[1]):
        raise ShapeError(f"weights have c_in={c_in} but x has c_in={int(x_shape[1])} "
                         f"(x shape {tuple(x_shape)}, weights shape {tuple(weights_shape)})")
    if x_dtype is not None and getattr(x_dtype, "kind", "f") not in "fc":
        raise ReptheoryTypeError(f"x must be a floating-point array, got dtype {x_dtype}")
    return int(x_shape[0]), c_in, c_out


def prepare_numpy_inputs(spec, weights, x):
    """Validate and cast numpy inputs of an executor; guard the output size.

    Returns ``(x, weights, dtype, batch, c_out)`` with x cast to the common float dtype.
    """
    x = np.asarray(x)
    weights = np.asarray(weights)
    if x.dtype.kind in "iub":
        x = x.astype(np.float64)
    batch, _, c_out = check_layer_inputs(spec, weights.shape, x.shape, x.dtype)
    dtype = np.result_type(x.dtype, weights.dtype, np.float32)
    check_dense_size("layer output", batch * c_out * spec.n**spec.l,
                     hint="apply the layer to a smaller batch")
    return x.astype(dtype, copy=False), weights, dtype, batch, c_out


def dense_coefficients(spec, dtype: Any = np.float64) -> np.ndarray:
    """The (len(basis), num_operations) coefficient matrix C as a dense array (no scipy)."""
    C = np.zeros((len(spec), spec.num_operations), dtype=dtype)
    for b, row in enumerate(spec.coefficients):
        for j, c in row:
            C[b, j] = float(c)
    return C
