"""Plain-numpy equivariant layers (no torch needed); :mod:`reptheory.torch` is the torch twin.

Examples
--------
>>> import numpy as np, reptheory as rt
>>> from reptheory.numpy import EquivariantLinear
>>> EquivariantLinear(rt.O(3), 1, 1, 2, 2, rng=0)(np.ones((4, 2, 3))).shape
(4, 2, 3)
"""

from ._init import basis_frobenius_sq, bias_tensors, init_std
from ._linear import EquivariantLinear
from ._pointwise import PointwiseCheck, pointwise_activation_equivariant

__all__ = ["EquivariantLinear", "PointwiseCheck", "basis_frobenius_sq", "bias_tensors", "init_std",
           "pointwise_activation_equivariant"]
