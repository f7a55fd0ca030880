"""PPGN++ (Puny, Lim, Kiani, Maron, Lipman, ICML 2023): PPGN blocks with transposes, an
identity channel and the equivariant polynomial features that PPGN cannot compute."""

from __future__ import annotations

import functools

import torch
from torch import nn

from .._validate import check_int
from ..errors import InvalidParameterError, ReptheoryTypeError, ShapeError
from ..groups import S
from ..torch import EquivariantLinear
from ..torch._masks import check_mask, node_mask
from ._common import check_widths, default_mask
from ._ppgn import _pointwise_mlp, apply_pointwise

__all__ = ["PPGNPlusPlus", "normalize_polynomial_features", "ppgn_missing_features"]

_SCALINGS = ("log", "paper", "none")


@functools.lru_cache(maxsize=8)
def ppgn_missing_features(max_degree: int = 6, symmetric: bool = True) -> tuple:
    """The connected edge-valued basis polynomials of degree <= ``max_degree`` that PPGN cannot
    compute (``missing_features('PPGN', d, 'edge')`` for every d), as a tuple.

    Examples
    --------
    >>> [p.einsum for p in ppgn_missing_features(5)]
    ['ac,ad,bc,bd,cd->ab']
    """
    from ..polynomials import missing_features

    d = check_int("max_degree", max_degree, minimum=1, maximum=6)
    return tuple(p for k in range(1, d + 1) for p in missing_features("PPGN", k, "edge", symmetric))


def normalize_polynomial_features(feats: torch.Tensor) -> torch.Tensor:
    """PPGN++'s normalisation of precomputed features ``(batch, k, n, n)``: divide the feature
    vector at every entry ``(i, j)`` by its Euclidean norm, then every feature matrix by its
    Frobenius norm (zero norms left alone).  Both steps commute with permutations, and zero
    (padded) entries stay zero and do not change the norms.

    Examples
    --------
    >>> f = normalize_polynomial_features(torch.tensor([[[[3.0, 0.0], [0.0, 0.0]],
    ...                                                   [[4.0, 0.0], [0.0, 2.0]]]]))
    >>> [round(float(v), 4) for v in f.flatten()]
    [1.0, 0.0, 0.0, 0.0, 0.6247, 0.0, 0.0, 0.7809]
    """
    if not isinstance(feats, torch.Tensor) or not feats.is_floating_point():
        raise ReptheoryTypeError(f"feats must be a floating-point torch.Tensor, got "
                                 f"{getattr(feats, 'dtype', type(feats).__name__)}")
    if feats.dim() != 4 or feats.shape[-1] != feats.shape[-2]:
        raise ShapeError(f"feats must have shape (batch, k, n, n), got {tuple(feats.shape)}")
    norm = feats.norm(dim=1, keepdim=True)
    feats = feats / torch.where(norm > 0, norm, torch.ones_like(norm))
    norm = feats.norm(dim=(2, 3), keepdim=True)
    return feats / torch.where(norm > 0, norm, torch.ones_like(norm))


class PPGNPlusPlus(nn.Module):
    """PPGN++: PPGN blocks on ``[x, polynomial features, identity]`` with transposes, on padded,
    masked batches.

    The polynomial features are the connected edge-valued basis polynomials of degree
    ``<= poly_degree`` that PPGN cannot compute (:func:`ppgn_missing_features`; degree 5: one,
    degree 6: sixteen, among them the 4-clique marked at an edge), evaluated on input channel
    ``poly_channel`` (the adjacency) and scaled entrywise (``feature_scaling``); they are
    appended to the input channels.  Every block
    sees its input plus an identity-matrix channel; its first MLP reads ``[x, x^T]`` and its
    second ``x``, their per-channel matrix product is concatenated to the input and mixed by a
    third MLP.  Padded rows and columns are zeroed before every product and after every block;
    each block is read out by ``EquivariantLinear(S(), 2, 0)`` (diagonal and total sums), the
    readouts are summed and passed to an MLP, as in :class:`~reptheory.models.PPGN`.

    Parameters
    ----------
    in_channels, hidden, out_channels : int
    num_blocks : int
    mlp_depth : int
        Layers of each pointwise MLP.
    poly_degree : int
        Largest degree of the added polynomial features, ``0`` (none: PPGN with transposes and
        identity channels) or 5 or 6.
    poly_channel : int
        Input channel the polynomials are evaluated on.
    feature_scaling : {'log', 'paper', 'none'}
        ``'log'`` (default): ``sign(f) * log(1 + |f|)`` entrywise, which keeps each graph's
        counts (homomorphism numbers grow fast with the degree) on a usable scale without
        erasing their size; ``'paper'``: :func:`normalize_polynomial_features` (Puny et al.'s
        normalisation: unit feature vector per entry, then unit Frobenius norm per feature
        and graph, so the magnitude of a count is lost, which hurts counting tasks; see the
        polynomials benchmark); ``'none'``: the raw polynomials.

    Examples
    --------
    >>> import torch
    >>> from reptheory.models import PPGNPlusPlus
    >>> model = PPGNPlusPlus(1, 8, 1, num_blocks=2, poly_degree=5)
    >>> A = torch.randint(0, 2, (2, 1, 6, 6)).float()
    >>> A = ((A + A.transpose(-1, -2)) > 0).float()
    >>> model(A, torch.ones(2, 6, dtype=torch.bool)).shape
    torch.Size([2, 1])
    """

    def __init__(self, in_channels: int, hidden: int, out_channels: int, num_blocks: int = 3,
                 mlp_depth: int = 2, poly_degree: int = 6, poly_channel: int = 0,
                 feature_scaling: str = "log") -> None:
        super().__init__()
        if feature_scaling not in _SCALINGS:
            raise InvalidParameterError(f"feature_scaling must be one of {_SCALINGS}, "
                                        f"got {feature_scaling!r}")
        self.feature_scaling = feature_scaling
        hidden, num_blocks = check_widths(hidden, num_blocks)
        c = check_int("in_channels", in_channels, minimum=1)
        depth = check_int("mlp_depth", mlp_depth, minimum=1)
        check_int("out_channels", out_channels, minimum=1)
        self.poly_degree = check_int("poly_degree", poly_degree, minimum=0, maximum=6)
        if 0 < self.poly_degree < 5:
            raise InvalidParameterError(
                f"poly_degree must be 0, 5 or 6 (PPGN computes every polynomial of degree <= 4), "
                f"got {poly_degree}")
        self.poly_channel = check_int("poly_channel", poly_channel, minimum=0, maximum=c - 1)
        self.polynomials = ppgn_missing_features(self.poly_degree) if self.poly_degree else ()
        c += len(self.polynomials)
        self.blocks = nn.ModuleList()
        self.readouts = nn.ModuleList()
        for _ in range(num_blocks):
            c1 = c + 1  # identity channel
            self.blocks.append(nn.ModuleDict({
                "m1": _pointwise_mlp(2 * c1, hidden, depth), "m2": _pointwise_mlp(c1, hidden, depth),
                "m3": _pointwise_mlp(c1 + hidden, hidden, depth)}))
            self.readouts.append(EquivariantLinear(S(), 2, 0, in_channels=hidden,
                                                   out_channels=hidden))
            c = hidden
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                  nn.Linear(hidden, out_channels))

    def polynomial_features(self, x: torch.Tensor, mask: torch.Tensor | None = None
                            ) -> torch.Tensor:
        """Scaled features ``(batch, k, n, n)`` of channel ``poly_channel`` (zero padded)."""
        from ..polynomials._torch_layers import evaluate_basis_torch

        mask = default_mask(x, mask)
        m2 = node_mask(mask, 2, x.dtype, channels_last=False)
        adj = x[:, self.poly_channel] * m2[:, 0]
        feats = evaluate_basis_torch(self.polynomials, adj) * m2
        if self.feature_scaling == "paper":
            return normalize_polynomial_features(feats)
        if self.feature_scaling == "log":
            return torch.sign(feats) * torch.log1p(feats.abs())
        return feats

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None,
                features: torch.Tensor | None = None) -> torch.Tensor:
        """x: (batch, in_channels, n, n), mask: (batch, n) bool -> (batch, out_channels).

        ``features``: the output of :meth:`polynomial_features` computed beforehand (per graph
        and zero-padded, or on the padded batch: the same), to skip evaluating them here.
        """
        if mask is not None and not torch.jit.is_tracing():
            check_mask(mask, int(x.shape[0]), int(x.shape[-1]))
        mask = default_mask(x, mask)
        m2 = node_mask(mask, 2, x.dtype, channels_last=False)  # (batch, 1, n, n)
        x = x * m2
        if self.polynomials:
            if features is None:
                features = self.polynomial_features(x, mask)
            elif tuple(features.shape) != (x.shape[0], len(self.polynomials)) + tuple(x.shape[2:]):
                raise ShapeError(
                    f"features must have shape (batch, {len(self.polynomials)}, n, n) = "
                    f"{(x.shape[0], len(self.polynomials)) + tuple(x.shape[2:])}, got "
                    f"{tuple(features.shape)}")
            x = torch.cat([x, features.to(x.dtype) * m2], dim=1)
        eye = torch.diag_embed(mask.to(x.dtype)).unsqueeze(1)  # identity on real nodes
        out = None
        for block, readout in zip(self.blocks, self.readouts):
            x = torch.cat([x, eye], dim=1)
            a = apply_pointwise(block["m1"], torch.cat([x, x.transpose(-1, -2)], dim=1))
            b = apply_pointwise(block["m2"], x) * m2
            x = apply_pointwise(block["m3"], torch.cat([x, torch.matmul(a, b)], dim=1)) * m2
            r = readout(x, mask=mask)
            out = r if out is None else out + r
        return self.head(out)
