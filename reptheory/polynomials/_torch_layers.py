"""Torch path: differentiable evaluation of basis polynomials and a polynomial-feature layer.

This module imports torch at its top; :mod:`reptheory.polynomials` re-exports its names and
imports it on first access to one of them.
The contraction order is the same as on the numpy path (chosen by :func:`numpy.einsum_path`);
each pairwise step runs as :func:`torch.einsum`, so autograd, devices and dtypes work as usual.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from ..errors import InvalidParameterError, ShapeError
from ._contract import plan
from ._polynomial import Polynomial

__all__ = ["PolynomialFeatures", "evaluate_basis_torch", "evaluate_torch"]


def _check(X: torch.Tensor) -> tuple[torch.Tensor, bool]:
    if not isinstance(X, torch.Tensor):
        X = torch.as_tensor(X)
    if X.ndim not in (2, 3) or X.shape[-1] != X.shape[-2] or X.shape[-1] == 0:
        raise ShapeError(
            f"X must have shape (n, n) or (batch, n, n) with n >= 1, got shape {tuple(X.shape)}"
        )
    return (X.unsqueeze(0), True) if X.ndim == 2 else (X, False)


def _operand(X3: torch.Tensor, kind: str, p: int, q: int, cache: dict) -> torch.Tensor:
    key = (kind, p, q)
    if key not in cache:
        if kind == "loop":
            val = torch.diagonal(X3, dim1=-2, dim2=-1) ** p
        else:
            val = X3**p if p else None
            if q:
                t = X3.transpose(-1, -2) ** q
                val = t if val is None else val * t
        cache[key] = val
    return cache[key]


def _eval(poly: Polynomial, X3: torch.Tensor, cache: dict, optimize: bool = True) -> torch.Tensor:
    spec = poly.spec
    b, n, _ = X3.shape
    if not spec.operands:
        val = torch.ones((b,), dtype=X3.dtype, device=X3.device)
    else:
        cur = [_operand(X3, o.kind, o.p, o.q, cache) for o in spec.operands]
        for idx, ins, res in plan(spec, b, n, optimize):
            arrs = [cur[i] for i in idx]
            for i in idx:
                cur.pop(i)
            cur.append(torch.einsum(f"{','.join(ins)}->{res}", *arrs))
        val = cur[0]
    letters = spec.out
    for c in spec.out_all:
        if c not in letters:
            val = val.unsqueeze(-1).expand(*val.shape, n)
            letters += c
    if letters != spec.out_all:
        val = val.permute([0] + [1 + letters.index(c) for c in spec.out_all])
    if spec.diagonal:
        val = torch.diag_embed(val)
    return val


def evaluate_torch(poly: Polynomial, X: torch.Tensor, optimize: bool = True) -> torch.Tensor:
    """Differentiable evaluation of one basis polynomial (same conventions as ``evaluate``).

    Examples
    --------
    >>> from reptheory.polynomials import Polynomial
    >>> p = Polynomial.from_edges([(0, 1), (1, 2)], marked=(0, 2))
    >>> X = torch.randn(2, 4, 4, dtype=torch.float64, requires_grad=True)
    >>> bool(torch.allclose(evaluate_torch(p, X), X @ X))
    True
    """
    X3, single = _check(X)
    out = _eval(poly, X3, {}, optimize)
    return out[0] if single else out


def evaluate_basis_torch(polynomials: Sequence[Polynomial], X: torch.Tensor) -> torch.Tensor:
    """Stack of polynomials of one output type: shape ``(batch, k) + out`` (or ``(k,) + out``).

    Raises
    ------
    InvalidParameterError
        If the polynomials do not share one output type.
    """
    polys = list(polynomials)
    kinds = {p.output for p in polys}
    if len(kinds) != 1:
        raise InvalidParameterError(
            f"polynomials must be non-empty and share one output type, got {sorted(kinds)}"
        )
    X3, single = _check(X)
    cache: dict = {}
    out = torch.stack([_eval(p, X3, cache) for p in polys], dim=1)
    return out[0] if single else out


class PolynomialFeatures(torch.nn.Module):
    """Learnable linear combinations of chosen equivariant polynomial features of X.

    ``forward(X)`` maps ``(batch, n, n)`` to ``(batch, out_channels) + out`` with ``out`` equal
    to ``()``, ``(n,)`` or ``(n, n)`` for invariant, node- or edge-valued polynomials; it is
    S_n-equivariant by construction (a fixed linear map of equivariant polynomials).

    Parameters
    ----------
    polynomials : sequence of Polynomial
        The features (one output type), e.g. ``polynomial_basis(3, "edge", exact_degree=False)``.
    out_channels : int
        Number of learned combinations.
    normalize : bool
        Divide each polynomial by ``n ** (number of summed vertices)`` (means instead of sums),
        which keeps features of different sizes comparable across graph sizes.
    bias : bool
        Add a learnable constant per output channel (itself equivariant only for invariant
        outputs or constant matrices; on by default only for ``'invariant'``).

    Examples
    --------
    >>> from reptheory.polynomials import polynomial_basis
    >>> layer = PolynomialFeatures(polynomial_basis(2, "edge", symmetric=True), out_channels=4)
    >>> layer(torch.randn(8, 5, 5)).shape
    torch.Size([8, 4, 5, 5])
    """

    def __init__(
        self,
        polynomials: Sequence[Polynomial],
        out_channels: int = 1,
        normalize: bool = True,
        bias: bool | None = None,
    ) -> None:
        super().__init__()
        self.polynomials = tuple(polynomials)
        kinds = {p.output for p in self.polynomials}
        if len(kinds) != 1:
            raise InvalidParameterError(
                f"polynomials must be non-empty and share one output type, got {sorted(kinds)}"
            )
        self.output = kinds.pop()
        if not isinstance(out_channels, int) or out_channels < 1:
            raise InvalidParameterError(f"out_channels must be an integer >= 1, got {out_channels!r}")
        self.normalize = normalize
        k = len(self.polynomials)
        self.weight = torch.nn.Parameter(torch.randn(out_channels, k) / k**0.5)
        use_bias = (self.output == "invariant") if bias is None else bool(bias)
        self.bias = torch.nn.Parameter(torch.zeros(out_channels)) if use_bias else None
        summed = [p.num_vertices - len(set(p.outputs)) for p in self.polynomials]
        self.register_buffer("_summed", torch.tensor(summed, dtype=torch.float64), persistent=False)

    def features(self, X: torch.Tensor) -> torch.Tensor:
        """The (normalised) polynomial features, shape ``(batch, k) + out``."""
        X3, _ = _check(X)
        feats = evaluate_basis_torch(self.polynomials, X3)
        if self.normalize:
            n = X3.shape[-1]
            scale = (float(n) ** (-self._summed)).to(feats.dtype)
            feats = feats * scale.view(1, -1, *([1] * (feats.ndim - 2)))
        return feats

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        X3, single = _check(X)
        feats = self.features(X3)
        out = torch.einsum("bk...,ok->bo...", feats, self.weight.to(feats.dtype))
        if self.bias is not None:
            out = out + self.bias.to(out.dtype).view(1, -1, *([1] * (out.ndim - 2)))
        return out[0] if single else out
