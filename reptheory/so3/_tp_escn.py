"""eSCN convolution (Passaro & Zitnick, ICML 2023): rotate the edge to the pole, apply an
SO(2)-equivariant map, rotate back; and its exact correspondence with the CG convolution.

CG convolution of node features x (degrees 0..L_in) with the edge's spherical harmonics::

    y[lo] = sum_{li, lf} h[li, lf, lo] (x[li] (x) Y_lf(r))[lo]        (real CG, all |li-lo| <= lf <= li+lo)

Rotate by R with ``R r = z`` (:func:`edge_to_pole_rotation`): ``x' = D(R) x``.  At the pole
``Y_{lf,m}(z) = delta_{m0} sqrt((2lf+1)/(4 pi))`` and the real CG entries ``C[mi, 0, mo]``
vanish unless ``mo = +-mi``, with ``C[-m,0,-m] = C[m,0,m]`` and ``C[-m,0,m] = -C[m,0,-m]``.
So ``y' = D(R) y`` is an SO(2)-equivariant map acting on each order m separately::

    y'[lo, 0]  = sum_li w0[lo, li] x'[li, 0]
    y'[lo, m]  = sum_li (w[m][0, lo, li] x'[li, m] - w[m][1, lo, li] x'[li, -m])     (m > 0)
    y'[lo, -m] = sum_li (w[m][1, lo, li] x'[li, m] + w[m][0, lo, li] x'[li, -m])

(multiplication by the complex weight ``w[m][0] + i w[m][1]`` on ``x'[m] + i x'[-m]``), with

    w0[lo, li]   = sum_lf h[li, lf, lo] s_lf C[0, 0, 0]
    w[m][0]      = sum_lf h s_lf C[m, 0, m],   w[m][1] = sum_lf h s_lf C[m, 0, -m],   s_lf = sqrt((2lf+1)/(4 pi)).

Even l_i + l_f + l_o paths feed ``w0`` and ``w[m][0]`` (min(li, lo) + 1 of them), odd paths
feed ``w[m][1]`` (min(li, lo) of them): for each (li, lo) the map h -> w is square
(2 min(li, lo) + 1 parameters on both sides) and invertible, so the two convolutions span the
same maps (:func:`cg_to_escn_weights`, :func:`escn_to_cg_weights`).  Weights are stored as a
dict ``{0: (L_out+1, L_in+1) array, m: (2, L_out+1, L_in+1) array}`` (entries with l < m unused).
"""

from __future__ import annotations

import math

import numpy as np

from .._validate import check_int
from ..errors import InvalidParameterError, ShapeError
from ._sh import spherical_harmonics_all
from ._tables import cg_tensor
from ._tp_cg import cg_tensor_product
from ._tp_util import as_features
from ._wigner import _finite_array, rot_y, rot_z, wigner_D

__all__ = [
    "cg_convolution",
    "cg_convolution_paths",
    "cg_to_escn_weights",
    "edge_to_pole_rotation",
    "escn_convolution",
    "escn_parameter_count",
    "escn_to_cg_weights",
]


def edge_to_pole_rotation(edge_vec) -> np.ndarray:
    """Rotations R (N, 3, 3) with ``R @ r/|r| = (0, 0, 1)``: ``R = Ry(-theta) Rz(-phi)``.

    Examples
    --------
    >>> import numpy as np
    >>> R = edge_to_pole_rotation([[1.0, 2.0, -0.5]])
    >>> np.allclose(R[0] @ np.array([1.0, 2.0, -0.5]) / np.sqrt(5.25), [0, 0, 1])
    True
    """
    return _pole_rotation(_edge_directions(edge_vec))


def _pole_rotation(u: np.ndarray) -> np.ndarray:
    """:func:`edge_to_pole_rotation` of unit vectors u (E, 3)."""
    theta = np.arccos(np.clip(u[:, 2], -1.0, 1.0))
    phi = np.arctan2(u[:, 1], u[:, 0])
    return rot_y(-theta) @ rot_z(-phi)


def _edge_directions(edge_vec) -> np.ndarray:
    """Unit vectors (E, 3) of the edges; NaN / inf / zero vectors raise, naming ``edge_vec``."""
    r = _finite_array("edge_vec", edge_vec, dtype=np.float64)
    if r.ndim != 2 or r.shape[1] != 3:
        raise ShapeError(f"edge_vec must have shape (E, 3), got {r.shape}")
    with np.errstate(over="ignore"):
        n = np.linalg.norm(r, axis=1)
    if np.any(n == 0) or not np.all(np.isfinite(n)):
        raise InvalidParameterError(
            "edge_vec has a zero vector or one that overflows; its direction is undefined"
        )
    return r / n[:, None]


def _conv_inputs(x, edge_vec, L_out) -> tuple[np.ndarray, int, int, np.ndarray]:
    """Checked inputs of a convolution: features x (E, (L_in+1)^2), L_in, L_out, unit edges."""
    x, L_in = as_features("x", x)
    x = _finite_array("x", x, dtype=x.dtype)
    L_out = check_int("L_out", L_out, minimum=0)
    u = _edge_directions(edge_vec)
    if u.shape[0] != x.shape[0] or x.ndim != 2:
        raise ShapeError(f"x must have shape (E, d) with E = {u.shape[0]} edges, got {x.shape}")
    return x, L_in, L_out, u


def _block_wigner(L: int, R: np.ndarray) -> list[np.ndarray]:
    return [wigner_D(l, R) for l in range(L + 1)]


def _rotate(Ds: list[np.ndarray], x: np.ndarray, L: int, inverse: bool = False) -> np.ndarray:
    """Apply ``D_l`` (``D_l^T`` if ``inverse``) to every degree block l <= L of x (E, (L+1)^2)."""
    spec = "eji,ej->ei" if inverse else "eij,ej->ei"
    out = np.empty_like(x)
    for l in range(L + 1):
        s = slice(l * l, (l + 1) ** 2)
        out[:, s] = np.einsum(spec, Ds[l], x[:, s])
    return out


def cg_convolution_paths(L_in: int, L_out: int) -> tuple[tuple[int, int, int], ...]:
    """Paths (li, lf, lo) of the CG convolution with unrestricted filter degree lf.

    Examples
    --------
    >>> len(cg_convolution_paths(2, 2))
    19
    """
    L_in = check_int("L_in", L_in, minimum=0)
    L_out = check_int("L_out", L_out, minimum=0)
    return tuple(
        (li, lf, lo)
        for li in range(L_in + 1)
        for lf in range(L_in + L_out + 1)
        for lo in range(L_out + 1)
        if abs(li - lo) <= lf <= li + lo
    )


def escn_parameter_count(L_in: int, L_out: int) -> int:
    """Number of SO(2) weights: sum over (li, lo) of 1 + 2 min(li, lo).

    Examples
    --------
    >>> [escn_parameter_count(L, L) for L in (2, 4, 6)]
    [19, 85, 231]
    """
    return sum(1 + 2 * min(li, lo) for li in range(L_in + 1) for lo in range(L_out + 1))


def _check_weights(weights, L_in: int, L_out: int) -> dict:
    if not isinstance(weights, dict):
        raise InvalidParameterError(
            "eSCN weights must be a dict {0: (L_out+1, L_in+1), m: (2, L_out+1, L_in+1)}"
        )
    out = {}
    for m in range(min(L_in, L_out) + 1):
        want = (L_out + 1, L_in + 1) if m == 0 else (2, L_out + 1, L_in + 1)
        if m not in weights:
            raise InvalidParameterError(f"eSCN weights lack order m={m} (shape {want})")
        w = _finite_array(f"eSCN weights[{m}]", weights[m], dtype=np.float64)
        if w.shape != want:
            raise ShapeError(f"eSCN weights[{m}] must have shape {want}, got {w.shape}")
        out[m] = w
    return out


def _check_h(h, L_in: int, L_out: int) -> dict:
    """CG path weights as ``{(li, lf, lo): float}``; unknown paths, NaN / inf raise, naming h."""
    if not isinstance(h, dict):
        raise InvalidParameterError(
            f"h must be a dict {{(li, lf, lo): weight}}, got {type(h).__name__}"
        )
    valid = set(cg_convolution_paths(L_in, L_out))
    out = {}
    for key, val in h.items():
        try:
            path = tuple(int(v) for v in key)
        except (TypeError, ValueError):
            path = None
        if path not in valid:
            raise InvalidParameterError(
                f"h has path {key!r}, not a CG convolution path for L_in={L_in}, L_out={L_out}"
            )
        out[path] = float(_finite_array(f"h[{key!r}]", val))
    return out


def so2_linear(xr: np.ndarray, weights: dict, L_in: int, L_out: int) -> np.ndarray:
    """The SO(2)-equivariant map in the edge frame: (E, (L_in+1)^2) -> (E, (L_out+1)^2)."""
    E = xr.shape[0]
    y = np.zeros((E, (L_out + 1) ** 2), dtype=xr.dtype)
    li = np.arange(L_in + 1)
    lo = np.arange(L_out + 1)
    y[:, lo * lo + lo] = xr[:, li * li + li] @ weights[0].T
    for m in range(1, min(L_in, L_out) + 1):
        a, b = li[m:], lo[m:]
        xp, xm = xr[:, a * a + a + m], xr[:, a * a + a - m]
        w0, w1 = weights[m][0][m:, m:].T, weights[m][1][m:, m:].T
        y[:, b * b + b + m] = xp @ w0 - xm @ w1
        y[:, b * b + b - m] = xp @ w1 + xm @ w0
    return y


def escn_convolution(x, edge_vec, weights: dict, L_out: int) -> np.ndarray:
    """eSCN message: rotate x to the edge frame, apply the SO(2) map, rotate back.

    Parameters
    ----------
    x : array_like, shape (E, (L_in+1)**2)
        Source-node features (real SH coefficients, degrees 0..L_in).
    edge_vec : array_like, shape (E, 3)
        Edge vectors.
    weights : dict
        ``{0: (L_out+1, L_in+1), m: (2, L_out+1, L_in+1) for m = 1..min(L_in, L_out)}``.
    L_out : int

    Returns
    -------
    numpy.ndarray, shape (E, (L_out+1)**2)

    Raises
    ------
    InvalidParameterError
        NaN / inf in ``x``, ``edge_vec`` or ``weights``; a zero edge vector; a missing order.
    ShapeError
        ``x`` not (E, (L_in+1)**2) for the E edges, or a weight of the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> W = {0: rng.normal(size=(3, 2)), 1: rng.normal(size=(2, 3, 2))}
    >>> x, r = rng.normal(size=(4, 4)), rng.normal(size=(4, 3))
    >>> h = escn_to_cg_weights(W, 1, 2)
    >>> np.allclose(escn_convolution(x, r, W, 2), cg_convolution(x, r, h, 2))
    True
    """
    x, L_in, L_out, u = _conv_inputs(x, edge_vec, L_out)
    W = _check_weights(weights, L_in, L_out)
    Ds = _block_wigner(max(L_in, L_out), _pole_rotation(u))
    yr = so2_linear(_rotate(Ds, x, L_in), W, L_in, L_out)
    return _rotate(Ds, yr, L_out, inverse=True)


def cg_convolution(x, edge_vec, h: dict, L_out: int) -> np.ndarray:
    """CG convolution ``sum h[(li, lf, lo)] (x[li] (x) Y_lf(r))[lo]`` (real CG tables).

    Parameters
    ----------
    x : array_like, shape (E, (L_in+1)**2)
        Source-node features (real SH coefficients, degrees 0..L_in).
    edge_vec : array_like, shape (E, 3)
        Edge vectors (only their directions matter).
    h : dict
        Path weights ``{(li, lf, lo): w}`` for paths of :func:`cg_convolution_paths`
        (missing paths are 0).
    L_out : int
        Output degrees 0..L_out.

    Returns
    -------
    numpy.ndarray, shape (E, (L_out+1)**2)

    Raises
    ------
    InvalidParameterError
        NaN / inf in ``x``, ``edge_vec`` or ``h``; a zero edge vector; a path not in
        :func:`cg_convolution_paths`.
    ShapeError
        ``x`` not (E, (L_in+1)**2) for the E edges.

    Examples
    --------
    >>> import numpy as np
    >>> y = cg_convolution(np.ones((1, 1)), [[0.0, 0.0, 1.0]], {(0, 0, 0): 1.0}, 0)
    >>> np.allclose(y, 1 / np.sqrt(4 * np.pi))
    True
    """
    x, L_in, L_out, u = _conv_inputs(x, edge_vec, L_out)
    h = _check_h(h, L_in, L_out)
    Y = spherical_harmonics_all(L_in + L_out, u)
    return cg_tensor_product(x, Y, L_out, weights=h, paths=cg_convolution_paths(L_in, L_out))


def _pole_matrix(li: int, lo: int) -> tuple[list[int], np.ndarray]:
    """Rows: SO(2) parameters (w0, then (w[m][0], w[m][1]) for m = 1..min); columns: lf."""
    lfs = list(range(abs(li - lo), li + lo + 1))
    k = min(li, lo)
    A = np.zeros((2 * k + 1, len(lfs)))
    for j, lf in enumerate(lfs):
        C = cg_tensor(li, lf, lo) * math.sqrt((2 * lf + 1) / (4 * math.pi))
        A[0, j] = C[li, lf, lo]
        for m in range(1, k + 1):
            A[2 * m - 1, j] = C[li + m, lf, lo + m]
            A[2 * m, j] = C[li + m, lf, lo - m]
    return lfs, A


def cg_to_escn_weights(h: dict, L_in: int, L_out: int) -> dict:
    """SO(2) weights of the eSCN convolution equal to the CG convolution with path weights h.

    Parameters
    ----------
    h : dict
        CG path weights ``{(li, lf, lo): w}`` (paths of :func:`cg_convolution_paths`;
        missing paths are 0).
    L_in, L_out : int
        Input and output degrees.

    Returns
    -------
    dict
        ``{0: (L_out+1, L_in+1), m: (2, L_out+1, L_in+1) for m = 1..min(L_in, L_out)}``, the
        ``weights`` argument of :func:`escn_convolution`. Even ``li + lf + lo`` paths feed
        ``W[0]`` and ``W[m][0]``, odd ones ``W[m][1]``.

    Examples
    --------
    >>> W = cg_to_escn_weights({(1, 1, 1): 1.0}, 1, 1)   # the odd path: only w[1][1]
    >>> bool(np.allclose(W[0], 0) and np.allclose(W[1][0], 0) and abs(W[1][1][1, 1]) > 0)
    True
    """
    L_in = check_int("L_in", L_in, minimum=0)
    L_out = check_int("L_out", L_out, minimum=0)
    h = _check_h(h, L_in, L_out)
    W = {0: np.zeros((L_out + 1, L_in + 1))}
    for m in range(1, min(L_in, L_out) + 1):
        W[m] = np.zeros((2, L_out + 1, L_in + 1))
    for li in range(L_in + 1):
        for lo in range(L_out + 1):
            lfs, A = _pole_matrix(li, lo)
            v = A @ np.array([float(h.get((li, lf, lo), 0.0)) for lf in lfs])
            W[0][lo, li] = v[0]
            for m in range(1, min(li, lo) + 1):
                W[m][0, lo, li] = v[2 * m - 1]
                W[m][1, lo, li] = v[2 * m]
    return W


def escn_to_cg_weights(weights: dict, L_in: int, L_out: int) -> dict:
    """CG path weights h reproducing the eSCN convolution with SO(2) weights (inverse map).

    For each (li, lo) the (2 min(li, lo) + 1)-square system of :func:`cg_to_escn_weights` is
    solved; it is invertible (condition numbers are printed by the tests).
    """
    L_in = check_int("L_in", L_in, minimum=0)
    L_out = check_int("L_out", L_out, minimum=0)
    W = _check_weights(weights, L_in, L_out)
    h = {}
    for li in range(L_in + 1):
        for lo in range(L_out + 1):
            lfs, A = _pole_matrix(li, lo)
            v = [W[0][lo, li]]
            for m in range(1, min(li, lo) + 1):
                v += [W[m][0, lo, li], W[m][1, lo, li]]
            sol = np.linalg.solve(A, np.array(v))
            for lf, val in zip(lfs, sol):
                h[(li, lf, lo)] = float(val)
    return h
