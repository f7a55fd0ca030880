"""The symmetric group S_n acting on R^n by permuting coordinates."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._validate import check_int
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

    ``S()`` (no n) is the symmetric group *of any size*: the family {S_n : n >= 1} acting on
    sets and graphs with any number of nodes. Its layer basis (:func:`reptheory.layer_basis`)
    is the set of all (k, l) partition diagrams, which does not depend on n; applied at size n
    it spans Hom_{S_n} and is a basis exactly when n >= k + l (for n < k + l the maps stay
    equivariant but some are linearly dependent). Everything that needs a size (elements,
    generators, matrices) asks for ``S().at(n)``, which is ``S(n)``.

    Only S has a size-free form: the A_n basis has jellyfish elements built from the
    Levi-Civita symbol of R^n, and for O(n), SO(n) and Sp(n) n is the dimension of the
    feature space itself, so ``A()``, ``O()``, ``SO()`` and ``Sp()`` raise
    :class:`~reptheory.errors.InvalidParameterError`.

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
    >>> S(), S().n is None, S().at(4) == S(4), S() == S()
    (S(), True, True, True)
    """

    symbol = "S"
    is_finite = True
    __slots__ = ()

    def __init__(self, n: int | None = None) -> None:
        if n is None:
            object.__setattr__(self, "_n", None)
        else:
            super().__init__(n)

    @property
    def n(self) -> int | None:  # type: ignore[override]
        """Size n, or None for the size-free ``S()``."""
        return self._n

    @property
    def is_size_free(self) -> bool:
        """True for ``S()`` (any n), False for ``S(n)``."""
        return self._n is None

    def at(self, n: int) -> SymmetricGroup:
        """The group S(n) of a given size (``S(n).at(n)`` is itself; another n is an error).

        Examples
        --------
        >>> S().at(5)
        S(5)
        """
        n = check_int("n", n, minimum=1)
        if self._n is not None and self._n != n:
            raise InvalidParameterError(f"n must be {self._n} for {self!r}, got {n}")
        return SymmetricGroup(n)

    def _sized(self, what: str) -> int:
        if self._n is None:
            raise InvalidParameterError(
                f"S() has no fixed size, so it has no {what}; use S().at(n) (that is, S(n))")
        return self._n

    @property
    def dimension(self) -> int:
        return self._sized("dimension")

    @property
    def order(self) -> int:
        """``|S_n|`` = n!."""
        import math

        return math.factorial(self._sized("order"))

    def defining_matrix(self, element) -> np.ndarray:
        self._sized("defining matrix")
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
        self._sized("random element")
        return permutation_matrix(as_rng(rng).permutation(self.n))

    def random_permutation(self, rng=None) -> tuple[int, ...]:
        """A uniformly random permutation as a tuple of 0..n-1."""
        self._sized("random element")
        return tuple(int(i) for i in as_rng(rng).permutation(self.n))

    def generators(self) -> list[np.ndarray]:
        """The transposition (0 1) and the n-cycle (0 1 ... n-1) (just the identity for n = 1)."""
        n = self._sized("generators")
        if n == 1:
            return [np.eye(1)]
        swap = list(range(n))
        swap[0], swap[1] = 1, 0
        cycle = [(i + 1) % n for i in range(n)]
        return [permutation_matrix(swap), permutation_matrix(cycle)]

    def contains(self, matrix, atol: float = 1e-9) -> bool:
        """Whether ``matrix`` is a permutation matrix (of any size for ``S()``)."""
        m = np.asarray(matrix, dtype=float)
        if m.ndim != 2 or m.shape[0] != m.shape[1] or (self._n is not None and m.shape[0] != self._n):
            return False
        rounded = np.round(m)
        if not np.allclose(m, rounded, atol=atol):
            return False
        return bool(
            np.all((rounded == 0) | (rounded == 1))
            and np.all(rounded.sum(axis=0) == 1)
            and np.all(rounded.sum(axis=1) == 1)
        )


#: Short alias: ``S(5)`` is ``SymmetricGroup(5)``; ``S()`` is the symmetric group of any size.
S = SymmetricGroup
