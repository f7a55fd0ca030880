"""Equivariant polynomials on graphs: the multigraph basis of Puny et al. (ICML 2023).

Every S_n-equivariant polynomial of graph data X in R^{n x n} (``X -> P X P^T``) is a linear
combination of the polynomials P_H indexed by multigraphs H with marked output vertices,

    P_H(X)[a, b] = sum over all maps phi: V(H) -> [n] fixing the marks of
                   prod over edges (r, s) of X[phi(r), phi(s)],

evaluated as tensor contractions.  This subpackage enumerates them (one per isomorphism
class), evaluates them with an optimised contraction order, picks independent subsets for small
``n`` and decides which of them a GNN built from given primitive operations can compute.
The torch path (:class:`PolynomialFeatures`, ``evaluate_torch``, ``evaluate_basis_torch``) is
importable from here too; it imports torch on first access, never with the subpackage.

Examples
--------
>>> from reptheory.polynomials import polynomial_basis
>>> [len(polynomial_basis(d, "edge")) for d in range(3)]
[2, 15, 117]
"""

from ._basis import (
    DEFAULT_MAX_ELEMENTS,
    PolynomialBasis,
    basis_count,
    basis_dimension,
    iter_polynomial_basis,
    polynomial_basis,
    with_node_features,
)
from ._expressivity import (
    MODELS,
    PRIMITIVES,
    ContractionModel,
    contraction_sequence,
    expressive_degree,
    expressivity_table,
    is_computable,
    missing_features,
)
from ._independence import independent_subset, rank_mod_p
from ._polynomial import Polynomial, evaluate_basis

__all__ = [
    "DEFAULT_MAX_ELEMENTS",
    "MODELS",
    "PRIMITIVES",
    "ContractionModel",
    "Polynomial",
    "PolynomialBasis",
    "basis_count",
    "basis_dimension",
    "contraction_sequence",
    "evaluate_basis",
    "expressive_degree",
    "expressivity_table",
    "independent_subset",
    "is_computable",
    "iter_polynomial_basis",
    "missing_features",
    "polynomial_basis",
    "rank_mod_p",
    "with_node_features",
]

#: Torch names, imported from ``._torch_layers`` (which imports torch) on first access.
_TORCH_NAMES = ("PolynomialFeatures", "evaluate_basis_torch", "evaluate_torch")


def __getattr__(name: str):
    if name in _TORCH_NAMES:
        from . import _torch_layers

        return getattr(_torch_layers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
