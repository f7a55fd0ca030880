"""Torch layers (this subpackage imports torch; ``import reptheory`` does not import it).

* :class:`EquivariantLinear`: a layer from an exact basis of G-equivariant maps
  (S_n, A_n, O(n), SO(n), Sp(n)), applied without a dense matrix.
* :class:`CGTensorProduct`, :class:`GauntTensorProduct`, :class:`ESCNConvolution`: SO(3)
  tensor products on real spherical-harmonic features (see :mod:`reptheory.so3`).
"""

from ..so3._torch_tp import CGTensorProduct, ESCNConvolution, GauntTensorProduct
from ._linear import EquivariantLinear

__all__ = ["EquivariantLinear", "CGTensorProduct", "GauntTensorProduct", "ESCNConvolution"]
