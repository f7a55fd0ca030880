"""Image2Sphere-style layers on S^2 and SO(3) for single-view pose (torch).

This module imports torch at its top; it is not imported by ``reptheory.so3``.

Signals are stored by their Fourier coefficients (conventions of
:mod:`reptheory.so3`): a signal on S^2 with C channels in the layout of
:func:`~reptheory.so3.sphere_rep` ``(L, C)``, a signal on SO(3) with C channels in the layout of
:func:`~reptheory.so3.so3_fourier_rep` ``(L, C)`` (degree by degree; inside degree l, channel c,
column n, row m of ``F_l``).  Rotating the input by g multiplies the coefficients by
``rep.matrix(g)``; every layer here commutes with that.

* :class:`S2Convolution`: ``(f * psi)(R) = sum_c int f_c(x) psi_{c,o}(R^-1 x) dx``:
  ``F_l[o] = sum_c f_{l,c} k_{l,c,o}^T``.
* :class:`SO3Convolution`: ``(f * psi)(R) = sum_c int f_c(Q) psi_{c,o}(R^-1 Q) dQ``:
  ``F_l[o] = sum_c F_l[c] K_l[c,o]^T / (2l+1)`` (Haar measure of mass 1).
* Filters are locally supported as in Image2Sphere: values at a few points near the north pole
  (S^2) or rotations near the identity (SO(3)), turned into coefficients with the harmonics /
  Wigner matrices there.
* :class:`SO3Activation`: a pointwise nonlinearity on an exact quadrature grid, transformed back.
* :class:`SO3Distribution`: logits of a distribution over the HEALPix grid of rotations, its
  cross-entropy loss (to the grid rotation nearest the truth) and the predicted rotation.
"""

from __future__ import annotations

import math

import numpy as np

try:
    import torch
    from torch import nn
except ImportError as exc:  # pragma: no cover
    from ..errors import BackendUnavailableError

    raise BackendUnavailableError("torch is not installed: pip install 'reptheory[torch]'") from exc

from .._validate import check_int
from ..errors import InvalidParameterError, ShapeError
from ._sh import spherical_harmonics_all
from ._so3_grid import (
    _check_grid_resolves,
    healpix_so3_grid,
    so3_fourier_dim,
    so3_fourier_matrix,
    so3_quadrature,
)
from ._wigner import euler_to_matrix

__all__ = ["S2Convolution", "SO3Activation", "SO3Convolution", "SO3Distribution"]


def _check_input(x: torch.Tensor, dim: int, name: str, what: str) -> None:
    if not isinstance(x, torch.Tensor) or x.ndim != 2 or x.shape[1] != dim:
        raise ShapeError(
            f"{name} must have shape (B, {dim}) ({what}), got {tuple(getattr(x, 'shape', ()))}"
        )


def _near_pole_points(max_angle: float, n_alpha: int, n_beta: int) -> np.ndarray:
    beta = max_angle * np.arange(1, n_beta + 1) / n_beta
    alpha = 2 * np.pi * np.arange(n_alpha) / n_alpha
    B, A = np.meshgrid(beta, alpha, indexing="ij")
    return np.stack([np.sin(B) * np.cos(A), np.sin(B) * np.sin(A), np.cos(B)], -1).reshape(-1, 3)


def _near_identity_rotations(
    max_angle: float, n_alpha: int, n_beta: int, n_gamma: int
) -> np.ndarray:
    """Image2Sphere's local SO(3) filter support: ``Rz(a) Ry(b) Rz(g - a)``, b <= max_angle."""
    beta = max_angle * np.arange(1, n_beta + 1) / n_beta
    alpha = 2 * np.pi * np.arange(n_alpha) / n_alpha
    gamma = 2 * np.pi * np.arange(n_gamma) / n_gamma
    A, B, G = np.meshgrid(alpha, beta, gamma, indexing="ij")
    return euler_to_matrix(A.ravel(), B.ravel(), (G - A).ravel())


def _check_local(max_angle, n_alpha, n_beta):
    if not 0 < float(max_angle) <= math.pi:
        raise InvalidParameterError(f"max_angle must be in (0, pi], got {max_angle}")
    check_int("n_alpha", n_alpha, minimum=1)
    check_int("n_beta", n_beta, minimum=1)


class S2Convolution(nn.Module):
    """Spherical convolution of S^2 signals with learned, locally supported filters -> SO(3).

    Parameters
    ----------
    in_channels, out_channels : int
    L : int
        Band limit of input and output.
    max_angle, n_alpha, n_beta : float, int, int
        Filter support: ``n_alpha * n_beta`` points within ``max_angle`` of the north pole.
    dtype : torch.dtype
    seed : int or None

    Input ``(B, sphere_rep(L, in_channels).dim)``; output
    ``(B, so3_fourier_rep(L, out_channels).dim)``.

    Examples
    --------
    >>> import torch
    >>> conv = S2Convolution(2, 3, L=2)
    >>> conv(torch.randn(4, 18)).shape
    torch.Size([4, 105])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        L: int,
        max_angle: float = math.pi / 8,
        n_alpha: int = 8,
        n_beta: int = 3,
        dtype=torch.float32,
        seed: int | None = 0,
    ) -> None:
        super().__init__()
        self.in_channels = check_int("in_channels", in_channels, minimum=1)
        self.out_channels = check_int("out_channels", out_channels, minimum=1)
        self.L = check_int("L", L, minimum=0)
        _check_local(max_angle, n_alpha, n_beta)
        pts = _near_pole_points(max_angle, n_alpha, n_beta)
        Y = spherical_harmonics_all(self.L, pts) / math.sqrt(len(pts))
        self.register_buffer(
            "kernel_harmonics", torch.tensor(Y, dtype=dtype), persistent=False
        )  # (K, (L+1)^2)
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        self.weight = nn.Parameter(
            torch.randn(self.in_channels, self.out_channels, len(pts), generator=gen, dtype=dtype)
            / math.sqrt(self.in_channels)
        )
        self.in_dim = self.in_channels * (self.L + 1) ** 2
        self.out_dim = self.out_channels * so3_fourier_dim(self.L)

    def filter_coefficients(self) -> torch.Tensor:
        """``(in, out, (L+1)^2)`` harmonic coefficients of the filters."""
        return torch.einsum("cok,kj->coj", self.weight, self.kernel_harmonics)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_input(x, self.in_dim, "x", f"sphere_rep({self.L}, {self.in_channels})")
        B, C = x.shape[0], self.in_channels
        k = self.filter_coefficients()
        out, off = [], 0
        for l in range(self.L + 1):
            d = 2 * l + 1
            xl = x[:, off : off + C * d].reshape(B, C, d)
            kl = k[:, :, l * l : l * l + d]
            out.append(torch.einsum("bcm,con->bonm", xl, kl).reshape(B, -1))
            off += C * d
        return torch.cat(out, 1)


class SO3Convolution(nn.Module):
    """Group convolution on SO(3) with learned filters supported near the identity.

    Input and output in the :func:`~reptheory.so3.so3_fourier_rep` layout.  The filters are
    ``n_alpha * n_beta * n_gamma`` rotations ``Rz(a) Ry(b) Rz(g - a)`` with ``b <= max_angle``
    (as in Image2Sphere), weighted and band-limited at L.

    Examples
    --------
    >>> import torch
    >>> conv = SO3Convolution(3, 1, L=2)
    >>> conv(torch.randn(4, 105)).shape
    torch.Size([4, 35])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        L: int,
        max_angle: float = math.pi / 8,
        n_alpha: int = 8,
        n_beta: int = 3,
        n_gamma: int | None = None,
        dtype=torch.float32,
        seed: int | None = 0,
    ) -> None:
        super().__init__()
        self.in_channels = check_int("in_channels", in_channels, minimum=1)
        self.out_channels = check_int("out_channels", out_channels, minimum=1)
        self.L = check_int("L", L, minimum=0)
        _check_local(max_angle, n_alpha, n_beta)
        n_gamma = n_alpha if n_gamma is None else check_int("n_gamma", n_gamma, minimum=1)
        Rk = _near_identity_rotations(max_angle, n_alpha, n_beta, n_gamma)
        # D_l(R_k)[p, n] stored at n (2l+1) + p (so3_fourier_matrix layout)
        M = so3_fourier_matrix(self.L, Rk) / math.sqrt(len(Rk))
        self.register_buffer("kernel_wigner", torch.tensor(M, dtype=dtype), persistent=False)
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        self.weight = nn.Parameter(
            torch.randn(self.in_channels, self.out_channels, len(Rk), generator=gen, dtype=dtype)
            / math.sqrt(self.in_channels)
        )
        self.dim = so3_fourier_dim(self.L)

    def filter_coefficients(self) -> torch.Tensor:
        """``(in, out, so3_fourier_dim(L))`` Fourier coefficients of the filters."""
        return torch.einsum("cok,kj->coj", self.weight, self.kernel_wigner)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        C = self.in_channels
        _check_input(x, C * self.dim, "x", f"so3_fourier_rep({self.L}, {C})")
        B = x.shape[0]
        K = self.filter_coefficients()
        out, off, koff = [], 0, 0
        for l in range(self.L + 1):
            d = 2 * l + 1
            F = x[:, off : off + C * d * d].reshape(B, C, d, d)  # [c, n, m] = F_l[c][m, n]
            Kl = K[:, :, koff : koff + d * d].reshape(
                C, self.out_channels, d, d
            )  # [n, p] = K[p, n]
            # out[o][m, p] = sum_{c, n} F_c[m, n] K_{c,o}[p, n] / (2l+1), stored [o, p, m]
            out.append(torch.einsum("bcnm,conp->bopm", F, Kl).reshape(B, -1) / d)
            off += C * d * d
            koff += d * d
        return torch.cat(out, 1)


def _channel_index(L: int, C: int) -> np.ndarray:
    """Index taking the so3_fourier_rep(L, C) layout to (C, so3_fourier_dim(L)), flattened."""
    dim = so3_fourier_dim(L)
    idx = np.empty(C * dim, dtype=np.int64)
    off = koff = 0
    for l in range(L + 1):
        dd = (2 * l + 1) ** 2
        for c in range(C):
            idx[c * dim + koff : c * dim + koff + dd] = off + c * dd + np.arange(dd)
        off += C * dd
        koff += dd
    return idx


class SO3Activation(nn.Module):
    """A pointwise nonlinearity of signals on SO(3): evaluate on an exact quadrature grid,
    apply ``act``, project back to band limit L.

    With ``act`` the identity this is the identity (the grid integrates band-limit-``2
    grid_L`` exactly).  A nonlinearity creates frequencies above L; those alias, so
    equivariance is exact for the grid's own symmetries (z-rotations by multiples of
    ``2 pi / (2 grid_L + 1)``) and approximate for other rotations, improving as grid_L grows.

    Parameters
    ----------
    L : int
    channels : int
    act : callable
        Elementwise function on tensors (default ``torch.relu``).
    grid_L : int, optional
        Quadrature band limit (>= L; default L).

    Examples
    --------
    >>> import torch
    >>> act = SO3Activation(2, channels=2, act=lambda t: t)
    >>> x = torch.randn(3, 70, dtype=torch.float64)
    >>> torch.allclose(act.to(torch.float64)(x), x)
    True
    """

    def __init__(
        self, L: int, channels: int = 1, act=None, grid_L: int | None = None, dtype=torch.float32
    ) -> None:
        super().__init__()
        self.L = check_int("L", L, minimum=0)
        self.channels = check_int("channels", channels, minimum=1)
        grid_L = self.L if grid_L is None else check_int("grid_L", grid_L, minimum=0)
        if grid_L < self.L:
            raise InvalidParameterError(
                f"grid_L must be >= L = {self.L} for the grid to resolve the band limit, got {grid_L}"
            )
        self.grid_L = grid_L
        self.act = torch.relu if act is None else act
        R, w = so3_quadrature(grid_L)
        M = so3_fourier_matrix(self.L, R)
        deg = np.concatenate([np.full((2 * l + 1) ** 2, 2 * l + 1) for l in range(self.L + 1)])
        self.register_buffer(
            "to_grid", torch.tensor(M.T, dtype=dtype), persistent=False
        )  # (dim, N)
        self.register_buffer(
            "from_grid", torch.tensor(M * w[:, None] * deg[None], dtype=dtype), persistent=False
        )
        idx = _channel_index(self.L, self.channels)
        self.register_buffer("split_index", torch.tensor(idx), persistent=False)
        self.register_buffer("merge_index", torch.tensor(np.argsort(idx)), persistent=False)
        self.dim = so3_fourier_dim(self.L)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        C = self.channels
        _check_input(x, C * self.dim, "x", f"so3_fourier_rep({self.L}, {C})")
        B = x.shape[0]
        F = x[:, self.split_index].reshape(B * C, self.dim)
        F = self.act(F @ self.to_grid) @ self.from_grid
        return F.reshape(B, C * self.dim)[:, self.merge_index]


class SO3Distribution(nn.Module):
    """A distribution over the HEALPix rotation grid from one SO(3) signal: logits, loss, mode.

    ``logits = f(R_i)`` for the ``72 * 8^level`` grid rotations R_i; the probability of R_i is
    ``softmax(logits)_i`` (the density is that times ``N`` with respect to the Haar measure).

    Raises
    ------
    InvalidParameterError
        If the grid has fewer rotations than the signal has coefficients (``level`` too low for
        L), so that different signals give the same logits.

    Examples
    --------
    >>> import torch
    >>> dist = SO3Distribution(L=2, level=1)
    >>> logits = dist(torch.randn(4, 35))
    >>> logits.shape, dist.predict(logits).shape
    (torch.Size([4, 576]), torch.Size([4, 3, 3]))
    """

    def __init__(self, L: int, level: int = 2, dtype=torch.float32) -> None:
        super().__init__()
        self.L = check_int("L", L, minimum=0)
        self.level = check_int("level", level, minimum=0, maximum=6)
        R = healpix_so3_grid(self.level)
        _check_grid_resolves(self.L, R.shape[0], f"the HEALPix grid of level={self.level}")
        self.register_buffer("grid", torch.tensor(R, dtype=dtype), persistent=False)
        self.register_buffer(
            "to_grid", torch.tensor(so3_fourier_matrix(self.L, R).T, dtype=dtype), persistent=False
        )
        self.dim = so3_fourier_dim(self.L)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_input(x, self.dim, "x", f"so3_fourier_rep({self.L})")
        return x @ self.to_grid

    def nearest(self, R: torch.Tensor) -> torch.Tensor:
        """Index of the grid rotation nearest to each rotation ``R`` (B, 3, 3)."""
        if R.ndim != 3 or R.shape[-2:] != (3, 3):
            raise ShapeError(f"R must have shape (B, 3, 3), got {tuple(R.shape)}")
        R = R.to(device=self.grid.device, dtype=self.grid.dtype)
        return torch.einsum("bij,nij->bn", R, self.grid).argmax(1)

    def loss(self, logits: torch.Tensor, R: torch.Tensor) -> torch.Tensor:
        """Cross-entropy of the grid distribution against the grid rotation nearest to ``R``."""
        return nn.functional.cross_entropy(logits, self.nearest(R))

    def predict(self, logits: torch.Tensor) -> torch.Tensor:
        """The most probable grid rotation (B, 3, 3)."""
        return self.grid[logits.argmax(1)]
