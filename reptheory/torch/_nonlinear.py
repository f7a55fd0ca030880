"""Equivariant nonlinearities and masked invariant pooling for tensor features.

* :class:`NormActivation`: ``x * f(invariant of x)`` channel by channel, with the invariant
  the Frobenius norm (groups of orthogonal matrices: S, A, O, SO) or, for Sp(n), the
  symplectic form contracted over pairs of axes (even orders);
* :class:`GatedActivation`: tensors of every order multiplied by sigmoid of invariant
  scalar gates (any group);
* :class:`InvariantPooling` / :func:`invariant_pool`: masked sum, mean or max over node axes,
  from any order to order 0 or 1 (permutation groups);
* :class:`MaskedInstanceNorm`: per-graph, per-channel normalisation over real entries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from .._validate import check_int
from ..errors import InvalidParameterError, ReptheoryTypeError, ShapeError
from ._masks import check_mask, node_mask

__all__ = ["GatedActivation", "InvariantPooling", "MaskedInstanceNorm", "NormActivation",
           "invariant_pool"]

_ORTHOGONAL = ("SymmetricGroup", "AlternatingGroup", "OrthogonalGroup", "SpecialOrthogonalGroup",
               "SO2", "SO3")


class NormActivation(nn.Module):
    """Nonlinearity from an invariant of each channel: equivariant for O(n), SO(n), Sp(n), S_n.

    * Orthogonal actions (O(n), SO(n), SO(2), SO(3), S_n, A_n): with s = ||x_c|| (Frobenius norm
      over the n-axes of channel c, an invariant), ``y_c = x_c * f(s + b_c) / s`` (f = ReLU by
      default: the norm-ReLU), 0 where s = 0.
    * Sp(n): no norm is Sp(n, R)-invariant (the group is not compact). For even orders k, the
      form q(x) = sum x[a_1..a_k] x[b_1..b_k] J[a_1 b_1] ... J[a_k b_k] is invariant (and
      indefinite), and ``y_c = x_c * sigmoid(w_c q(x_c) + b_c)``. For odd k the form vanishes
      identically: use :class:`GatedActivation`.

    Parameters
    ----------
    group : Group
    order : int
        Tensor order k >= 1 of the features (batch, channels, n, ..., n).
    channels : int
    activation : callable, optional
        f for orthogonal actions (default ``torch.relu``).
    eps : float
        Norms below eps count as zero.

    Examples
    --------
    >>> import torch, reptheory as rt
    >>> from reptheory.torch import NormActivation
    >>> act = NormActivation(rt.O(3), 1, channels=2)
    >>> act(torch.randn(4, 2, 3)).shape
    torch.Size([4, 2, 3])
    """

    def __init__(self, group, order: int, channels: int,
                 activation: Callable[[torch.Tensor], torch.Tensor] | None = None,
                 eps: float = 1e-9, dtype: Any = None, device: Any = None) -> None:
        super().__init__()
        self.group = group
        self.order = check_int("order", order, minimum=1)
        self.channels = check_int("channels", channels, minimum=1)
        self.eps = float(eps)
        self.activation = activation if activation is not None else torch.relu
        name = type(group).__name__
        dtype = dtype if dtype is not None else torch.get_default_dtype()
        self.bias = nn.Parameter(torch.zeros(channels, dtype=dtype, device=device))
        if name in _ORTHOGONAL:
            self.kind = "norm"
            self.register_parameter("scale", None)
            self.register_buffer("form", None, persistent=False)
        elif name == "SymplecticGroup":
            if self.order % 2:
                raise InvalidParameterError(
                    f"order must be even for NormActivation on {group!r}: the symplectic form of "
                    f"two copies of an odd-order tensor vanishes identically; use GatedActivation")
            self.kind = "symplectic"
            self.scale = nn.Parameter(torch.ones(channels, dtype=dtype, device=device))
            self.register_buffer("form", torch.tensor(group.form.tolist(), dtype=dtype, device=device),
                                 persistent=False)
        else:
            raise InvalidParameterError(f"group must be S, A, O, SO or Sp for NormActivation, got {group!r}")

    def invariant(self, x: torch.Tensor) -> torch.Tensor:
        """The per-channel invariant (batch, channels): norm, or the symplectic form."""
        dims = tuple(range(2, x.dim()))
        if self.kind == "norm":
            return torch.sqrt((x * x).sum(dim=dims))
        v = x
        for a in range(self.order):   # apply J to every node axis, then pair with x
            v = torch.movedim(torch.tensordot(v, self.form, dims=([2 + a], [1])), -1, 2 + a)
        return (x * v).sum(dim=dims)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise ReptheoryTypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
        if x.dim() != 2 + self.order or x.shape[1] != self.channels:
            raise ShapeError(f"x must have shape (batch, {self.channels}" + ", n" * self.order
                             + f"), got {tuple(x.shape)}")
        s = self.invariant(x)
        shape = s.shape + (1,) * self.order
        if self.kind == "norm":
            safe = torch.where(s > self.eps, s, torch.ones_like(s))
            factor = torch.where(s > self.eps, self.activation(s + self.bias) / safe,
                                 torch.zeros_like(s))
        else:
            factor = torch.sigmoid(self.scale * s + self.bias)
        return x * factor.reshape(shape)


class GatedActivation(nn.Module):
    """Gated nonlinearity (any group): order-0 features pass through an activation, each
    channel of order k >= 1 is multiplied by sigmoid of its own invariant gate.

    Input: a dict {order: tensor} whose order 0 has ``rep[0] + sum_{k>=1} rep[k]`` channels
    (the scalars, then one gate per higher-order channel, by increasing order); output: a dict
    on ``rep``. Since the gates are invariant, y_k = x_k * sigmoid(gate) is equivariant for
    every group, and zero padded nodes stay zero.

    Parameters
    ----------
    rep : str, dict or TensorRep
        The output representation (``rep_in`` is the input's).
    activation : callable
        For the order-0 features (default SiLU).

    Examples
    --------
    >>> import torch
    >>> from reptheory.torch import GatedActivation
    >>> gate = GatedActivation("4x0+2x1+3x2")
    >>> gate.rep_in
    TensorRep('9x0+2x1+3x2')
    >>> out = gate({0: torch.randn(5, 9), 1: torch.randn(5, 2, 6), 2: torch.randn(5, 3, 6, 6)})
    >>> {k: tuple(v.shape) for k, v in out.items()}
    {0: (5, 4), 1: (5, 2, 6), 2: (5, 3, 6, 6)}
    """

    def __init__(self, rep, activation: Callable[[torch.Tensor], torch.Tensor] | None = None) -> None:
        super().__init__()
        from ..layers import TensorRep

        self.rep = TensorRep(rep)
        self.activation = activation if activation is not None else nn.functional.silu
        self.num_gates = sum(c for k, c in self.rep.items() if k > 0)
        self.rep_in = TensorRep({**self.rep.as_dict(), 0: self.rep.channels(0) + self.num_gates})

    def forward(self, x: dict) -> dict:
        if not isinstance(x, dict) or set(x) != set(self.rep_in.orders):
            raise InvalidParameterError(f"x must be a dict with the orders {list(self.rep_in.orders)}"
                                        f" of {str(self.rep_in)!r}")
        s = x[0]
        if s.dim() != 2 or s.shape[1] != self.rep_in[0]:
            raise ShapeError(f"x[0] must have shape (batch, {self.rep_in[0]}) (scalars then one "
                             f"gate per channel of order >= 1), got {tuple(s.shape)}")
        c0 = self.rep.channels(0)
        out = {}
        if c0:
            out[0] = self.activation(s[:, :c0])
        start = c0
        for k, c in self.rep.items():
            if k == 0:
                continue
            g = torch.sigmoid(s[:, start:start + c])
            start += c
            if x[k].shape[1] != c:
                raise ShapeError(f"x[{k}] must have {c} channels, got shape {tuple(x[k].shape)}")
            out[k] = x[k] * g.reshape(g.shape + (1,) * k)
        return out


def invariant_pool(x: torch.Tensor, mask: torch.Tensor | None = None, *, to_order: int = 0,
                   reduction: str = "sum") -> torch.Tensor:
    """Pool the node axes of x (batch, channels, n, ..., n) to order 0 or 1, over real nodes.

    Order 0: reduce over all node axes; order 1: over all but the first. Sum and max are
    S_n-invariant (equivariant for order 1); mean divides by the number of real entries
    reduced (m^k or m^(k-1) for a graph of m real nodes). Padded entries never count, and
    order-1 outputs are zero on padded nodes.

    Parameters
    ----------
    x : tensor (batch, channels, n, ..., n)
    mask : bool tensor (batch, n), optional
    to_order : {0, 1}
    reduction : {"sum", "mean", "max"}

    Examples
    --------
    >>> import torch
    >>> from reptheory.torch import invariant_pool
    >>> x = torch.arange(6.0).reshape(1, 1, 2, 3)[..., :2].reshape(1, 1, 2, 2)  # [[0,1],[3,4]]
    >>> invariant_pool(x).tolist(), invariant_pool(x, to_order=1, reduction="max").tolist()
    ([[8.0]], [[[1.0, 4.0]]])
    >>> m = torch.tensor([[True, False]])
    >>> invariant_pool(x, m, reduction="mean").tolist()
    [[0.0]]
    """
    if not isinstance(x, torch.Tensor):
        raise ReptheoryTypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if reduction not in ("sum", "mean", "max"):
        raise InvalidParameterError(f"reduction must be 'sum', 'mean' or 'max', got {reduction!r}")
    to_order = check_int("to_order", to_order, minimum=0, maximum=1)
    k = x.dim() - 2
    if k < max(to_order, 1) or any(int(s) != int(x.shape[-1]) for s in x.shape[2:]):
        raise ShapeError(f"x must have shape (batch, channels, n, ..., n) with at least "
                         f"{max(to_order, 1)} node axes, got {tuple(x.shape)}")
    batch, n = int(x.shape[0]), int(x.shape[-1])
    dims = tuple(range(2 + to_order, 2 + k))
    if not dims:
        out = x
    elif reduction == "max":
        if mask is not None:
            check_mask(mask, batch, n)
            keep = node_mask(mask, k, torch.bool, channels_last=False)
            x = x.masked_fill(~keep, float("-inf"))
        out = x.amax(dim=dims)
    else:
        if mask is not None:
            check_mask(mask, batch, n)
            x = x * node_mask(mask, k, x.dtype, channels_last=False)
        out = x.sum(dim=dims)
        if reduction == "mean":
            m = mask.sum(dim=1).to(x.dtype) if mask is not None else x.new_full((batch,), n)
            out = out / (m ** len(dims)).reshape((batch,) + (1,) * (out.dim() - 1))
    if to_order == 1 and mask is not None:
        if not dims:
            check_mask(mask, batch, n)
        out = out.masked_fill(~mask.unsqueeze(1), 0.0)
    return out


class InvariantPooling(nn.Module):
    """Module form of :func:`invariant_pool` (masked sum / mean / max to order 0 or 1).

    Examples
    --------
    >>> import torch
    >>> from reptheory.torch import InvariantPooling
    >>> InvariantPooling(to_order=0, reduction="mean")(torch.ones(2, 3, 4, 4)).shape
    torch.Size([2, 3])
    """

    def __init__(self, to_order: int = 0, reduction: str = "sum") -> None:
        super().__init__()
        self.to_order = check_int("to_order", to_order, minimum=0, maximum=1)
        if reduction not in ("sum", "mean", "max"):
            raise InvalidParameterError(f"reduction must be 'sum', 'mean' or 'max', got {reduction!r}")
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"to_order={self.to_order}, reduction={self.reduction!r}"

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return invariant_pool(x, mask, to_order=self.to_order, reduction=self.reduction)


class MaskedInstanceNorm(nn.Module):
    """Per graph and channel: subtract the mean and divide by the standard deviation of the
    real entries of an order-k node tensor (S_n-equivariant: both statistics are invariant).

    ``y = (x - mean) / sqrt(var + eps) * weight + bias`` over the entries whose k nodes are
    all real; padded entries of y are zero. It keeps the activations of stacked S_n layers at
    unit scale whatever the graph size (sums over n^2 entries otherwise grow with n).

    Parameters
    ----------
    channels : int
    order : int
        Number of node axes k >= 1 of x (batch, channels, n, ..., n).
    eps : float
    affine : bool
        Learnable per-channel weight and bias.

    Examples
    --------
    >>> import torch
    >>> from reptheory.torch import MaskedInstanceNorm
    >>> norm = MaskedInstanceNorm(3, order=2)
    >>> y = norm(torch.randn(2, 3, 5, 5) * 10 + 4)
    >>> round(float(y[0, 0].mean()), 6) == 0.0, round(float(y[0, 0].var(unbiased=False)), 3)
    (True, 1.0)
    """

    def __init__(self, channels: int, order: int, eps: float = 1e-5, affine: bool = True) -> None:
        super().__init__()
        self.channels = check_int("channels", channels, minimum=1)
        self.order = check_int("order", order, minimum=1)
        self.eps = float(eps)
        if affine:
            self.weight = nn.Parameter(torch.ones(channels))
            self.bias = nn.Parameter(torch.zeros(channels))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def extra_repr(self) -> str:
        return f"channels={self.channels}, order={self.order}, affine={self.weight is not None}"

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise ReptheoryTypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
        k = self.order
        if x.dim() != 2 + k or x.shape[1] != self.channels:
            raise ShapeError(f"x must have shape (batch, {self.channels}" + ", n" * k
                             + f"), got {tuple(x.shape)}")
        batch, n = int(x.shape[0]), int(x.shape[-1])
        dims = tuple(range(2, 2 + k))
        if mask is None:
            mean = x.mean(dim=dims, keepdim=True)
            var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
            m = None
        else:
            check_mask(mask, batch, n)
            m = node_mask(mask, k, x.dtype, channels_last=False)
            count = (mask.sum(dim=1).to(x.dtype) ** k).reshape((batch, 1) + (1,) * k)
            mean = (x * m).sum(dim=dims, keepdim=True) / count
            var = (((x - mean) * m) ** 2).sum(dim=dims, keepdim=True) / count
        y = (x - mean) / torch.sqrt(var + self.eps)
        if self.weight is not None:
            shape = (1, self.channels) + (1,) * k
            y = y * self.weight.reshape(shape) + self.bias.reshape(shape)
        return y if m is None else y * m
