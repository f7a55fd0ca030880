"""Equivariant layer bases, exact dimensions, and the intermediate form :class:`LayerSpec`."""

from ._basis import LayerBasis
from ._dimension import mckay_quiver, sn_hom_dimension_mckay, sn_hom_dimension_stirling
from ._size_free import SizeFreeLayerBasis
from ._registry import hom_dimension, layer_basis, register_layer_family, spanning_set
from ._spec import SPEC_FORMAT_VERSION, ConstantTensor, LayerSpec, Operation, canonical_operations
from ._symmetric import change_of_basis, coarsenings, diagram_operation

__all__ = [
    "LayerBasis",
    "LayerSpec",
    "SizeFreeLayerBasis",
    "Operation",
    "ConstantTensor",
    "SPEC_FORMAT_VERSION",
    "canonical_operations",
    "layer_basis",
    "spanning_set",
    "hom_dimension",
    "register_layer_family",
    "change_of_basis",
    "coarsenings",
    "diagram_operation",
    "sn_hom_dimension_stirling",
    "sn_hom_dimension_mckay",
    "mckay_quiver",
]

# O(n), SO(n), Sp(n), A_n layer families (area "brauer"); importing registers them
from ._brauer_family import (
    brauer_gram,
    brauer_operation,
    levi_civita_constant,
    levi_civita_gram,
    levi_civita_operation,
    orthogonal_hom_dimension,
    special_orthogonal_hom_dimension,
    symplectic_constant,
    symplectic_hom_dimension,
)
from ._exact_rank import exact_rank, independent_columns

__all__ += [
    "brauer_gram",
    "brauer_operation",
    "exact_rank",
    "independent_columns",
    "levi_civita_constant",
    "levi_civita_gram",
    "levi_civita_operation",
    "orthogonal_hom_dimension",
    "special_orthogonal_hom_dimension",
    "symplectic_constant",
    "symplectic_hom_dimension",
]
from ._alternating import alternating_hom_dimension, jellyfish_operation

__all__ += [
    "alternating_hom_dimension",
    "jellyfish_operation",
]
from ._dimension_methods import alternating_burnside, hom_dimension_methods

__all__ += [
    "alternating_burnside",
    "hom_dimension_methods",
]
from ._rep import TensorRep

__all__ += ["TensorRep"]
