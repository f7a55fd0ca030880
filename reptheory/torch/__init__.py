"""Torch layers (this subpackage imports torch; ``import reptheory`` does not import it)."""

from ._linear import EquivariantLinear

__all__ = ["EquivariantLinear"]
