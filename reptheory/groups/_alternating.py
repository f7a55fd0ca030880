"""The alternating group A_n acting on R^n by permuting coordinates (even permutations)."""

from __future__ import annotations

import math

import numpy as np

from ..errors import InvalidParameterError
from ._base import Group, as_rng
from ._symmetric import permutation_matrix

__all__ = ["A", "AlternatingGroup", "permutation_sign"]


def permutation_sign(perm) -> int:
    """The sign (+1 or -1) of a permutation of 0..n-1 (by counting cycles).

    Examples
    --------
    >>> permutation_sign([1, 2, 0]), permutation_sign([1, 0, 2])
    (1, -1)
    """
    perm = list(perm)
    seen = [False] * len(perm)
    sign = 1
    for i in range(len(perm)):
        if not seen[i]:
            j, length = i, 0
            while not seen[j]:
                seen[j] = True
                j = perm[j]
                length += 1
            if length % 2 == 0:
                sign = -sign
    return sign


class AlternatingGroup(Group):
    """The alternating group A_n (even permutations), acting on R^n by sigma . e_i = e_{sigma(i)}.

    A_1 and A_2 are trivial groups (accepted; every linear map is then equivariant).
    Elements may be given as even permutations or as their permutation matrices. This is not a
    subclass of :class:`~reptheory.groups.SymmetricGroup` (it is a subgroup, not an S_n).

    Examples
    --------
    >>> G = AlternatingGroup(4)
    >>> G, G.order
    (A(4), 12)
    >>> len(G.generators())
    2
    """

    symbol = "A"
    is_finite = True
    _needs_n_because = ("its jellyfish basis elements involve the Levi-Civita symbol of R^n, so "
                        "the basis depends on n")
    __slots__ = ()

    @property
    def order(self) -> int:
        """``|A_n|`` = n!/2 (1 for n <= 2)."""
        return max(1, math.factorial(self.n) // 2)

    def defining_matrix(self, element) -> np.ndarray:
        arr = np.asarray(element)
        if arr.ndim == 1:
            if arr.shape[0] != self.n:
                raise InvalidParameterError(
                    f"element must be an even permutation of 0..{self.n - 1}, got length {arr.shape[0]}")
            m = permutation_matrix(arr)
            if permutation_sign(arr.tolist()) != 1:
                raise InvalidParameterError(f"element must be an even permutation, got {arr.tolist()}")
            return m
        return super().defining_matrix(element)

    def random_permutation(self, rng=None) -> tuple[int, ...]:
        """A uniformly random even permutation."""
        p = [int(i) for i in as_rng(rng).permutation(self.n)]
        if self.n >= 2 and permutation_sign(p) == -1:
            p[0], p[1] = p[1], p[0]
        return tuple(p)

    def random_element(self, rng=None) -> np.ndarray:
        """A uniformly random even permutation matrix."""
        return permutation_matrix(self.random_permutation(rng))

    def generators(self) -> list[np.ndarray]:
        """The 3-cycles (0 1 2) and (0 1 ... n-1) or (1 2 ... n-1) (whichever is even).

        Just the identity for the trivial groups A_1, A_2, and (0 1 2) for A_3.
        """
        n = self.n
        if n <= 2:
            return [np.eye(n)]
        c3 = list(range(n))
        c3[0], c3[1], c3[2] = 1, 2, 0
        if n == 3:
            return [permutation_matrix(c3)]
        if n % 2:
            cyc = [(i + 1) % n for i in range(n)]
        else:
            cyc = [0] + [1 + (i % (n - 1)) for i in range(1, n)]
        return [permutation_matrix(c3), permutation_matrix(cyc)]

    def contains(self, matrix, atol: float = 1e-9) -> bool:
        m = np.asarray(matrix, dtype=float)
        if m.shape != (self.n, self.n):
            return False
        r = np.round(m)
        if not (np.allclose(m, r, atol=atol) and np.all((r == 0) | (r == 1))
                and np.all(r.sum(0) == 1) and np.all(r.sum(1) == 1)):
            return False
        perm = [int(np.argmax(r[:, j])) for j in range(self.n)]
        return permutation_sign(perm) == 1


#: Short alias: ``A(5)`` is ``AlternatingGroup(5)``.
A = AlternatingGroup
