"""Frames and canonicalisation: make any torch module on point clouds exactly invariant.

* :func:`pca_frames`: the frames of Puny et al. (2022) for O(3) / SO(3): the principal axes
  of each cloud with every sign choice (8 for O(3), the 4 with determinant +1 for SO(3)).
* :class:`FrameAveraging`: averages a module over those frames (invariant or equivariant).
* :class:`Canonicalization` with a canonicaliser: :class:`PCACanonicalizer` (one frame, signs
  fixed by third moments), :class:`SortCanonicalizer` (S_n: lexicographic sort of the points),
  :class:`LearnedCanonicalizer` (a small O(3)/SO(3)-equivariant network built from
  :class:`~reptheory.torch.EquivariantLinear`, with the prior-alignment loss of Mondal et al.).

Conventions: a point cloud has shape ``(batch, points, 3)`` and g in O(3) acts on each point,
``x -> x @ g.T``. A frame F is a 3 x 3 orthogonal matrix with F(x @ g.T) = g F(x); the module
sees the coordinates in the frame, ``x @ F``, which do not change when x is rotated. For
equivariant outputs ``y`` of shape ``(batch, ..., 3)`` the result is ``y @ F.T``.

Degenerate clouds: the principal axes are defined (up to sign) only when the three
eigenvalues of the covariance are distinct. All points equal (zero covariance) always raises
InvalidParameterError. Repeated eigenvalues (relative gap below ``rel_gap``) raise too unless
``degenerate="ignore"``, in which case the frames of those clouds come from whatever
eigenvectors ``torch.linalg.eigh`` returns and the result is not exactly invariant for them.
Frames are computed in float64 whatever the input dtype.
"""

from __future__ import annotations

import itertools
from typing import Any

import torch
from torch import nn

from ..errors import InvalidParameterError, ReptheoryTypeError, ShapeError

__all__ = [
    "Canonicalization",
    "FrameAveraging",
    "LearnedCanonicalizer",
    "PCACanonicalizer",
    "SortCanonicalizer",
    "pca_frames",
]


def _rotation_kind(group: Any) -> str:
    """'O' for O(3), 'SO' for SO(3) / SO3(); anything else raises."""
    from ..groups import SO3, OrthogonalGroup, SpecialOrthogonalGroup

    if isinstance(group, (SO3, SpecialOrthogonalGroup)) and group.n == 3:
        return "SO"
    if isinstance(group, OrthogonalGroup) and group.n == 3:
        return "O"
    raise InvalidParameterError(
        f"group must be rt.O(3), rt.SO(3) or rt.SO3() (point clouds in R^3), got {group!r}")


def _check_cloud(x: Any, what: str = "x") -> None:
    if not isinstance(x, torch.Tensor):
        raise ReptheoryTypeError(f"{what} must be a torch.Tensor, got {type(x).__name__}")
    if x.ndim != 3 or x.shape[-1] != 3 or x.shape[1] < 1:
        raise ShapeError(f"{what} must be point clouds of shape (batch, points, 3), got "
                         f"{tuple(x.shape)}")
    if not x.is_floating_point():
        raise ReptheoryTypeError(f"{what} must be a floating-point tensor, got {x.dtype}")
    if not bool(torch.isfinite(x).all()):
        raise InvalidParameterError(f"{what} contains non-finite values (nan or inf)")


def _principal_axes(x: torch.Tensor, rel_gap: float, degenerate: str
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """Centred covariance eigen-decomposition in float64: (eigenvalues (B, 3), vectors (B, 3, 3))."""
    if degenerate not in ("raise", "ignore"):
        raise InvalidParameterError(f"degenerate must be 'raise' or 'ignore', got {degenerate!r}")
    xd = x.double()
    xc = xd - xd.mean(dim=1, keepdim=True)
    cov = xc.transpose(1, 2) @ xc / x.shape[1]
    evals, evecs = torch.linalg.eigh(cov)
    top = evals[:, 2]
    scale = xd.abs().amax(dim=(1, 2)).clamp_min(1.0) ** 2
    flat = top <= 1e-24 * scale
    if bool(flat.any()):
        bad = int(torch.nonzero(flat)[0])
        raise InvalidParameterError(
            f"point cloud {bad} of the batch is degenerate (all points equal): its principal "
            "axes, and so its frame, are undefined")
    if degenerate == "raise":
        gaps = torch.minimum(evals[:, 1] - evals[:, 0], evals[:, 2] - evals[:, 1]) / top
        close = gaps < rel_gap
        if bool(close.any()):
            bad = int(torch.nonzero(close)[0])
            raise InvalidParameterError(
                f"point cloud {bad} of the batch has repeated covariance eigenvalues "
                f"{evals[bad].tolist()} (relative gap {float(gaps[bad]):.2g} < rel_gap="
                f"{rel_gap}): its principal axes are not unique; pass degenerate='ignore' to "
                "proceed without exact invariance for such clouds")
    return evals, evecs


def _sign_patterns() -> torch.Tensor:
    return torch.tensor(list(itertools.product((1.0, -1.0), repeat=3)), dtype=torch.float64)


def pca_frames(x: torch.Tensor, group: Any, rel_gap: float = 1e-6,
               degenerate: str = "raise") -> torch.Tensor:
    """PCA frames of point clouds: principal axes with all sign choices (float64).

    Parameters
    ----------
    x : torch.Tensor, shape (batch, points, 3)
    group : rt.O(3), rt.SO(3) or rt.SO3()
        O(3): the 8 sign choices; SO(3): the 4 with determinant +1.
    rel_gap : float
        Smallest relative gap between covariance eigenvalues (see ``degenerate``).
    degenerate : {"raise", "ignore"}
        What to do with repeated eigenvalues (all points equal always raises).

    Returns
    -------
    torch.Tensor, shape (batch, 8 or 4, 3, 3), float64
        Orthogonal matrices F (columns: principal axes, ascending variance) with
        ``F(x @ g.T) = g F(x)`` as a set, for every g in the group.

    Examples
    --------
    >>> import torch, reptheory as rt
    >>> from reptheory.torch import pca_frames
    >>> x = torch.randn(2, 10, 3) * torch.tensor([1.0, 2.0, 3.0])
    >>> F = pca_frames(x, rt.SO(3))
    >>> F.shape, bool(torch.allclose(torch.linalg.det(F), torch.ones(2, 4, dtype=F.dtype)))
    (torch.Size([2, 4, 3, 3]), True)
    """
    kind = _rotation_kind(group)
    _check_cloud(x)
    _, V = _principal_axes(x, rel_gap, degenerate)
    signs = _sign_patterns().to(V.device)                    # (8, 3)
    frames = V.unsqueeze(1) * signs.unsqueeze(0).unsqueeze(2)    # (B, 8, 3, 3): column j * s_j
    if kind == "SO":
        det = torch.linalg.det(frames)                           # (B, 8)
        keep = det > 0                                           # exactly 4 per cloud
        frames = frames[keep].reshape(x.shape[0], 4, 3, 3)
    return frames


class FrameAveraging(nn.Module):
    """Frame averaging (Puny et al. 2022) of any module on point clouds over PCA frames.

    ``invariant:  out(x) = mean_F module(x @ F)``;
    ``equivariant: out(x) = mean_F module(x @ F) @ F.T`` (outputs ending in an axis of size
    3, e.g. (batch, points, 3), rotate with the input). Exact for every element of the group
    (up to rounding), whatever the module; the cost is one forward pass on a batch 8 (O(3)) or
    4 (SO(3)) times larger.

    Parameters
    ----------
    module : torch.nn.Module
        Maps (batch, points, 3) to any output (invariant) or to (batch, ..., 3) (equivariant).
    group : rt.O(3), rt.SO(3) or rt.SO3()
    equivariant : bool
    center : bool
        Feed the module centred clouds ``(x - mean) @ F`` (also invariant to translations).
    rel_gap, degenerate
        See :func:`pca_frames`.

    Examples
    --------
    >>> import torch, reptheory as rt
    >>> from reptheory.torch import FrameAveraging
    >>> from reptheory.testing import equivariance_error
    >>> mlp = torch.nn.Sequential(torch.nn.Flatten(-2), torch.nn.Linear(15, 4))
    >>> model = FrameAveraging(mlp, rt.O(3))
    >>> model(torch.randn(2, 5, 3)).shape
    torch.Size([2, 4])
    >>> equivariance_error(model, rt.O(3), 1, 0, input_shape=(8, 5)) < 1e-5
    True
    """

    def __init__(self, module: nn.Module, group: Any, equivariant: bool = False,
                 center: bool = False, rel_gap: float = 1e-6, degenerate: str = "raise") -> None:
        super().__init__()
        if not callable(module):
            raise ReptheoryTypeError(f"module must be callable, got {type(module).__name__}")
        self.kind = _rotation_kind(group)
        self.group = group
        self.module = module
        self.equivariant = bool(equivariant)
        self.center = bool(center)
        self.rel_gap = float(rel_gap)
        self.degenerate = degenerate

    def extra_repr(self) -> str:
        return f"group={self.group!r}, equivariant={self.equivariant}, center={self.center}"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        F = pca_frames(x, self.group, self.rel_gap, self.degenerate)  # (B, K, 3, 3) float64
        B, K = F.shape[:2]
        xd = x.double()
        if self.center:
            xd = xd - xd.mean(dim=1, keepdim=True)
        xin = (xd.unsqueeze(1) @ F).to(x.dtype)                       # (B, K, N, 3)
        y = self.module(xin.reshape(B * K, *x.shape[1:]))
        if not isinstance(y, torch.Tensor) or y.shape[0] != B * K:
            raise ShapeError(f"module must return a tensor with the batch axis first, got "
                             f"{getattr(y, 'shape', type(y).__name__)}")
        y = y.reshape(B, K, *y.shape[1:])
        if self.equivariant:
            if y.ndim < 3 or y.shape[-1] != 3:
                raise ShapeError(f"equivariant=True needs module outputs ending in an axis of "
                                 f"size 3, got {tuple(y.shape[2:])} per cloud")
            tail = y.shape[2:]
            Ft = F.transpose(-1, -2).to(y.dtype)
            y = (y.reshape(B, K, -1, 3) @ Ft).reshape(B, K, *tail)
        return y.mean(dim=1)


class _Canonicalizer(nn.Module):
    """A map x -> (canonical x, group element) with ``restore`` for equivariant outputs."""

    def canonicalize(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError

    def restore(self, y: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


class _RotationCanonicalizer(_Canonicalizer):
    """Common part of the O(3)/SO(3) canonicalisers: frame(x) -> F (B, 3, 3) float64."""

    def __init__(self, group: Any, center: bool) -> None:
        super().__init__()
        self.kind = _rotation_kind(group)
        self.group = group
        self.center = bool(center)

    def frame(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def canonicalize(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        _check_cloud(x)
        F = self.frame(x)
        xd = x.double()
        if self.center:
            xd = xd - xd.mean(dim=1, keepdim=True)
        return (xd @ F).to(x.dtype), F

    def restore(self, y: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        if y.ndim < 2 or y.shape[-1] != 3:
            raise ShapeError(f"equivariant outputs must end in an axis of size 3, got "
                             f"{tuple(y.shape)}")
        B = y.shape[0]
        out = y.double().reshape(B, -1, 3) @ g.transpose(-1, -2)
        return out.reshape(y.shape).to(y.dtype)

    def extra_repr(self) -> str:
        return f"group={self.group!r}, center={self.center}"


class PCACanonicalizer(_RotationCanonicalizer):
    """One PCA frame per cloud: principal axes with signs fixed by the third moments.

    The sign of axis v is chosen so that ``sum_i ((x_i - mean) . v)^3 > 0``; for SO(3) the
    third axis is then ``v1 x v2``. Clouds whose third moment along an axis is (relatively)
    below ``rel_skew`` have no unique sign: they raise InvalidParameterError unless
    ``degenerate="ignore"``; use :class:`FrameAveraging` (which averages over the signs) for
    such data. Repeated eigenvalues are handled as in :func:`pca_frames`.

    Examples
    --------
    >>> import torch, reptheory as rt
    >>> from reptheory.torch import Canonicalization, PCACanonicalizer
    >>> from reptheory.testing import equivariance_error
    >>> mlp = torch.nn.Sequential(torch.nn.Flatten(-2), torch.nn.Linear(15, 2))
    >>> model = Canonicalization(mlp, PCACanonicalizer(rt.SO(3)))
    >>> equivariance_error(model, rt.SO(3), 1, 0, input_shape=(8, 5)) < 1e-5
    True
    """

    def __init__(self, group: Any, center: bool = False, rel_gap: float = 1e-6,
                 rel_skew: float = 1e-6, degenerate: str = "raise") -> None:
        super().__init__(group, center)
        self.rel_gap, self.rel_skew, self.degenerate = float(rel_gap), float(rel_skew), degenerate

    def frame(self, x: torch.Tensor) -> torch.Tensor:
        evals, V = _principal_axes(x, self.rel_gap, self.degenerate)
        xd = x.double()
        proj = (xd - xd.mean(dim=1, keepdim=True)) @ V                 # (B, N, 3)
        skew = proj.pow(3).mean(dim=1)                                  # (B, 3)
        ref = evals.clamp_min(0).pow(1.5).amax(dim=1, keepdim=True)
        weak = skew.abs() < self.rel_skew * ref
        if self.kind == "SO":
            weak = weak[:, :2]
        if self.degenerate == "raise" and bool(weak.any()):
            bad = int(torch.nonzero(weak.any(dim=1))[0])
            raise InvalidParameterError(
                f"point cloud {bad} of the batch has a (near) zero third moment along a principal "
                "axis, so its sign is not unique; pass degenerate='ignore' or use "
                "FrameAveraging, which averages over the signs")
        s = torch.where(skew >= 0, 1.0, -1.0).to(V.dtype)
        F = V * s.unsqueeze(1)
        if self.kind == "SO":
            F = torch.stack([F[..., 0], F[..., 1], torch.linalg.cross(F[..., 0], F[..., 1])], -1)
        return F


class SortCanonicalizer(_Canonicalizer):
    """S_n canonicalisation: sort the points (axis -2) lexicographically by their features.

    The canonical input is the sorted cloud; for equivariant per-point outputs ``restore``
    puts them back in the input order. Exactly permutation-invariant: ties are broken by the
    next feature, and points equal in every feature are interchangeable.

    Parameters
    ----------
    keys : sequence of int, optional
        Feature indices (last axis) to sort by, most significant first (default: all).

    Examples
    --------
    >>> import torch
    >>> from reptheory.torch import SortCanonicalizer
    >>> xc, perm = SortCanonicalizer().canonicalize(torch.tensor([[[2.0, 0.0], [1.0, 5.0]]]))
    >>> xc.tolist(), perm.tolist()
    ([[[1.0, 5.0], [2.0, 0.0]]], [[1, 0]])
    """

    def __init__(self, keys: Any = None) -> None:
        super().__init__()
        self.keys = None if keys is None else [int(k) for k in keys]

    def canonicalize(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if not isinstance(x, torch.Tensor) or x.ndim < 2:
            raise ShapeError(f"x must be a tensor of shape (batch, points, features), got "
                             f"{getattr(x, 'shape', type(x).__name__)}")
        flat = x.reshape(x.shape[0], x.shape[1], -1)
        keys = self.keys if self.keys is not None else list(range(flat.shape[-1]))
        for k in keys:
            if not -flat.shape[-1] <= k < flat.shape[-1]:
                raise InvalidParameterError(f"keys: feature index {k} out of range for "
                                            f"{flat.shape[-1]} features")
        perm = torch.arange(x.shape[1], device=x.device).expand(x.shape[0], -1)
        with torch.no_grad():
            for k in reversed(keys):
                key = flat[..., k].gather(1, perm)
                order = torch.sort(key, dim=1, stable=True).indices
                perm = perm.gather(1, order)
        idx = perm.reshape(perm.shape + (1,) * (x.ndim - 2)).expand(x.shape)
        return x.gather(1, idx), perm

    def restore(self, y: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        if y.ndim < 2 or y.shape[:2] != g.shape:
            raise ShapeError(f"equivariant outputs must have shape (batch, points, ...) = "
                             f"{tuple(g.shape)} + ..., got {tuple(y.shape)}")
        idx = g.reshape(g.shape + (1,) * (y.ndim - 2)).expand(y.shape)
        return torch.zeros_like(y).scatter(1, idx, y)


class LearnedCanonicalizer(_RotationCanonicalizer):
    """A learnt O(3)/SO(3) canonicaliser (Kaba et al. 2023) from reptheory's equivariant layers.

    For centred points v_i, an invariant per-point network gives weights w_ic from the
    invariants ``|v_i|^2`` and ``v_i^T C v_i`` (C the covariance, normalised by its trace);
    vectors ``u_c = mean_i w_ic v_i`` (equivariant, permutation-invariant) are mixed by an
    :class:`~reptheory.torch.EquivariantLinear` layer of O(3) (or SO(3)) from ``hidden`` to 3
    (O(3)) or 2 (SO(3)) vector channels, then orthonormalised by Gram-Schmidt (for SO(3) the
    third axis is the cross product). The frame is exactly equivariant, so the wrapped model is
    exactly invariant, for any weights. The canonicaliser's parameters are float64 by default
    (it is small; this keeps the frame accurate for float32 inputs); pass ``dtype`` to change.

    :meth:`prior_loss` is the prior-alignment loss of Mondal et al. (2023): the mean squared
    distance ``|F(x) - I|^2`` of the frames of training inputs from the identity, which keeps
    canonical poses close to the poses the predictor was trained on (add it to the task loss).

    Examples
    --------
    >>> import torch, reptheory as rt
    >>> from reptheory.torch import Canonicalization, LearnedCanonicalizer
    >>> from reptheory.testing import equivariance_error
    >>> torch.manual_seed(0) and None
    >>> canon = LearnedCanonicalizer(rt.O(3), hidden=8)
    >>> mlp = torch.nn.Sequential(torch.nn.Flatten(-2), torch.nn.Linear(18, 2)).double()
    >>> model = Canonicalization(mlp, canon)
    >>> equivariance_error(model, rt.O(3), 1, 0, input_shape=(4, 6)) < 1e-8
    True
    >>> canon.prior_loss(torch.randn(4, 6, 3, dtype=torch.float64)).shape
    torch.Size([])
    """

    def __init__(self, group: Any, hidden: int = 16, center: bool = False, eps: float = 1e-9,
                 dtype: Any = None) -> None:
        super().__init__(group, center)
        from ..groups import SO, O
        from ._linear import EquivariantLinear

        dtype = dtype if dtype is not None else torch.float64
        self.hidden = int(hidden)
        self.eps = float(eps)
        self.point_net = nn.Sequential(nn.Linear(2, self.hidden, dtype=dtype), nn.SiLU(),
                                       nn.Linear(self.hidden, self.hidden, dtype=dtype))
        layer_group = O(3) if self.kind == "O" else SO(3)
        self.mix = EquivariantLinear(layer_group, 1, 1, self.hidden, 3 if self.kind == "O" else 2,
                                     bias=False, dtype=dtype)

    def frame(self, x: torch.Tensor) -> torch.Tensor:
        dtype = self.mix.weight.dtype
        v = x.to(dtype) - x.to(dtype).mean(dim=1, keepdim=True)               # (B, N, 3)
        cov = v.transpose(1, 2) @ v / x.shape[1]
        tr = cov.diagonal(dim1=1, dim2=2).sum(-1).clamp_min(self.eps)         # (B,)
        if bool((tr <= self.eps).any()):
            bad = int(torch.nonzero(tr <= self.eps)[0])
            raise InvalidParameterError(f"point cloud {bad} of the batch is degenerate (all "
                                        "points equal): its frame is undefined")
        n2 = (v * v).sum(-1) / tr.unsqueeze(1)                                 # (B, N)
        q = ((v @ cov) * v).sum(-1) / tr.unsqueeze(1) ** 2
        w = self.point_net(torch.stack([n2, q], -1))                           # (B, N, H)
        u = w.transpose(1, 2) @ v / x.shape[1]                                 # (B, H, 3)
        a = self.mix(u).double()                                               # (B, 3|2, 3)
        e1 = a[:, 0] / a[:, 0].norm(dim=-1, keepdim=True).clamp_min(self.eps)
        a2 = a[:, 1] - (a[:, 1] * e1).sum(-1, keepdim=True) * e1
        e2 = a2 / a2.norm(dim=-1, keepdim=True).clamp_min(self.eps)
        if self.kind == "SO":
            e3 = torch.linalg.cross(e1, e2)
        else:
            a3 = a[:, 2] - (a[:, 2] * e1).sum(-1, keepdim=True) * e1 \
                - (a[:, 2] * e2).sum(-1, keepdim=True) * e2
            e3 = a3 / a3.norm(dim=-1, keepdim=True).clamp_min(self.eps)
        return torch.stack([e1, e2, e3], dim=-1)                               # columns

    def prior_loss(self, x: torch.Tensor) -> torch.Tensor:
        """Mondal et al.'s prior: mean over the batch of ``|F(x) - I|_F^2``."""
        _check_cloud(x)
        F = self.frame(x)
        eye = torch.eye(3, dtype=F.dtype, device=F.device)
        return (F - eye).pow(2).sum(dim=(-1, -2)).mean().to(x.dtype)


class Canonicalization(nn.Module):
    """Wrap any module: ``out(x) = module(canonical x)`` (invariant) or, with
    ``equivariant=True``, the output is moved back by the canonicalising element.

    Parameters
    ----------
    module : torch.nn.Module
    canonicalizer : PCACanonicalizer, SortCanonicalizer or LearnedCanonicalizer
    equivariant : bool

    Examples
    --------
    >>> import torch, reptheory as rt
    >>> from reptheory.torch import Canonicalization, SortCanonicalizer
    >>> from reptheory.testing import TrivialGroup, equivariance_error
    >>> mlp = torch.nn.Sequential(torch.nn.Flatten(-2), torch.nn.Linear(10, 3))
    >>> model = Canonicalization(mlp, SortCanonicalizer())
    >>> equivariance_error(model, (rt.S(5), TrivialGroup(2)), (1, 1), (0, 0), input_shape=(4,))
    0.0
    """

    def __init__(self, module: nn.Module, canonicalizer: _Canonicalizer,
                 equivariant: bool = False) -> None:
        super().__init__()
        if not isinstance(canonicalizer, _Canonicalizer):
            raise ReptheoryTypeError(
                "canonicalizer must be a PCACanonicalizer, SortCanonicalizer or "
                f"LearnedCanonicalizer, got {type(canonicalizer).__name__}")
        self.module = module
        self.canonicalizer = canonicalizer
        self.equivariant = bool(equivariant)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xc, g = self.canonicalizer.canonicalize(x)
        y = self.module(xc)
        return self.canonicalizer.restore(y, g) if self.equivariant else y

    def prior_loss(self, x: torch.Tensor) -> torch.Tensor:
        """The canonicaliser's prior-alignment loss (learnt canonicalisers only)."""
        if not hasattr(self.canonicalizer, "prior_loss"):
            raise ReptheoryTypeError(f"{type(self.canonicalizer).__name__} has no prior loss")
        return self.canonicalizer.prior_loss(x)
