"""Torch layers (this subpackage imports torch; ``import reptheory`` does not import it).

* :class:`EquivariantLinear`: a layer from an exact basis of G-equivariant maps
  (S_n, A_n, O(n), SO(n), Sp(n)), applied without a dense matrix.
* :class:`CGTensorProduct`, :class:`GauntTensorProduct`, :class:`ESCNConvolution`: SO(3)
  tensor products on real spherical-harmonic features (see :mod:`reptheory.so3`).
* :class:`ESCNGraphConv`, :class:`RadialBasis`: the eSCN convolution as a graph layer
  (radial edge weights, m truncation, scatter-sum to nodes, gradients to edge vectors).
* :func:`spherical_harmonics`, :func:`wigner_D_all`, :func:`edge_to_pole_rotation`:
  differentiable real harmonics and Wigner D matrices of all degrees (forces by autograd).
"""

from ..so3._torch_tp import CGTensorProduct, ESCNConvolution, GauntTensorProduct
from ..so3._torch_escn import ESCNGraphConv, RadialBasis
from ..so3._torch_sh import MAX_L_FLOAT32, edge_to_pole_rotation, spherical_harmonics, wigner_D_all
from ._linear import EquivariantLinear

__all__ = [
    "EquivariantLinear",
    "CGTensorProduct",
    "GauntTensorProduct",
    "ESCNConvolution",
    "ESCNGraphConv",
    "RadialBasis",
    "MAX_L_FLOAT32",
    "edge_to_pole_rotation",
    "spherical_harmonics",
    "wigner_D_all",
]
