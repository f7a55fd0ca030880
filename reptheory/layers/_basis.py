"""The :class:`LayerBasis` returned by :func:`~reptheory.layers.layer_basis`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .._validate import check_dense_size
from ..groups import Group
from ._spec import LayerSpec

__all__ = ["LayerBasis"]


class LayerBasis(Sequence):
    """A basis (or marked spanning set) of Hom_G((R^n)^{⊗k}, (R^n)^{⊗l}).

    Parameters
    ----------
    group : Group
    k, l : int
    kind : str
        The kind of basis (``"diagram"``, ``"orbit"``, ...).
    elements : sequence
        The index objects (diagrams) in basis order.
    spec : LayerSpec
        How to compute every element.
    dimension : int
        The exact dimension of the space of equivariant maps.
    is_basis : bool
        False when the elements are only a (linearly dependent) spanning set.

    Examples
    --------
    >>> import reptheory as rt
    >>> B = rt.layer_basis(rt.S(4), 1, 1)
    >>> len(B), B.dimension, B.is_basis
    (2, 2, True)
    >>> [m.toarray().astype(int).tolist() for m in rt.layer_basis(rt.S(2), 1, 1).matrices()]
    [[[1, 0], [0, 1]], [[1, 1], [1, 1]]]
    """

    def __init__(self, group: Group, k: int, l: int, kind: str, elements: Sequence[Any],
                 spec: LayerSpec, dimension: int, is_basis: bool = True) -> None:
        self._group = group
        self._k = k
        self._l = l
        self._kind = kind
        self._elements = tuple(elements)
        self._spec = spec
        self._dimension = int(dimension)
        self._is_basis = bool(is_basis)

    # -- sequence protocol ------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._elements)

    def __getitem__(self, i):  # type: ignore[override]
        return self._elements[i]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._elements)

    def __repr__(self) -> str:
        what = "basis" if self._is_basis else "spanning set (linearly dependent)"
        return (f"LayerBasis({self._group!r}, k={self._k}, l={self._l}, kind={self._kind!r}: "
                f"{len(self)} elements, {what}, dimension {self._dimension})")

    # -- data -------------------------------------------------------------------------------
    @property
    def group(self) -> Group:
        return self._group

    @property
    def n(self) -> int:
        return self._group.n

    @property
    def k(self) -> int:
        return self._k

    @property
    def l(self) -> int:
        return self._l

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def elements(self) -> tuple[Any, ...]:
        """The index objects (diagrams), in basis order."""
        return self._elements

    @property
    def spec(self) -> LayerSpec:
        """The :class:`LayerSpec` (intermediate form) of this basis."""
        return self._spec

    @property
    def dimension(self) -> int:
        """Exact dimension of the space of equivariant maps (= len(self) for a basis)."""
        return self._dimension

    @property
    def is_basis(self) -> bool:
        """True if the elements are linearly independent (a basis), False for a spanning set."""
        return self._is_basis

    # -- matrices and application -------------------------------------------------------------
    def matrices(self, max_entries: int | None = None) -> list:
        """The basis matrices as scipy CSR matrices of shape (n**l, n**k).

        Raises :class:`~reptheory.errors.SizeLimitError` if a matrix's index space
        n**(k+l) exceeds the dense budget (``max_entries`` or ``REPTHEORY_MAX_DENSE_ENTRIES``).
        """
        from ..kernels import spec_matrices

        n = self.n
        check_dense_size(f"a basis matrix of shape ({n}**{self._l}, {n}**{self._k})",
                         n ** (self._k + self._l), max_entries,
                         hint="use LayerBasis.apply(), which never forms the matrix")
        return spec_matrices(self._spec, max_entries)

    def dense_matrices(self, max_entries: int | None = None) -> np.ndarray:
        """All basis matrices stacked densely, shape (len, n**l, n**k) (guarded)."""
        n = self.n
        check_dense_size("the stacked dense basis matrices", len(self) * n ** (self._k + self._l),
                         max_entries, hint="use matrices() (sparse) or apply()")
        return np.stack([m.toarray() for m in self.matrices(max_entries)]) if len(self) else \
            np.zeros((0, n**self._l, n**self._k))

    def sharing_pattern(self, max_entries: int | None = None):
        """The exact weight-sharing pattern (row, column, parameter, coefficient per entry).

        Returns
        -------
        reptheory.kernels.SharingPattern
            Sorted sparse entries; ``is_partition()`` is True for orbit bases (every nonzero
            entry belongs to one parameter with coefficient 1).

        Raises
        ------
        SizeLimitError
            If n**(k+l) exceeds the dense budget.

        Examples
        --------
        >>> import reptheory as rt
        >>> p = rt.layer_basis(rt.S(3), 1, 1, kind="orbit").sharing_pattern()
        >>> len(p), p.is_partition()
        (9, True)
        """
        from ..kernels import sharing_pattern

        return sharing_pattern(self._spec, max_entries)

    def layer_matrix(self, weights: Any, max_entries: int | None = None, *,
                     backend: str = "numpy", sparse: bool | None = None):
        """The layer matrix from weights, by a gather over :meth:`sharing_pattern`.

        Parameters
        ----------
        weights : array of shape (len(self),) or (c_out, c_in, len(self))
            A torch tensor with ``backend="torch"`` (differentiable), a CuPy array with "cupy".
        max_entries : int, optional
            Dense budget override.
        backend : str
            Any registered backend (:func:`reptheory.kernels.backend_names`): ``"numpy"``,
            ``"numpy-plan"``, ``"numba"``, ``"torch"``, ``"cupy"``, ...
        sparse : bool, optional
            scipy CSR (default for numpy) or a dense array (default for the others; numba
            builds dense only).

        Returns
        -------
        Matrix of shape (n**l, n**k), or (c_out * n**l, c_in * n**k) for channel weights, so
        that ``y.reshape(batch, -1) = x.reshape(batch, -1) @ M.T``.

        Examples
        --------
        >>> import numpy as np, reptheory as rt
        >>> B = rt.layer_basis(rt.S(2), 1, 1)
        >>> B.layer_matrix(np.array([1.0, 2.0]), sparse=False)
        array([[3., 2.],
               [2., 3.]])
        """
        from ..kernels import layer_matrix

        return layer_matrix(self._spec, weights, backend, sparse=sparse, max_entries=max_entries)

    def apply(self, weights: np.ndarray, x: Any, backend: str = "numpy", **kwargs: Any):
        """Apply the layer sum_b weights[:, :, b] B_b to x without forming a matrix.

        Parameters
        ----------
        weights : array of shape (c_out, c_in, len(self))
        x : array of shape (batch, c_in, n, ..., n) with k trailing axes
        backend : str
            ``"numpy"`` (reference), ``"numpy-plan"``, ``"numba"``, ``"torch"``, ``"cupy"``
            (see :mod:`reptheory.kernels`).
        **kwargs
            Passed to the backend (``share=False`` disables sharing between operations;
            ``device=`` for torch).

        Returns
        -------
        array of shape (batch, c_out, n, ..., n) with l trailing axes

        Examples
        --------
        >>> import numpy as np, reptheory as rt
        >>> B = rt.layer_basis(rt.S(3), 1, 1)          # identity and all-ones
        >>> x = np.array([[[1.0, 2.0, 3.0]]])          # batch 1, one channel
        >>> B.apply(np.array([[[1.0, 0.0]]]), x)
        array([[[1., 2., 3.]]])
        >>> B.apply(np.array([[[0.0, 1.0]]]), x)
        array([[[6., 6., 6.]]])
        """
        from ..kernels import apply_layer

        return apply_layer(self._spec, weights, x, backend, **kwargs)

    def to_json(self, indent: int | None = 1) -> str:
        """The LayerSpec as JSON."""
        return self._spec.to_json(indent=indent)

    def draw(self, ncols: int = 6):
        """Draw every element (diagrams) in a grid; returns the matplotlib Figure."""
        from ..diagrams import draw_diagrams

        return draw_diagrams(self._elements, ncols=ncols,
                             titles=[f"{i}" for i in range(len(self))])
