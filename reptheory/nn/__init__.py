"""Plain-numpy equivariant layers (no torch needed); see :mod:`reptheory.torch` for training."""

from ._init import basis_frobenius_sq, bias_tensors, init_std
from ._linear import EquivariantLinear
from ._pointwise import PointwiseCheck, pointwise_activation_equivariant

__all__ = ["EquivariantLinear", "PointwiseCheck", "basis_frobenius_sq", "bias_tensors", "init_std",
           "pointwise_activation_equivariant"]
