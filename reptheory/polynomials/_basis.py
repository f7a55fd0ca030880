"""Public enumeration API: :func:`polynomial_basis`, :func:`iter_polynomial_basis`, counts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from .._validate import check_int
from ..errors import InvalidParameterError, ReptheoryTypeError, SizeLimitError
from ._enumerate import (
    check_degree,
    check_output,
    count_component_sets,
    iter_component_sets,
    progress_wrapper,
)
from ._polynomial import Polynomial, as_batch, evaluate_basis

__all__ = [
    "DEFAULT_MAX_ELEMENTS",
    "PolynomialBasis",
    "basis_count",
    "basis_dimension",
    "iter_polynomial_basis",
    "polynomial_basis",
    "with_node_features",
]

#: Largest basis :func:`polynomial_basis` builds unless ``max_elements=`` says otherwise.
DEFAULT_MAX_ELEMENTS = 10**6


def _check_common(degree, output, symmetric, exact_degree, n, max_degree):
    output = check_output(output)
    d = check_degree(degree, max_degree)
    if not isinstance(symmetric, (bool, np.bool_)):
        raise ReptheoryTypeError(f"symmetric must be True or False, got {symmetric!r}")
    if not isinstance(exact_degree, (bool, np.bool_)):
        raise ReptheoryTypeError(f"exact_degree must be True or False, got {exact_degree!r}")
    if n is not None:
        n = check_int("n", n, minimum=1)
    degrees = [d] if exact_degree else list(range(d + 1))
    return output, d, bool(symmetric), degrees, n


def basis_count(
    degree: int,
    output: str = "invariant",
    symmetric: bool = False,
    exact_degree: bool = True,
    max_degree: int | None = None,
) -> int:
    """Number of basis polynomials (isomorphism classes), computed without listing them.

    This is the dimension of the space of equivariant polynomials once ``n`` is at least the
    number of vertices of the largest multigraph (``2 * degree + 2`` for edge-valued ones).

    Examples
    --------
    >>> [basis_count(d, "edge") for d in range(4)]
    [2, 15, 117, 877]
    >>> basis_count(3, "node", symmetric=True, exact_degree=False)
    91
    """
    output, _, symmetric, degrees, _ = _check_common(degree, output, symmetric, True, None, max_degree)
    if not exact_degree:
        degrees = list(range(degrees[0] + 1))
    return sum(count_component_sets(k, output, symmetric) for k in degrees)


def iter_polynomial_basis(
    degree: int,
    output: str = "invariant",
    symmetric: bool = False,
    exact_degree: bool = True,
    n: int | None = None,
    *,
    max_degree: int | None = None,
    progress: bool | None = None,
) -> Iterator[Polynomial]:
    """Iterate over the basis polynomials, one per isomorphism class (lazy).

    Parameters are as in :func:`polynomial_basis`; ``n`` keeps the elements with at most ``n``
    vertices (an independent set for that ``n``).  ``progress=None`` shows a tqdm bar for long
    runs when stderr is a terminal; ``True`` asks for one (still only on a terminal).

    Examples
    --------
    >>> next(iter_polynomial_basis(1, "edge", symmetric=True)).einsum
    'bb->a'
    """
    output, _, symmetric, degrees, n = _check_common(
        degree, output, symmetric, exact_degree, n, max_degree
    )
    total = sum(count_component_sets(k, output, symmetric) for k in degrees)

    def gen() -> Iterator[Polynomial]:
        for k in degrees:
            for comps in iter_component_sets(k, output, symmetric):
                yield Polynomial(output, symmetric, comps)

    it = progress_wrapper(gen(), total, progress, f"{output} basis, degree {degree}")
    for p in it:
        if n is None or p.num_vertices <= n:
            yield p


class PolynomialBasis(Sequence):
    """An immutable sequence of basis polynomials plus what it is a basis of.

    Attributes
    ----------
    degree, output, symmetric, exact_degree, n
        The arguments of :func:`polynomial_basis`.
    dimension : int
        Dimension of the space spanned (equal to ``len(self)``: the elements are independent).
    """

    def __init__(self, polys, degree, output, symmetric, exact_degree, n):
        self._polys = tuple(polys)
        self.degree = degree
        self.output = output
        self.symmetric = symmetric
        self.exact_degree = exact_degree
        self.n = n

    @property
    def dimension(self) -> int:
        return len(self._polys)

    def __getitem__(self, i):
        return self._polys[i]

    def _params(self) -> tuple:
        return (self.degree, self.output, self.symmetric, self.exact_degree, self.n)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PolynomialBasis):
            return NotImplemented
        return self._params() == other._params() and self._polys == other._polys

    def __hash__(self) -> int:
        return hash((self._params(), self._polys))

    def __len__(self) -> int:
        return len(self._polys)

    def __repr__(self) -> str:
        return (
            f"PolynomialBasis(degree={self.degree}, output={self.output!r}, "
            f"symmetric={self.symmetric}, exact_degree={self.exact_degree}, n={self.n}, "
            f"dimension={self.dimension})"
        )

    def evaluate(self, X, optimize: bool = True) -> np.ndarray:
        """All elements at once, see :func:`evaluate_basis`."""
        return evaluate_basis(self._polys, X, optimize=optimize)


def polynomial_basis(
    degree: int,
    output: str = "invariant",
    symmetric: bool = False,
    exact_degree: bool = True,
    n: int | None = None,
    *,
    method: str = "vertices",
    max_degree: int | None = None,
    max_elements: int | None = None,
    progress: bool | None = None,
) -> PolynomialBasis:
    """The multigraph basis of S_n-equivariant polynomials of graph data X in R^{n x n}.

    Parameters
    ----------
    degree : int
        Degree ``d >= 0``.
    output : {'invariant', 'node', 'edge'}
        ``R^{n x n} -> R``, ``-> R^n`` or ``-> R^{n x n}``.
    symmetric : bool
        X symmetric (undirected multigraphs) or general (directed).
    exact_degree : bool
        Degree exactly ``d`` (default) or all degrees ``0..d``.
    n : int, optional
        Number of nodes.  For small ``n`` the polynomials become linearly dependent; an
        independent spanning subset is returned.  ``method='vertices'`` keeps the multigraphs
        with at most ``n`` vertices (exact: they are unitriangular in the orbit basis of
        injective sums); ``method='rank'`` chooses greedily by exact rank (modulo a prime) of
        integer evaluations, see :func:`independent_subset`.
    max_degree : int, optional
        Raise the default degree limit (6).
    max_elements : int, optional
        Largest basis to build (default 10**6).
    progress : bool, optional
        tqdm progress bar (only when stderr is a terminal).

    Returns
    -------
    PolynomialBasis
        A sequence of :class:`Polynomial`, with ``.dimension``.

    Raises
    ------
    InvalidParameterError
        Negative degree, unknown output or method.
    SizeLimitError
        Degree above ``max_degree`` or more than ``max_elements`` elements.

    Examples
    --------
    >>> basis = polynomial_basis(2, output="invariant", symmetric=True)
    >>> len(basis)
    7
    >>> polynomial_basis(2, "edge", symmetric=True, n=3).dimension
    34
    """
    output, d, symmetric, degrees, n = _check_common(
        degree, output, symmetric, exact_degree, n, max_degree
    )
    if method not in ("vertices", "rank"):
        raise InvalidParameterError(f"method must be 'vertices' or 'rank', got {method!r}")
    limit = DEFAULT_MAX_ELEMENTS if max_elements is None else check_int(
        "max_elements", max_elements, minimum=1
    )
    total = sum(count_component_sets(k, output, symmetric) for k in degrees)
    if total > limit:
        raise SizeLimitError(
            f"the {output} basis of degree {'' if exact_degree else '<= '}{d} has {total} "
            f"elements, over max_elements={limit}; pass a larger max_elements or use "
            f"iter_polynomial_basis"
        )
    polys = list(
        iter_polynomial_basis(
            d, output, symmetric, exact_degree, n if method == "vertices" else None,
            max_degree=max_degree, progress=progress,
        )
    )
    if n is not None and method == "rank":
        from ._independence import independent_subset

        polys = independent_subset(polys, n)
    return PolynomialBasis(polys, d, output, symmetric, bool(exact_degree), n)


def basis_dimension(
    degree: int,
    output: str = "invariant",
    symmetric: bool = False,
    exact_degree: bool = True,
    n: int | None = None,
) -> int:
    """Dimension of the space of equivariant polynomials (for ``n`` nodes if given).

    Examples
    --------
    >>> basis_dimension(2, "edge", symmetric=True), basis_dimension(2, "edge", True, n=2)
    (56, 12)
    """
    if n is None:
        return basis_count(degree, output, symmetric, exact_degree)
    return sum(1 for _ in iter_polynomial_basis(degree, output, symmetric, exact_degree, n))


def with_node_features(X, h) -> np.ndarray:
    """Put node features on the diagonal: ``X + diag(h)`` (batched).

    Parameters
    ----------
    X : array_like, shape (n, n) or (batch, n, n)
    h : array_like, shape (n,) or (batch, n)

    Raises
    ------
    ShapeError
        If the shapes do not match.

    Examples
    --------
    >>> with_node_features(np.zeros((2, 2)), [1.0, 2.0])
    array([[1., 0.],
           [0., 2.]])
    """
    from ..errors import ShapeError

    X3, single = as_batch(X)
    h = np.asarray(h)
    b, nn, _ = X3.shape
    if h.shape not in ((nn,), (b, nn)) or (single and h.ndim != 1):
        raise ShapeError(f"h must have shape ({nn},) or ({b}, {nn}) to match X, got {h.shape}")
    out = np.array(X3, dtype=np.result_type(X3.dtype, h.dtype), copy=True)
    idx = np.arange(nn)
    out[:, idx, idx] += h
    return out[0] if single else out
