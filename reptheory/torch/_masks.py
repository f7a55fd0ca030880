"""Masks of real nodes in padded batches of graphs (checks and broadcastable products)."""

from __future__ import annotations

import torch

from ..errors import InvalidParameterError, ReptheoryTypeError, ShapeError

__all__ = ["check_mask", "node_mask"]


def check_mask(mask, batch: int, n: int) -> None:
    """Raise unless ``mask`` is a (batch, n) bool tensor with a real node in every graph."""
    if not isinstance(mask, torch.Tensor):
        raise ReptheoryTypeError(f"mask must be a torch.Tensor of dtype torch.bool, got "
                                 f"{type(mask).__name__}")
    if mask.dtype != torch.bool:
        raise ReptheoryTypeError(f"mask must have dtype torch.bool (True on real nodes), got "
                                 f"{mask.dtype}")
    if tuple(mask.shape) != (batch, n):
        raise ShapeError(f"mask must have shape (batch, n) = ({batch}, {n}), got "
                         f"{tuple(mask.shape)}")
    if batch and not bool(mask.any(dim=1).all()):
        empty = torch.nonzero(~mask.any(dim=1)).flatten().tolist()
        raise InvalidParameterError(f"mask: every graph needs at least one real node; graphs "
                                    f"{empty[:10]} of the batch have none")


def node_mask(mask: torch.Tensor, order: int, dtype, channels_last: bool) -> torch.Tensor:
    """The product mask[b, i1] ... mask[b, i_order], shaped to broadcast against
    (batch, n, ..., n, channels) (``channels_last``) or (batch, channels, n, ..., n)."""
    m = mask.to(dtype)
    batch, n = mask.shape
    out = None
    for a in range(order):
        shape = [batch] + [1] * order
        shape[1 + a] = n
        t = m.reshape(shape)
        out = t if out is None else out * t
    if out is None:
        out = m.new_ones((batch,))
    return out.unsqueeze(-1) if channels_last else out.unsqueeze(1)
