"""Real and complex Wigner D matrices for any degree, stable at high degree.

Convention: ``Y_l(R x) = D_l(R) Y_l(x)`` for the real harmonics of :mod:`reptheory.so3`
(rows and columns m = -l..l), hence ``D_l(R1 R2) = D_l(R1) D_l(R2)`` and D_l orthogonal.
Complex: ``D^c_l(R) = U^H D_l(R) U`` satisfies ``Y^c_l(R x) = D^c_l(R) Y^c_l(x)``.

Method: ZYZ Euler angles ``R = Rz(alpha) Ry(beta) Rz(gamma)`` (active rotations), and
``D(Ry(beta)) = Q^T D(Rz(beta)) Q`` with ``Q = D(Rx(pi/2))``.  z-rotations act on the
(m, -m) pairs by 2 x 2 rotations; Q is built from the Wigner d-matrix at pi/2, whose entries
are ``+- 2^-l sqrt((l+m')!(l-m')!/((l+m)!(l-m)!)) K`` with K an exact integer (a coefficient of
``(1-t)^(l+m) (1+t)^(l-m)``), rounded once.  No cancellation, no matrix exponential, no cap on
l.  Rotations near the gimbal lock (|R_zz| > 1/sqrt 2) are first multiplied by Rx(-pi/2) so the
Euler angles are always well conditioned.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from .._validate import check_dense_size, check_int
from ..errors import InvalidParameterError, ShapeError
from ._sh import complex_to_real_matrix

__all__ = [
    "axis_angle_to_matrix",
    "check_rotation",
    "euler_to_matrix",
    "matrix_to_euler",
    "rot_x",
    "rot_y",
    "rot_z",
    "wigner_D",
    "wigner_D_axis_angle",
    "wigner_D_complex",
    "wigner_D_euler",
    "wigner_d_half_pi",
]


def rot_z(t) -> np.ndarray:
    """Rotation(s) about z by angle t (right-handed): shape (3, 3) or (N, 3, 3)."""
    t = np.asarray(t, dtype=float)
    c, s = np.cos(t), np.sin(t)
    o, z = np.ones_like(t), np.zeros_like(t)
    return np.stack(
        [np.stack([c, -s, z], -1), np.stack([s, c, z], -1), np.stack([z, z, o], -1)], -2
    )


def rot_y(t) -> np.ndarray:
    """Rotation(s) about y by angle t: shape (3, 3) or (N, 3, 3)."""
    t = np.asarray(t, dtype=float)
    c, s = np.cos(t), np.sin(t)
    o, z = np.ones_like(t), np.zeros_like(t)
    return np.stack(
        [np.stack([c, z, s], -1), np.stack([z, o, z], -1), np.stack([-s, z, c], -1)], -2
    )


def rot_x(t) -> np.ndarray:
    """Rotation(s) about x by angle t: shape (3, 3) or (N, 3, 3)."""
    t = np.asarray(t, dtype=float)
    c, s = np.cos(t), np.sin(t)
    o, z = np.ones_like(t), np.zeros_like(t)
    return np.stack(
        [np.stack([o, z, z], -1), np.stack([z, c, -s], -1), np.stack([z, s, c], -1)], -2
    )


def euler_to_matrix(alpha, beta, gamma) -> np.ndarray:
    """``Rz(alpha) @ Ry(beta) @ Rz(gamma)`` (ZYZ, active), vectorised.

    Examples
    --------
    >>> import numpy as np
    >>> np.allclose(euler_to_matrix(0.3, 0.0, 0.2), rot_z(0.5))
    True
    """
    return rot_z(alpha) @ rot_y(beta) @ rot_z(gamma)


def matrix_to_euler(R) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ZYZ Euler angles (alpha, beta, gamma) with ``R = Rz(alpha) Ry(beta) Rz(gamma)``.

    ``beta`` in [0, pi]; at the gimbal lock (beta = 0 or pi) gamma is set to 0.

    Examples
    --------
    >>> import numpy as np
    >>> a, b, g = matrix_to_euler(euler_to_matrix(0.1, 0.7, -0.4))
    >>> np.round([a, b, g], 12).tolist()
    [0.1, 0.7, -0.4]
    """
    R = np.asarray(R, dtype=float)
    sb = np.hypot(R[..., 0, 2], R[..., 1, 2])
    beta = np.arctan2(sb, R[..., 2, 2])
    lock = sb < 1e-12
    alpha = np.where(lock, 0.0, np.arctan2(R[..., 1, 2], R[..., 0, 2]))
    gamma = np.where(lock, 0.0, np.arctan2(R[..., 2, 1], -R[..., 2, 0]))
    # at the lock: R = Rz(alpha +- gamma) (times Ry(pi)); put everything in alpha
    up = np.arctan2(R[..., 1, 0], R[..., 0, 0])
    down = np.arctan2(R[..., 1, 0], -R[..., 0, 0])
    alpha = np.where(lock, np.where(R[..., 2, 2] > 0, up, down), alpha)
    return alpha, beta, gamma


def axis_angle_to_matrix(axis, angle) -> np.ndarray:
    """Rotation(s) by ``angle`` about ``axis`` (normalised), Rodrigues' formula, vectorised.

    Examples
    --------
    >>> import numpy as np
    >>> np.allclose(axis_angle_to_matrix([0, 0, 1], 0.4), rot_z(0.4))
    True
    """
    ax = np.asarray(axis, dtype=float)
    if ax.shape[-1] != 3:
        raise ShapeError(f"axis must have shape (3,) or (N, 3), got {ax.shape}")
    n = np.linalg.norm(ax, axis=-1, keepdims=True)
    if np.any(n == 0):
        raise InvalidParameterError("axis must be a non-zero vector")
    ax = ax / n
    t = np.asarray(angle, dtype=float)[..., None, None]
    K = np.zeros(ax.shape[:-1] + (3, 3))
    K[..., 0, 1], K[..., 0, 2], K[..., 1, 2] = -ax[..., 2], ax[..., 1], -ax[..., 0]
    K = K - np.swapaxes(K, -1, -2)
    return np.eye(3) + np.sin(t) * K + (1 - np.cos(t)) * (K @ K)


def check_rotation(R, atol: float = 1e-8) -> np.ndarray:
    """Return R as a float array of shape (3, 3) or (N, 3, 3) after checking it is a rotation.

    Raises
    ------
    ShapeError
        Wrong shape.
    InvalidParameterError
        Not orthogonal (the message gives ``max |R^T R - I|``), determinant -1, or non-finite.

    Examples
    --------
    >>> check_rotation([[2.0, 0, 0], [0, 1, 0], [0, 0, 1]])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    reptheory.errors.InvalidParameterError: R is not a rotation matrix: max |R^T R - I| = 3 ...
    """
    R = np.asarray(R, dtype=float)
    if R.shape[-2:] != (3, 3) or R.ndim not in (2, 3):
        raise ShapeError(f"R must have shape (3, 3) or (N, 3, 3), got {R.shape}")
    if not np.all(np.isfinite(R)):
        raise InvalidParameterError("R contains NaN or infinite entries")
    err = np.abs(np.swapaxes(R, -1, -2) @ R - np.eye(3)).max() if R.size else 0.0
    if err > atol:
        raise InvalidParameterError(
            f"R is not a rotation matrix: max |R^T R - I| = {err:.3g} > atol = {atol:g}"
        )
    if R.size and np.linalg.det(R).min() < 0:
        raise InvalidParameterError("R has determinant -1 (a reflection), not a rotation")
    return R


@lru_cache(maxsize=512)
def wigner_d_half_pi(l: int) -> np.ndarray:
    """The complex-basis Wigner small-d matrix d^l(pi/2) (rows m', columns m, -l..l).

    Each entry is ``(-1)^(m'-m) 2^-l sqrt((l+m')!(l-m')!/((l+m)!(l-m)!)) K`` with K the exact
    integer coefficient of ``t^(l-m')`` in ``(1-t)^(l+m) (1+t)^(l-m)``, rounded once.  Read-only.

    Examples
    --------
    >>> import numpy as np
    >>> d = wigner_d_half_pi(1)
    >>> np.allclose(d, [[0.5, np.sqrt(0.5), 0.5], [-np.sqrt(0.5), 0, np.sqrt(0.5)], [0.5, -np.sqrt(0.5), 0.5]])
    True
    """
    l = check_int("l", l, minimum=0)
    d = 2 * l + 1
    check_dense_size("Wigner d(pi/2) matrix", d * d)
    F = [math.factorial(k) for k in range(2 * l + 1)]
    out = np.zeros((d, d))
    poly = [math.comb(2 * l, k) for k in range(2 * l + 1)]  # m = -l: (1+t)^(2l)
    four = 4**l
    for m in range(-l, l + 1):
        if m > -l:  # multiply by (1 - t)/(1 + t)
            q = [0] * len(poly)
            acc = 0
            for i, c in enumerate(poly):
                acc = c - acc
                q[i] = acc
            poly = [q[0]] + [q[i] - q[i - 1] for i in range(1, len(q))]
        den = F[l + m] * F[l - m] * four
        for mp in range(-l, l + 1):
            K = poly[l - mp]
            if K == 0:
                continue
            val = math.sqrt(K * K * F[l + mp] * F[l - mp] / den)
            sgn = (1 if K > 0 else -1) * (-1 if (mp - m) % 2 else 1)
            out[mp + l, m + l] = sgn * val
    out.setflags(write=False)
    return out


@lru_cache(maxsize=512)
def _q_matrix(l: int) -> np.ndarray:
    """Real D of Rx(pi/2) = Z(-pi/2) D(Ry(pi/2)) Z(pi/2), rounded from d(pi/2)."""
    U = complex_to_real_matrix(l)
    dl = 2 * l + 1
    # unit-phase part of U and its 1/sqrt(2) scale, so the combination is exact before scaling
    scale = np.full(dl, 1 / math.sqrt(2))
    scale[l] = 1.0
    Uu = U / scale[:, None]
    Jc = (Uu @ wigner_d_half_pi(l) @ Uu.conj().T).real
    Jy = Jc * np.outer(scale, scale)
    Jy[np.ix_(np.arange(dl) != l, np.arange(dl) != l)] = (
        0.5 * Jc[np.ix_(np.arange(dl) != l, np.arange(dl) != l)]
    )
    h = math.pi / 2
    Q = _apply_z_right(_apply_z_left(Jy[None], np.array([-h]), l), np.array([h]), l)[0]
    Q.setflags(write=False)
    return Q


def _z_tables(t: np.ndarray, l: int) -> tuple[np.ndarray, np.ndarray]:
    m = np.arange(-l, l + 1)
    mt = t[:, None] * m[None, :]
    return np.cos(mt), np.sin(mt)


def _apply_z_left(M: np.ndarray, t: np.ndarray, l: int) -> np.ndarray:
    """D(Rz(t)) @ M for a batch M (N, d, k)."""
    c, s = _z_tables(t, l)
    return c[:, :, None] * M - s[:, :, None] * M[:, ::-1, :]


def _apply_z_right(M: np.ndarray, t: np.ndarray, l: int) -> np.ndarray:
    """M @ D(Rz(t)) for a batch M (N, k, d)."""
    c, s = _z_tables(t, l)
    return c[:, None, :] * M + s[:, None, :] * M[:, :, ::-1]


def _wigner_from_euler(l: int, a: np.ndarray, b: np.ndarray, g: np.ndarray) -> np.ndarray:
    Q = _q_matrix(l)
    n = a.shape[0]
    M = _apply_z_right(np.broadcast_to(Q, (n,) + Q.shape), g, l)
    M = _apply_z_left(M, b, l)
    M = Q.T @ M
    return _apply_z_left(M, a, l)


def wigner_D_euler(l: int, alpha, beta, gamma) -> np.ndarray:
    """Real Wigner D of ``Rz(alpha) Ry(beta) Rz(gamma)`` (ZYZ, active), vectorised.

    Parameters
    ----------
    l : int
        Degree.
    alpha, beta, gamma : float or array_like of shape (N,)

    Returns
    -------
    numpy.ndarray, shape (2l+1, 2l+1) or (N, 2l+1, 2l+1)

    Examples
    --------
    >>> import numpy as np
    >>> D = wigner_D_euler(1, 0.0, 0.0, np.pi / 2)  # Rz(90): x -> y; basis (y, z, x)
    >>> np.round(D, 12) + 0.0
    array([[ 0.,  0.,  1.],
           [ 0.,  1.,  0.],
           [-1.,  0.,  0.]])
    """
    l = check_int("l", l, minimum=0)
    a, b, g = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (alpha, beta, gamma)))
    scalar = a.ndim == 0
    a, b, g = (np.atleast_1d(v).ravel() for v in (a, b, g))
    check_dense_size("Wigner D batch", a.shape[0] * (2 * l + 1) ** 2)
    D = _wigner_from_euler(l, a, b, g)
    return D[0] if scalar else D


def wigner_D(l: int, R, atol: float = 1e-8) -> np.ndarray:
    """Real Wigner D matrix of degree l for rotation matrices R, with ``Y_l(R x) = D Y_l(x)``.

    Parameters
    ----------
    l : int
        Degree (>= 0); any size (l = 100 is orthogonal to ~1e-13).
    R : array_like, shape (3, 3) or (N, 3, 3)
        Rotation matrices (checked: orthogonal to ``atol`` and determinant +1).
    atol : float
        Tolerance for the rotation check.

    Returns
    -------
    numpy.ndarray, shape (2l+1, 2l+1) or (N, 2l+1, 2l+1)

    Raises
    ------
    InvalidParameterError
        l negative; R not a rotation (message gives the orthogonality error).
    ShapeError
        R of the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> R = rot_x(0.3) @ rot_y(1.1)
    >>> D = wigner_D(1, R)
    >>> P = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]])   # (x, y, z) -> (y, z, x)
    >>> np.allclose(D, P @ R @ P.T)
    True
    """
    l = check_int("l", l, minimum=0)
    R = check_rotation(R, atol)
    single = R.ndim == 2
    R = R.reshape(-1, 3, 3)
    check_dense_size("Wigner D batch", R.shape[0] * (2 * l + 1) ** 2)
    near = np.abs(R[:, 2, 2]) > 1 / math.sqrt(2)
    Rw = np.where(near[:, None, None], R @ rot_x(-math.pi / 2), R)
    a, b, g = matrix_to_euler(Rw)
    D = _wigner_from_euler(l, a, b, g)
    if near.any():
        D[near] = D[near] @ _q_matrix(l)
    return D[0] if single else D


def wigner_D_complex(l: int, R, atol: float = 1e-8) -> np.ndarray:
    """Complex Wigner D, ``D^c = U^H D U``, with ``Y^c_l(R x) = D^c(R) Y^c_l(x)``.

    For the standard (Sakurai / Wikipedia) matrix this is ``conj(D^l_{m m'}(alpha, beta,
    gamma))`` with ``R = Rz(alpha) Ry(beta) Rz(gamma)``.

    Examples
    --------
    >>> import numpy as np
    >>> Dc = wigner_D_complex(2, rot_z(0.5))
    >>> np.allclose(np.diag(Dc), np.exp(1j * 0.5 * np.arange(-2, 3)))
    True
    """
    l = check_int("l", l, minimum=0)
    U = complex_to_real_matrix(l)
    return U.conj().T @ wigner_D(l, R, atol) @ U


def wigner_D_axis_angle(l: int, axis, angle) -> np.ndarray:
    """Real Wigner D of the rotation by ``angle`` about ``axis`` (vectorised).

    Examples
    --------
    >>> import numpy as np
    >>> np.allclose(wigner_D_axis_angle(3, [0, 0, 1], 0.2), wigner_D_euler(3, 0.2, 0, 0))
    True
    """
    return wigner_D(l, axis_angle_to_matrix(axis, angle))
