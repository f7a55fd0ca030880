"""Real and complex spherical harmonics (orthonormal on the sphere), vectorised, numba-compiled.

Real harmonics, for a unit vector (x, y, z) = (sin t cos p, sin t sin p, cos t), m > 0:

* ``Y_{l,0}  = N_l^0 P_l^0(z)``
* ``Y_{l,m}  = sqrt(2) N_l^m P_l^m(z) cos(m p)  = sqrt(2) N_l^m Pbar_l^m(z) Re (x + i y)^m``
* ``Y_{l,-m} = sqrt(2) N_l^m P_l^m(z) sin(m p)  = sqrt(2) N_l^m Pbar_l^m(z) Im (x + i y)^m``

with ``P_l^m`` the associated Legendre function **without** the Condon-Shortley phase,
``N_l^m = sqrt((2l+1)/(4 pi) (l-m)!/(l+m)!)``.  So ``Y_{1,-1}, Y_{1,0}, Y_{1,1}`` are
``sqrt(3/(4 pi)) * (y, z, x)``.  Everything is evaluated with recursions in x, y, z (no
trigonometric functions) that stay accurate at every degree (extended exponent range for the
sectoral values, so no overflow, underflow or NaN near the poles).  The numba kernel lives in
``_sh_numba`` as a module-level ``@njit(cache=True)`` function, compiled on first use and
cached under ``reptheory._cache.cache_dir("numba")``.
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

    Raises
    ------
    InvalidParameterError
        l negative or ``abs(m) > l``.

    Examples
    --------
    >>> sh_index(1, -1), sh_index(2, 2)
    (1, 8)
    >>> sh_index(1, 5)
    Traceback (most recent call last):
    ...
    reptheory.errors.InvalidParameterError: m must be an integer in [-l, l] = [-1, 1], got 5
    """
    l = check_int("l", l, minimum=0)
    m = check_int("m", m)
    if abs(m) > l:
        raise InvalidParameterError(f"m must be an integer in [-l, l] = [{-l}, {l}], got {m}")
    return l * l + l + m


#: Sectoral values below 2**-_SCALE_BITS are carried as mantissa * 2**exponent (extended range).
_SCALE_BITS = 200
_SCALE = 2.0**_SCALE_BITS
_INV_SCALE = 2.0**-_SCALE_BITS


@lru_cache(maxsize=16)
def _coeffs(L: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Recursion coefficients a[l,m], b[l,m], diag[m] = sqrt((2m+1)/(2m)), sub[m] = sqrt(2m+3)."""
    l = np.arange(L + 1, dtype=float)[:, None]
    m = np.arange(L + 1, dtype=float)[None, :]
    ok = l >= m + 2
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(ok, np.sqrt((4 * l * l - 1) / (l * l - m * m)), 0.0)
        b = np.where(ok, np.sqrt(((l - 1) ** 2 - m * m) / (4 * (l - 1) ** 2 - 1)), 0.0)
    mm = np.arange(1, L + 1, dtype=float)
    diag = np.concatenate([[1.0], np.sqrt((2 * mm + 1) / (2 * mm))])
    sub = np.sqrt(2 * np.arange(L + 1, dtype=float) + 3)
    for arr in (a, b, diag, sub):
        arr.setflags(write=False)
    return a, b, diag, sub


def _sh_numpy(xyz: np.ndarray, L: int) -> np.ndarray:
    """Numpy twin of the numba kernel: all real Y_{l,m}, l <= L, at unit points (N, 3).

    Same algorithm: normalised associated Legendre functions (including ``sin^m t``) by the
    standard column recurrence in l, sectoral values carried with an extra power-of-two
    exponent when they would underflow, and ``cos(m p)``, ``sin(m p)`` from powers of the unit
    complex number ``(x + i y) / sin t``.
    """
    a, b, diag, sub = _coeffs(L)
    x, y, z = xyz[:, 0], xyz[:, 1], xyz[:, 2]
    n = xyz.shape[0]
    out = np.empty((n, (L + 1) ** 2))
    rho = np.sqrt(x * x + y * y)
    pole = rho == 0.0
    safe = np.where(pole, 1.0, rho)
    cphi = np.where(pole, 1.0, x / safe)
    sphi = np.where(pole, 0.0, y / safe)
    y00 = 1.0 / math.sqrt(4 * math.pi)
    # m = 0
    p2 = np.full(n, y00)
    out[:, 0] = p2
    if L >= 1:
        p1 = sub[0] * z * p2
        out[:, 2] = p1
        for l in range(2, L + 1):
            p = a[l, 0] * (z * p1 - b[l, 0] * p2)
            out[:, l * l + l] = p
            p2, p1 = p1, p
    c = np.ones(n)
    s = np.zeros(n)
    pm = np.full(n, y00)
    pe = np.zeros(n, dtype=np.int64)
    r2 = math.sqrt(2.0)
    for m in range(1, L + 1):
        c, s = cphi * c - sphi * s, cphi * s + sphi * c
        pm = pm * (diag[m] * rho)
        small = (pm < _INV_SCALE) & (pm > 0.0)
        pm = np.where(small, pm * _SCALE, pm)
        pe = pe - _SCALE_BITS * small
        fc, fs = c * r2, s * r2
        e = pe.copy()
        p2 = pm
        v = np.ldexp(pm, e)
        out[:, m * m + 2 * m] = v * fc
        out[:, m * m] = v * fs
        if m == L:
            continue
        p1 = sub[m] * z * pm
        v = np.ldexp(p1, e)
        base = (m + 1) * (m + 1) + m + 1
        out[:, base + m] = v * fc
        out[:, base - m] = v * fs
        for l in range(m + 2, L + 1):
            p = a[l, m] * (z * p1 - b[l, m] * p2)
            big = (e < 0) & (np.abs(p) > _SCALE)
            if big.any():
                p = np.where(big, p * _INV_SCALE, p)
                p1 = np.where(big, p1 * _INV_SCALE, p1)
                e = e + _SCALE_BITS * big
            v = np.ldexp(p, e)
            base = l * l + l
            out[:, base + m] = v * fc
            out[:, base - m] = v * fs
            p2, p1 = p1, p
    return out


_NUMBA_WARNED = False


def _warn_no_numba(what: str, stacklevel: int = 3) -> None:
    """Warn once per process that numba is missing (the numpy twin is used instead).

    One flag for every SO(3) kernel: the first fallback warns, later ones (of any kernel) do
    not.  ``stacklevel`` counts from this function (3: the caller of its caller).
    """
    global _NUMBA_WARNED
    if not _NUMBA_WARNED:
        _NUMBA_WARNED = True
        warnings.warn(
            f"numba is not installed; using the slower numpy {what} "
            "(pip install 'reptheory[fast]'; this warning is shown once)",
            stacklevel=stacklevel,
        )


@lru_cache(maxsize=1)
def _numba_kernel():
    """The compiled kernel (module-level ``@njit(cache=True)`` in ``_sh_numba``) or None."""
    from .._cache import numba_cache

    numba_cache()
    from ._sh_numba import HAVE_NUMBA, sh_kernel

    return sh_kernel if HAVE_NUMBA else None


def _prepare_points(xyz, normalize: bool) -> np.ndarray:
    pts = np.asarray(xyz, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] != 3:
        raise ShapeError(f"xyz must have shape (N, 3), got {pts.shape}")
    if not np.all(np.isfinite(pts)):
        bad = int(np.argmin(np.all(np.isfinite(pts), axis=1)))
        raise InvalidParameterError(f"xyz contains NaN or infinite coordinates (row {bad})")
    if normalize:
        r = np.sqrt(np.einsum("ij,ij->i", pts, pts))
        if pts.shape[0] and r.min() == 0.0:
            raise InvalidParameterError(
                f"xyz has a zero vector at row {int(np.argmin(r))}; its direction is undefined"
            )
        if pts.shape[0] and not np.all(np.isfinite(r)):
            bad = int(np.argmin(np.isfinite(r)))
            raise InvalidParameterError(f"xyz row {bad} overflows when squared: {pts[bad]}")
        pts = pts / r[:, None]
    return np.ascontiguousarray(pts)


def spherical_harmonics_all(
    L: int, xyz, normalize: bool = True, backend: str = "auto", max_entries: int | None = None
) -> np.ndarray:
    """All real spherical harmonics of degree 0..L at N points, concatenated by degree.

    Column ``l*l + l + m`` holds ``Y_{l,m}`` (m = -l..l); see :mod:`reptheory.so3` for the
    convention.

    Parameters
    ----------
    L : int
        Largest degree (>= 0); no upper cap other than memory.
    xyz : array_like, shape (N, 3)
        Points; normalised to unit length unless ``normalize=False`` (then they must already
        be unit vectors).
    normalize : bool
        Project the points onto the unit sphere first (zero vectors raise).
    backend : {"auto", "numba", "numpy"}
        ``"auto"`` uses the numba kernel (compiled on first use, cached on disk under
        ``reptheory._cache.cache_dir("numba")``) and falls back to numpy with a warning (once
        per process) if numba is missing.
    max_entries : int, optional
        Budget for the output size (default ``$REPTHEORY_MAX_DENSE_ENTRIES``).

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

    Notes
    -----
    The normalised associated Legendre functions (with their ``sin^m t`` factor) follow the
    standard column recurrence in l; sectoral values that would underflow are carried with an
    extra power-of-two exponent, so every degree is accurate (no overflow, no NaN near the
    poles; values below the smallest float64 are 0).  Cost O(N L^2).

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
            _warn_no_numba("spherical harmonics")
        pts = _prepare_points(xyz, normalize)
        check_dense_size("spherical harmonics output", pts.shape[0] * (L + 1) ** 2, max_entries)
        return _sh_numpy(pts, L)
    # fast path: shape check here, finiteness / zero vectors / normalisation in the kernel
    pts = np.ascontiguousarray(np.asarray(xyz, dtype=np.float64))
    if pts.ndim != 2 or pts.shape[1] != 3:
        raise ShapeError(f"xyz must have shape (N, 3), got {pts.shape}")
    check_dense_size("spherical harmonics output", pts.shape[0] * (L + 1) ** 2, max_entries)
    a, b, diag, sub = _coeffs(L)
    out = np.empty((pts.shape[0], (L + 1) ** 2))
    thr2 = 2.0 ** (-2 * _SCALE_BITS / L) if L else 0.0
    bad = kernel(pts, L, a, b, diag, sub, bool(normalize), thr2, out)
    if bad >= 0:
        row = pts[bad]
        if not np.all(np.isfinite(row)):
            raise InvalidParameterError(f"xyz contains NaN or infinite coordinates (row {bad})")
        if not np.any(row):
            raise InvalidParameterError(
                f"xyz has a zero vector at row {bad}; its direction is undefined"
            )
        raise InvalidParameterError(f"xyz row {bad} overflows when squared: {row}")
    return out


def spherical_harmonics(
    l: int, xyz, normalize: bool = True, basis: str = "real", max_entries: int | None = None
) -> np.ndarray:
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
    max_entries : int, optional
        Budget for the size of the intermediate output with all degrees 0..l, N (l+1)**2
        entries (default ``$REPTHEORY_MAX_DENSE_ENTRIES``).

    Returns
    -------
    numpy.ndarray, shape (N, 2l+1), float64 (complex128 for ``basis="complex"``)

    Raises
    ------
    InvalidParameterError, ShapeError, SizeLimitError
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
    Y = spherical_harmonics_all(l, xyz, normalize=normalize, max_entries=max_entries)[:, l * l :]
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
