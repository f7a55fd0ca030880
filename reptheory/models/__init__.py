"""Equivariant models for sets and graphs of any size (torch ``nn.Module`` s on padded,
masked batches), composed from :mod:`reptheory.torch` layers.

This subpackage imports torch; ``import reptheory`` does not import it.

* :class:`DeepSets`: permutation-equivariant set layers, then a sum readout;
* :class:`IGN2`: the 2-IGN of Maron et al. (2019), order-2 layers from all 15 diagrams;
* :class:`PPGN`: the provably powerful graph network (Maron et al. 2019), blocks with a
  matrix product of two order-2 tensors.

Every model takes ``(x, mask)`` with ``mask`` a (batch, n) bool tensor of real nodes and
gives each graph of a padded batch the output it gets alone.
"""

from ._deepsets import DeepSets
from ._ign import IGN2
from ._ppgn import PPGN
from ._ppgnpp import PPGNPlusPlus, normalize_polynomial_features, ppgn_missing_features

__all__ = ["IGN2", "PPGN", "DeepSets", "PPGNPlusPlus", "normalize_polynomial_features",
           "ppgn_missing_features"]
