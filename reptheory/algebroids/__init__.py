"""Jets of foliations and b^k-algebroids, symbolically (sympy).

Vector fields and modules of vector fields on R^n, tangency and involutivity to order k along a
submanifold W, singular foliations of b^k-type, Lie algebroids given by a frame (Scott's
b^k-tangent bundles), their de Rham complexes and cohomology, and the obstruction to extending
a foliation jet by one order.  Indexing follows arXiv:2311.17045 v1 (b^k <-> tangent to order
k <-> det(anchor) vanishes to order k); see ``docs/notes_algebroids.md``.
"""

from ._algebroid import (
    AlgebroidForm,
    AlgebroidIdentityError,
    LieAlgebroid,
    bk_tangent_bundle,
    random_polynomial,
)
from ._cohomology import algebroid_cohomology, bk_cohomology, twisted_bk_algebroid
from ._fields import NotInvolutiveError, VectorField, VectorFieldModule, lie_bracket
from ._jets import (
    Submanifold,
    check_involutive_up_to_order,
    distribution_jet,
    ideal_power_fields,
    involutive_up_to_order,
    is_tangent_to_order,
    jet,
    same_jet,
    tangency_order,
)

__all__ = [
    "VectorField",
    "lie_bracket",
    "VectorFieldModule",
    "NotInvolutiveError",
    "Submanifold",
    "jet",
    "is_tangent_to_order",
    "tangency_order",
    "involutive_up_to_order",
    "check_involutive_up_to_order",
    "distribution_jet",
    "same_jet",
    "ideal_power_fields",
    "LieAlgebroid",
    "AlgebroidForm",
    "AlgebroidIdentityError",
    "bk_tangent_bundle",
    "random_polynomial",
    "bk_cohomology",
    "algebroid_cohomology",
    "twisted_bk_algebroid",
]
