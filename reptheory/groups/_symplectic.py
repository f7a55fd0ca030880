"""The real symplectic group Sp(n), n = 2m, in a Darboux basis.

Convention (used by every Sp(n) layer in reptheory): the ordered basis of R^n is
e_1, e_1', e_2, e_2', ..., e_m, e_m' (coordinates 2a and 2a+1 form the a-th Darboux pair), and
the symplectic form is omega(v, w) = v^T J w with J block-diagonal, blocks [[0, 1], [-1, 0]]:
J[2a, 2a+1] = 1, J[2a+1, 2a] = -1. Sp(n) = {g : g^T J g = J} (then also g J g^T = J).
"""

from __future__ import annotations

import numpy as np

from .._validate import check_int
from ..errors import InvalidParameterError
from ._base import Group, as_rng

__all__ = ["Sp", "SymplecticGroup", "sp_basis", "symplectic_form"]


def symplectic_form(n: int) -> np.ndarray:
    """The integer matrix J of the form (block-diagonal [[0, 1], [-1, 0]]), n even.

    Examples
    --------
    >>> symplectic_form(4)
    array([[ 0,  1,  0,  0],
           [-1,  0,  0,  0],
           [ 0,  0,  0,  1],
           [ 0,  0, -1,  0]])
    """
    n = check_int("n", n, minimum=2)
    if n % 2:
        raise InvalidParameterError(f"n must be an even integer >= 2 for Sp(n), got {n}")
    J = np.zeros((n, n), dtype=np.int64)
    for a in range(0, n, 2):
        J[a, a + 1], J[a + 1, a] = 1, -1
    return J


def sp_basis(n: int) -> list[np.ndarray]:
    """A basis J S_ab of sp(n) = {A : A^T J + J A = 0}, S_ab the symmetric unit matrices."""
    J = symplectic_form(n).astype(float)
    out = []
    for a in range(n):
        for b in range(a, n):
            s = np.zeros((n, n))
            s[a, b] = s[b, a] = 1.0
            out.append(J @ s)
    return out


class SymplecticGroup(Group):
    """The real symplectic group Sp(n) = {g : g^T J g = J}, n even, on R^n (Darboux basis).

    ``form`` is J (see :func:`symplectic_form`); the basis is ordered e_1, e_1', e_2, e_2', ...

    Parameters
    ----------
    n : int
        Even dimension >= 2 (odd n raises InvalidParameterError).

    Examples
    --------
    >>> G = SymplecticGroup(4)
    >>> g = G.random_element(0)
    >>> bool(np.allclose(g.T @ G.form @ g, G.form)), len(G.lie_algebra_basis())
    (True, 10)
    """

    symbol = "Sp"
    is_finite = False
    min_n = 2
    __slots__ = ()

    _needs_n_because = "n is the dimension of the symplectic space the features live in"

    def __init__(self, n: int | None = None) -> None:
        n = self._check_n(n)
        if n % 2:
            raise InvalidParameterError(f"n must be an even integer >= 2 for Sp(n), got {n}")
        super().__init__(n)

    @property
    def form(self) -> np.ndarray:
        """The matrix J of the symplectic form (integer, read-only)."""
        J = symplectic_form(self.n)
        J.setflags(write=False)
        return J

    def random_element(self, rng=None) -> np.ndarray:
        """exp(A1) exp(A2) for random A_i = J S_i in sp(n) (S_i symmetric, spectral norm ~ 1).

        Sp(n) is not compact, so there is no Haar probability measure; these elements are
        well spread and well conditioned (condition number below about e^4).
        """
        from scipy.linalg import expm

        gen = as_rng(rng)
        J = symplectic_form(self.n).astype(float)
        g = np.eye(self.n)
        for _ in range(2):
            s = gen.standard_normal((self.n, self.n))
            s = (s + s.T) / 2
            s /= max(np.linalg.norm(s, 2), 1e-12)
            g = g @ expm(J @ s)
        return g

    def lie_algebra_basis(self) -> list[np.ndarray]:
        """sp(n): the matrices J S_ab (S_ab symmetric unit matrices, a <= b)."""
        return sp_basis(self.n)

    def contains(self, matrix, atol: float = 1e-9) -> bool:
        m = np.asarray(matrix, dtype=float)
        if m.shape != (self.n, self.n):
            return False
        J = symplectic_form(self.n).astype(float)
        return bool(np.allclose(m.T @ J @ m, J, atol=atol))


#: Short alias: ``Sp(4)`` is ``SymplecticGroup(4)``.
Sp = SymplecticGroup
