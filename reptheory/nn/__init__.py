"""Deprecated alias of :mod:`reptheory.numpy` (the plain-numpy layers); removed in the next release.

Importing it emits a :class:`DeprecationWarning`; every public name is the same object as in
:mod:`reptheory.numpy`.
"""

import warnings

from ..numpy import (
    EquivariantLinear,
    PointwiseCheck,
    basis_frobenius_sq,
    bias_tensors,
    init_std,
    pointwise_activation_equivariant,
)

__all__ = ["EquivariantLinear", "PointwiseCheck", "basis_frobenius_sq", "bias_tensors", "init_std",
           "pointwise_activation_equivariant"]

warnings.warn("reptheory.nn is deprecated and will be removed in the next release; "
              "use reptheory.numpy (same names)", DeprecationWarning, stacklevel=2)
