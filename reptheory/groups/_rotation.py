"""The rotation groups SO(2) and SO(3) in their defining representations."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidParameterError
from ._base import Group, as_rng

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
        """The rotation by angle t."""
        c, s = np.cos(t), np.sin(t)
        return np.array([[c, -s], [s, c]])

    def random_element(self, rng=None) -> np.ndarray:
        """Haar-random rotation (uniform angle)."""
        return self.element(as_rng(rng).uniform(0, 2 * np.pi))

    def lie_algebra_basis(self) -> list[np.ndarray]:
        return [np.array([[0.0, -1.0], [1.0, 0.0]])]


class SO3(_FixedDim):
    """Rotations of space (3 x 3 orthogonal matrices with determinant 1).

    Examples
    --------
    >>> G = SO3()
    >>> R = G.random_element(1)
    >>> G.contains(R), len(G.lie_algebra_basis())
    (True, 3)
    """

    symbol = "SO3"
    is_finite = False
    min_n = 3
    fixed_n = 3
    __slots__ = ()

    def random_element(self, rng=None) -> np.ndarray:
        """Haar-random rotation (QR of a Gaussian matrix with the sign fix, det forced to +1)."""
        g = as_rng(rng)
        q, r = np.linalg.qr(g.normal(size=(3, 3)))
        q = q * np.sign(np.diag(r))
        if np.linalg.det(q) < 0:
            q[:, 0] = -q[:, 0]
        return q

    def lie_algebra_basis(self) -> list[np.ndarray]:
        """L_x, L_y, L_z with ``exp(t L_a)`` the rotation by t about axis a."""
        out = []
        for a in range(3):
            m = np.zeros((3, 3))
            b, c = (a + 1) % 3, (a + 2) % 3
            m[c, b], m[b, c] = 1.0, -1.0
            out.append(m)
        return out
