"""Deprecated alias of :mod:`reptheory.numpy` (the plain-numpy layers); removed in the next release.

Importing it emits a :class:`DeprecationWarning`; every public name is the same object as in
:mod:`reptheory.numpy`.
"""

import warnings

from ..numpy import EquivariantLinear, basis_frobenius_sq, bias_tensors, init_std

__all__ = ["EquivariantLinear", "basis_frobenius_sq", "bias_tensors", "init_std"]

warnings.warn("reptheory.nn is deprecated and will be removed in the next release; "
              "use reptheory.numpy (same names)", DeprecationWarning, stacklevel=2)
