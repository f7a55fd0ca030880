"""Torch layers (this subpackage imports torch; ``import reptheory`` does not import it).

* :class:`EquivariantLinear`: a layer from an exact basis of G-equivariant maps
  (S_n, A_n, O(n), SO(n), Sp(n)), applied without a dense matrix.
* :class:`NormActivation`, :class:`GatedActivation`: equivariant nonlinearities for tensor
  features (:func:`reptheory.numpy.pointwise_activation_equivariant` says when a pointwise
  activation is enough); :func:`invariant_pool`, :class:`InvariantPooling`: masked readouts;
  :class:`MaskedInstanceNorm`.
* :class:`CGTensorProduct`, :class:`GauntTensorProduct`, :class:`ESCNConvolution`: SO(3)
  tensor products on real spherical-harmonic features (see :mod:`reptheory.so3`).
* :class:`InducedLayer`, :class:`RestrictionLayer`: SO(2)-to-SO(3) induction (image features
  -> SO(3) features, consistent with in-plane rotations) and restriction layers.
* :class:`S2Convolution`, :class:`SO3Convolution`, :class:`SO3Activation`,
  :class:`SO3Distribution`: the spherical and SO(3) convolutions, nonlinearity and output
  distribution over rotations of Image2Sphere-style pose networks.
* Equivariance for any model: :func:`equivariance_loss` (differentiable equivariance error),
  :class:`SoftEquivariance` (tuned regularisers for mixed approximate symmetries),
  :class:`FrameAveraging` and :class:`Canonicalization` (with :class:`PCACanonicalizer`,
  :class:`SortCanonicalizer`, :class:`LearnedCanonicalizer`) to make any module exactly
  invariant or equivariant.
* :class:`ESCNGraphConv`, :class:`RadialBasis`: the eSCN convolution as a graph layer
  (radial edge weights, m truncation, scatter-sum to nodes, gradients to edge vectors).
* :func:`spherical_harmonics`, :func:`wigner_D_all`, :func:`edge_to_pole_rotation`:
  differentiable real harmonics and Wigner D matrices of all degrees (forces by autograd).
"""

from ..so3._torch_escn import ESCNGraphConv, RadialBasis
from ..so3._torch_layers import InducedLayer, RestrictionLayer
from ..so3._torch_pose import S2Convolution, SO3Activation, SO3Convolution, SO3Distribution
from ..so3._torch_sh import MAX_L_FLOAT32, edge_to_pole_rotation, spherical_harmonics, wigner_D_all
from ..so3._torch_tp import CGTensorProduct, ESCNConvolution, GauntTensorProduct
from ._equivariance import SoftEquivariance, equivariance_loss
from ._frames import (
    Canonicalization,
    FrameAveraging,
    LearnedCanonicalizer,
    PCACanonicalizer,
    SortCanonicalizer,
    pca_frames,
)
from ._linear import EquivariantLinear
from ._nonlinear import (
    GatedActivation,
    InvariantPooling,
    MaskedInstanceNorm,
    NormActivation,
    invariant_pool,
)

__all__ = [
    "CGTensorProduct",
    "Canonicalization",
    "ESCNConvolution",
    "EquivariantLinear",
    "FrameAveraging",
    "GatedActivation",
    "GauntTensorProduct",
    "InducedLayer",
    "InvariantPooling",
    "LearnedCanonicalizer",
    "MaskedInstanceNorm",
    "NormActivation",
    "PCACanonicalizer",
    "RestrictionLayer",
    "S2Convolution",
    "SO3Activation",
    "SO3Convolution",
    "SO3Distribution",
    "SoftEquivariance",
    "SortCanonicalizer",
    "equivariance_loss",
    "invariant_pool",
    "pca_frames",
    "ESCNGraphConv",
    "RadialBasis",
    "MAX_L_FLOAT32",
    "edge_to_pole_rotation",
    "spherical_harmonics",
    "wigner_D_all",
]
