"""Plain-numpy equivariant layers (no torch needed); see :mod:`reptheory.torch` for training."""

from ._init import basis_frobenius_sq, bias_tensors, init_std
from ._linear import EquivariantLinear

__all__ = ["EquivariantLinear", "basis_frobenius_sq", "bias_tensors", "init_std"]
