"""The rotation groups SO(2) and SO(3) in their defining representations.

``SO3`` is ``SO(3)`` (a :class:`SpecialOrthogonalGroup` with n = 3, equal by value) with the
SO(3) irreps of :mod:`reptheory.so3` attached.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidParameterError
from ._base import Group, as_rng
from ._orthogonal import SpecialOrthogonalGroup

__all__ = ["SO2", "SO3"]


class _FixedDim(Group):
    """A group with a fixed defining dimension (constructor takes no argument or that n)."""

    fixed_n: int = 0
    __slots__ = ()

    def __init__(self, n: int | None = None) -> None:
        if n is None:
            n = self.fixed_n
        if n != self.fixed_n:
            raise InvalidParameterError(
                f"{type(self).__name__} acts on R^{self.fixed_n}; n must be {self.fixed_n}, got {n!r}"
            )
        super().__init__(n)

    def __repr__(self) -> str:
        return f"{self.symbol}()"

    def contains(self, matrix, atol: float = 1e-9) -> bool:
        m = np.asarray(matrix, dtype=float)
        if m.shape != (self.n, self.n):
            return False
        return bool(
            np.allclose(m.T @ m, np.eye(self.n), atol=atol) and abs(np.linalg.det(m) - 1) < atol
        )


class SO2(_FixedDim):
    """Rotations of the plane, ``R(t) = [[cos t, -sin t], [sin t, cos t]]``.

    Examples
    --------
    >>> G = SO2()
    >>> G, G.is_finite
    (SO2(), False)
    >>> G.contains(G.random_element(0))
    True
    """

    symbol = "SO2"
    is_finite = False
    min_n = 2
    fixed_n = 2
    __slots__ = ()

    def element(self, t: float) -> np.ndarray:
        """The rotation by angle t (finite)."""
        t = float(t)
        if not np.isfinite(t):
            raise InvalidParameterError(f"t must be a finite angle, got {t!r}")
        c, s = np.cos(t), np.sin(t)
        return np.array([[c, -s], [s, c]])

    def random_element(self, rng=None) -> np.ndarray:
        """Haar-random rotation (uniform angle)."""
        return self.element(as_rng(rng).uniform(0, 2 * np.pi))

    def lie_algebra_basis(self) -> list[np.ndarray]:
        return [np.array([[0.0, -1.0], [1.0, 0.0]])]


class SO3(SpecialOrthogonalGroup):
    """The rotation group SO(3): *the same group* as ``SO(3)``, plus its irreps machinery.

    ``SO3()`` is a :class:`SpecialOrthogonalGroup` with n = 3 and equals ``SO(3)`` (same hash),
    so every diagram-basis function accepts it: ``layer_basis(SO3(), k, l)`` is the
    Brauer-family basis of SO(3) on tensor powers of R^3, and ``random_element`` draws the same
    matrices as ``SO(3)`` for the same seed.  On top, it names the representation theory of
    :mod:`reptheory.so3`: irreps (:meth:`irrep`, :meth:`irreps`), their matrices
    (:meth:`wigner_D`) and the Lie algebra basis L_x, L_y, L_z.  The package
    :mod:`reptheory.so3` exports this same class.

    Examples
    --------
    >>> from reptheory.groups import SO
    >>> G = SO3()
    >>> G == SO(3), hash(G) == hash(SO(3)), G
    (True, True, SO3())
    >>> R = G.random_element(1)
    >>> G.contains(R), len(G.lie_algebra_basis()), G.irreps("2x0+1x1").dim
    (True, 3, 5)
    """

    __slots__ = ()

    def __init__(self, n: int | None = None) -> None:
        if n is None:
            n = 3
        if n != 3:
            raise InvalidParameterError(f"SO3 acts on R^3; n must be 3, got {n!r}")
        super().__init__(3)

    def _key(self) -> tuple:
        return ("SpecialOrthogonalGroup", 3)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SpecialOrthogonalGroup) and other._key() == self._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return "SO3()"

    def lie_algebra_basis(self) -> list[np.ndarray]:
        """L_x, L_y, L_z with ``exp(t L_a)`` the rotation by t about axis a (spans so(3))."""
        out = []
        for a in range(3):
            m = np.zeros((3, 3))
            b, c = (a + 1) % 3, (a + 2) % 3
            m[c, b], m[b, c] = 1.0, -1.0
            out.append(m)
        return out

    def irrep(self, l, p=None):
        """The irrep of degree l (parity p, default natural), a :class:`reptheory.so3.Irrep`."""
        from ..so3._irreps import Irrep

        return Irrep(l, p)

    def irreps(self, spec):
        """A direct sum of irreps, e.g. ``"2x0e+1x1o"``: a :class:`reptheory.so3.Irreps`."""
        from ..so3._irreps import Irreps

        return Irreps(spec)

    def wigner_D(self, l: int, R) -> np.ndarray:
        """The real Wigner matrix D_l(R) (:func:`reptheory.so3.wigner_D`)."""
        from ..so3._wigner import wigner_D

        return wigner_D(l, R)
