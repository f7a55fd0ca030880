"""Small pieces shared by the models."""

from __future__ import annotations

import itertools

import torch
from torch import nn

from .._validate import check_int
from ..errors import InvalidParameterError

__all__ = ["check_widths", "mlp"]


def check_widths(hidden: int, num_layers: int) -> tuple[int, int]:
    """Validated (hidden, num_layers)."""
    return (check_int("hidden", hidden, minimum=1), check_int("num_layers", num_layers, minimum=1))


def mlp(sizes: list[int], activation: type[nn.Module] = nn.ReLU) -> nn.Sequential:
    """Linear layers with activations between them (none after the last)."""
    if len(sizes) < 2:
        raise InvalidParameterError(f"an MLP needs at least two sizes, got {sizes}")
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(activation())
    return nn.Sequential(*layers)


def default_mask(x: torch.Tensor, mask):
    """An all-True mask for unpadded inputs."""
    if mask is None:
        return torch.ones(x.shape[0], x.shape[-1], dtype=torch.bool, device=x.device)
    return mask
