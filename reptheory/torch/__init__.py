"""Torch layers (this subpackage imports torch; ``import reptheory`` does not import it).

* :class:`EquivariantLinear`: a layer from an exact basis of G-equivariant maps
  (S_n, A_n, O(n), SO(n), Sp(n)), applied without a dense matrix.
* :class:`NormActivation`, :class:`GatedActivation`: equivariant nonlinearities for tensor
  features (:func:`reptheory.nn.pointwise_activation_equivariant` says when a pointwise
  activation is enough); :func:`invariant_pool`, :class:`InvariantPooling`: masked readouts;
  :class:`MaskedInstanceNorm`.
* :class:`CGTensorProduct`, :class:`GauntTensorProduct`, :class:`ESCNConvolution`: SO(3)
  tensor products on real spherical-harmonic features (see :mod:`reptheory.so3`).
"""

from ..so3.torch_tp import CGTensorProduct, ESCNConvolution, GauntTensorProduct
from ._linear import EquivariantLinear
from ._nonlinear import (
    GatedActivation,
    InvariantPooling,
    MaskedInstanceNorm,
    NormActivation,
    invariant_pool,
)

__all__ = ["EquivariantLinear", "CGTensorProduct", "GauntTensorProduct", "ESCNConvolution"]
__all__ += ["GatedActivation", "InvariantPooling", "MaskedInstanceNorm", "NormActivation",
            "invariant_pool"]
