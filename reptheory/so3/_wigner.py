"""Real and complex Wigner D matrices for any degree, stable at high degree.

Convention: ``Y_l(R x) = D_l(R) Y_l(x)`` for the real harmonics of :mod:`reptheory.so3`
(rows and columns m = -l..l), hence ``D_l(R1 R2) = D_l(R1) D_l(R2)`` and D_l orthogonal.
Complex: ``D^c_l(R) = U^H D_l(R) U`` satisfies ``Y^c_l(R x) = D^c_l(R) Y^c_l(x)``.

Method: ZYZ Euler angles ``R = Rz(alpha) Ry(beta) Rz(gamma)`` (active rotations), and
``D(Ry(beta)) = Q^T D(Rz(beta)) Q`` with ``Q = D(Rx(pi/2))``.  z-rotations act on the
(m, -m) pairs by 2 x 2 rotations; Q is built in O(l^2) from the Wigner d-matrix at pi/2,
computed by the three-term recurrence in m' (Trapani & Navaza 2006) run only towards the
allowed region (m' >= m >= 0, where it is stable) and completed by the symmetries of d(pi/2);
starting values below the float range carry an extra power-of-two exponent, so no degree
underflows.  Q is block diagonal (even / odd under x -> -x), so one D costs two ((2l+1)/2)^2 (2l+1)
matrix products: l = 1000 takes about a second.
Rotations near the gimbal lock (|R_zz| > 1/sqrt 2) are first multiplied by Rx(-pi/2) so the
Euler angles are always well conditioned.

Tables: d(pi/2) and Q are kept in memory (bounded, least recently used) and, from degree
``DISK_MIN_DEGREE`` on, on disk under ``reptheory._cache.cache_dir("so3")``; all read-only.
Large batches are processed in chunks, with a progress bar (tqdm, on a terminal) for long work.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from .._progress import progress
from .._validate import check_dense_size, check_int
from ..errors import InvalidParameterError, ReptheoryTypeError, ShapeError
from ._sh import complex_to_real_matrix
from ._tables import MemoryCache, disk_table

#: Q = D(Rx(pi/2)) tables from this degree on are also cached on disk.
DISK_MIN_DEGREE = 200
#: In-memory budget (bytes) of the d(pi/2) and Q tables.
MEMORY_CACHE_BYTES = 512 * 2**20
_D_HALF = MemoryCache(MEMORY_CACHE_BYTES // 2)
_Q = MemoryCache(MEMORY_CACHE_BYTES // 2)
#: Work (multiply-adds) above which wigner_D shows a progress bar (on a terminal).
PROGRESS_WORK = 2 * 10**10


def _finite_array(name: str, value, dtype=float) -> np.ndarray:
    """``value`` as a float array; NaN / inf / non-numeric input raise, naming ``name``."""
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        raise ReptheoryTypeError(f"{name} must be a real number or array, got {value!r}") from None
    if not np.all(np.isfinite(arr)):
        raise InvalidParameterError(f"{name} contains NaN or infinite values")
    return arr


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
    t = _finite_array("t", t)
    c, s = np.cos(t), np.sin(t)
    o, z = np.ones_like(t), np.zeros_like(t)
    return np.stack(
        [np.stack([c, -s, z], -1), np.stack([s, c, z], -1), np.stack([z, z, o], -1)], -2
    )


def rot_y(t) -> np.ndarray:
    """Rotation(s) about y by angle t: shape (3, 3) or (N, 3, 3)."""
    t = _finite_array("t", t)
    c, s = np.cos(t), np.sin(t)
    o, z = np.ones_like(t), np.zeros_like(t)
    return np.stack(
        [np.stack([c, z, s], -1), np.stack([z, o, z], -1), np.stack([-s, z, c], -1)], -2
    )


def rot_x(t) -> np.ndarray:
    """Rotation(s) about x by angle t: shape (3, 3) or (N, 3, 3)."""
    t = _finite_array("t", t)
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
    R = _finite_array("R", R)
    if R.ndim < 2 or R.shape[-2:] != (3, 3):
        raise ShapeError(f"R must have shape (..., 3, 3), got {R.shape}")
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
    ax = _finite_array("axis", axis)
    if ax.ndim == 0 or ax.shape[-1] != 3:
        raise ShapeError(f"axis must have shape (3,) or (N, 3), got {ax.shape}")
    n = np.linalg.norm(ax, axis=-1, keepdims=True)
    if np.any(n == 0):
        raise InvalidParameterError("axis must be a non-zero vector")
    ax = ax / n
    t = _finite_array("angle", angle)[..., None, None]
    K = np.zeros(ax.shape[:-1] + (3, 3))
    K[..., 0, 1], K[..., 0, 2], K[..., 1, 2] = -ax[..., 2], ax[..., 1], -ax[..., 0]
    K = K - np.swapaxes(K, -1, -2)
    return np.eye(3) + np.sin(t) * K + (1 - np.cos(t)) * (K @ K)


def _default_atol(dtype) -> float:
    """Rotation-check tolerance for a float dtype: ``max(1e-8, 100 eps)``."""
    return max(1e-8, 100 * float(np.finfo(dtype).eps))


def check_rotation(R, atol: float | None = None) -> np.ndarray:
    """Return R as a float array of shape (3, 3) or (N, 3, 3) after checking it is a rotation.

    Parameters
    ----------
    R : array_like
        Rotation matrix or matrices.
    atol : float, optional
        Tolerance on ``max |R^T R - I|``; by default it follows the dtype of R:
        ``max(1e-8, 100 eps)``, i.e. 1e-8 for float64 and about 1.2e-5 for float32.

    Returns
    -------
    numpy.ndarray
        R in its own float dtype (float32 kept; integers and others become float64).

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
    >>> import numpy as np
    >>> check_rotation(rot_z(0.3).astype(np.float32)).dtype
    dtype('float32')
    """
    R = np.asarray(R)
    if R.dtype.kind not in "fiub":
        raise ReptheoryTypeError(f"R must be a real array, got dtype {R.dtype}")
    if R.dtype not in (np.float32, np.float64):
        R = R.astype(np.float64)
    if R.shape[-2:] != (3, 3) or R.ndim not in (2, 3):
        raise ShapeError(f"R must have shape (3, 3) or (N, 3, 3), got {R.shape}")
    if not np.all(np.isfinite(R)):
        raise InvalidParameterError("R contains NaN or infinite entries")
    if atol is None:
        atol = _default_atol(R.dtype)
    R64 = R.astype(np.float64)
    err = np.abs(np.swapaxes(R64, -1, -2) @ R64 - np.eye(3)).max() if R.size else 0.0
    if err > atol:
        raise InvalidParameterError(
            f"R is not a rotation matrix: max |R^T R - I| = {err:.3g} > atol = {atol:g}"
        )
    if R.size and np.linalg.det(R64).min() < 0:
        raise InvalidParameterError("R has determinant -1 (a reflection), not a rotation")
    return R


_SB = 200
_S = 2.0**_SB
_IS = 2.0**-_SB


def _d_half_pi_compute(l: int) -> np.ndarray:
    """d^l(pi/2) by the three-term recurrence in m' (see the module docstring), O(l^2)."""
    # starting row m' = l: d[l, m] = (-1)^(l-m) 2^-l sqrt(binom(2l, l+m)), m = 0..l, as
    # mantissa * 2**exponent (2^-l underflows beyond l = 1074)
    k = np.arange(1, l + 1)
    v = math.sqrt(float(np.prod((2 * k - 1) / (2 * k)))) if l else 1.0
    mant = np.empty(l + 1)
    ex = np.zeros(l + 1, dtype=np.int64)
    e = 0
    for m in range(l + 1):
        if m:
            v *= math.sqrt((l - m + 1) / (l + m))
            if v < _IS:
                v *= _S
                e -= _SB
        mant[m] = v if (l - m) % 2 == 0 else -v
        ex[m] = e
    A = np.zeros((l + 1, l + 1))  # A[m', m] = d[m', m] for m' >= m >= 0
    A[l, :] = np.ldexp(mant, ex)
    mm = np.arange(l + 1, dtype=float)
    p1 = mant  # row m'
    p2 = np.zeros(l + 1)  # row m' + 1
    for mp in range(l, 0, -1):  # row mp - 1, columns 0..mp-1 (towards the allowed region)
        n = mp
        c1 = math.sqrt((l - mp) * (l + mp + 1))
        c0 = math.sqrt((l + mp) * (l - mp + 1))
        p = (2 * mm[:n] * p1[:n] - c1 * p2[:n]) / c0
        ee = ex[:n]
        big = (ee < 0) & (np.abs(p) > _S)
        if big.any():
            p = np.where(big, p * _IS, p)
            p1[:n] = np.where(big, p1[:n] * _IS, p1[:n])
            ee = ee + _SB * big
            ex[:n] = ee
        A[mp - 1, :n] = np.ldexp(p, ee)
        p2[:n] = p1[:n]
        p1[:n] = p
    # d[m', m] = (-1)^(m'-m) d[m, m'] fills m' < m; then d[m', -m] = (-1)^(l+m') d[m', m]
    low = np.tril(A)
    A = low + np.triu((-1.0) ** (mm[:, None] - mm[None, :]) * low.T, 1)
    par = (-1.0) ** (l + np.arange(l + 1))[:, None]
    d = 2 * l + 1
    out = np.empty((d, d))
    out[l:, l:] = A
    out[l:, l::-1] = par * A
    out[l::-1, l:] = par * A.T
    out[l::-1, l::-1] = A.T
    return out


def wigner_d_half_pi(l: int) -> np.ndarray:
    """The complex-basis Wigner small-d matrix d^l(pi/2) (rows m', columns m, -l..l).

    Computed in O(l^2) by the three-term recurrence
    ``sqrt((l+m')(l-m'+1)) d[m'-1, m] + sqrt((l-m')(l+m'+1)) d[m'+1, m] = 2 m d[m', m]``
    from ``d[l, m] = (-1)^(l-m) 2^-l sqrt(binom(2l, l+m))``, run only where it is stable and
    completed by symmetry; accurate to a few ulp of 1 at every degree (orthogonal to about
    1e-14 at l = 2500).  Read-only (cached).

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
    return _D_HALF.get(l, lambda: _d_half_pi_compute(l))


def _u_rows(l: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Row m of U = complex_to_real_matrix(l) is ``omega_m (r1 e_m + r2 e_-m)`` with real r1, r2
    and omega_m = 1 (m >= 0) or i (m < 0): returns the columns k1, k2 and r1, r2."""
    m = np.arange(-l, l + 1)
    k1 = m + l
    k2 = l - m  # the column of -m
    h = 1 / math.sqrt(2)
    sgn = np.where(np.abs(m) % 2 == 1, -1.0, 1.0)  # (-1)^|m|
    r1 = np.where(m > 0, sgn * h, np.where(m < 0, h, 1.0))
    r2 = np.where(m > 0, h, np.where(m < 0, -sgn * h, 0.0))
    return k1, k2, r1, r2


def _q_compute(l: int) -> np.ndarray:
    """Real D of Rx(pi/2) = Z(-pi/2) D(Ry(pi/2)) Z(pi/2), with D(Ry(pi/2)) = Re(U d U^H).

    U has two non-zeros per row (columns m and -m) with a common phase (1 or i), so
    ``Re(U d U^H)`` is four real reversals of d, zero between rows of different phase: O(l^2).
    """
    dh = wigner_d_half_pi(l)
    _, _, r1, r2 = _u_rows(l)  # k1 is the identity, k2 the reversal of the columns
    Jy = r1[:, None] * (dh * r1 + dh[:, ::-1] * r2)
    Jy += r2[:, None] * (dh[::-1] * r1 + dh[::-1, ::-1] * r2)
    neg = np.arange(-l, l + 1) < 0
    Jy[np.ix_(neg, ~neg)] = 0.0
    Jy[np.ix_(~neg, neg)] = 0.0
    h = math.pi / 2
    Q = _apply_z_right(_apply_z_left(Jy[None], np.array([-h]), l), np.array([h]), l)[0]
    A = _q_class(l)
    Q[np.ix_(A, ~A)] = 0.0  # exactly zero: Q commutes with the reflection x -> -x
    Q[np.ix_(~A, A)] = 0.0
    return Q


def _q_matrix(l: int) -> np.ndarray:
    """Q = D(Rx(pi/2)) (real basis), read-only; cached in memory and, for l >= DISK_MIN_DEGREE,
    on disk."""
    if l < DISK_MIN_DEGREE:
        return _Q.get(l, lambda: _q_compute(l))
    d = 2 * l + 1
    return _Q.get(l, lambda: disk_table(f"wigner_q_{l}", (d, d), lambda: _q_compute(l)))


def _q_class(l: int) -> np.ndarray:
    """Rows of the harmonics even under x -> -x (m >= 0 even, m < 0 odd): Q = D(Rx(pi/2))
    is block diagonal in (even, odd), which halves the cost of multiplying by it."""
    m = np.arange(-l, l + 1)
    return ((m >= 0) & (m % 2 == 0)) | ((m < 0) & (m % 2 == 1))


def _q_blocks(l: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """[(indices, Q[indices][:, indices])] for the two diagonal blocks of Q."""
    Q = _q_matrix(l)
    A = _q_class(l)
    out = []
    for mask in (A, ~A):
        idx = np.flatnonzero(mask)
        out.append((idx, np.ascontiguousarray(Q[np.ix_(idx, idx)])))
    return out


def _qt_left(blocks, M: np.ndarray) -> np.ndarray:
    """Q^T @ M for a batch M (N, d, k), block by block."""
    out = np.empty_like(M)
    for idx, B in blocks:
        out[:, idx, :] = B.T @ M[:, idx, :]
    return out


def _q_right(blocks, M: np.ndarray) -> np.ndarray:
    """M @ Q for a batch M (N, k, d), block by block."""
    out = np.empty_like(M)
    for idx, B in blocks:
        out[:, :, idx] = M[:, :, idx] @ B
    return out


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
    blocks = _q_blocks(l)
    n = a.shape[0]
    d = 2 * l + 1
    out = np.empty((n, d, d))
    chunk = max(1, min(n, (1 << 22) // (d * d)))
    starts = range(0, n, chunk)
    work = n * d**3
    show = work > PROGRESS_WORK and sys.stderr.isatty()
    for i in progress(starts, total=len(starts), desc=f"Wigner D (l={l})", enabled=show):
        j = slice(i, min(n, i + chunk))
        M = _apply_z_right(np.broadcast_to(Q, (j.stop - i,) + Q.shape), g[j], l)
        M = _apply_z_left(M, b[j], l)
        out[j] = _apply_z_left(_qt_left(blocks, M), a[j], l)
    return out


def wigner_D_euler(l: int, alpha, beta, gamma, max_entries: int | None = None) -> np.ndarray:
    """Real Wigner D of ``Rz(alpha) Ry(beta) Rz(gamma)`` (ZYZ, active), vectorised.

    Parameters
    ----------
    l : int
        Degree.
    alpha, beta, gamma : float or array_like of shape (N,)
        Finite angles (NaN or infinite values raise).
    max_entries : int, optional
        Budget for the output size (default ``$REPTHEORY_MAX_DENSE_ENTRIES``).

    Returns
    -------
    numpy.ndarray, shape (2l+1, 2l+1) or (N, 2l+1, 2l+1)

    Raises
    ------
    InvalidParameterError
        l negative, or a NaN / infinite angle.
    SizeLimitError
        Output over the dense budget.

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
    a, b, g = np.broadcast_arrays(
        *(_finite_array(n, v) for n, v in zip(("alpha", "beta", "gamma"), (alpha, beta, gamma)))
    )
    scalar = a.ndim == 0
    a, b, g = (np.atleast_1d(v).ravel() for v in (a, b, g))
    check_dense_size("Wigner D batch", a.shape[0] * (2 * l + 1) ** 2, max_entries)
    D = _wigner_from_euler(l, a, b, g)
    return D[0] if scalar else D


def wigner_D(l: int, R, atol: float | None = None, max_entries: int | None = None) -> np.ndarray:
    """Real Wigner D matrix of degree l for rotation matrices R, with ``Y_l(R x) = D Y_l(x)``.

    Parameters
    ----------
    l : int
        Degree (>= 0); any size.  At l = 100, ``max |D D^T - I|`` is about 1e-15; l = 1000
        takes about a second for one rotation (O(l^3)).
    R : array_like, shape (3, 3) or (N, 3, 3)
        Rotation matrices (checked: orthogonal to ``atol`` and determinant +1), float64 or
        float32.
    atol : float, optional
        Tolerance for the rotation check; by default it follows the dtype of R (1e-8 for
        float64, about 1.2e-5 for float32), see :func:`check_rotation`.
    max_entries : int, optional
        Budget for the output size (default ``$REPTHEORY_MAX_DENSE_ENTRIES``).

    Returns
    -------
    numpy.ndarray, shape (2l+1, 2l+1) or (N, 2l+1, 2l+1)
        Computed in float64; float32 when R is float32.

    Raises
    ------
    InvalidParameterError
        l negative; R not a rotation (message gives the orthogonality error) or non-finite.
    ShapeError
        R of the wrong shape.
    SizeLimitError
        Output over the dense budget.

    Examples
    --------
    >>> import numpy as np
    >>> R = rot_x(0.3) @ rot_y(1.1)
    >>> D = wigner_D(1, R)
    >>> P = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]])   # (x, y, z) -> (y, z, x)
    >>> np.allclose(D, P @ R @ P.T)
    True
    >>> wigner_D(2, R.astype(np.float32)).dtype
    dtype('float32')
    """
    l = check_int("l", l, minimum=0)
    R = check_rotation(R, atol)
    out_dtype = R.dtype
    R = R.astype(np.float64)
    single = R.ndim == 2
    R = R.reshape(-1, 3, 3)
    check_dense_size("Wigner D batch", R.shape[0] * (2 * l + 1) ** 2, max_entries)
    near = np.abs(R[:, 2, 2]) > 1 / math.sqrt(2)
    Rw = np.where(near[:, None, None], R @ rot_x(-math.pi / 2), R)
    a, b, g = matrix_to_euler(Rw)
    D = _wigner_from_euler(l, a, b, g)
    if near.any():
        D[near] = _q_right(_q_blocks(l), D[near])
    D = D.astype(out_dtype, copy=False)
    return D[0] if single else D


def wigner_D_complex(
    l: int, R, atol: float | None = None, max_entries: int | None = None
) -> np.ndarray:
    """Complex Wigner D, ``D^c = U^H D U``, with ``Y^c_l(R x) = D^c(R) Y^c_l(x)``.

    With ``R = Rz(alpha) Ry(beta) Rz(gamma)`` (sympy 1.14, checked in the tests)::

        D^c[m', m] = sympy.physics.wigner.wigner_d(l, alpha, -beta, gamma)[l - m', l - m]
                   = conj(sympy.physics.quantum.spin.Rotation.D(l, m', m, alpha, beta, gamma))

    (the first with the index order sympy documents for ``wigner_d``; read in ascending order
    ``-l..l``, ``wigner_d(l, alpha, beta, gamma)`` equals ``Rotation.D``).  So ``D^c`` is the
    complex conjugate of the standard (Wikipedia, Sakurai) matrix
    ``D^l_{m' m}(alpha, beta, gamma) = exp(-i m' alpha) d^l_{m' m}(beta) exp(-i m gamma)``.

    Parameters
    ----------
    l : int
        Degree.
    R : array_like, shape (3, 3) or (N, 3, 3)
        Rotation matrices.
    atol, max_entries
        As for :func:`wigner_D`.

    Examples
    --------
    >>> import numpy as np
    >>> Dc = wigner_D_complex(2, rot_z(0.5))
    >>> np.allclose(np.diag(Dc), np.exp(1j * 0.5 * np.arange(-2, 3)))
    True
    """
    l = check_int("l", l, minimum=0)
    U = complex_to_real_matrix(l)
    return U.conj().T @ wigner_D(l, R, atol, max_entries) @ U


def wigner_D_axis_angle(l: int, axis, angle) -> np.ndarray:
    """Real Wigner D of the rotation by ``angle`` about ``axis`` (vectorised).

    Examples
    --------
    >>> import numpy as np
    >>> np.allclose(wigner_D_axis_angle(3, [0, 0, 1], 0.2), wigner_D_euler(3, 0.2, 0, 0))
    True
    """
    return wigner_D(l, axis_angle_to_matrix(axis, angle))
