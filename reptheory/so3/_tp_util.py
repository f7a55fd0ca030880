"""Shared helpers of the tensor-product modules: feature checks, degree layout, irreps strings.

Features are arrays whose last axis holds real spherical-harmonic coefficients of all degrees
0..L in the order of :func:`reptheory.so3.spherical_harmonics_all` (entry ``l*l + l + m``);
leading axes are batch (and channel) axes.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ReptheoryTypeError, ShapeError
from ._irreps import Irrep, parse_irreps  # the one irreps type and parser (re-exported)

__all__ = [
    "Irrep",
    "as_features",
    "degree_of_dim",
    "from_grid_layout",
    "parse_irreps",
    "to_grid_layout",
]


def degree_of_dim(name: str, dim: int) -> int:
    """L with (L+1)**2 == dim, or a ShapeError naming ``name``.

    Examples
    --------
    >>> degree_of_dim("x1", 9)
    2
    """
    r = math.isqrt(dim)
    if r * r != dim or dim == 0:
        raise ShapeError(
            f"{name} has last dimension {dim}, which is not (L+1)**2 for any L >= 0 "
            f"(features hold all degrees 0..L: 1, 4, 9, 16, ... entries)"
        )
    return r - 1


def as_features(name: str, x, dtype=None) -> tuple[np.ndarray, int]:
    """``x`` as a float array (float32 kept, everything else float64) and its degree L."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiub":
        raise ReptheoryTypeError(f"{name} must be a real array, got dtype {arr.dtype}")
    if dtype is None:
        dtype = np.float32 if arr.dtype == np.float32 else np.float64
    arr = arr.astype(dtype, copy=False)
    if arr.ndim < 1:
        raise ShapeError(f"{name} must have shape (..., (L+1)**2), got a scalar")
    return arr, degree_of_dim(name, arr.shape[-1])


def check_pair(x1: np.ndarray, x2: np.ndarray, n1: str = "x1", n2: str = "x2") -> tuple:
    """Leading (batch) shapes of two feature arrays must agree; return the common shape."""
    if x1.shape[:-1] != x2.shape[:-1]:
        raise ShapeError(
            f"{n1} has leading (batch) shape {x1.shape[:-1]} but {n2} has {x2.shape[:-1]}; "
            f"they must be equal ({n1}.shape = {x1.shape}, {n2}.shape = {x2.shape})"
        )
    return x1.shape[:-1]


def result_dtype(*arrays: np.ndarray):
    return np.float32 if all(a.dtype == np.float32 for a in arrays) else np.float64


def _layout_index(L: int) -> tuple[np.ndarray, np.ndarray]:
    ls, ms = [], []
    for l in range(L + 1):
        for m in range(-l, l + 1):
            ls.append(l)
            ms.append(m + L)
    return np.array(ls), np.array(ms)


def to_grid_layout(x: np.ndarray, L: int) -> np.ndarray:
    """(B, (L+1)**2) -> (B, L+1, 2L+1) with ``out[:, l, m+L] = x[:, l*l+l+m]`` (zeros elsewhere).

    Examples
    --------
    >>> to_grid_layout(np.arange(4.0)[None], 1)[0].tolist()
    [[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]]
    """
    ls, ms = _layout_index(L)
    out = np.zeros((x.shape[0], L + 1, 2 * L + 1), dtype=x.dtype)
    out[:, ls, ms] = x
    return out


def from_grid_layout(g: np.ndarray, L: int) -> np.ndarray:
    """Inverse of :func:`to_grid_layout` (entries with |m| > l are dropped)."""
    ls, ms = _layout_index(L)
    return g[:, ls, ms]
