"""Induced- and restricted-representation layers for SO(2) in SO(3) (Howell et al. 2023).

This module imports torch at its top; it is not imported by ``reptheory.so3``.

* :class:`InducedLayer`: 2-D image features whose channels transform under in-plane rotations
  as real SO(2) irreps (an :class:`~reptheory.so3.SO2Rep`) -> SO(3) features (an
  :class:`~reptheory.so3.Irreps`, e.g. spherical-harmonic coefficients of a signal on S^2
  or Fourier coefficients of a signal on SO(3)).  The consistency constraint

      layer(rotate_image(f, t)) = D_out(Rz(t)) layer(f),
      rotate_image(f, t)(r) = psi_in(t) f(R_{-t} r),

  holds for the most general linear layer ``f -> sum_r K(r) f(r)`` iff
  ``K(R_t r) = D_out(Rz(t)) K(r) psi_in(t)^-1``.  Its general solution is
  ``K(rho, phi) = D_out(Rz(phi)) W(rho) psi_in(-phi)`` with ``W(rho)`` free for rho > 0 and
  ``W(0)`` in ``Hom_SO(2)(psi_in, Res D_out)`` (from :func:`~reptheory.so3.hom_basis`).  We
  learn ``W(rho) = sum_j g_j(rho) W_j`` over Gaussian rings.  The image-to-sphere
  (orthographic projection) layer of Klee et al. is the special case
  ``K(r) = Y(n(r))``, ``n(r) = (x, y, sqrt(1 - |r|^2))``: :meth:`InducedLayer.orthographic`.
* :class:`RestrictionLayer`: SO(3) features -> SO(2) channels (restriction to rotations about
  z, then an SO(2)-equivariant linear map built from ``hom_basis``).

Pixel coordinates: column j, row i -> ``(x, y) = ((j - (W-1)/2), (i - (H-1)/2)) * 2 / (max(H, W) - 1)``,
so a square grid is invariant under rotations by multiples of 90 degrees about its centre.
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

from ..errors import InvalidParameterError, ReptheoryTypeError, ShapeError
from ._reps import SO2Rep, SO3Rep, hom_basis, restrict
from ._sh import spherical_harmonics_all
from ._wigner import rot_z

__all__ = ["InducedLayer", "RestrictionLayer", "grid_coordinates", "so3_fourier_rep", "sphere_rep"]


def sphere_rep(L: int, channels: int = 1) -> SO3Rep:
    """``channels`` copies of rho_0 + ... + rho_L in the layout (channel-major blocks by degree).

    Examples
    --------
    >>> sphere_rep(2).dim
    9
    """
    return SO3Rep([(channels, l) for l in range(L + 1)])


def so3_fourier_rep(L: int, channels: int = 1) -> SO3Rep:
    """Fourier coefficients of a band-limited signal on SO(3): (2l+1) copies of rho_l, l <= L.

    Examples
    --------
    >>> so3_fourier_rep(1).dim
    10
    """
    return SO3Rep([(channels * (2 * l + 1), l) for l in range(L + 1)])


def grid_coordinates(H: int, W: int) -> np.ndarray:
    """Pixel-centre coordinates (H*W, 2), row-major, centred, scaled into [-1, 1]."""
    s = 2.0 / max(max(H, W) - 1, 1)
    i, j = np.meshgrid(np.arange(H), np.arange(W), indexing="ij")
    return np.stack([(j - (W - 1) / 2) * s, (i - (H - 1) / 2) * s], -1).reshape(-1, 2)


def _block_diag(mats: list[np.ndarray], n: int) -> np.ndarray:
    """Batched block diagonal: each entry (P, d, d) -> (P, n, n)."""
    P = mats[0].shape[0]
    out = np.zeros((P, n, n))
    i = 0
    for M in mats:
        d = M.shape[-1]
        out[:, i : i + d, i : i + d] = M
        i += d
    return out


def _d_out(rep: SO3Rep, phi: np.ndarray) -> np.ndarray:
    """Block-diagonal D_out(Rz(phi)) for many angles (P, dim, dim), no rotation checks."""
    from ._wigner import _apply_z_left

    mats = []
    for l in rep.labels():
        eye = np.broadcast_to(np.eye(2 * l + 1), (phi.shape[0], 2 * l + 1, 2 * l + 1))
        mats.append(_apply_z_left(eye, phi, l))
    return _block_diag(mats, rep.dim)


def _psi_in(rep: SO2Rep, phi: np.ndarray) -> np.ndarray:
    mats = []
    for ir in rep.irreps():
        if ir.m == 0:
            mats.append(np.ones((phi.shape[0], 1, 1)))
        else:
            c, s = np.cos(ir.m * phi), np.sin(ir.m * phi)
            mats.append(np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2))
    return _block_diag(mats, rep.dim)


class InducedLayer(nn.Module):
    """Learnable SO(2)-to-SO(3) induction layer: image features -> SO(3) features.

    Parameters
    ----------
    in_rep : SO2Rep or str
        Real SO(2) type of the input channels (e.g. ``"8x0"`` for 8 plain channels).
    out_rep : SO3Rep or str
        Output type, e.g. :func:`sphere_rep` (S^2 signals) or :func:`so3_fourier_rep`.
    n_rings : int
        Number of radial Gaussian rings (besides the centre, which uses ``hom_basis``).
    dtype : torch.dtype
        Parameter and buffer dtype.

    Examples
    --------
    >>> import torch
    >>> layer = InducedLayer("2x0+1x1", sphere_rep(2), n_rings=3, dtype=torch.float64)
    >>> layer(torch.randn(5, 4, 9, 9, dtype=torch.float64)).shape
    torch.Size([5, 9])
    """

    def __init__(
        self, in_rep, out_rep, n_rings: int = 4, dtype=torch.float32, seed: int | None = 0
    ) -> None:
        super().__init__()
        self.in_rep = in_rep if isinstance(in_rep, SO2Rep) else SO2Rep(in_rep)
        self.out_rep = out_rep if isinstance(out_rep, SO3Rep) else SO3Rep(out_rep)
        if not self.in_rep.real:
            raise ReptheoryTypeError("in_rep must be a real SO2Rep (psi_k channels)")
        if n_rings < 0:
            raise InvalidParameterError(f"n_rings must be >= 0, got {n_rings}")
        self.n_rings = int(n_rings)
        self._dtype = dtype
        res = restrict(self.out_rep)
        homs = hom_basis(self.in_rep, res.rep)  # maps in the restricted basis
        Q = res.change_of_basis
        centre = np.array([Q.T @ H for H in homs]).reshape(
            len(homs), self.out_rep.dim, self.in_rep.dim
        )
        self.register_buffer("centre_basis", torch.tensor(centre, dtype=dtype))
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        scale = 1.0 / math.sqrt(max(self.in_rep.dim, 1))
        self.centre_weight = nn.Parameter(
            torch.randn(len(homs), generator=gen, dtype=dtype) * scale
        )
        self.ring_weight = nn.Parameter(
            torch.randn(self.n_rings, self.out_rep.dim, self.in_rep.dim, generator=gen, dtype=dtype)
            * scale
        )
        self.ring_radii = tuple(
            float(r) for r in np.linspace(1.0, 0.0, self.n_rings, endpoint=False)[::-1]
        )
        self.sigma = 1.0 / max(self.n_rings, 1) / 1.5
        self._fixed_kernel = None

    # -- kernel ----------------------------------------------------------------------------
    def _geometry(self, coords: np.ndarray):
        rho = np.hypot(coords[:, 0], coords[:, 1])
        phi = np.arctan2(coords[:, 1], coords[:, 0])
        phi = np.where(rho < 1e-12, 0.0, phi)
        D = torch.tensor(_d_out(self.out_rep, phi), dtype=self._dtype)
        Pinv = torch.tensor(np.swapaxes(_psi_in(self.in_rep, phi), 1, 2), dtype=self._dtype)
        return rho, D, Pinv

    def kernel(self, coords) -> torch.Tensor:
        """The kernel K(r) at points ``coords`` (P, 2): shape (P, out_dim, in_dim)."""
        coords = np.asarray(coords, dtype=float)
        if coords.ndim != 2 or coords.shape[1] != 2:
            raise ShapeError(f"coords must have shape (P, 2), got {coords.shape}")
        if self._fixed_kernel is not None:
            return self._fixed_kernel(coords)
        rho, D, Pinv = self._geometry(coords)
        g0 = torch.tensor(np.exp(-(rho**2) / (2 * self.sigma**2)), dtype=self._dtype)
        W0 = torch.einsum("k,koi->oi", self.centre_weight, self.centre_basis)
        M = g0[:, None, None] * W0[None]
        if self.n_rings:
            rings = np.array(self.ring_radii)
            g = np.exp(-((rho[:, None] - rings[None, :]) ** 2) / (2 * self.sigma**2))
            g[rho < 1e-12] = 0.0  # at the centre only the intertwiner part is allowed
            g = torch.tensor(g, dtype=self._dtype)
            M = M + torch.einsum("pj,joi->poi", g, self.ring_weight)
        return D @ M @ Pinv

    def forward_points(self, coords, feats: torch.Tensor) -> torch.Tensor:
        """Apply to features at arbitrary points: coords (P, 2), feats (B, in_dim, P)."""
        K = self.kernel(coords)
        if feats.shape[-2:] != (self.in_rep.dim, K.shape[0]):
            raise ShapeError(
                f"feats must have shape (B, {self.in_rep.dim}, {K.shape[0]}), got {tuple(feats.shape)}"
            )
        return torch.einsum("poi,bip->bo", K, feats) / K.shape[0]

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        """image (B, in_dim, H, W) -> (B, out_dim)."""
        if image.ndim != 4 or image.shape[1] != self.in_rep.dim:
            raise ShapeError(
                f"image must have shape (B, {self.in_rep.dim}, H, W), got {tuple(image.shape)}"
            )
        B, C, H, W = image.shape
        return self.forward_points(grid_coordinates(H, W), image.reshape(B, C, H * W))

    # -- special case: image to sphere --------------------------------------------------------
    @classmethod
    def orthographic(cls, channels: int, L: int, dtype=torch.float32) -> InducedLayer:
        """Image2Sphere's orthographic projection onto the upper hemisphere, as an induction
        layer with the fixed kernel ``K(r) = Y_{0..L}(x, y, sqrt(1 - |r|^2))`` (``|r| < 1``).

        Input: ``channels`` plain (psi_0) channels; output: ``channels`` copies of rho_0..rho_L
        (channel-major within each degree, the layout of :func:`sphere_rep`).
        """
        layer = cls(SO2Rep([(channels, 0)]), sphere_rep(L, channels), n_rings=0, dtype=dtype)
        out_rep = layer.out_rep

        def fixed(coords: np.ndarray) -> torch.Tensor:
            rho2 = (coords**2).sum(1)
            inside = rho2 < 1.0
            n = np.concatenate([coords, np.sqrt(np.clip(1 - rho2, 0, None))[:, None]], 1)
            Y = spherical_harmonics_all(L, n) * inside[:, None]
            K = np.zeros((coords.shape[0], out_rep.dim, channels))
            row = 0
            for l in range(L + 1):
                for c in range(channels):
                    K[:, row : row + 2 * l + 1, c] = Y[:, l * l : (l + 1) ** 2]
                    row += 2 * l + 1
            return torch.tensor(K, dtype=dtype)

        layer._fixed_kernel = fixed
        return layer


class RestrictionLayer(nn.Module):
    """SO(3) features -> SO(2) channels: restrict to rotations about z, then a learnable
    SO(2)-equivariant linear map spanned by :func:`~reptheory.so3.hom_basis`.

    ``layer(D_in(Rz(t)) x) = psi_out(t) layer(x)``.

    Examples
    --------
    >>> import torch
    >>> layer = RestrictionLayer("1x0+1x2", "2x0+1x1+1x2", dtype=torch.float64)
    >>> layer(torch.randn(3, 6, dtype=torch.float64)).shape
    torch.Size([3, 6])
    """

    def __init__(self, in_rep, out_rep, dtype=torch.float32, seed: int | None = 0) -> None:
        super().__init__()
        self.in_rep = in_rep if isinstance(in_rep, SO3Rep) else SO3Rep(in_rep)
        self.out_rep = out_rep if isinstance(out_rep, SO2Rep) else SO2Rep(out_rep)
        res = restrict(self.in_rep)
        basis = hom_basis(res.rep, self.out_rep)
        Q = res.change_of_basis
        mats = np.array([H @ Q for H in basis]).reshape(
            len(basis), self.out_rep.dim, self.in_rep.dim
        )
        self.register_buffer("basis", torch.tensor(mats, dtype=dtype))
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        self.weight = nn.Parameter(torch.randn(len(basis), generator=gen, dtype=dtype))

    def matrix(self) -> torch.Tensor:
        return torch.einsum("k,koi->oi", self.weight, self.basis)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.matrix().T


def _rotation_z(t: float) -> np.ndarray:  # pragma: no cover - convenience for users
    return rot_z(t)
