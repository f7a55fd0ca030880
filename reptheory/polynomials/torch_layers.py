"""Deprecated alias of the torch path of :mod:`reptheory.polynomials`; removed in the next release.

Import ``PolynomialFeatures``, ``evaluate_torch`` and ``evaluate_basis_torch`` from
:mod:`reptheory.polynomials` instead. Importing this module imports torch and emits a
:class:`DeprecationWarning`.
"""

import warnings

from ._torch_layers import PolynomialFeatures, evaluate_basis_torch, evaluate_torch

__all__ = ["PolynomialFeatures", "evaluate_basis_torch", "evaluate_torch"]

warnings.warn("reptheory.polynomials.torch_layers is deprecated and will be removed in the next "
              "release; import its names from reptheory.polynomials", DeprecationWarning,
              stacklevel=2)
