"""DeepSets (Zaheer et al. 2017): S_n-equivariant set layers, a masked sum, an MLP."""

from __future__ import annotations

import torch
from torch import nn

from .._validate import check_int
from ..groups import S
from ..torch import EquivariantLinear, invariant_pool
from ._common import check_widths, mlp

__all__ = ["DeepSets"]


class DeepSets(nn.Module):
    """Permutation-invariant network on sets of any size.

    ``num_layers`` equivariant layers ``EquivariantLinear(S(), 1, 1)`` (each element's own
    features plus the sum over the set: the two diagrams of Hom_{S_n}(R^n, R^n)) with ReLU, a
    masked invariant pooling, and an MLP.

    Parameters
    ----------
    in_channels, hidden, out_channels : int
    num_layers : int
        Equivariant layers before the pooling.
    reduction : {"sum", "mean", "max"}
        The pooling.

    Examples
    --------
    >>> import torch
    >>> from reptheory.models import DeepSets
    >>> model = DeepSets(3, 16, 1)
    >>> x, mask = torch.randn(2, 3, 5), torch.tensor([[True] * 5, [True] * 3 + [False] * 2])
    >>> model(x, mask).shape
    torch.Size([2, 1])
    """

    def __init__(self, in_channels: int, hidden: int, out_channels: int, num_layers: int = 2,
                 reduction: str = "sum") -> None:
        super().__init__()
        hidden, num_layers = check_widths(hidden, num_layers)
        c = check_int("in_channels", in_channels, minimum=1)
        check_int("out_channels", out_channels, minimum=1)
        self.layers = nn.ModuleList()
        for _ in range(num_layers):
            self.layers.append(EquivariantLinear(S(), 1, 1, in_channels=c, out_channels=hidden))
            c = hidden
        self.reduction = reduction
        invariant_pool(torch.zeros(1, 1, 1), reduction=reduction)   # validates reduction
        self.readout = mlp([hidden, hidden, out_channels])

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """x: (batch, in_channels, n), mask: (batch, n) bool -> (batch, out_channels)."""
        for layer in self.layers:
            x = torch.relu(layer(x, mask=mask))
        return self.readout(invariant_pool(x, mask, reduction=self.reduction))
