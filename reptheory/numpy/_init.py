"""Initialisation scale and bias basis of equivariant layers, computed from the basis."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["basis_frobenius_sq", "bias_tensors", "init_std"]

_EXACT_LIMIT = 2**22


def basis_frobenius_sq(basis, probes: int = 16, seed: int = 0) -> np.ndarray:
    """``||B_b||_F^2`` for every basis element (exact from the sharing pattern when n^(k+l) is
    at most 2^22, else an unbiased estimate E||B_b z||^2 over ``probes`` Gaussian z)."""
    n, k, l = basis.n, basis.k, basis.l
    nb = len(basis)
    if n ** (k + l) <= _EXACT_LIMIT:
        pat = basis.sharing_pattern()
        out = np.zeros(nb)
        np.add.at(out, pat.params, pat.coefficients ** 2)
        return out
    from ..kernels import get_backend

    z = np.random.default_rng(seed).standard_normal((probes, 1) + (n,) * k)
    eye = np.eye(nb).reshape(nb, 1, nb)
    y = get_backend("numpy-plan")(basis.spec, eye, z)
    return (y.reshape(probes, nb, -1) ** 2).sum(axis=2).mean(axis=0)


def init_std(basis, in_channels: int, gain: float = 1.0) -> float:
    """Weight std for which y = sum_{i,b} w_{o,i,b} B_b x_i keeps unit variance per output
    entry on average, for inputs with iid unit-variance entries: w ~ N(0, std^2) with
    std^2 = gain^2 n^l / (in_channels * sum_b ||B_b||_F^2).

    Examples
    --------
    >>> import reptheory as rt
    >>> round(init_std(rt.layer_basis(rt.S(4), 1, 1), 1), 6)   # ||I||^2 + ||J||^2 = 4 + 16
    0.447214
    """
    total = float(basis_frobenius_sq(basis).sum())
    if total <= 0:
        return 0.0
    return gain * math.sqrt(basis.n ** basis.l / (in_channels * total))


def bias_tensors(group, l: int) -> np.ndarray:
    """The (0, l) invariant basis as dense tensors, shape (nb0, n, ..., n)."""
    from ..layers import layer_basis

    B0 = layer_basis(group, 0, l)
    n = group.n
    if len(B0) == 0:
        return np.zeros((0,) + (n,) * l)
    return np.stack([m.toarray().reshape((n,) * l) for m in B0.matrices()])
