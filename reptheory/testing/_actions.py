"""How a group acts on the trailing axes of an array: one helper for every equivariance check.

A *representation spec* for one group factor is either

* an int p: the p-th tensor power of the defining representation, acting on p trailing axes
  of size n (g on each axis), or
* for SO(3) / O(3) (``rt.SO3()``, ``rt.SO(3)``, ``rt.O(3)``): a sum of real irreps, as an
  irreps string (``"2x0e+1x1o"``, see :func:`reptheory.so3.parse_irreps`) or an
  :class:`~reptheory.so3.Irreps`, acting on one trailing axis of size ``dim`` by the
  block-diagonal real Wigner matrix (degree-l blocks in the order ``m = -l..l``, so the vector
  irrep ``1o`` has its coordinates in the order (y, z, x)); under O(3) an element g with
  det g = -1 acts on an irrep of parity p as ``p * D_l(-g)``, or
* for SO(2): an :class:`~reptheory.so3.SO2Rep`, on one axis of size ``dim``.

A *direct product* of groups is a tuple of groups, with k and l tuples of specs of the same
length: the factors act on consecutive blocks of trailing axes, in order. For point clouds of
shape ``(..., points, 3)`` under S_N x O(3): ``group=(rt.S(N), rt.O(3))``, ``k=(1, 1)``;
:class:`TrivialGroup` marks axes that no factor acts on (``(rt.S(N), TrivialGroup(3))``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validate import check_int
from ..errors import InvalidParameterError, ReptheoryTypeError, ShapeError
from ..groups import Group
from ..groups._base import as_rng

__all__ = ["GroupAction", "TrivialGroup", "act_on_axes", "group_action"]


class TrivialGroup(Group):
    """The trivial group {I} on R^n: marks axes of size n that no symmetry acts on.

    Use it in a direct product, e.g. permutations of the points of clouds of shape
    ``(..., N, 3)`` alone: ``group=(rt.S(N), TrivialGroup(3))``, ``k=(1, 1)``.

    Examples
    --------
    >>> G = TrivialGroup(3)
    >>> G, G.random_element(0).tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    (Trivial(3), True)
    """

    symbol = "Trivial"
    is_finite = True
    __slots__ = ()

    def random_element(self, rng=None) -> np.ndarray:
        """The identity (the only element)."""
        return np.eye(self.n)

    def generators(self) -> list[np.ndarray]:
        """The identity."""
        return [np.eye(self.n)]

    def contains(self, matrix, atol: float = 1e-9) -> bool:
        m = np.asarray(matrix, dtype=float)
        return m.shape == (self.n, self.n) and bool(np.allclose(m, np.eye(self.n), atol=atol))


def act_on_axes(mats: Sequence[Any], x: Any) -> Any:
    """Apply ``mats[i]`` to trailing axis ``x.ndim - len(mats) + i`` of x (numpy or torch).

    Each matrix acts as ``x[..., j, ...] -> sum_j' m[j, j'] x[..., j', ...]``. Torch tensors
    stay torch tensors (the matrices are converted to x's dtype and device), so the result is
    differentiable in x.

    Examples
    --------
    >>> import numpy as np
    >>> swap = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> act_on_axes([swap, np.eye(2)], np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([[3., 4.],
           [1., 2.]])
    """
    p = len(mats)
    if p == 0:
        return x
    if isinstance(x, np.ndarray):
        for i, m in enumerate(mats):
            axis = x.ndim - p + i
            x = np.moveaxis(np.tensordot(x, np.asarray(m, dtype=x.dtype), axes=([axis], [1])),
                            -1, axis)
        return x
    import torch

    for i, m in enumerate(mats):
        axis = x.ndim - p + i
        mt = torch.as_tensor(np.asarray(m), dtype=x.dtype, device=x.device)
        x = torch.movedim(torch.tensordot(x, mt, dims=([axis], [1])), -1, axis)
    return x


class _Factor:
    """One group factor with its input and output representation specs."""

    __slots__ = ("group", "inp", "out")

    def __init__(self, group: Group, inp: Any, out: Any) -> None:
        self.group = group
        self.inp = _parse_spec(group, inp, "k")
        self.out = _parse_spec(group, out, "l")


def _is_so3_like(group: Group) -> bool:
    from ..groups import SO3, OrthogonalGroup

    return group.n == 3 and isinstance(group, (SO3, OrthogonalGroup))


def _parse_spec(group: Group, spec: Any, name: str) -> Any:
    """Return ('tensor', p) or ('irreps', [(l, parity), ...]) or ('so2', SO2Rep)."""
    if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
        return ("tensor", check_int(name, spec, minimum=0))
    from ..groups import SO2
    from ..so3 import Irreps, SO2Rep, parse_irreps

    if isinstance(spec, SO2Rep):
        if not isinstance(group, SO2):
            raise InvalidParameterError(f"{name}: an SO2Rep needs the group SO2(), got {group!r}")
        return ("so2", spec)
    if isinstance(spec, (str, Irreps)):
        if not _is_so3_like(group):
            raise InvalidParameterError(
                f"{name}: irreps {str(spec)!r} need the group SO3(), SO(3) or O(3), got "
                f"{group!r}; for other groups give the tensor order as an int")
        if isinstance(spec, Irreps):
            irreps = [(l, (-1) ** l) for l in spec.labels()]
        else:
            irreps = [(ir.l, ir.p) for mul, ir in parse_irreps(spec) for _ in range(mul)]
        return ("irreps", irreps)
    raise ReptheoryTypeError(
        f"{name} must be a tensor order (int >= 0), an irreps string or Irreps (SO(3)/O(3)) "
        f"or an SO2Rep (SO2), got {spec!r}")


def _spec_axes(group: Group, spec: Any) -> tuple[int, ...]:
    kind, data = spec
    if kind == "tensor":
        return (group.n,) * data
    if kind == "irreps":
        return (sum(2 * l + 1 for l, _ in data),)
    return (data.dim,)


def _spec_matrices(spec: Any, g: np.ndarray) -> list[np.ndarray]:
    kind, data = spec
    if kind == "tensor":
        return [g] * data
    if kind == "so2":
        return [data.matrix(math.atan2(g[1, 0], g[0, 0]))]
    from ..so3 import wigner_D

    det = float(np.linalg.det(g))
    rot = g if det > 0 else -g
    dim = sum(2 * l + 1 for l, _ in data)
    out = np.zeros((dim, dim))
    cache: dict[int, np.ndarray] = {}
    i = 0
    for l, parity in data:
        if l not in cache:
            cache[l] = wigner_D(l, rot, atol=1e-6)
        d = 2 * l + 1
        out[i:i + d, i:i + d] = cache[l] * (parity if det < 0 else 1)
        i += d
    return [out]


class GroupAction:
    """A group (or direct product of groups) acting on input and output arrays.

    Built by :func:`group_action`; holds the trailing-axis sizes of inputs and outputs, draws
    group elements and applies them. An element is a tuple of matrices, one per factor.
    """

    def __init__(self, factors: list[_Factor]) -> None:
        self.factors = factors
        self.in_axes = sum((_spec_axes(f.group, f.inp) for f in factors), ())
        self.out_axes = sum((_spec_axes(f.group, f.out) for f in factors), ())

    def __repr__(self) -> str:
        groups = " x ".join(repr(f.group) for f in self.factors)
        return f"GroupAction({groups}, input axes {self.in_axes}, output axes {self.out_axes})"

    @property
    def groups(self) -> tuple[Group, ...]:
        return tuple(f.group for f in self.factors)

    def elements(self, n_samples: int, rng: Any = None, use_generators: bool = True
                 ) -> list[tuple[np.ndarray, ...]]:
        """The generators of each factor (others at the identity) then ``n_samples`` random
        elements (each factor drawn independently: Haar for compact groups)."""
        n_samples = check_int("n_samples", n_samples, minimum=0)
        gen = as_rng(rng)
        eyes = [np.eye(f.group.n) for f in self.factors]
        out: list[tuple[np.ndarray, ...]] = []
        if use_generators:
            for i, f in enumerate(self.factors):
                for g in f.group.generators():
                    out.append(tuple(np.asarray(g, float) if j == i else eyes[j]
                                     for j in range(len(self.factors))))
        for _ in range(n_samples):
            out.append(tuple(_sample(f.group, gen) for f in self.factors))
        if not out:
            raise InvalidParameterError(
                "no group elements to check: set n_samples >= 1 (the groups "
                f"{', '.join(repr(g) for g in self.groups)} have no finite generators to use)")
        return out

    def input_matrices(self, element: tuple[np.ndarray, ...]) -> list[np.ndarray]:
        return [m for f, g in zip(self.factors, element) for m in _spec_matrices(f.inp, g)]

    def output_matrices(self, element: tuple[np.ndarray, ...]) -> list[np.ndarray]:
        return [m for f, g in zip(self.factors, element) for m in _spec_matrices(f.out, g)]

    def act_input(self, element: tuple[np.ndarray, ...], x: Any) -> Any:
        """g . x on the trailing input axes (numpy or torch)."""
        return act_on_axes(self.input_matrices(element), x)

    def act_output(self, element: tuple[np.ndarray, ...], y: Any) -> Any:
        """g . y on the trailing output axes (numpy or torch)."""
        return act_on_axes(self.output_matrices(element), y)

    def check_input(self, shape: Sequence[int], what: str = "x") -> None:
        p = len(self.in_axes)
        if len(shape) < p or tuple(int(s) for s in shape[len(shape) - p:]) != self.in_axes:
            raise ShapeError(f"{what} must end in axes {self.in_axes} (the input representation "
                             f"of {self._describe()}), got shape {tuple(shape)}")

    def check_output(self, shape: Sequence[int], what: str = "the output") -> None:
        p = len(self.out_axes)
        if len(shape) < p or tuple(int(s) for s in shape[len(shape) - p:]) != self.out_axes:
            raise ShapeError(f"{what} must end in axes {self.out_axes} (the output "
                             f"representation of {self._describe()}), got shape {tuple(shape)}")

    def _describe(self) -> str:
        return " x ".join(repr(f.group) for f in self.factors)


def _sample(group: Group, gen: np.random.Generator) -> np.ndarray:
    try:
        g = group.random_element(gen)
    except NotImplementedError as exc:
        raise InvalidParameterError(
            f"the group {group!r} has no sampler (random_element is not implemented); use "
            "n_samples=0 with use_generators=True for a finite group with generators") from exc
    g = np.asarray(g, dtype=float)
    if g.shape != (group.n, group.n):
        raise ShapeError(f"{group!r}.random_element returned shape {g.shape}, expected "
                         f"({group.n}, {group.n})")
    return g


def group_action(group: Any, k: Any, l: Any) -> GroupAction:
    """Parse ``(group, k, l)`` into a :class:`GroupAction` (see the module docstring).

    Examples
    --------
    >>> import reptheory as rt
    >>> group_action(rt.S(5), 2, 1)
    GroupAction(S(5), input axes (5, 5), output axes (5,))
    >>> group_action((rt.S(4), rt.O(3)), (1, 1), (0, "1x0e+1x1o"))
    GroupAction(S(4) x O(3), input axes (4, 3), output axes (4,))
    """
    if isinstance(group, (tuple, list)):
        groups = list(group)
        if not groups:
            raise InvalidParameterError("group: an empty tuple of groups has nothing to check")
        if not isinstance(k, (tuple, list)) or not isinstance(l, (tuple, list)) or \
                len(k) != len(groups) or len(l) != len(groups):
            raise InvalidParameterError(
                f"for a direct product of {len(groups)} groups, k and l must be tuples of "
                f"{len(groups)} representation specs, got k={k!r}, l={l!r}")
        ks, ls = list(k), list(l)
    else:
        groups, ks, ls = [group], [k], [l]
    for g in groups:
        if not isinstance(g, Group):
            raise ReptheoryTypeError(
                f"group must be a reptheory Group (or a tuple of them), got {g!r} of type "
                f"{type(g).__name__}")
    return GroupAction([_Factor(g, a, b) for g, a, b in zip(groups, ks, ls)])
