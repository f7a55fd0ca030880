"""The orthogonal groups O(n) and SO(n) acting on R^n by matrix multiplication."""

from __future__ import annotations

import numpy as np

from ._base import Group, as_rng

__all__ = ["SO", "O", "OrthogonalGroup", "SpecialOrthogonalGroup", "haar_orthogonal", "so_basis"]


def haar_orthogonal(n: int, rng=None) -> np.ndarray:
    """A Haar-random n x n orthogonal matrix (QR of a Gaussian matrix, signs fixed)."""
    gen = as_rng(rng)
    q, r = np.linalg.qr(gen.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def so_basis(n: int) -> list[np.ndarray]:
    """The basis E_ab - E_ba (a < b) of the Lie algebra so(n) of antisymmetric matrices."""
    out = []
    for a in range(n):
        for b in range(a + 1, n):
            m = np.zeros((n, n))
            m[a, b], m[b, a] = 1.0, -1.0
            out.append(m)
    return out


class OrthogonalGroup(Group):
    """The orthogonal group O(n) = {g : g^T g = I} acting on R^n.

    ``generators()`` returns the reflection diag(-1, 1, ..., 1), which together with
    ``lie_algebra_basis()`` (so(n)) generates O(n). O(1) = {1, -1} is finite.

    Examples
    --------
    >>> G = OrthogonalGroup(3)
    >>> g = G.random_element(0)
    >>> G.contains(g), len(G.lie_algebra_basis())
    (True, 3)
    """

    symbol = "O"
    is_finite = False
    _needs_n_because = "n is the dimension of the vector space the features live in"
    __slots__ = ()

    def random_element(self, rng=None) -> np.ndarray:
        """A Haar-random element of O(n)."""
        return haar_orthogonal(self.n, rng)

    def reflection(self) -> np.ndarray:
        """The reflection diag(-1, 1, ..., 1) (determinant -1)."""
        r = np.eye(self.n)
        r[0, 0] = -1.0
        return r

    def generators(self) -> list[np.ndarray]:
        """The reflection diag(-1, 1, ..., 1): with the Lie algebra it generates O(n)."""
        return [self.reflection()]

    def lie_algebra_basis(self) -> list[np.ndarray]:
        """so(n): E_ab - E_ba for a < b (empty for n = 1)."""
        return so_basis(self.n)

    def contains(self, matrix, atol: float = 1e-9) -> bool:
        m = np.asarray(matrix, dtype=float)
        return m.shape == (self.n, self.n) and bool(np.allclose(m.T @ m, np.eye(self.n), atol=atol))


class SpecialOrthogonalGroup(OrthogonalGroup):
    """The special orthogonal group SO(n) = {g in O(n) : det g = 1} acting on R^n.

    SO(1) is the trivial group (accepted: every map is equivariant, the layer space of
    (R^1)^{⊗k} -> (R^1)^{⊗l} is 1-dimensional). For n >= 2 it is connected, so
    ``generators()`` is empty and ``lie_algebra_basis()`` (so(n)) determines it.

    Examples
    --------
    >>> G = SpecialOrthogonalGroup(3)
    >>> round(float(np.linalg.det(G.random_element(1))), 6)
    1.0
    """

    symbol = "SO"
    __slots__ = ()

    def random_element(self, rng=None) -> np.ndarray:
        """A Haar-random element of SO(n)."""
        g = haar_orthogonal(self.n, rng)
        if np.linalg.det(g) < 0:
            g[:, 0] = -g[:, 0]
        return g

    def generators(self) -> list[np.ndarray]:
        """Empty for n >= 2 (connected); the identity for the trivial group SO(1)."""
        return [np.eye(1)] if self.n == 1 else []

    def contains(self, matrix, atol: float = 1e-9) -> bool:
        return super().contains(matrix, atol) and bool(np.linalg.det(np.asarray(matrix, float)) > 0)


#: Short alias: ``O(3)`` is ``OrthogonalGroup(3)``.
O = OrthogonalGroup
#: Short alias: ``SO(3)`` is ``SpecialOrthogonalGroup(3)``.
SO = SpecialOrthogonalGroup
