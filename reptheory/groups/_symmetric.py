"""The symmetric group S_n acting on R^n by permuting coordinates."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import InvalidParameterError
from ._base import Group, as_rng

__all__ = ["S", "SymmetricGroup", "permutation_matrix"]


def permutation_matrix(perm: Sequence[int]) -> np.ndarray:
    """The matrix P with P e_i = e_{perm[i]} (so (P x)[perm[i]] = x[i]).

    Examples
    --------
    >>> permutation_matrix([1, 2, 0]) @ [1.0, 0.0, 0.0]
    array([0., 1., 0.])
    """
    perm = [int(p) for p in perm]
    n = len(perm)
    if sorted(perm) != list(range(n)):
        raise InvalidParameterError(f"perm must be a permutation of 0..{n - 1}, got {perm}")
    m = np.zeros((n, n))
    m[perm, np.arange(n)] = 1.0
    return m


class SymmetricGroup(Group):
    """The symmetric group S_n, acting on R^n by sigma . e_i = e_{sigma(i)}.

    Elements may be given as permutations (sequences of 0..n-1) or as permutation matrices.

    Examples
    --------
    >>> G = SymmetricGroup(3)
    >>> G
    S(3)
    >>> G.defining_matrix([1, 0, 2]).astype(int)
    array([[0, 1, 0],
           [1, 0, 0],
           [0, 0, 1]])
    >>> len(G.generators())
    2
    """

    symbol = "S"
    is_finite = True
    __slots__ = ()

    @property
    def order(self) -> int:
        """``|S_n|`` = n!."""
        import math

        return math.factorial(self.n)

    def defining_matrix(self, element) -> np.ndarray:
        arr = np.asarray(element)
        if arr.ndim == 1:
            if arr.shape[0] != self.n:
                raise InvalidParameterError(
                    f"element must be a permutation of 0..{self.n - 1} (length {self.n}), "
                    f"got length {arr.shape[0]}"
                )
            return permutation_matrix(arr)
        return super().defining_matrix(element)

    def random_element(self, rng=None) -> np.ndarray:
        """A uniformly random permutation matrix."""
        return permutation_matrix(as_rng(rng).permutation(self.n))

    def random_permutation(self, rng=None) -> tuple[int, ...]:
        """A uniformly random permutation as a tuple of 0..n-1."""
        return tuple(int(i) for i in as_rng(rng).permutation(self.n))

    def generators(self) -> list[np.ndarray]:
        """The transposition (0 1) and the n-cycle (0 1 ... n-1) (just the identity for n = 1)."""
        n = self.n
        if n == 1:
            return [np.eye(1)]
        swap = list(range(n))
        swap[0], swap[1] = 1, 0
        cycle = [(i + 1) % n for i in range(n)]
        return [permutation_matrix(swap), permutation_matrix(cycle)]

    def contains(self, matrix, atol: float = 1e-9) -> bool:
        m = np.asarray(matrix, dtype=float)
        if m.shape != (self.n, self.n):
            return False
        rounded = np.round(m)
        if not np.allclose(m, rounded, atol=atol):
            return False
        return bool(
            np.all((rounded == 0) | (rounded == 1))
            and np.all(rounded.sum(axis=0) == 1)
            and np.all(rounded.sum(axis=1) == 1)
        )


#: Short alias: ``S(5)`` is ``SymmetricGroup(5)``.
S = SymmetricGroup
