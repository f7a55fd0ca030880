"""Tools for users (and our own tests) to check and measure equivariance numerically.

* :func:`assert_equivariant`: the test helper (raises AssertionError).
* :func:`equivariance_error`: the same check as a number (relative max deviation).
* :func:`group_action` / :func:`act_on_axes`: how a group, or a direct product of groups,
  acts on the trailing axes of arrays (numpy or torch), shared by every equivariance tool.

Representations are given by ``k`` (input) and ``l`` (output): a tensor order of the
defining representation (int), or for SO(3) / O(3) a sum of real irreps on one axis (irreps
string such as ``"1x0e+2x1o"`` or an :class:`~reptheory.so3.Irreps`; Wigner D blocks in the
order m = -l..l, so ``1o`` holds (y, z, x)). A tuple of groups is their direct product: the
factors act on consecutive blocks of trailing axes, e.g. ``(rt.S(N), rt.O(3))`` with
``k=(1, 1)`` on point clouds of shape ``(..., N, 3)``; :class:`TrivialGroup` marks axes no
factor acts on.
"""

from ._actions import GroupAction, TrivialGroup, act_on_axes, group_action
from ._equivariance import act_on_tensor, assert_equivariant, equivariance_error

__all__ = ["GroupAction", "TrivialGroup", "act_on_axes", "act_on_tensor", "assert_equivariant",
           "equivariance_error", "group_action"]
