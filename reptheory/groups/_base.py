"""The common base of every group reptheory knows.

A group is a value object (immutable, hashable, equal by value) that knows its *defining
representation*: the matrices by which it acts on R^n.  That is all the tests need to check
equivariance numerically, and all the layer machinery needs to know which combinatorics apply.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from .._validate import check_dense_size, check_int

__all__ = ["Group", "tensor_power"]


class Group(ABC):
    """A matrix group acting on R^n through its defining representation.

    Subclasses set :attr:`symbol` (the short name used on the command line, e.g. ``"S"``) and
    implement :meth:`random_element` and :meth:`generators` (finite groups) or
    :meth:`lie_algebra_basis` (connected Lie groups).

    Parameters
    ----------
    n : int
        Dimension of the defining representation R^n.
    """

    #: Short name used on the command line and in reprs (``"S"``, ``"O"``, ...).
    symbol: str = "G"
    #: True for finite groups (generators determine the group).
    is_finite: bool = True
    #: Smallest allowed n.
    min_n: int = 1
    #: Why the group needs a fixed n (said when n is omitted; only ``S()`` is size-free).
    _needs_n_because: str = "its equivariant layer bases depend on n"

    __slots__ = ("_n",)

    def __init__(self, n: int | None = None) -> None:
        self._n = self._check_n(n)

    @classmethod
    def _check_n(cls, n: object) -> int:
        """``n`` as an int >= min_n; a clear error when it is omitted."""
        if n is None:
            from ..errors import InvalidParameterError

            raise InvalidParameterError(
                f"n is required for {cls.symbol}(n) ({cls._needs_n_because}); only the symmetric "
                f"group S() is defined for every size")
        return check_int("n", n, minimum=cls.min_n)

    # -- value-object protocol -------------------------------------------------------------
    @property
    def n(self) -> int:
        """Dimension of the defining representation."""
        return self._n

    def _key(self) -> tuple[Any, ...]:
        return (type(self).__name__, self._n)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Group) and type(other) is type(self) and other._key() == self._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"{self.symbol}({'' if self._n is None else self._n})"

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(self, "_n"):
            raise AttributeError(f"{type(self).__name__} is immutable")
        object.__setattr__(self, name, value)

    def __reduce__(self):  # pickling despite __setattr__
        return (type(self), (self._n,))

    # -- the defining representation --------------------------------------------------------
    @property
    def dimension(self) -> int:
        """Dimension of the space acted on (= n)."""
        return self._n

    def defining_matrix(self, element: Any) -> np.ndarray:
        """The n x n matrix of ``element`` in the defining representation.

        The base implementation accepts an n x n matrix and returns it as a float array;
        subclasses accept their own element descriptions too (permutations for S_n).
        """
        m = np.asarray(element, dtype=float)
        if m.shape != (self._n, self._n):
            from ..errors import ShapeError

            raise ShapeError(f"element must be a ({self._n}, {self._n}) matrix, got shape {m.shape}")
        return m

    @abstractmethod
    def random_element(self, rng: np.random.Generator | int | None = None) -> np.ndarray:
        """A random element as its n x n defining matrix (Haar or uniform where possible)."""

    def generators(self) -> list[np.ndarray]:
        """Matrices of a generating set (finite groups; empty for connected Lie groups)."""
        return []

    def lie_algebra_basis(self) -> list[np.ndarray]:
        """Matrices spanning the Lie algebra (connected Lie groups; empty for finite groups)."""
        return []

    def contains(self, matrix: np.ndarray, atol: float = 1e-9) -> bool:
        """Whether ``matrix`` lies in the group (numerically, to ``atol``)."""
        raise NotImplementedError

    def tensor_power(self, g: np.ndarray, p: int) -> np.ndarray:
        """The matrix of g acting on (R^n)^{⊗p}: the p-fold Kronecker power (n^p x n^p).

        ``g`` must be an n x n matrix (:class:`~reptheory.errors.ShapeError` otherwise).

        Examples
        --------
        >>> import numpy as np, reptheory as rt
        >>> rt.O(3).tensor_power(np.eye(3), 2).shape
        (9, 9)
        """
        g = np.asarray(g)
        if g.shape != (self._n, self._n):
            from ..errors import ShapeError

            raise ShapeError(f"g must be a ({self._n}, {self._n}) matrix for {self!r}, got shape {g.shape}")
        return tensor_power(g, p)


def tensor_power(g: np.ndarray, p: int) -> np.ndarray:
    """p-fold Kronecker power of a square matrix (p = 0 gives the 1 x 1 identity).

    Examples
    --------
    >>> import numpy as np
    >>> tensor_power(np.eye(2), 3).shape
    (8, 8)
    >>> tensor_power(np.ones((3, 2)), 2)
    Traceback (most recent call last):
    ...
    reptheory.errors.ShapeError: g must be a square matrix, got shape (3, 2)
    """
    p = check_int("p", p, minimum=0)
    g = np.asarray(g)
    if g.ndim != 2 or g.shape[0] != g.shape[1]:
        from ..errors import ShapeError

        raise ShapeError(f"g must be a square matrix, got shape {g.shape}")
    check_dense_size(f"the {p}-fold Kronecker power of a {g.shape[0]} x {g.shape[0]} matrix",
                     g.shape[0] ** (2 * p))
    out = np.ones((1, 1), dtype=g.dtype)
    for _ in range(p):
        out = np.kron(out, g)
    return out


def as_rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    """Turn ``None``, a seed or a Generator into a numpy Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)
