"""Deprecated alias of the induction / restriction layers.

Import :class:`~reptheory.torch.InducedLayer` and :class:`~reptheory.torch.RestrictionLayer`
from :mod:`reptheory.torch`, and :func:`~reptheory.so3.sphere_rep`,
:func:`~reptheory.so3.so3_fourier_rep`, :func:`~reptheory.so3.grid_coordinates` from
:mod:`reptheory.so3`.
"""

import warnings

from ._pose_geometry import grid_coordinates, so3_fourier_rep, sphere_rep
from ._torch_layers import InducedLayer, RestrictionLayer

warnings.warn(
    "reptheory.so3.torch_layers is deprecated: import InducedLayer and RestrictionLayer from "
    "reptheory.torch, and sphere_rep, so3_fourier_rep, grid_coordinates from reptheory.so3",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = ["InducedLayer", "RestrictionLayer", "grid_coordinates", "so3_fourier_rep", "sphere_rep"]
