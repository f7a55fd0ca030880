"""SO(2) in SO(3): spherical harmonics, Wigner D, exact Clebsch-Gordan and Gaunt coefficients,
restriction and induction.

Conventions (convention version 1; every table in the cache is keyed by it)
---------------------------------------------------------------------------
**Axes.** Points are (x, y, z); the polar axis is z: ``(x, y, z) = (sin t cos p, sin t sin p,
cos t)``.  (e3nn uses y as polar axis: ``Y_e3nn(x, y, z) = c Y_here(z, x, y)``.)

**Real spherical harmonics** ``Y_{l,m}``, m = -l..l, orthonormal on the unit sphere
(``int Y_{l,m} Y_{l',m'} dOmega = delta``), m > 0::

    Y_{l,0}  = N_l^0 P_l^0(cos t)
    Y_{l,m}  = sqrt(2) N_l^m P_l^m(cos t) cos(m p)
    Y_{l,-m} = sqrt(2) N_l^m P_l^m(cos t) sin(m p),   N_l^m = sqrt((2l+1)/(4 pi) (l-m)!/(l+m)!)

with ``P_l^m`` the associated Legendre functions **without** the Condon-Shortley phase (the
phase of the complex harmonics cancels in the real ones).  Degree 1 is
``sqrt(3/(4 pi)) (y, z, x)``.  This is the convention of sphericart and of Wikipedia's "real
spherical harmonics".  sympy's ``Znm`` relates as ``Y_{l,m} = (-1)^m Znm(l, m)`` for m >= 0 and
``Y_{l,m} = -Znm(l, m)`` for m < 0 (tested), which never changes a real Gaunt coefficient.  Feature vectors of all degrees 0..L are concatenated by degree: entry
``l*l + l + m``.

**Complex spherical harmonics** ``Y_l^m`` carry the Condon-Shortley phase (as scipy, sympy):
``Y_l^{-m} = (-1)^m conj(Y_l^m)``.  ``Y_real = U Y_complex`` with the unitary
``U = complex_to_real_matrix(l)``: ``Y_{l,m} = ((-1)^m Y_l^m + Y_l^{-m})/sqrt(2)``,
``Y_{l,-m} = i (Y_l^{-m} - (-1)^m Y_l^m)/sqrt(2)`` (m > 0).

**Wigner D.** ``Y_l(R x) = D_l(R) Y_l(x)`` for every rotation matrix R (vector of the 2l+1
harmonics), so ``D_l(R1 R2) = D_l(R1) D_l(R2)``, D_l is real orthogonal, and ``D_1(R) = P R
P^T`` with P the permutation (x, y, z) -> (y, z, x).  Complex: ``D^c = U^H D U`` with
``Y^c(R x) = D^c(R) Y^c(x)``; ``D^c(Rz(t)) = diag(exp(i m t))``.  Euler angles are ZYZ active:
``R = Rz(alpha) Ry(beta) Rz(gamma)``, and ``D^c[m', m] = conj(Rotation.D(l, m', m, alpha, beta,
gamma)) = wigner_d(l, alpha, -beta, gamma)[l - m', l - m]`` in sympy (tested).

**Clebsch-Gordan** coefficients use the Condon-Shortley phase and agree with
``sympy.physics.wigner``; ``cg_tensor(l1, l2, l3, "complex")[m1, m2, m3] = <l1 m1 l2 m2|l3 m3>``
and ``(D_l1 (x) D_l2) C = C D_l3``; the real tensor is ``(U1 (x) U2) C U3^H`` times 1 or -i
(l1+l2+l3 even or odd).  Gaunt coefficients are integrals of three harmonics.  Exact values
are ``sign sqrt(p/q)``; their floats are correctly rounded (nearest float to the exact value).

**The group and its representations.** ``SO3`` (the same class as :class:`reptheory.SO3`) is
``SO(3)``: equal to ``SO(3)``, with the diagram bases of SO(n) at n = 3, plus the irreps
machinery here.  One representation type: :class:`Irrep` ``(l, p)`` and direct sums
:class:`Irreps`, parsed by :func:`parse_irreps` from ``"2x0e+1x1o"`` or, with the natural
parity ``(-1)^l``, ``"2x0+1x1"`` (``SO3Irrep`` / ``SO3Rep`` are deprecated names).

**Input checks.** Angles, vectors and rotation matrices containing NaN or inf raise
:class:`~reptheory.errors.InvalidParameterError` naming the parameter; the rotation check's
tolerance follows the dtype (float32 rotations are accepted at a float32 tolerance).

Examples
--------
>>> import numpy as np
>>> from reptheory import so3
>>> so3.clebsch_gordan(1, 0, 1, 0, 2, 0)
sqrt(6)/3
>>> R = so3.axis_angle_to_matrix([1, 1, 0], 0.3)
>>> x = np.array([[0.0, 0.6, 0.8]])
>>> np.allclose(so3.spherical_harmonics(4, x @ R.T), so3.spherical_harmonics(4, x) @ so3.wigner_D(4, R).T)
True
"""

from ..groups import SO3 as SO3  # the same group object as reptheory.SO3 (documented there)
from ._exact import (
    CGBlock,
    SqrtRational,
    clebsch_gordan,
    clebsch_gordan_all,
    clebsch_gordan_exact,
    clebsch_gordan_float,
    clebsch_gordan_table,
    gaunt,
    real_gaunt,
    wigner_3j,
    wigner_3j_exact,
)
from ._irreps import Irrep, Irreps, parse_irreps
from ._pose_geometry import grid_coordinates, so3_fourier_rep, sphere_rep
from ._reps import (
    InducedRep,
    Restriction,
    SO2Irrep,
    SO2Rep,
    frobenius_reciprocity,
    hom_basis,
    induce,
    restrict,
)
from ._sh import complex_to_real_matrix, sh_index, spherical_harmonics, spherical_harmonics_all
from ._so3_grid import (
    geodesic_distance,
    healpix_pixel_centres,
    healpix_so3_grid,
    s2_quadrature,
    so3_fourier_dim,
    so3_fourier_matrix,
    so3_quadrature,
)
from ._tables import CONVENTION_VERSION, cg_tensor, gaunt_tensor
from ._tp_cg import cg_sparsity, cg_tensor_product, tp_paths
from ._tp_escn import (
    cg_convolution,
    cg_convolution_paths,
    cg_to_escn_weights,
    edge_to_pole_rotation,
    escn_convolution,
    escn_parameter_count,
    escn_to_cg_weights,
)
from ._tp_expressivity import MethodExpressivity, TPExpressivity, tensor_product_expressivity
from ._tp_gaunt_fourier import (
    fourier_projection_exact,
    fourier_to_sh,
    sh_to_fourier,
    sh_to_fourier_exact,
)
from ._tp_gaunt_grid import gaunt_path_weights, gaunt_tensor_product, sphere_grid
from ._wigner import (
    axis_angle_to_matrix,
    check_rotation,
    euler_to_matrix,
    matrix_to_euler,
    rot_x,
    rot_y,
    rot_z,
    wigner_D,
    wigner_D_axis_angle,
    wigner_D_complex,
    wigner_D_euler,
    wigner_d_half_pi,
)

__all__ = [
    "CONVENTION_VERSION",
    "CGBlock",
    "InducedRep",
    "Irrep",
    "Irreps",
    "MethodExpressivity",
    "Restriction",
    "SO2Irrep",
    "SO2Rep",
    "SqrtRational",
    "TPExpressivity",
    "axis_angle_to_matrix",
    "cg_convolution",
    "cg_convolution_paths",
    "cg_sparsity",
    "cg_tensor",
    "cg_tensor_product",
    "cg_to_escn_weights",
    "check_rotation",
    "clebsch_gordan",
    "clebsch_gordan_all",
    "clebsch_gordan_exact",
    "clebsch_gordan_float",
    "clebsch_gordan_table",
    "complex_to_real_matrix",
    "edge_to_pole_rotation",
    "escn_convolution",
    "escn_parameter_count",
    "escn_to_cg_weights",
    "euler_to_matrix",
    "fourier_projection_exact",
    "fourier_to_sh",
    "frobenius_reciprocity",
    "gaunt",
    "gaunt_path_weights",
    "gaunt_tensor",
    "gaunt_tensor_product",
    "geodesic_distance",
    "grid_coordinates",
    "healpix_pixel_centres",
    "healpix_so3_grid",
    "hom_basis",
    "induce",
    "matrix_to_euler",
    "parse_irreps",
    "real_gaunt",
    "restrict",
    "rot_x",
    "rot_y",
    "rot_z",
    "s2_quadrature",
    "sh_index",
    "sh_to_fourier",
    "sh_to_fourier_exact",
    "so3_fourier_dim",
    "so3_fourier_matrix",
    "so3_fourier_rep",
    "so3_quadrature",
    "sphere_grid",
    "sphere_rep",
    "spherical_harmonics",
    "spherical_harmonics_all",
    "tensor_product_expressivity",
    "tp_paths",
    "wigner_3j",
    "wigner_3j_exact",
    "wigner_D",
    "wigner_D_axis_angle",
    "wigner_D_complex",
    "wigner_D_euler",
    "wigner_d_half_pi",
]


_DEPRECATED = {
    "SO3Irrep": ("Irrep", lambda: Irrep),
    "SO3Rep": ("Irreps", lambda: Irreps),
    "cache_dir": ('reptheory._cache.cache_dir("so3")', lambda: _so3_cache_dir),
}


def _so3_cache_dir():
    """The SO(3) table cache directory, ``reptheory._cache.cache_dir("so3")``."""
    from .._cache import cache_dir

    return cache_dir("so3")


def __getattr__(name: str):
    """Deprecated names (kept for one release, with a DeprecationWarning)."""
    if name in _DEPRECATED:
        import warnings

        new, get = _DEPRECATED[name]
        warnings.warn(
            f"reptheory.so3.{name} is deprecated; use {new}", DeprecationWarning, stacklevel=2
        )
        return get()
    raise AttributeError(f"module 'reptheory.so3' has no attribute {name!r}")
