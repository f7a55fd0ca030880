"""Gaunt tensor product on a sphere grid, and the user-facing ``gaunt_tensor_product``.

Grid method (the simpler form advocated by Xie et al., "The Price of Freedom"): evaluate both
spherical functions on a product grid (Gauss-Legendre nodes in cos t, equispaced p), multiply
pointwise, project back by quadrature.  The grid is *exact*: the integrand
``F1 F2 Y_{l3,m3}`` restricted to each Fourier mode in p is a polynomial of degree
<= L1+L2+L_out in cos t (times nothing: the sin^m factors pair up), so
``n_t = ceil((L1+L2+L_out+1)/2)`` Gauss-Legendre nodes and ``n_p >= L1+L2+L_out+1`` (and ``>= 2 max(L) + 1``, rounded up to a fast FFT length) equispaced
angles integrate it exactly.  The evaluation is separable: a Legendre matmul per order m and a
real FFT in p, O(L^3) per sample.
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache

import numpy as np

from .._validate import check_dense_size, check_int
from ..errors import InvalidParameterError, ShapeError
from ._sh import spherical_harmonics_all
from ._tp_gaunt_fourier import gaunt_fourier
from ._tp_util import as_features, check_pair, result_dtype

__all__ = ["gaunt_grid", "gaunt_path_weights", "gaunt_tensor_product", "sphere_grid"]


def sphere_grid(L1: int, L2: int, L_out: int) -> tuple[int, int]:
    """(n_theta, n_phi) of the exact product grid for degrees L1, L2 -> L_out.

    Examples
    --------
    >>> sphere_grid(2, 2, 4)
    (5, 9)
    >>> sphere_grid(10, 10, 20)   # 41 angles needed, 45 is a fast FFT length
    (21, 45)
    """
    total = L1 + L2 + L_out
    n_t = total // 2 + 1
    from scipy.fft import next_fast_len

    n_p = next_fast_len(max(total + 1, 2 * max(L1, L2, L_out) + 1), real=True)
    return n_t, n_p


@lru_cache(maxsize=32)
def _legendre_tables(L: int, n_t: int) -> tuple[np.ndarray, np.ndarray]:
    """P[m, l, i] = Y_{l,m}(t_i, p=0) (m >= 0, zero for l < m) and Gauss-Legendre weights."""
    z, w = np.polynomial.legendre.leggauss(n_t)
    pts = np.stack([np.sqrt(1 - z * z), np.zeros_like(z), z], 1)
    Y = spherical_harmonics_all(L, pts, normalize=False)
    P = np.zeros((L + 1, L + 1, n_t))
    for l in range(L + 1):
        for m in range(l + 1):
            P[m, l] = Y[:, l * l + l + m]
    P.setflags(write=False)
    w.setflags(write=False)
    return P, w


def _to_grid(x: np.ndarray, L: int, n_t: int, n_p: int) -> np.ndarray:
    """Values (B, n_t, n_p) of the spherical functions with coefficients x (B, (L+1)^2)."""
    from scipy import fft

    B = x.shape[0]
    P, _ = _legendre_tables(L, n_t)
    nh = n_p // 2 + 1
    H = np.zeros((B, n_t, nh), dtype=np.complex64 if x.dtype == np.float32 else complex)
    Hf = H.view(x.dtype)  # (B, n_t, 2 nh): real, imaginary interleaved
    for m in range(L + 1):
        ls = np.arange(m, L + 1)
        Pm = (P[m, m:] * (n_p * (0.5 if m else 1.0))).astype(x.dtype)  # (L-m+1, n_t)
        Hf[:, :, 2 * m] = x[:, ls * ls + ls + m] @ Pm
        if m:
            Hf[:, :, 2 * m + 1] = -(x[:, ls * ls + ls - m] @ Pm)
    return fft.irfft(H, n=n_p, axis=2, workers=1)


def _from_grid(g: np.ndarray, L_out: int, n_t: int, n_p: int) -> np.ndarray:
    """Real SH coefficients (B, (L_out+1)^2) of grid values g (B, n_t, n_p), by quadrature."""
    from scipy import fft

    B = g.shape[0]
    P, w = _legendre_tables(L_out, n_t)
    R = fft.rfft(g, axis=2, workers=1)
    Rf = R.view(g.dtype)
    out = np.empty((B, (L_out + 1) ** 2), dtype=g.dtype)
    for m in range(L_out + 1):
        ls = np.arange(m, L_out + 1)
        Wm = (P[m, m:] * w * (2 * math.pi / n_p)).T.astype(g.dtype)  # (n_t, L-m+1)
        out[:, ls * ls + ls + m] = Rf[:, :, 2 * m] @ Wm
        if m:
            out[:, ls * ls + ls - m] = -(Rf[:, :, 2 * m + 1] @ Wm)
    return out


def gaunt_grid(x1: np.ndarray, x2: np.ndarray, L1: int, L2: int, L_out: int) -> np.ndarray:
    """Gaunt product of 2-D feature arrays (B, d1), (B, d2) on the exact sphere grid."""
    n_t, n_p = sphere_grid(L1, L2, L_out)
    per = 4 * n_t * n_p
    check_dense_size(
        "sphere grid for one sample",
        per,
        hint="the grid grows as (L1+L2+L_out)^2; lower the degrees",
    )
    out = np.empty((x1.shape[0], (L_out + 1) ** 2), dtype=x1.dtype)
    step = max(1, (1 << 22) // per)
    for s in range(0, x1.shape[0], step):
        f = _to_grid(x1[s : s + step], L1, n_t, n_p)
        f *= _to_grid(x2[s : s + step], L2, n_t, n_p)
        out[s : s + step] = _from_grid(f, L_out, n_t, n_p)
    return out


def gaunt_path_weights(L1: int, L2: int, L_out: int) -> dict:
    """Path weights that turn the CG product into the Gaunt product (real basis).

    ``gaunt_tensor(l1, l2, l3) = w * cg_tensor(l1, l2, l3)`` with
    ``w = sqrt((2l1+1)(2l2+1)/(4 pi (2l3+1))) <l1 0 l2 0|l3 0>`` (zero for odd l1+l2+l3).

    Examples
    --------
    >>> w = gaunt_path_weights(1, 1, 2)
    >>> round(w[(1, 1, 2)], 12) == round(3 / (4 * math.pi * 5) ** 0.5 * (2 / 3) ** 0.5, 12)
    True
    >>> w[(1, 1, 1)]
    0.0
    """
    from ._exact import clebsch_gordan_float
    from ._tp_cg import tp_paths

    out = {}
    for l1, l2, l3 in tp_paths(L1, L2, L_out):
        if (l1 + l2 + l3) % 2:
            out[(l1, l2, l3)] = 0.0
            continue
        c0 = float(clebsch_gordan_float(l1, 0, l2, 0, l3, 0))
        out[(l1, l2, l3)] = (
            math.sqrt((2 * l1 + 1) * (2 * l2 + 1) / (4 * math.pi * (2 * l3 + 1))) * c0
        )
    return out


def _degree_weights(name: str, w, L: int) -> np.ndarray | None:
    if w is None:
        return None
    arr = np.asarray(w, dtype=np.float64)
    if arr.shape != (L + 1,):
        raise ShapeError(
            f"{name} must have shape ({L + 1},) (one weight per degree 0..{L}), got {arr.shape}"
        )
    return np.repeat(arr, 2 * np.arange(L + 1) + 1)


def gaunt_tensor_product(
    x1,
    x2,
    L_out: int,
    method: str = "grid",
    weights1=None,
    weights2=None,
    weights_out=None,
) -> np.ndarray:
    """Gaunt tensor product: product of the two spherical functions, projected onto degrees <= L_out.

    ``z[l3, m3] = sum G[l1 m1, l2 m2, l3 m3] (w1[l1] x1[l1, m1]) (w2[l2] x2[l2, m2]) wo[l3]``
    with the real Gaunt coefficients G; equivalently the CG product with path weights
    ``w1[l1] w2[l2] wo[l3] gaunt_path_weights[(l1, l2, l3)]``.

    Parameters
    ----------
    x1, x2 : array_like, shapes (..., (L1+1)**2), (..., (L2+1)**2)
        Real SH coefficients (order of ``spherical_harmonics_all``); equal leading shapes.
    L_out : int
        Output degrees 0..L_out.
    method : {"grid", "fourier"}
        An exact sphere quadrature grid (default), or the 2-D Fourier basis with FFT
        convolution (Luo et al.).  ``"fourier"`` is deprecated (``DeprecationWarning``): it
        gives the same values (both are exact) but is about 3x slower, because its torus grid
        has about twice as many points as the Gauss-Legendre grid and its FFTs are small.
    weights1, weights2, weights_out : array_like, optional
        Per-degree weights (shapes (L1+1,), (L2+1,), (L_out+1,)) as in Luo et al.

    Returns
    -------
    numpy.ndarray, shape (..., (L_out+1)**2), float32 if both inputs are float32.

    Raises
    ------
    ShapeError
        Bad last dimension, mismatched leading shapes, bad weight shapes.
    InvalidParameterError
        Unknown method, negative L_out.
    SizeLimitError
        Grid too large for memory.

    Examples
    --------
    >>> import numpy as np
    >>> from reptheory.so3 import spherical_harmonics_all
    >>> x1 = np.random.default_rng(1).normal(size=(1, 9))
    >>> x2 = np.random.default_rng(2).normal(size=(1, 4))
    >>> z = gaunt_tensor_product(x1, x2, 3, method="grid")
    >>> n = np.array([[0.36, 0.48, 0.8]])                      # any point
    >>> f = lambda x, L: spherical_harmonics_all(L, n) @ x[0]
    >>> bool(np.isclose(f(z, 3), f(x1, 2) * f(x2, 1)))        # degree 3 suffices: no truncation
    True
    """
    a, L1 = as_features("x1", x1)
    b, L2 = as_features("x2", x2)
    L_out = check_int("L_out", L_out, minimum=0)
    if method not in ("fourier", "grid"):
        raise InvalidParameterError(f"method must be 'grid' or 'fourier', got {method!r}")
    if method == "fourier":
        warnings.warn(
            "gaunt_tensor_product(method='fourier') is deprecated: it gives the same values as "
            "method='grid' (the default) but is slower; use method='grid'",
            DeprecationWarning,
            stacklevel=2,
        )
    lead = check_pair(a, b)
    dtype = result_dtype(a, b)
    a = a.reshape(-1, a.shape[-1]).astype(dtype)
    b = b.reshape(-1, b.shape[-1]).astype(dtype)
    w1 = _degree_weights("weights1", weights1, L1)
    w2 = _degree_weights("weights2", weights2, L2)
    wo = _degree_weights("weights_out", weights_out, L_out)
    if w1 is not None:
        a = a * w1.astype(dtype)
    if w2 is not None:
        b = b * w2.astype(dtype)
    fn = gaunt_fourier if method == "fourier" else gaunt_grid
    z = fn(np.ascontiguousarray(a), np.ascontiguousarray(b), L1, L2, L_out)
    if wo is not None:
        z = z * wo.astype(dtype)
    return z.reshape(lead + ((L_out + 1) ** 2,))
