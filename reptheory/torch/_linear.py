"""``EquivariantLinear``: a trainable G-equivariant linear layer for torch."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from .._validate import check_int
from ..errors import ReptheoryTypeError, ShapeError
from ..kernels._torch import check_device, spec_tensors, torch_plan
from ..numpy._init import bias_tensors, init_std

__all__ = ["EquivariantLinear"]


class EquivariantLinear(nn.Module):
    """G-equivariant linear layer (R^n)^{⊗k} ⊗ R^{c_in} -> (R^n)^{⊗l} ⊗ R^{c_out}.

    ``y[b, o] = sum_{i, j} weight[o, i, j] B_j(x[b, i]) + sum_j bias[o, j] E_j``, where B_j is
    the exact layer basis (applied by the fast factorised executor, never as a matrix) and E_j
    the (0, l) invariant basis.

    Parameters
    ----------
    group : Group
    k, l : int
    in_channels, out_channels : int
    bias : bool
        Invariant bias from the (0, l) basis (no parameter if that space is zero).
    kind : str, optional
        Basis kind (see :func:`reptheory.layer_basis`).
    share : bool
        Share partial contractions between basis elements (default True).
    gain : float
        Multiplies the variance-preserving initial weight std (see :func:`reptheory.nn.init_std`).
    device, dtype : optional
        As for torch modules (float32 or float64).

    Examples
    --------
    >>> import torch, reptheory as rt
    >>> from reptheory.torch import EquivariantLinear
    >>> layer = EquivariantLinear(rt.S(4), 2, 1, in_channels=3, out_channels=5)
    >>> layer
    EquivariantLinear(group=S(4), k=2, l=1, in_channels=3, out_channels=5, basis=5 (diagram), bias=True)
    >>> layer(torch.randn(8, 3, 4, 4)).shape
    torch.Size([8, 5, 4])
    """

    def __init__(self, group, k: int, l: int, in_channels: int, out_channels: int,
                 bias: bool = True, *, kind: str | None = None, share: bool = True,
                 gain: float = 1.0, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        from ..layers import layer_basis

        self.group = group
        self.k = check_int("k", k, minimum=0)
        self.l = check_int("l", l, minimum=0)
        self.in_channels = check_int("in_channels", in_channels, minimum=1)
        self.out_channels = check_int("out_channels", out_channels, minimum=1)
        dtype = dtype if dtype is not None else torch.get_default_dtype()
        if dtype not in (torch.float32, torch.float64):
            raise ReptheoryTypeError(f"dtype must be torch.float32 or torch.float64, got {dtype}")
        device = check_device(device)
        self.basis = layer_basis(group, k, l, kind)
        self.gain = float(gain)
        spec = self.basis.spec
        self._plan = torch_plan(spec, share)
        C, consts = spec_tensors(spec, dtype, device)
        self.register_buffer("coefficient_matrix", C, persistent=False)
        self._const_names = tuple(consts)
        for i, name in enumerate(self._const_names):
            self.register_buffer(f"constant_{i}", consts[name], persistent=False)
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, len(self.basis),
                                               dtype=dtype, device=device))
        if bias:
            E = torch.as_tensor(bias_tensors(group, l), dtype=dtype, device=device)
            self.register_buffer("bias_basis", E, persistent=False)
            if E.shape[0] > 0:
                self.bias = nn.Parameter(torch.zeros(out_channels, E.shape[0], dtype=dtype,
                                                     device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_buffer("bias_basis", None, persistent=False)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Variance-preserving normal weights (std from the basis), zero bias."""
        std = init_std(self.basis, self.in_channels, self.gain)
        with torch.no_grad():
            self.weight.normal_(0.0, std)
            if self.bias is not None:
                self.bias.zero_()

    def extra_repr(self) -> str:
        return (f"group={self.group!r}, k={self.k}, l={self.l}, in_channels={self.in_channels}, "
                f"out_channels={self.out_channels}, basis={len(self.basis)} ({self.basis.kind}), "
                f"bias={self.bias is not None}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    def _check(self, x: torch.Tensor) -> None:
        n = self.group.n
        shape = tuple(x.shape)
        if len(shape) != 2 + self.k or shape[1] != self.in_channels or any(
                int(s) != n for s in shape[2:]):
            raise ShapeError(f"x must have shape (batch, {self.in_channels}"
                             + "".join(f", {n}" for _ in range(self.k)) + f"), got {shape}")
        if x.dtype != self.weight.dtype:
            raise ReptheoryTypeError(f"x must have dtype {self.weight.dtype} (the layer's), got "
                                     f"{x.dtype}; convert x or call layer.to({x.dtype})")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (batch, in_channels, n, ..., n) [k axes] -> (batch, out_channels, n, ..., n) [l]."""
        if not isinstance(x, torch.Tensor):
            raise ReptheoryTypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
        if not torch.jit.is_tracing():
            self._check(x)
        consts = {nm: getattr(self, f"constant_{i}") for i, nm in enumerate(self._const_names)}
        y = self._plan.forward(self.weight, x, self.coefficient_matrix, consts)
        if self.bias is not None:
            b = torch.tensordot(self.bias, self.bias_basis, dims=([1], [0]))
            y = y + b.unsqueeze(0)
        return y
