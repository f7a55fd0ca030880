"""PPGN (Maron, Ben-Hamu, Serviansky, Lipman, NeurIPS 2019): blocks with matrix products."""

from __future__ import annotations

import torch
from torch import nn

from .._validate import check_int
from ..groups import S
from ..torch import EquivariantLinear
from ..torch._masks import check_mask, node_mask
from ._common import check_widths, default_mask

__all__ = ["PPGN"]


class _ChannelLinear(nn.Linear):
    """``nn.Linear`` on a channels-first (channels, entries) matrix: one matrix product (the
    map and initialisation of a 1x1 convolution, without its overhead)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.addmm(self.bias[:, None], self.weight, x)


def _pointwise_mlp(c_in: int, c_out: int, depth: int) -> nn.Sequential:
    """An MLP over channels applied at every entry of (channels, entries), ReLU after each."""
    layers: list[nn.Module] = []
    for _ in range(depth):
        layers += [_ChannelLinear(c_in, c_out), nn.ReLU(inplace=True)]
        c_in = c_out
    return nn.Sequential(*layers)


def apply_pointwise(mlp: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Apply a :func:`_pointwise_mlp` to a channels-second tensor (batch, c, n, n)."""
    batch, c = int(x.shape[0]), int(x.shape[1])
    y = mlp(x.movedim(1, 0).reshape(c, -1))
    return y.reshape((int(y.shape[0]), batch) + tuple(x.shape[2:])).movedim(0, 1)


class PPGN(nn.Module):
    """Provably powerful graph network (3-WL expressive) on padded, masked batches.

    Each block maps x (batch, c, n, n) to ``mlp3(cat(x, mlp1(x) @ mlp2(x)))``: two pointwise
    MLPs (S_n-equivariant: they act on channels only), their matrix product per channel
    (the order-2 composition, equivariant), and a third MLP on the concatenation. The padded
    entries of the right factor are zeroed before every product, so products sum over real
    nodes only, and each block's output is zeroed on padded entries. Each block's output is
    read out by ``EquivariantLinear(S(), 2, 0)`` (diagonal sum and total sum); the readouts
    are summed and passed to an MLP. Inside, features are channel-major
    (channels, batch * n * n), so each pointwise MLP layer is one matrix product and the
    block's product needs no copy.

    Parameters
    ----------
    in_channels, hidden, out_channels : int
    num_blocks : int
    mlp_depth : int
        Layers of each pointwise MLP.

    Examples
    --------
    >>> import torch
    >>> from ..models import PPGN
    >>> model = PPGN(1, 8, 1, num_blocks=2)
    >>> A = torch.randint(0, 2, (2, 1, 5, 5)).float()
    >>> model(A, torch.ones(2, 5, dtype=torch.bool)).shape
    torch.Size([2, 1])
    """

    def __init__(self, in_channels: int, hidden: int, out_channels: int, num_blocks: int = 3,
                 mlp_depth: int = 2) -> None:
        super().__init__()
        hidden, num_blocks = check_widths(hidden, num_blocks)
        c = check_int("in_channels", in_channels, minimum=1)
        depth = check_int("mlp_depth", mlp_depth, minimum=1)
        check_int("out_channels", out_channels, minimum=1)
        self.blocks = nn.ModuleList()
        self.readouts = nn.ModuleList()
        for _ in range(num_blocks):
            self.blocks.append(nn.ModuleDict({
                "m1": _pointwise_mlp(c, hidden, depth), "m2": _pointwise_mlp(c, hidden, depth),
                "m3": _pointwise_mlp(c + hidden, hidden, depth)}))
            self.readouts.append(EquivariantLinear(S(), 2, 0, in_channels=hidden,
                                                   out_channels=hidden))
            c = hidden
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                  nn.Linear(hidden, out_channels))

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """x: (batch, in_channels, n, n), mask: (batch, n) bool -> (batch, out_channels)."""
        if mask is not None and not (torch.jit.is_tracing()):
            check_mask(mask, int(x.shape[0]), int(x.shape[-1]))
        mask = default_mask(x, mask)
        batch, n = int(x.shape[0]), int(x.shape[-1])
        m2 = node_mask(mask, 2, x.dtype, channels_last=False).reshape(1, batch * n * n)
        # channel-major (channels, batch * n * n): each pointwise layer is one matrix product
        x = x.movedim(1, 0).reshape(-1, batch * n * n) * m2
        out = None
        for block, readout in zip(self.blocks, self.readouts):
            a = block["m1"](x)      # padded rows of a only reach padded rows of the product,
            b = block["m2"](x) * m2  # which the mask after m3 zeroes; b's padding must be zero
            ab = torch.matmul(a.view(-1, batch, n, n), b.view(-1, batch, n, n))
            x = block["m3"](torch.cat([x, ab.view(-1, batch * n * n)], dim=0)) * m2
            # x is zero on padded entries, so the sums of the readout need no mask
            r = readout(x.view(-1, batch, n, n).movedim(0, 1))
            out = r if out is None else out + r
        return self.head(out)
