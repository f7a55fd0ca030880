"""Grids and quadratures on S^2 and SO(3), Fourier transforms on SO(3), rotation distances.

Conventions (those of :mod:`reptheory.so3`): a real signal on SO(3) band-limited at L is

    f(R) = sum_{l <= L} sum_{m, n} F_l[m, n] D_l(R)[m, n]

with the real Wigner matrices ``D_l`` (``Y_l(R x) = D_l(R) Y_l(x)``).  Left translation
``f(g^-1 R)`` maps ``F_l -> D_l(g) F_l``, so each column of ``F_l`` is a copy of rho_l.  The
coefficients are stored degree by degree, column by column: entry ``F_l[m, n]`` at offset
``sum_{k<l} (2k+1)^2 + n (2l+1) + m`` (m, n = -l..l as 0..2l), the layout of
:func:`~reptheory.so3.so3_fourier_rep` with one channel.  Haar measure is normalised to 1, so
``int D_l[m, n] D_l'[m', n'] dR = delta / (2l+1)``.

* :func:`so3_quadrature`: Euler-angle product grid (uniform alpha, gamma; Gauss-Legendre in
  cos beta) integrating every band-limit-``2L`` function exactly.
* :func:`s2_quadrature`: the same on the sphere (Gauss-Legendre x uniform).
* :func:`healpix_so3_grid`: the HEALPix-based (Hopf fibration) grid of Image2Sphere:
  HEALPix pixel centres (nside = 2^level) for the axis, 6 * nside angles about it;
  72 * 8^level rotations, nearly uniform.  Written here in numpy (no healpy).
* :func:`so3_fourier_matrix`: the matrix ``(N, dim)`` of ``D_l(R_i)[m, n]`` that evaluates
  coefficients on any set of rotations.
* :func:`geodesic_distance`: the angle of ``R1^T R2``.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_dense_size, check_int
from ..errors import InvalidParameterError, ShapeError
from ._wigner import check_rotation, euler_to_matrix, wigner_D

__all__ = [
    "geodesic_distance",
    "healpix_pixel_centres",
    "healpix_so3_grid",
    "s2_quadrature",
    "so3_fourier_dim",
    "so3_fourier_matrix",
    "so3_quadrature",
]


def so3_fourier_dim(L: int) -> int:
    """Number of Fourier coefficients of a signal on SO(3) band-limited at L.

    Examples
    --------
    >>> so3_fourier_dim(2)
    35
    """
    L = check_int("L", L, minimum=0)
    return (L + 1) * (2 * L + 1) * (2 * L + 3) // 3


def so3_quadrature(L: int) -> tuple[np.ndarray, np.ndarray]:
    """Rotations and weights integrating band-limit-``2L`` functions on SO(3) exactly.

    ``sum_i w_i f(R_i) = int f(R) dR`` (Haar measure of total mass 1) whenever f has degree
    <= 2L, e.g. the product of two signals band-limited at L.  Grid: ``R = Rz(a) Ry(b) Rz(g)``
    with ``2L+1`` uniform a and g and ``L+1`` Gauss-Legendre nodes in cos b:
    ``(L+1)(2L+1)^2`` rotations.

    Returns
    -------
    R : numpy.ndarray, shape (N, 3, 3)
    w : numpy.ndarray, shape (N,)

    Examples
    --------
    >>> R, w = so3_quadrature(1)
    >>> R.shape, round(float(w.sum()), 12)
    ((18, 3, 3), 1.0)
    """
    L = check_int("L", L, minimum=0)
    n = 2 * L + 1
    check_dense_size("SO(3) quadrature grid", (L + 1) * n * n * 9)
    z, wb = np.polynomial.legendre.leggauss(L + 1)
    a = 2 * np.pi * np.arange(n) / n
    A, Bz, G = np.meshgrid(a, z, a, indexing="ij")
    W = np.broadcast_to((wb / 2)[None, :, None] / (n * n), A.shape)
    R = euler_to_matrix(A.ravel(), np.arccos(Bz.ravel()), G.ravel())
    return R, np.ascontiguousarray(W.ravel())


def s2_quadrature(L: int) -> tuple[np.ndarray, np.ndarray]:
    """Points and weights integrating band-limit-``2L`` functions on the sphere exactly.

    ``sum_i w_i f(x_i) = int f dOmega`` (area 4 pi) for f of degree <= 2L.  ``L+1``
    Gauss-Legendre nodes in z times ``2L+1`` uniform longitudes.

    Examples
    --------
    >>> x, w = s2_quadrature(2)
    >>> x.shape, round(float(w.sum() / (4 * 3.141592653589793)), 12)
    ((15, 3), 1.0)
    """
    L = check_int("L", L, minimum=0)
    n = 2 * L + 1
    z, wz = np.polynomial.legendre.leggauss(L + 1)
    p = 2 * np.pi * np.arange(n) / n
    Z, P = np.meshgrid(z, p, indexing="ij")
    s = np.sqrt(1 - Z**2)
    x = np.stack([s * np.cos(P), s * np.sin(P), Z], -1).reshape(-1, 3)
    w = np.broadcast_to(wz[:, None] * (2 * np.pi / n), Z.shape).ravel()
    return x, np.ascontiguousarray(w)


def healpix_pixel_centres(nside: int) -> tuple[np.ndarray, np.ndarray]:
    """Colatitude and longitude (theta, phi) of the HEALPix pixel centres, ring ordering.

    Gorski et al. (2005): ``12 nside^2`` equal-area pixels on ``4 nside - 1`` rings of constant
    z; polar-cap ring i (1 <= i < nside) holds 4i pixels at ``z = 1 - i^2/(3 nside^2)``, the
    equatorial rings 4 nside pixels at ``z = 4/3 - 2i/(3 nside)``.

    Examples
    --------
    >>> theta, phi = healpix_pixel_centres(1)
    >>> len(theta), sorted(set(np.round(np.cos(theta), 6).tolist()))
    (12, [-0.666667, 0.0, 0.666667])
    """
    nside = check_int("nside", nside, minimum=1)
    check_dense_size("HEALPix grid", 12 * nside * nside)
    zs, phis = [], []
    for i in range(1, 4 * nside):
        if i < nside:  # north cap
            z = 1 - i * i / (3 * nside * nside)
            j = np.arange(1, 4 * i + 1)
            phi = np.pi / (2 * i) * (j - 0.5)
        elif i <= 3 * nside:  # equatorial belt
            z = 4 / 3 - 2 * i / (3 * nside)
            s = (i - nside + 1) % 2
            j = np.arange(1, 4 * nside + 1)
            phi = np.pi / (2 * nside) * (j - s / 2)
        else:  # south cap
            k = 4 * nside - i
            z = -1 + k * k / (3 * nside * nside)
            j = np.arange(1, 4 * k + 1)
            phi = np.pi / (2 * k) * (j - 0.5)
        zs.append(np.full(j.shape, z))
        phis.append(phi)
    return np.arccos(np.concatenate(zs)), np.concatenate(phis)


def healpix_so3_grid(level: int) -> np.ndarray:
    """The HEALPix-based grid on SO(3) of Image2Sphere: ``72 * 8^level`` rotations.

    ``R = Rz(phi) Ry(theta) Rz(psi)`` with (theta, phi) the HEALPix centres at
    ``nside = 2^level`` (the direction ``R e_z``) and ``6 nside`` equally spaced psi (a Hopf
    fibration grid, Yershova et al. 2010).  Level 0: 72, 1: 576, 2: 4608, 3: 36864.

    Examples
    --------
    >>> healpix_so3_grid(1).shape
    (576, 3, 3)
    """
    level = check_int("level", level, minimum=0, maximum=6)
    nside = 2**level
    theta, phi = healpix_pixel_centres(nside)
    n_psi = 6 * nside
    psi = 2 * np.pi * np.arange(n_psi) / n_psi
    check_dense_size("SO(3) HEALPix grid", theta.size * n_psi * 9)
    T = np.repeat(theta, n_psi)
    P = np.repeat(phi, n_psi)
    S = np.tile(psi, theta.size)
    return euler_to_matrix(P, T, S)


def so3_fourier_matrix(L: int, R) -> np.ndarray:
    """``M[i, k] = D_l(R_i)[m, n]`` in the coefficient layout, so ``f(R_i) = (M @ F)[i]``.

    Parameters
    ----------
    L : int
        Band limit.
    R : array_like, shape (N, 3, 3)
        Rotations.

    Returns
    -------
    numpy.ndarray, shape (N, so3_fourier_dim(L))

    Examples
    --------
    >>> M = so3_fourier_matrix(1, np.eye(3)[None])
    >>> M.shape, np.allclose(M[0, 1:].reshape(3, 3), np.eye(3))
    ((1, 10), True)
    """
    L = check_int("L", L, minimum=0)
    R = check_rotation(R)
    if R.ndim != 3:
        raise ShapeError(f"R must have shape (N, 3, 3), got {R.shape}")
    check_dense_size("SO(3) Fourier matrix", R.shape[0] * so3_fourier_dim(L))
    # column-major flattening of each D_l: offset n (2l+1) + m holds D[m, n]
    return np.concatenate(
        [np.swapaxes(wigner_D(l, R), 1, 2).reshape(R.shape[0], -1) for l in range(L + 1)], 1
    )


def geodesic_distance(R1, R2) -> np.ndarray:
    """Rotation angle of ``R1^T R2`` in radians, in [0, pi] (broadcasts over leading axes).

    Examples
    --------
    >>> from reptheory.so3 import rot_x
    >>> float(np.round(geodesic_distance(rot_x(0.3), rot_x(-0.5)), 12))
    0.8
    """
    R1, R2 = np.asarray(R1, dtype=float), np.asarray(R2, dtype=float)
    if R1.shape[-2:] != (3, 3) or R2.shape[-2:] != (3, 3):
        raise ShapeError(f"R1 and R2 must end in (3, 3), got {R1.shape} and {R2.shape}")
    tr = np.einsum("...ij,...ij->...", R1, R2)
    return np.arccos(np.clip((tr - 1) / 2, -1.0, 1.0))


def _check_grid_resolves(L: int, n_grid: int, name: str) -> None:
    need = so3_fourier_dim(L)
    if n_grid < need:
        raise InvalidParameterError(
            f"{name} has {n_grid} rotations, fewer than the {need} Fourier coefficients of "
            f"band limit L={L}: use a finer grid (a higher level) or a lower L"
        )
