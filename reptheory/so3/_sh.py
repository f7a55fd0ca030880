"""Real and complex spherical harmonics (orthonormal on the sphere), vectorised, numba-compiled.

Real harmonics, for a unit vector (x, y, z) = (sin t cos p, sin t sin p, cos t), m > 0:

* ``Y_{l,0}  = N_l^0 P_l^0(z)``
* ``Y_{l,m}  = sqrt(2) N_l^m P_l^m(z) cos(m p)  = sqrt(2) N_l^m Pbar_l^m(z) Re (x + i y)^m``
* ``Y_{l,-m} = sqrt(2) N_l^m P_l^m(z) sin(m p)  = sqrt(2) N_l^m Pbar_l^m(z) Im (x + i y)^m``

with ``P_l^m`` the associated Legendre function **without** the Condon-Shortley phase,
``N_l^m = sqrt((2l+1)/(4 pi) (l-m)!/(l+m)!)``.  So ``Y_{1,-1}, Y_{1,0}, Y_{1,1}`` are
``sqrt(3/(4 pi)) * (y, z, x)``.  Everything is evaluated with polynomial recursions in x, y, z
(no trigonometric functions), stable to high degree.
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache

import numpy as np

from .._validate import check_dense_size, check_int
from ..errors import InvalidParameterError, ShapeError

__all__ = ["complex_to_real_matrix", "sh_index", "spherical_harmonics", "spherical_harmonics_all"]


def sh_index(l: int, m: int) -> int:
    """Position of (l, m) in the concatenated layout (l = 0..L, m = -l..l): ``l*l + l + m``.

    Examples
    --------
    >>> sh_index(1, -1), sh_index(2, 2)
    (1, 8)
    """
    return l * l + l + m


@lru_cache(maxsize=64)
def _coeffs(L: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Recursion coefficients a[l,m], b[l,m], diag[m] = sqrt((2m+1)/(2m)), sub[m] = sqrt(2m+3)."""
    a = np.zeros((L + 1, L + 1))
    b = np.zeros((L + 1, L + 1))
    for m in range(L + 1):
        for l in range(m + 2, L + 1):
            a[l, m] = math.sqrt((4 * l * l - 1) / (l * l - m * m))
            b[l, m] = math.sqrt(((l - 1) ** 2 - m * m) / (4 * (l - 1) ** 2 - 1))
    diag = np.array([1.0] + [math.sqrt((2 * m + 1) / (2 * m)) for m in range(1, L + 1)])
    sub = np.array([math.sqrt(2 * m + 3) for m in range(L + 1)])
    for arr in (a, b, diag, sub):
        arr.setflags(write=False)
    return a, b, diag, sub


def _sh_numpy(xyz: np.ndarray, L: int) -> np.ndarray:
    """Numpy twin of the numba kernel: all real Y_{l,m}, l <= L, at unit points (N, 3)."""
    a, b, diag, sub = _coeffs(L)
    x, y, z = xyz[:, 0], xyz[:, 1], xyz[:, 2]
    n = xyz.shape[0]
    out = np.empty((n, (L + 1) ** 2))
    c = np.ones(n)
    s = np.zeros(n)
    pmm = np.full(n, 1.0 / math.sqrt(4 * math.pi))
    r2 = math.sqrt(2.0)
    for m in range(L + 1):
        if m > 0:
            c, s = x * c - y * s, x * s + y * c
            pmm = pmm * diag[m]
        p2 = pmm
        p1 = pmm
        fac_c = c * r2 if m else c
        fac_s = s * r2
        for l in range(m, L + 1):
            if l == m:
                p = pmm
            elif l == m + 1:
                p = sub[m] * z * pmm
            else:
                p = a[l, m] * (z * p1 - b[l, m] * p2)
            if l > m:
                p2 = p1
            p1 = p
            out[:, l * l + l + m] = p * fac_c
            if m:
                out[:, l * l + l - m] = p * fac_s
    return out


@lru_cache(maxsize=1)
def _numba_kernel():
    try:
        import numba
    except ImportError:  # pragma: no cover - exercised only without numba
        return None

    @numba.njit(cache=True, fastmath=False, parallel=False, boundscheck=False)
    def kernel(xyz, L, a, b, diag, sub, normalize, out):  # pragma: no cover - compiled
        """Fill out (N, (L+1)^2); return -1, or the index of the first bad point."""
        n = xyz.shape[0]
        sq2 = math.sqrt(2.0)
        y00 = 1.0 / math.sqrt(4.0 * math.pi)
        for i in range(n):
            x = xyz[i, 0]
            y = xyz[i, 1]
            z = xyz[i, 2]
            if normalize:
                rr = x * x + y * y + z * z
                if not (rr > 0.0 and rr < math.inf):
                    return i
                inv = 1.0 / math.sqrt(rr)
                x *= inv
                y *= inv
                z *= inv
            # m = 0
            p2 = y00
            out[i, 0] = p2
            if L >= 1:
                p1 = sub[0] * z * p2
                out[i, 2] = p1
                for l in range(2, L + 1):
                    p = a[l, 0] * (z * p1 - b[l, 0] * p2)
                    out[i, l * l + l] = p
                    p2 = p1
                    p1 = p
            c = 1.0
            s = 0.0
            pmm = y00
            for m in range(1, L + 1):
                c, s = x * c - y * s, x * s + y * c
                pmm = pmm * diag[m]
                fc = c * sq2
                fs = s * sq2
                base = m * m + m
                out[i, base + m] = pmm * fc
                out[i, base - m] = pmm * fs
                if m < L:
                    p2 = pmm
                    p1 = sub[m] * z * pmm
                    base = (m + 1) * (m + 1) + m + 1
                    out[i, base + m] = p1 * fc
                    out[i, base - m] = p1 * fs
                    for l in range(m + 2, L + 1):
                        p = a[l, m] * (z * p1 - b[l, m] * p2)
                        base = l * l + l
                        out[i, base + m] = p * fc
                        out[i, base - m] = p * fs
                        p2 = p1
                        p1 = p
        return -1

    return kernel


def _prepare_points(xyz, normalize: bool) -> np.ndarray:
    pts = np.asarray(xyz, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] != 3:
        raise ShapeError(f"xyz must have shape (N, 3), got {pts.shape}")
    if not np.all(np.isfinite(pts)):
        raise InvalidParameterError("xyz contains NaN or infinite coordinates")
    if normalize:
        r = np.sqrt(np.einsum("ij,ij->i", pts, pts))
        if pts.shape[0] and r.min() == 0.0:
            raise InvalidParameterError(
                f"xyz has a zero vector at row {int(np.argmin(r))}; its direction is undefined"
            )
        pts = pts / r[:, None]
    return np.ascontiguousarray(pts)


def spherical_harmonics_all(
    L: int, xyz, normalize: bool = True, backend: str = "auto"
) -> np.ndarray:
    """All real spherical harmonics of degree 0..L at N points, concatenated by degree.

    Column ``l*l + l + m`` holds ``Y_{l,m}`` (m = -l..l); see :mod:`reptheory.so3` for the
    convention.

    Parameters
    ----------
    L : int
        Largest degree (>= 0); no upper cap other than memory.
    xyz : array_like, shape (N, 3)
        Points; normalised to unit length unless ``normalize=False``.
    normalize : bool
        Project the points onto the unit sphere first (zero vectors raise).
    backend : {"auto", "numba", "numpy"}
        ``"auto"`` uses the numba kernel (compiled on first use) and falls back to numpy with a
        warning if numba is missing.

    Returns
    -------
    numpy.ndarray, shape (N, (L+1)**2), float64

    Raises
    ------
    InvalidParameterError
        L negative, zero or non-finite points.
    ShapeError
        xyz not of shape (N, 3).
    SizeLimitError
        The output would exceed the dense budget.

    Examples
    --------
    >>> import numpy as np
    >>> Y = spherical_harmonics_all(1, [[0.0, 0.0, 2.0]])
    >>> np.round(Y * np.sqrt(4 * np.pi), 6)
    array([[1.      , 0.      , 1.732051, 0.      ]])
    """
    L = check_int("L", L, minimum=0)
    if backend not in ("auto", "numba", "numpy"):
        raise InvalidParameterError(f"backend must be 'auto', 'numba' or 'numpy', got {backend!r}")
    kernel = _numba_kernel() if backend != "numpy" else None
    if kernel is None:
        if backend == "numba":
            from ..errors import BackendUnavailableError

            raise BackendUnavailableError("numba is not installed: pip install 'reptheory[fast]'")
        if backend == "auto":
            warnings.warn(
                "numba is not installed; using the slower numpy spherical harmonics", stacklevel=2
            )
        pts = _prepare_points(xyz, normalize)
        check_dense_size("spherical harmonics output", pts.shape[0] * (L + 1) ** 2)
        return _sh_numpy(pts, L)
    # fast path: shape check here, finiteness / zero vectors / normalisation in the kernel
    pts = np.asarray(xyz, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] != 3:
        raise ShapeError(f"xyz must have shape (N, 3), got {pts.shape}")
    check_dense_size("spherical harmonics output", pts.shape[0] * (L + 1) ** 2)
    a, b, diag, sub = _coeffs(L)
    out = np.empty((pts.shape[0], (L + 1) ** 2))
    bad = kernel(pts, L, a, b, diag, sub, bool(normalize), out)
    if bad >= 0:
        row = pts[bad]
        if not np.all(np.isfinite(row)):
            raise InvalidParameterError(f"xyz contains NaN or infinite coordinates (row {bad})")
        if not np.any(row):
            raise InvalidParameterError(
                f"xyz has a zero vector at row {bad}; its direction is undefined"
            )
        raise InvalidParameterError(f"xyz row {bad} overflows when squared: {row}")
    if not normalize and not np.all(np.isfinite(pts)):
        raise InvalidParameterError("xyz contains NaN or infinite coordinates")
    return out


def spherical_harmonics(l: int, xyz, normalize: bool = True, basis: str = "real") -> np.ndarray:
    """Spherical harmonics of one degree l at N points: shape (N, 2l+1), m = -l..l.

    Parameters
    ----------
    l : int
        Degree (>= 0).
    xyz : array_like, shape (N, 3)
        Points (normalised unless ``normalize=False``).
    normalize : bool
        Project onto the unit sphere first.
    basis : {"real", "complex"}
        Real harmonics (default) or complex ones with the Condon-Shortley phase,
        ``Y_complex = U^H Y_real`` with ``U = complex_to_real_matrix(l)``.

    Returns
    -------
    numpy.ndarray, shape (N, 2l+1), float64 (complex128 for ``basis="complex"``)

    Raises
    ------
    InvalidParameterError, ShapeError
        As for :func:`spherical_harmonics_all`; also an unknown ``basis``.

    Examples
    --------
    >>> import numpy as np
    >>> Y = spherical_harmonics(1, [[1.0, 2.0, 3.0]])
    >>> np.allclose(Y, np.sqrt(3 / (4 * np.pi)) * np.array([[2, 3, 1]]) / np.sqrt(14))
    True
    """
    l = check_int("l", l, minimum=0)
    if basis not in ("real", "complex"):
        raise InvalidParameterError(f"basis must be 'real' or 'complex', got {basis!r}")
    Y = spherical_harmonics_all(l, xyz, normalize=normalize)[:, l * l :]
    if basis == "complex":
        return Y @ complex_to_real_matrix(l).conj()
    return Y


@lru_cache(maxsize=256)
def _u_matrix(l: int) -> np.ndarray:
    d = 2 * l + 1
    U = np.zeros((d, d), dtype=complex)
    h = 1 / math.sqrt(2)
    U[l, l] = 1.0
    for m in range(1, l + 1):
        sgn = (-1) ** m
        U[l + m, l + m] = sgn * h
        U[l + m, l - m] = h
        U[l - m, l + m] = -1j * sgn * h
        U[l - m, l - m] = 1j * h
    U.setflags(write=False)
    return U


def complex_to_real_matrix(l: int) -> np.ndarray:
    """The unitary U with ``Y_real = U @ Y_complex`` (rows/columns m = -l..l).

    For m > 0: ``Y_{l,m} = ((-1)^m Y_l^m + Y_l^{-m}) / sqrt(2)`` and
    ``Y_{l,-m} = i (Y_l^{-m} - (-1)^m Y_l^m) / sqrt(2)``; ``Y_{l,0} = Y_l^0``.
    Complex harmonics carry the Condon-Shortley phase (as scipy and sympy).

    Examples
    --------
    >>> import numpy as np
    >>> U = complex_to_real_matrix(2)
    >>> np.allclose(U @ U.conj().T, np.eye(5))
    True
    """
    l = check_int("l", l, minimum=0)
    return _u_matrix(l)
