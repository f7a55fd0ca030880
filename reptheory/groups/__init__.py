"""Groups and their defining representations.

Each group is a value object with ``n``, ``defining_matrix(element)``,
``random_element(rng)`` (an n x n matrix) and ``generators()`` / ``lie_algebra_basis()``.
"""

from ._base import Group, tensor_power
from ._registry import group_from_name, group_names, register_group
from ._rotation import SO2, SO3
from ._symmetric import S, SymmetricGroup, permutation_matrix

register_group("S", SymmetricGroup)

__all__ = [
    "Group",
    "tensor_power",
    "SymmetricGroup",
    "S",
    "permutation_matrix",
    "SO2",
    "SO3",
    "group_from_name",
    "group_names",
    "register_group",
]

# O(n), SO(n), Sp(n), A_n (area "brauer")
from ._alternating import A, AlternatingGroup, permutation_sign
from ._orthogonal import SO, O, OrthogonalGroup, SpecialOrthogonalGroup
from ._symplectic import Sp, SymplecticGroup, symplectic_form

register_group("A", AlternatingGroup)
register_group("O", OrthogonalGroup)
register_group("SO", SpecialOrthogonalGroup)
register_group("Sp", SymplecticGroup)

__all__ += [
    "SO",
    "A",
    "AlternatingGroup",
    "O",
    "OrthogonalGroup",
    "Sp",
    "SpecialOrthogonalGroup",
    "SymplecticGroup",
    "permutation_sign",
    "symplectic_form",
]
