"""Tools for users (and our own tests) to check equivariance numerically."""

from ._equivariance import act_on_tensor, assert_equivariant

__all__ = ["act_on_tensor", "assert_equivariant"]
