"""The 2-IGN of Maron et al. (2019): order-2 S_n-equivariant layers and an invariant readout."""

from __future__ import annotations

import torch
from torch import nn

from .._validate import check_int
from ..groups import S
from ..torch import EquivariantLinear, MaskedInstanceNorm
from ._common import check_widths, mlp

__all__ = ["IGN2"]


class IGN2(nn.Module):
    """Invariant graph network of order 2 (Maron, Ben-Hamu, Shamir, Lipman, ICLR 2019).

    ``num_layers`` layers ``EquivariantLinear(S(), 2, 2, aggregation="mean")`` (the 15
    partition diagrams, with the 2 invariant bias diagrams; sums over nodes taken as means over
    the real nodes, as in the normalised layers of Maron et al., so activations do not grow
    with n), optionally :class:`~reptheory.torch.MaskedInstanceNorm`, and ReLU, then ``EquivariantLinear(S(), 2, 0)`` (sum of the
    diagonal, sum of all entries) and an MLP. Node features, if any, enter the first layer
    with the edge features through a mixed-order layer ``"c_e x2 + c_v x1" -> "hidden x2"``.

    Parameters
    ----------
    in_channels : int
        Edge-feature channels (e.g. 1 for the adjacency matrix).
    hidden, out_channels : int
    num_layers : int
    node_channels : int
        Node-feature channels (0: none).
    norm : bool
        Masked instance normalisation after each order-2 layer (default False).
    aggregation : {"mean", "sum"}
        Means (default) or sums over the real nodes inside the order-2 layers (see
        :class:`~reptheory.torch.EquivariantLinear`); the invariant readout always sums. With
        plain sums activations grow like n per layer and training is unstable.

    Examples
    --------
    >>> import torch
    >>> from reptheory.models import IGN2
    >>> model = IGN2(1, 8, 1, num_layers=2)
    >>> A = torch.randint(0, 2, (2, 1, 6, 6)).float()
    >>> mask = torch.tensor([[True] * 6, [True] * 4 + [False] * 2])
    >>> model(A, mask).shape
    torch.Size([2, 1])
    """

    def __init__(self, in_channels: int, hidden: int, out_channels: int, num_layers: int = 3,
                 node_channels: int = 0, norm: bool = False, aggregation: str = "mean") -> None:
        super().__init__()
        hidden, num_layers = check_widths(hidden, num_layers)
        c = check_int("in_channels", in_channels, minimum=1)
        self.node_channels = check_int("node_channels", node_channels, minimum=0)
        check_int("out_channels", out_channels, minimum=1)
        self.layers = nn.ModuleList()
        for i in range(num_layers):
            if i == 0 and self.node_channels:
                rep_in = f"{c}x2+{self.node_channels}x1"
                self.layers.append(EquivariantLinear(S(), rep_in, f"{hidden}x2",
                                                     aggregation=aggregation))
            else:
                self.layers.append(EquivariantLinear(S(), 2, 2, in_channels=c, out_channels=hidden,
                                                     aggregation=aggregation))
            c = hidden
        self.norms = nn.ModuleList(MaskedInstanceNorm(hidden, 2) for _ in range(num_layers)) \
            if norm else None
        self.invariant = EquivariantLinear(S(), 2, 0, in_channels=hidden, out_channels=hidden)
        self.readout = mlp([hidden, hidden, out_channels])

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None,
                nodes: torch.Tensor | None = None) -> torch.Tensor:
        """x: (batch, in_channels, n, n), mask: (batch, n) bool, nodes: (batch, node_channels,
        n) -> (batch, out_channels)."""
        for i, layer in enumerate(self.layers):
            if i == 0 and self.node_channels:
                x = layer({2: x, 1: nodes}, mask=mask)[2]
            else:
                x = layer(x, mask=mask)
            if self.norms is not None:
                x = self.norms[i](x, mask)
            x = torch.relu(x)
        return self.readout(torch.relu(self.invariant(x, mask=mask)))
