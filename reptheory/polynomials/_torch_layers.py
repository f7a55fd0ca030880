"""Torch path: differentiable evaluation of basis polynomials and a polynomial-feature layer.

This module imports torch at its top; :mod:`reptheory.polynomials` re-exports its names and
imports it on first access to one of them.
The contraction program is the numpy path's (:mod:`reptheory.polynomials._program`: plans
chosen once per polynomial and shape by :func:`numpy.einsum_path`, compiled once into prepared
broadcast products, sums and batched matrix products) run on torch tensors, so autograd,
devices and dtypes work as usual.  Intermediate results are shared between the polynomials of
one call.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import torch

from .._validate import check_int
from ..errors import InvalidParameterError, ShapeError
from ._polynomial import Polynomial, _program, as_tuple, basis_program, power
from ._program import run_program, single_runner

__all__ = ["PolynomialFeatures", "evaluate_basis_torch", "evaluate_torch"]


def _check(X: torch.Tensor) -> tuple[torch.Tensor, bool]:
    if not isinstance(X, torch.Tensor):
        X = torch.as_tensor(X)
    if X.ndim not in (2, 3) or X.shape[-1] != X.shape[-2] or X.shape[-1] == 0:
        raise ShapeError(
            f"X must have shape (n, n) or (batch, n, n) with n >= 1, got shape {tuple(X.shape)}"
        )
    return (X.unsqueeze(0), True) if X.ndim == 2 else (X, False)


def _operand(X3: torch.Tensor, kind: str, p: int, q: int) -> torch.Tensor:
    """A merged operand: ``diag(X)**p`` (``'loop'``) or ``X**p * (X.T)**q`` (``'edge'``)."""
    if kind == "loop":
        return _power(torch.diagonal(X3, dim1=-2, dim2=-1), p)
    val = _power(X3, p) if p else None
    if q:
        t = _power(X3.transpose(-1, -2), q)
        val = t if val is None else val * t
    return val


def _power(x: torch.Tensor, p: int) -> torch.Tensor:
    """``x**p``: repeated products up to the square, one ``pow`` kernel from the cube on."""
    return x.pow(p) if p >= 3 else power(x, p)


def _full(v, layout, b: int, n: int, ndim: int, like: torch.Tensor, fresh: bool):
    """A core result in the output's layout ``(batch,) + (n,) * ndim`` (diagonals embedded);
    a view where it can be one, never a view of X."""
    perm, idx, diagonal = layout
    if v is None:
        v = torch.ones((b,), dtype=like.dtype, device=like.device)
        fresh = True
    if perm is not None:
        v = v.permute(perm)
    if idx is not None:
        v = v[idx]
    if diagonal:
        return torch.diag_embed(v.expand(b, n))  # (b, 1) when a is in no edge
    if idx is not None:
        v = v.expand((b,) + (n,) * ndim)
    return v if fresh else v.clone()


def evaluate_torch(poly: Polynomial, X: torch.Tensor, optimize: bool = True) -> torch.Tensor:
    """Differentiable evaluation of one basis polynomial (same conventions as ``evaluate``).

    The compiled contraction program is kept on the polynomial per shape, so that calls after
    the first run only the prepared tensor operations.

    Examples
    --------
    >>> from reptheory.polynomials import Polynomial
    >>> p = Polynomial.from_edges([(0, 1), (1, 2)], marked=(0, 2))
    >>> X = torch.randn(2, 4, 4, dtype=torch.float64, requires_grad=True)
    >>> bool(torch.allclose(evaluate_torch(p, X), X @ X))
    True
    """
    X3, single = _check(X)
    b, n, _ = X3.shape
    prog = _program(poly, b, n, "torch", bool(optimize))
    v = (prog.single or single_runner(prog, "torch"))(X3)
    out = _full(v, prog.layouts[0], b, n, len(poly.spec.out_all), X3, prog.fresh[0])
    return out[0] if single else out


def evaluate_basis_torch(polynomials: Sequence[Polynomial], X: torch.Tensor,
                         out: torch.Tensor | None = None) -> torch.Tensor:
    """Stack of polynomials of one output type: shape ``(batch, k) + out`` (or ``(k,) + out``).

    The entrywise powers of X and the intermediate contractions of up to two free vertices are
    computed once and shared by all the polynomials; the compiled program is cached per tuple
    of polynomials and shape (:func:`~reptheory.polynomials._polynomial.basis_program`).

    Parameters
    ----------
    polynomials : sequence of Polynomial
        One output type.
    X : torch.Tensor
        ``(n, n)`` or ``(batch, n, n)``.
    out : torch.Tensor, optional
        A contiguous tensor of the result's shape, dtype and device to write into (reusing one
        buffer saves allocating a large tensor per call); not differentiable, so only when no
        gradient is recorded.

    Raises
    ------
    InvalidParameterError
        If the polynomials do not share one output type, or ``out`` is given while autograd
        records X.
    ShapeError
        If X or ``out`` has the wrong shape.

    Examples
    --------
    >>> from reptheory.polynomials import polynomial_basis
    >>> evaluate_basis_torch(polynomial_basis(2, "node"), torch.ones(3, 4, 4)).shape
    torch.Size([3, 32, 4])
    """
    polys = as_tuple(polynomials)
    X3, single = _check(X)
    b, n, _ = X3.shape
    prog = basis_program(polys, b, n, "torch")
    ndim = {"invariant": 0, "node": 1, "edge": 2}[polys[0].output]
    want = ((len(polys),) if single else (b, len(polys))) + (n,) * ndim
    if out is not None:
        if torch.is_grad_enabled() and X3.requires_grad:
            raise InvalidParameterError("out cannot be used while autograd records X (use "
                                        "torch.no_grad() or leave out=None)")
        if (not isinstance(out, torch.Tensor) or tuple(out.shape) != want
                or out.dtype != X3.dtype or out.device != X3.device
                or not out.is_contiguous()):
            raise ShapeError(f"out must be a contiguous tensor of shape {want}, dtype "
                             f"{X3.dtype} on {X3.device}, got "
                             f"{getattr(out, 'shape', type(out).__name__)}")
    vals: list = [None] * len(polys)
    run_program(prog, functools.partial(_operand, X3), vals.__setitem__)
    layouts = prog.layouts
    diag, dvals = [], []
    zero = torch.zeros((), dtype=X3.dtype, device=X3.device).expand((b,) + (n,) * ndim)
    full = []
    for i, v in enumerate(vals):
        perm, idx, diagonal = layouts[i]
        if diagonal:  # a placeholder; the diagonals are written at once below
            if v is None:
                v = torch.ones((b,), dtype=X3.dtype, device=X3.device)
            if perm is not None:
                v = v.permute(perm)
            diag.append(i)
            dvals.append((v[idx] if idx is not None else v).expand(b, n))
            full.append(zero)
        else:
            full.append(_full(v, layouts[i], b, n, ndim, X3, True))
    res = torch.stack(full, dim=1, out=None if out is None else out.view((b, len(polys)) + (n,) * ndim))
    if diag:
        res.diagonal(dim1=-2, dim2=-1)[:, diag] = torch.stack(dvals, dim=1)
    if out is not None:
        return out
    return res[0] if single else res


class PolynomialFeatures(torch.nn.Module):
    """Learnable linear combinations of chosen equivariant polynomial features of X.

    ``forward(X, node_features=None, mask=None)`` maps X of shape ``(batch, in_channels, n, n)``
    (or ``(batch, n, n)`` when ``in_channels == 1``, or one graph ``(n, n)``) to
    ``(batch, out_channels) + out`` with ``out`` equal to ``()``, ``(n,)`` or ``(n, n)`` for
    invariant, node- or edge-valued polynomials.  Every polynomial is evaluated on every input
    channel (all channels in one batched contraction), and the ``in_channels * k`` features
    are mixed linearly; the layer is S_n-equivariant (a fixed linear map of equivariant
    polynomials).

    Node features ``(batch, node_channels, n)`` are put on the diagonal of the edge channels
    (``X_c + diag(h_c)``, the convention of :func:`~reptheory.polynomials.with_node_features`),
    so that loops of the multigraphs read them; ``node_channels`` is ``in_channels`` (one node
    channel per edge channel) or ``1`` (added to every edge channel).

    With ``mask`` ((batch, n) bool, True on real nodes) the padded rows and columns of X and
    the padded node features are zeroed, the normalisation uses each graph's own number of
    nodes and padded outputs are zero: each graph of a padded batch gets the output it gets
    alone.

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
    in_channels : int
        Number of edge channels of X.
    node_channels : int
        Number of node-feature channels: ``0`` (none), ``1`` or ``in_channels``.

    Examples
    --------
    >>> from reptheory.polynomials import polynomial_basis
    >>> layer = PolynomialFeatures(polynomial_basis(2, "edge", symmetric=True), out_channels=4)
    >>> layer(torch.randn(8, 5, 5)).shape
    torch.Size([8, 4, 5, 5])
    >>> layer = PolynomialFeatures(polynomial_basis(2, "node"), 3, in_channels=2, node_channels=2)
    >>> mask = torch.tensor([[True] * 5, [True] * 3 + [False] * 2])
    >>> layer(torch.randn(2, 2, 5, 5), torch.randn(2, 2, 5), mask=mask).shape
    torch.Size([2, 3, 5])
    """

    def __init__(
        self,
        polynomials: Sequence[Polynomial],
        out_channels: int = 1,
        normalize: bool = True,
        bias: bool | None = None,
        in_channels: int = 1,
        node_channels: int = 0,
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
        self.in_channels = check_int("in_channels", in_channels, minimum=1)
        self.node_channels = check_int("node_channels", node_channels, minimum=0)
        if self.node_channels not in (0, 1, self.in_channels):
            raise InvalidParameterError(
                f"node_channels must be 0, 1 or in_channels = {self.in_channels}, "
                f"got {node_channels}"
            )
        self.normalize = normalize
        k = len(self.polynomials) * self.in_channels
        self.weight = torch.nn.Parameter(torch.randn(out_channels, k) / k**0.5)
        use_bias = (self.output == "invariant") if bias is None else bool(bias)
        self.bias = torch.nn.Parameter(torch.zeros(out_channels)) if use_bias else None
        summed = [p.num_vertices - len(set(p.outputs)) for p in self.polynomials]
        self.register_buffer("_summed", torch.tensor(summed, dtype=torch.float64), persistent=False)

    def _inputs(self, X, node_features, mask):
        """Validated (X4 (batch, C, n, n), single, mask or None), padding zeroed, nodes added."""
        if not isinstance(X, torch.Tensor):
            X = torch.as_tensor(X)
        single = X.ndim == 2
        if X.ndim in (2, 3) and self.in_channels == 1:
            X4 = X.reshape((-1, 1) + tuple(X.shape[-2:]))
        elif X.ndim == 4:
            X4 = X
        else:
            raise ShapeError(
                f"X must have shape (batch, in_channels, n, n) with in_channels = "
                f"{self.in_channels}" + (" (or (batch, n, n), (n, n))" if self.in_channels == 1
                                        else "") + f", got shape {tuple(X.shape)}"
            )
        if not X4.is_floating_point() and not X4.is_complex():
            X4 = X4.to(self.weight.dtype)  # integer adjacency matrices
        b, c, n, n2 = X4.shape
        if n != n2 or n == 0:
            raise ShapeError(f"X must be square in its last two axes (n, n) with n >= 1, got "
                             f"shape {tuple(X.shape)}")
        if c != self.in_channels:
            raise ShapeError(f"X has {c} channels (axis 1 of shape {tuple(X.shape)}), the layer "
                             f"expects in_channels = {self.in_channels}")
        if mask is not None:
            from ..torch._masks import check_mask

            if single:
                mask = mask.reshape(1, -1) if isinstance(mask, torch.Tensor) else mask
            check_mask(mask, b, n)
            m = mask.to(X4.dtype)
            X4 = X4 * (m[:, None, :, None] * m[:, None, None, :])
        if node_features is None:
            if self.node_channels:
                raise ShapeError(f"node_features of shape (batch, {self.node_channels}, n) are "
                                 f"required (node_channels = {self.node_channels})")
            return X4, single, mask
        if not self.node_channels:
            raise ShapeError("node_features given but the layer has node_channels = 0")
        h = torch.as_tensor(node_features)
        want = (self.node_channels, n) if single else (b, self.node_channels, n)
        if tuple(h.shape) != want:
            raise ShapeError(f"node_features must have shape {want} (node_channels = "
                             f"{self.node_channels}, n = {n}), got {tuple(h.shape)}")
        h = h.reshape(b, self.node_channels, n).to(X4.dtype)
        if mask is not None:
            h = h * mask.to(X4.dtype)[:, None, :]
        X4 = X4 + torch.diag_embed(h)
        return X4, single, mask

    def _features(self, X4: torch.Tensor, mask) -> torch.Tensor:
        b, c, n, _ = X4.shape
        feats = evaluate_basis_torch(self.polynomials, X4.reshape(b * c, n, n))
        feats = feats.reshape((b, c * feats.shape[1]) + tuple(feats.shape[2:]))
        if self.normalize:
            if mask is None:
                nn_ = torch.full((b, 1), float(n), dtype=feats.dtype, device=feats.device)
            else:
                nn_ = mask.sum(dim=1, keepdim=True).to(feats.dtype)
            summed = self._summed.to(device=feats.device, dtype=feats.dtype).repeat(c)
            scale = nn_ ** (-summed)[None, :]
            feats = feats * scale.view(b, -1, *([1] * (feats.ndim - 2)))
        return feats

    def _mask_out(self, out: torch.Tensor, mask) -> torch.Tensor:
        if mask is None or self.output == "invariant":
            return out
        m = mask.to(out.dtype)
        if self.output == "node":
            return out * m[:, None, :]
        return out * (m[:, None, :, None] * m[:, None, None, :])

    def features(self, X: torch.Tensor, node_features=None, mask=None) -> torch.Tensor:
        """The (normalised) polynomial features, shape ``(batch, in_channels * k) + out``
        (channel-major: feature ``c * k + i`` is polynomial ``i`` of channel ``c``)."""
        X4, single, mask = self._inputs(X, node_features, mask)
        out = self._mask_out(self._features(X4, mask), mask)
        return out[0] if single else out

    def forward(self, X: torch.Tensor, node_features=None, mask=None) -> torch.Tensor:
        X4, single, mask = self._inputs(X, node_features, mask)
        feats = self._features(X4, mask)
        out = torch.einsum("bk...,ok->bo...", feats, self.weight.to(feats.dtype))
        if self.bias is not None:
            out = out + self.bias.to(out.dtype).view(1, -1, *([1] * (out.ndim - 2)))
        out = self._mask_out(out, mask)
        return out[0] if single else out
