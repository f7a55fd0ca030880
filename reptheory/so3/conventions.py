"""Exact conversions between reptheory's real harmonics, Wigner D and Clebsch-Gordan tables and
those of e3nn and sphericart (numpy; neither library is needed).

**sphericart** uses reptheory's convention: orthonormal real harmonics, polar axis z, order
m = -l..l, index ``l*l + l + m`` (``sphericart.SphericalHarmonics``).  Its ``SolidHarmonics``
are ``r**l`` times the same values.  No conversion is needed.

**e3nn** (0.5, 0.6) uses y as the polar axis:
``Y_e3nn(v) = c_l Y(P v)`` with ``P v = (z, x, y)``, a rotation.  Hence, per degree,
``Y_e3nn_l(v) = c_l A_l Y_l(v)`` with the orthogonal ``A_l = D_l(P)``
(:func:`e3nn_change_of_basis`), and ``c_l`` = 1 (``normalization="integral"``),
``sqrt(4 pi)`` (``"component"``) or ``sqrt(4 pi / (2l+1))`` (``"norm"``).  Features
(coefficients) convert with ``A_l`` alone (:func:`to_e3nn`, :func:`from_e3nn`); e3nn's Wigner
matrices are ``A_l D_l(R) A_l^T``.  e3nn's ``wigner_3j(l1, l2, l3)`` is the invariant tensor of
unit Frobenius norm

    ``W = s(l1, l2, l3) (A_l1 (x) A_l2 (x) A_l3) C / sqrt(2 l3 + 1)``,
    ``s = (-1)**((k + 1) // 2)``, ``k = l1 + l2 - l3``,

with ``C = cg_tensor(l1, l2, l3, "real")`` (:func:`e3nn_cg_sign`, :func:`cg_to_e3nn`): the two
libraries' CG signs differ exactly on the blocks with ``k = 1, 2 (mod 4)``.  A path of an e3nn
``TensorProduct`` with weight ``w`` and path normalisation ``alpha`` (e3nn's
``instruction.path_weight``) equals, in reptheory's basis, the CG path
(:class:`reptheory.torch.CGTensorProduct`) with weight ``s alpha w / sqrt(2 l3 + 1)``
(:func:`e3nn_path_weight`).

The tests compare every formula here with e3nn and sphericart when they are installed.

Examples
--------
>>> import numpy as np
>>> from reptheory.so3 import spherical_harmonics_all
>>> v = np.array([[0.3, -0.4, 0.5]])
>>> Y = spherical_harmonics_all(2, v)
>>> Ye = to_e3nn(Y, 2)                       # e3nn's normalization="integral" harmonics
>>> bool(np.allclose(from_e3nn(Ye, 2), Y))
True
>>> e3nn_cg_sign(1, 1, 2), e3nn_cg_sign(1, 1, 1), e3nn_cg_sign(2, 2, 1)
(1, -1, 1)
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from .._validate import check_int
from ..errors import InvalidParameterError, ShapeError
from ._tables import cg_tensor
from ._wigner import wigner_D

__all__ = [
    "cg_to_e3nn",
    "e3nn_cg_sign",
    "e3nn_change_of_basis",
    "e3nn_path_weight",
    "from_e3nn",
    "to_e3nn",
]

#: The rotation P with ``Y_e3nn(v) = c Y(P v)``: (x, y, z) -> (z, x, y).
_P = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])

_NORMS = ("integral", "component", "norm")


@lru_cache(maxsize=128)
def _basis(l: int) -> np.ndarray:
    A = np.array(wigner_D(l, _P))
    A[np.abs(A) < 1e-14] = 0.0  # exact zeros (D of a permutation is sparse)
    A.setflags(write=False)
    return A


def e3nn_change_of_basis(l: int, normalization: str = "integral") -> np.ndarray:
    """``c_l A_l``: e3nn's degree-l harmonics are ``c_l A_l @ Y_l`` (A_l orthogonal).

    Parameters
    ----------
    l : int
    normalization : {"integral", "component", "norm"}
        e3nn's ``normalization`` argument of ``o3.spherical_harmonics``.

    Returns
    -------
    numpy.ndarray, shape (2l+1, 2l+1)

    Examples
    --------
    >>> e3nn_change_of_basis(1)   # e3nn's degree 1 is (x, y, z); reptheory's is (y, z, x)
    array([[0., 0., 1.],
           [1., 0., 0.],
           [0., 1., 0.]])
    """
    l = check_int("l", l, minimum=0)
    if normalization not in _NORMS:
        raise InvalidParameterError(f"normalization must be one of {_NORMS}, got {normalization!r}")
    c = {"integral": 1.0, "component": math.sqrt(4 * math.pi),
         "norm": math.sqrt(4 * math.pi / (2 * l + 1))}[normalization]
    return c * _basis(l)


def _convert(x, L: int, transpose: bool) -> np.ndarray:
    L = check_int("L", L, minimum=0)
    x = np.asarray(x)
    d = (L + 1) ** 2
    if x.shape[-1:] != (d,):
        raise ShapeError(f"x must have last dimension (L+1)**2 = {d}, got shape {x.shape}")
    out = np.empty(x.shape, dtype=np.result_type(x, np.float64))
    for l in range(L + 1):
        s = slice(l * l, (l + 1) ** 2)
        A = _basis(l)
        out[..., s] = x[..., s] @ (A if transpose else A.T)
    return out


def to_e3nn(x, L: int) -> np.ndarray:
    """Features of degrees 0..L (..., (L+1)**2) in e3nn's basis (irreps ``0+1+...+L``).

    Spherical-harmonic values map to e3nn's ``normalization="integral"`` harmonics.
    """
    return _convert(x, L, transpose=False)


def from_e3nn(x, L: int) -> np.ndarray:
    """Inverse of :func:`to_e3nn`: e3nn-basis features back to reptheory's basis."""
    return _convert(x, L, transpose=True)


def e3nn_cg_sign(l1: int, l2: int, l3: int) -> int:
    """The sign s of :func:`cg_to_e3nn`: ``(-1)**((k + 1) // 2)``, ``k = l1 + l2 - l3``.

    Examples
    --------
    >>> [e3nn_cg_sign(2, 2, l3) for l3 in range(5)]
    [1, 1, -1, -1, 1]
    """
    l1, l2, l3 = (check_int(n, v, minimum=0) for n, v in (("l1", l1), ("l2", l2), ("l3", l3)))
    if not abs(l1 - l2) <= l3 <= l1 + l2:
        raise InvalidParameterError(f"(l1, l2, l3) = {(l1, l2, l3)} violates |l1-l2| <= l3 <= l1+l2")
    return -1 if ((l1 + l2 - l3 + 1) // 2) % 2 else 1


def cg_to_e3nn(l1: int, l2: int, l3: int) -> np.ndarray:
    """e3nn's ``o3.wigner_3j(l1, l2, l3)`` computed from reptheory's exact real CG table.

    Returns
    -------
    numpy.ndarray, shape (2l1+1, 2l2+1, 2l3+1), unit Frobenius norm

    Examples
    --------
    >>> W = cg_to_e3nn(1, 1, 0)
    >>> bool(np.allclose(W[:, :, 0], np.eye(3) / np.sqrt(3)))
    True
    """
    s = e3nn_cg_sign(l1, l2, l3)
    C = cg_tensor(l1, l2, l3, "real")
    W = np.einsum("ia,jb,kc,abc->ijk", _basis(l1), _basis(l2), _basis(l3), C)
    return s * W / math.sqrt(2 * l3 + 1)


def e3nn_path_weight(l1: int, l2: int, l3: int, weight: float = 1.0, path_weight: float = 1.0) -> float:
    """reptheory CG path weight equal to an e3nn ``TensorProduct`` path (in e3nn's basis).

    ``s * path_weight * weight / sqrt(2 l3 + 1)`` with s = :func:`e3nn_cg_sign` and
    ``path_weight`` e3nn's ``instruction.path_weight`` (its path normalisation).

    Examples
    --------
    >>> round(e3nn_path_weight(1, 1, 1, weight=2.0), 6)
    -1.154701
    """
    return e3nn_cg_sign(l1, l2, l3) * float(path_weight) * float(weight) / math.sqrt(2 * l3 + 1)
