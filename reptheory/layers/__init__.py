"""Equivariant layer bases, exact dimensions, and the intermediate form :class:`LayerSpec`.

Exact dimensions: :func:`hom_dimension` (any registered group), :func:`hom_dimension_by_method`
(every independent computation available), and per family ``<family>_hom_dimension(n, k, l)``
(``symmetric``, ``alternating``, ``orthogonal``, ``special_orthogonal``, ``symplectic``) with
independent variants ``<family>_hom_dimension_<method>`` (``symmetric_hom_dimension_mckay``,
``alternating_hom_dimension_burnside``).
"""

from ._basis import LayerBasis
from ._dimension import mckay_quiver, symmetric_hom_dimension, symmetric_hom_dimension_mckay
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
    "symmetric_hom_dimension",
    "symmetric_hom_dimension_mckay",
    "mckay_quiver",
]

# O(n), SO(n), Sp(n), A_n layer families (area "brauer"); importing registers them. Their
# public names are listed once, in the family module's own __all__.
from . import _brauer_family
from ._brauer_family import *
from ._exact_rank import exact_rank, independent_columns

__all__ += _brauer_family.__all__
__all__ += ["exact_rank", "independent_columns"]
from ._alternating import alternating_hom_dimension, jellyfish_operation

__all__ += [
    "alternating_hom_dimension",
    "jellyfish_operation",
]
from ._dimension_methods import alternating_hom_dimension_burnside, hom_dimension_by_method

__all__ += [
    "alternating_hom_dimension_burnside",
    "hom_dimension_by_method",
]
from ._rep import TensorRep

__all__ += ["TensorRep"]

# Names of the exact dimension functions: ``hom_dimension(group, k, l)`` and
# ``hom_dimension_by_method(group, k, l)`` take a group; ``<family>_hom_dimension(n, k, l)`` is
# the default formula of one family and ``<family>_hom_dimension_<method>(n, k, l)`` an
# independent one. The old names below are deprecated aliases (warning on call), kept out of
# ``__all__``, removed in the next release.
from ._dimension import sn_hom_dimension_mckay, sn_hom_dimension_stirling  # noqa: F401
from ._dimension_methods import alternating_burnside, hom_dimension_methods  # noqa: F401
