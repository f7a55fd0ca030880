"""When does a pointwise activation keep a layer equivariant?

A pointwise activation sigma (applied to every entry of a feature tensor) commutes with a
representation rho exactly when the matrices rho(g) are compatible with entrywise maps. By the
characterisation of Pacini et al. (*A characterization theorem for equivariant networks with
point-wise activations*, ICLR 2024): sigma commutes with every rho(g) for *every* activation iff
each rho(g) is a permutation matrix; for odd activations (tanh) signed permutation matrices
are allowed, for ReLU-like (positively homogeneous) ones permutation matrices times positive
diagonals. Applied to the tensor representations (R^n)^{⊗k} in the standard basis:

* S_n, A_n (and the size-free S()): g^{⊗k} is a permutation matrix for every k: any
  pointwise activation is equivariant;
* O(n), SO(n), Sp(n), SO(2), SO(3): order 0 is the trivial representation (any activation);
  for order k >= 1 and n >= 2 the group contains rotations (or symplectic shears) whose tensor
  powers are not monomial matrices: no pointwise activation except the identity-like linear
  ones is equivariant. Use a norm-based or gated nonlinearity instead;
* the finite corner cases O(1) = {1, -1} (order k acts by (-1)^k: odd orders allow odd
  activations only) and the trivial SO(1).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._validate import check_int
from ..errors import ReptheoryTypeError

__all__ = ["PointwiseCheck", "pointwise_activation_equivariant"]


@dataclass(frozen=True)
class PointwiseCheck:
    """The answer of :func:`pointwise_activation_equivariant` (true iff every activation is fine).

    Attributes
    ----------
    equivariant : bool
        True if every pointwise activation keeps equivariance.
    activations : str
        ``"any"``, ``"odd"`` (only odd functions such as tanh) or ``"none"``.
    reason : str
        Why, in one sentence.
    """

    equivariant: bool
    activations: str
    reason: str

    def __bool__(self) -> bool:
        return self.equivariant


def pointwise_activation_equivariant(group, order: int) -> PointwiseCheck:
    """Whether a pointwise activation on order-``order`` tensor features of ``group`` is
    equivariant, and why (see the module docstring and Pacini et al., ICLR 2024).

    Parameters
    ----------
    group : Group
        Any reptheory group (``S()``, ``S(n)``, ``A(n)``, ``O(n)``, ``SO(n)``, ``Sp(n)``,
        ``SO2()``, ``SO3()``).
    order : int
        Tensor order k of the features (R^n)^{⊗k}.

    Returns
    -------
    PointwiseCheck
        Truthy iff every pointwise activation is equivariant; ``.activations`` says which
        activations are (``"any"``, ``"odd"``, ``"none"``) and ``.reason`` why.

    Examples
    --------
    >>> import reptheory as rt
    >>> from reptheory.numpy import pointwise_activation_equivariant
    >>> bool(pointwise_activation_equivariant(rt.S(), 2))
    True
    >>> c = pointwise_activation_equivariant(rt.O(3), 1)
    >>> bool(c), c.activations
    (False, 'none')
    >>> pointwise_activation_equivariant(rt.O(1), 3).activations
    'odd'
    """
    from ..groups import Group

    if not isinstance(group, Group):
        raise ReptheoryTypeError(f"group must be a reptheory Group such as S(5), got {group!r}")
    k = check_int("order", order, minimum=0)
    name = type(group).__name__
    if name in ("SymmetricGroup", "AlternatingGroup"):
        return PointwiseCheck(True, "any", f"{group!r} acts on order-{k} tensors by permutation "
                              "matrices, which commute with every entrywise function")
    if k == 0:
        return PointwiseCheck(True, "any", "order-0 features are invariant scalars (the trivial "
                              "representation)")
    n = group.n
    if n == 1:
        if name == "OrthogonalGroup" and k % 2 == 1:
            return PointwiseCheck(False, "odd", f"O(1) = {{1, -1}} acts on odd order {k} by -1: "
                                  "only odd activations (sigma(-x) = -sigma(x), e.g. tanh) commute")
        return PointwiseCheck(True, "any", f"{group!r} acts trivially on order-{k} tensors")
    return PointwiseCheck(False, "none", f"{group!r} acts on order-{k} tensors by matrices that "
                          "are not (signed) permutations, so no nonlinear pointwise activation "
                          "commutes with them (Pacini et al.); use a norm-based or gated "
                          "nonlinearity")
