"""The size-free layer basis of ``S()``: partition diagrams applied at whatever n the input has."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .._validate import check_int
from ..errors import InvalidParameterError
from ._basis import LayerBasis
from ._spec import LayerSpec

__all__ = ["SizeFreeLayerBasis"]


@lru_cache(maxsize=256)
def _spanning_at(n: int, k: int, l: int) -> LayerBasis:
    from ..groups import SymmetricGroup
    from ._registry import spanning_set

    return spanning_set(SymmetricGroup(n), k, l)


class SizeFreeLayerBasis(LayerBasis):
    """All (k, l) partition diagrams, as a layer basis of ``S()`` (the symmetric group of any n).

    The diagram D_pi is defined for every n, so one set of weights defines an S_n-equivariant
    layer for every n at once. At size n the diagrams span Hom_{S_n}((R^n)^{⊗k}, (R^n)^{⊗l});
    they are a basis exactly when n >= k + l (``dimension`` is the Bell number B(k+l), the
    dimension for those n). For n < k + l every map is still equivariant, but some diagrams
    are linear combinations of others (the layer has fewer free parameters than weights).

    Anything numeric needs a size: :meth:`at` gives the S(n) spanning set (a
    :class:`LayerBasis` with matrices and a :class:`LayerSpec`), and :meth:`apply` takes n from
    its input.

    Examples
    --------
    >>> import numpy as np, reptheory as rt
    >>> B = rt.layer_basis(rt.S(), 1, 1)
    >>> B
    LayerBasis(S(), k=1, l=1, kind='diagram': 2 elements, basis for n >= 2, dimension 2)
    >>> B.apply(np.array([[[1.0, 1.0]]]), np.array([[[1.0, 2.0, 3.0]]]))      # x + sum(x)
    array([[[7., 8., 9.]]])
    >>> B.apply(np.array([[[1.0, 1.0]]]), np.array([[[1.0, 2.0]]]))
    array([[[4., 5.]]])
    >>> B.at(3).matrices()[1].toarray().astype(int).tolist()
    [[1, 1, 1], [1, 1, 1], [1, 1, 1]]
    """

    def __init__(self, group, k: int, l: int, elements, operations_spec: LayerSpec) -> None:
        super().__init__(group, k, l, "diagram", elements, operations_spec,
                         dimension=len(elements), is_basis=True)

    def __repr__(self) -> str:
        return (f"LayerBasis({self._group!r}, k={self._k}, l={self._l}, kind={self._kind!r}: "
                f"{len(self)} elements, basis for n >= {self._k + self._l}, "
                f"dimension {self._dimension})")

    @property
    def n(self) -> None:  # type: ignore[override]
        """None: the basis is defined for every n."""
        return None

    @property
    def spec(self) -> LayerSpec:
        """Not defined: a :class:`LayerSpec` has a size. Use :meth:`spec_at` (its operations and
        coefficients are the same for every n)."""
        raise InvalidParameterError(
            "S() layers have no fixed size, so they have no single LayerSpec (code generation and "
            "JSON export need one): use basis.spec_at(n), or the group S(n)")

    def spec_at(self, n: int) -> LayerSpec:
        """The :class:`LayerSpec` of these diagrams for S(n) (cached per n).

        Examples
        --------
        >>> import reptheory as rt
        >>> rt.layer_basis(rt.S(), 1, 1).spec_at(7).n
        7
        """
        return self.at(n).spec

    def at(self, n: int, require_basis: bool = False) -> LayerBasis:
        """The same diagrams for S(n): the spanning set, a basis iff n >= k + l.

        With ``require_basis=True``, n < k + l raises :class:`InvalidParameterError` (the
        diagrams are then linearly dependent).

        Examples
        --------
        >>> import reptheory as rt
        >>> B = rt.layer_basis(rt.S(), 2, 2)
        >>> B.at(2).is_basis, B.at(4).is_basis, len(B.at(2)) == len(B)
        (False, True, True)
        """
        n = check_int("n", n, minimum=1)
        if require_basis and n < self._k + self._l:
            raise InvalidParameterError(
                f"n must be >= k + l = {self._k + self._l} for the {len(self)} ({self._k}, "
                f"{self._l}) diagrams to be a basis of S(n)-equivariant maps, got n = {n}")
        return _spanning_at(n, self._k, self._l)

    def _needs_n(self, what: str):
        raise InvalidParameterError(
            f"S() layers have no fixed size, so {what} needs one: use basis.at(n).{what}(...)")

    def matrices(self, max_entries: int | None = None) -> list:
        self._needs_n("matrices")

    def dense_matrices(self, max_entries: int | None = None):
        self._needs_n("dense_matrices")

    def sharing_pattern(self, max_entries: int | None = None):
        self._needs_n("sharing_pattern")

    def layer_matrix(self, weights: Any, max_entries: int | None = None, **kwargs: Any):
        self._needs_n("layer_matrix")

    def apply(self, weights: Any, x: Any, backend: str = "numpy", n: int | None = None,
              **kwargs: Any):
        """Apply the layer at the size n of the input (trailing axes of x).

        Parameters
        ----------
        weights : array of shape (c_out, c_in, len(self))
        x : array of shape (batch, c_in, n, ..., n) with k trailing axes of one size n
        backend : str
            Any backend of :mod:`reptheory.kernels`.
        n : int, optional
            Required when k = 0 (x has no node axis); otherwise it must match x.
        **kwargs
            Passed to the backend.
        """
        from ..kernels import get_backend

        shape = tuple(getattr(x, "shape", ()))
        if self._k > 0:
            if len(shape) != 2 + self._k:
                from ..errors import ShapeError

                raise ShapeError("x must have shape (batch, c_in" + ", n" * self._k
                                 + f") with k={self._k} node axes, got {shape}")
            nx = int(shape[-1])
            if n is not None and check_int("n", n, minimum=1) != nx:
                raise InvalidParameterError(f"n must match x's node axes ({nx}), got {n}")
            n = nx
        elif n is None:
            raise InvalidParameterError("n is required to apply an S() layer with k=0 "
                                        "(the input has no node axis to take it from)")
        return get_backend(backend)(self.spec_at(n), weights, x, **kwargs)

    def to_json(self, indent: int | None = 1) -> str:
        return self._needs_n("to_json")
