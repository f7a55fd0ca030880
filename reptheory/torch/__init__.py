"""Torch layers (this subpackage imports torch; ``import reptheory`` does not import it).

* :class:`EquivariantLinear`: a layer from an exact basis of G-equivariant maps
  (S_n, A_n, O(n), SO(n), Sp(n)), applied without a dense matrix.
* :class:`CGTensorProduct`, :class:`GauntTensorProduct`, :class:`ESCNConvolution`: SO(3)
  tensor products on real spherical-harmonic features (see :mod:`reptheory.so3`).
* Equivariance for any model: :func:`equivariance_loss` (differentiable equivariance error),
  :class:`SoftEquivariance` (tuned regularisers for mixed approximate symmetries),
  :class:`FrameAveraging` and :class:`Canonicalization` (with :class:`PCACanonicalizer`,
  :class:`SortCanonicalizer`, :class:`LearnedCanonicalizer`) to make any module exactly
  invariant or equivariant.
"""

from ..so3.torch_tp import CGTensorProduct, ESCNConvolution, GauntTensorProduct
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

__all__ = ["CGTensorProduct", "ESCNConvolution", "EquivariantLinear", "GauntTensorProduct"]
__all__ += ["Canonicalization", "FrameAveraging", "LearnedCanonicalizer", "PCACanonicalizer",
            "SoftEquivariance", "SortCanonicalizer", "equivariance_loss", "pca_frames"]
