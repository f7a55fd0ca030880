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
from ._bktype import (
    BkTypeReport,
    bk_local_model,
    bk_normal_form,
    bk_type_report,
    foliation_from_jet,
    is_bk_type,
)
from ._cohomology import algebroid_cohomology, bk_cohomology, twisted_bk_algebroid
from ._extension import ExtensionResult, extension_obstruction
from ._fields import NotInvolutiveError, VectorField, VectorFieldModule, lie_bracket
from ._holonomy import jet_holonomy
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
    "AlgebroidForm",
    "AlgebroidIdentityError",
    "BkTypeReport",
    "ExtensionResult",
    "LieAlgebroid",
    "NotInvolutiveError",
    "Submanifold",
    "VectorField",
    "VectorFieldModule",
    "algebroid_cohomology",
    "bk_cohomology",
    "bk_local_model",
    "bk_normal_form",
    "bk_tangent_bundle",
    "bk_type_report",
    "check_involutive_up_to_order",
    "distribution_jet",
    "extension_obstruction",
    "foliation_from_jet",
    "ideal_power_fields",
    "involutive_up_to_order",
    "is_bk_type",
    "is_tangent_to_order",
    "jet",
    "jet_holonomy",
    "lie_bracket",
    "random_polynomial",
    "same_jet",
    "tangency_order",
    "twisted_bk_algebroid",
]
