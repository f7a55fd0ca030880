"""Deprecated alias of the SO(3) torch tensor-product modules; import from :mod:`reptheory.torch`.

``from reptheory.so3.torch_tp import CGTensorProduct`` keeps working (with a
``DeprecationWarning``); the modules live in ``reptheory.so3._torch_tp`` and are re-exported by
:mod:`reptheory.torch`.
"""

from __future__ import annotations

import warnings

from ._torch_tp import CGTensorProduct, ESCNConvolution, GauntTensorProduct

__all__ = ["CGTensorProduct", "ESCNConvolution", "GauntTensorProduct"]

warnings.warn(
    "reptheory.so3.torch_tp is deprecated; import CGTensorProduct, GauntTensorProduct and "
    "ESCNConvolution from reptheory.torch",
    DeprecationWarning,
    stacklevel=2,
)
