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
  ``W(0)`` in ``Hom_SO(2)(psi_in, Res D_out)``.  We learn
  ``W(rho) = g_0(rho) W_0 + sum_j g_j(rho) W_j`` over Gaussian rings, ``W_0`` an intertwiner.
  The image-to-sphere (orthographic projection) layer of Klee et al. is the special case
  ``K(r) = Y(n(r))``, ``n(r) = (x, y, sqrt(1 - |r|^2))``: :meth:`InducedLayer.orthographic`.
* :class:`RestrictionLayer`: SO(3) features -> SO(2) channels (restriction to rotations about
  z, then an SO(2)-equivariant linear map).

**How it is computed (no per-pixel matrices).**  Both ``D_out(Rz(t))`` and ``psi_in(t)`` act
on each coordinate ``a`` as ``cos(n_a t) x_a - sin(n_a t) x_{p(a)}`` with a signed frequency
``n_a`` and a partner coordinate ``p(a)`` (the other member of its 2-dimensional block).  So

    out_o = sum_{j,c} W_j[o, c] G_c[c, j, |n_o|] - sign(n_o) W_j[p(o), c] G_s[c, j, |n_o|],
    G_{c|s}[c, j, m] = (1/P) sum_r g_j(|r|) {cos|sin}(m phi_r) (psi_in(-phi_r) f(r))_c,

where only the small table ``g_j(|r|) {cos, sin}(m phi_r)`` (pixels x rings x frequencies)
depends on the pixel geometry; it is a buffer, and the rest is one matrix product per output
frequency.  The intertwiner ``W_0`` is the exact average over angles of
``D_out(Rz(t)) M psi_in(-t)`` of a free matrix M, which is an elementwise formula in M.

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

from .._validate import check_dense_size, check_int
from ..errors import InvalidParameterError, ReptheoryTypeError, ShapeError
from ._pose_geometry import _signed_frequencies, grid_coordinates, sphere_rep
from ._irreps import Irreps
from ._reps import SO2Rep
from ._sh import spherical_harmonics_all

__all__ = ["InducedLayer", "RestrictionLayer"]


def _as_so2(rep) -> SO2Rep:
    rep = rep if isinstance(rep, SO2Rep) else SO2Rep(rep)
    if not rep.real:
        raise ReptheoryTypeError("in_rep/out_rep of SO(2) type must be a real SO2Rep (psi_k)")
    return rep


def _as_so3(rep) -> Irreps:
    return rep if isinstance(rep, Irreps) else Irreps(rep)


def _intertwiner_masks(n_out: np.ndarray, n_in: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A, S with ``avg_t (R_out(t) M R_in(-t))[o, c] = A[o, c] M[o, c] + S[o, c] M[p(o), p(c)]``.

    ``avg cos(a t) cos(b t) = (d_{a,b} + d_{a,-b}) / 2`` and
    ``avg sin(a t) sin(b t) = (d_{a,b} - d_{a,-b}) / 2`` over a full turn.
    """
    a, b = n_out[:, None], n_in[None, :]
    A = 0.5 * ((a == b).astype(float) + (a == -b))
    S = 0.5 * ((a == b).astype(float) - (a == -b))
    return A, S


def _check_image_size(image_size) -> tuple[int, int] | None:
    if image_size is None:
        return None
    if not isinstance(image_size, (tuple, list)) or len(image_size) != 2:
        raise InvalidParameterError(f"image_size must be a pair (H, W), got {image_size!r}")
    return (
        check_int("image_size[0]", image_size[0], minimum=1),
        check_int("image_size[1]", image_size[1], minimum=1),
    )


class _Projector(nn.Module):
    """The exact projection of a matrix onto ``Hom_SO(2)(R_in, R_out)`` (elementwise)."""

    def __init__(self, n_out, p_out, n_in, p_in, dtype) -> None:
        super().__init__()
        A, S = _intertwiner_masks(n_out, n_in)
        self.register_buffer("A", torch.tensor(A, dtype=dtype), persistent=False)
        self.register_buffer("S", torch.tensor(S, dtype=dtype), persistent=False)
        self.register_buffer("p_out", torch.tensor(p_out, dtype=torch.long), persistent=False)
        self.register_buffer("p_in", torch.tensor(p_in, dtype=torch.long), persistent=False)

    def forward(self, M: torch.Tensor) -> torch.Tensor:
        return self.A * M + self.S * M[self.p_out][:, self.p_in]


class InducedLayer(nn.Module):
    """Learnable SO(2)-to-SO(3) induction layer: image features -> SO(3) features.

    Parameters
    ----------
    in_rep : SO2Rep or str
        Real SO(2) type of the input channels (e.g. ``"8x0"`` for 8 plain channels).
    out_rep : Irreps or str
        Output type, e.g. :func:`~reptheory.so3.sphere_rep` (S^2 signals) or
        :func:`~reptheory.so3.so3_fourier_rep`.
    n_rings : int
        Number of radial Gaussian rings (besides the centre, whose weight is an intertwiner).
    dtype : torch.dtype
        Parameter and buffer dtype.
    seed : int or None
        Seed of the initial weights.
    image_size : tuple of int, optional
        ``(H, W)``: precompute the pixel tables as buffers; other image sizes then raise
        :class:`~reptheory.errors.ShapeError`.  Without it the tables are built on the first
        call for each image size and kept.

    Notes
    -----
    Memory: the weights ``(1 + n_rings) * out_dim * in_dim`` and a table of
    ``H * W * (1 + n_rings) * 2 * (l_max + 1)`` numbers.  Time per image:
    ``in_dim * H * W * (1 + n_rings) * 2 (l_max + 1)`` for the projection onto the table plus
    ``2 (1 + n_rings) * in_dim * out_dim`` for the channel mixing.

    Examples
    --------
    >>> import torch
    >>> from reptheory.so3 import sphere_rep
    >>> layer = InducedLayer("2x0+1x1", sphere_rep(2), n_rings=3, dtype=torch.float64)
    >>> layer(torch.randn(5, 4, 9, 9, dtype=torch.float64)).shape
    torch.Size([5, 9])
    """

    def __init__(
        self,
        in_rep,
        out_rep,
        n_rings: int = 4,
        dtype=torch.float32,
        seed: int | None = 0,
        image_size: tuple[int, int] | None = None,
        _orthographic_L: int | None = None,
    ) -> None:
        super().__init__()
        self.in_rep = _as_so2(in_rep)
        self.out_rep = _as_so3(out_rep)
        self.n_rings = check_int("n_rings", n_rings, minimum=0)
        n_in, p_in = _signed_frequencies(self.in_rep)
        self._n_in = n_in
        self._rotated_inputs = np.flatnonzero(n_in != 0)
        self._dtype = dtype
        O, C = self.out_rep.dim, self.in_rep.dim
        if O == 0 or C == 0:
            raise InvalidParameterError("in_rep and out_rep must have dimension >= 1")
        self._ortho_L = _orthographic_L
        self.image_size = _check_image_size(image_size)
        self._tables: dict = {}
        self.register_buffer("p_in", torch.tensor(p_in, dtype=torch.long), persistent=False)
        self.register_buffer(
            "rotated_in", torch.tensor(self._rotated_inputs, dtype=torch.long), persistent=False
        )
        if self._ortho_L is None:
            self._init_learnable(n_in, p_in, seed)
        if self.image_size is not None:
            H, W = self.image_size
            for name, t in self._geometry(grid_coordinates(H, W)).items():
                self.register_buffer(name, t, persistent=False)

    def _init_learnable(self, n_in: np.ndarray, p_in: np.ndarray, seed: int | None) -> None:
        O, C, dtype = self.out_rep.dim, self.in_rep.dim, self._dtype
        check_dense_size("InducedLayer weights", (1 + self.n_rings) * O * C)
        n_out, p_out = _signed_frequencies(self.out_rep)
        self._n_out = n_out
        self.m_max = int(np.abs(n_out).max())
        self.project_centre = _Projector(n_out, p_out, n_in, p_in, dtype)
        self.register_buffer("p_out", torch.tensor(p_out, dtype=torch.long), persistent=False)
        self.register_buffer(
            "sign_out", torch.tensor(np.sign(n_out), dtype=dtype), persistent=False
        )
        # outputs grouped by |frequency|: one matrix product each
        self._freq_rows = []
        order = []
        for m in range(self.m_max + 1):
            rows = np.flatnonzero(np.abs(n_out) == m)
            if rows.size:
                self.register_buffer(
                    f"rows_{m}", torch.tensor(rows, dtype=torch.long), persistent=False
                )
                self._freq_rows.append(m)
                order.append(rows)
        self.register_buffer(
            "inverse_order",
            torch.tensor(np.argsort(np.concatenate(order)), dtype=torch.long),
            persistent=False,
        )
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        scale = 1.0 / math.sqrt(C)
        self.centre_weight = nn.Parameter(torch.randn(O, C, generator=gen, dtype=dtype) * scale)
        self.ring_weight = nn.Parameter(
            torch.randn(self.n_rings, O, C, generator=gen, dtype=dtype) * scale
        )
        self.ring_radii = tuple(
            float(r) for r in np.linspace(1.0, 0.0, self.n_rings, endpoint=False)[::-1]
        )
        self.sigma = 1.0 / max(self.n_rings, 1) / 1.5

    # -- geometry tables (numpy, once per pixel layout) ------------------------------------------
    def _geometry(self, coords: np.ndarray) -> dict[str, torch.Tensor]:
        coords = np.asarray(coords, dtype=float)
        if coords.ndim != 2 or coords.shape[1] != 2:
            raise ShapeError(f"coords must have shape (P, 2), got {coords.shape}")
        P = coords.shape[0]
        if P == 0:
            raise ShapeError("coords must hold at least one point")
        if self._ortho_L is not None:
            rho2 = (coords**2).sum(1)
            n = np.concatenate([coords, np.sqrt(np.clip(1 - rho2, 0, None))[:, None]], 1)
            Y = spherical_harmonics_all(self._ortho_L, n) * (rho2 < 1.0)[:, None] / P
            return {"geom_harmonics": torch.tensor(Y, dtype=self._dtype)}
        J = 1 + self.n_rings
        check_dense_size("InducedLayer pixel table", P * J * 2 * (self.m_max + 1))
        rho = np.hypot(coords[:, 0], coords[:, 1])
        phi = np.where(rho < 1e-12, 0.0, np.arctan2(coords[:, 1], coords[:, 0]))
        g = np.empty((P, J))
        g[:, 0] = np.exp(-(rho**2) / (2 * self.sigma**2))
        if self.n_rings:
            rings = np.array(self.ring_radii)
            g[:, 1:] = np.exp(-((rho[:, None] - rings[None, :]) ** 2) / (2 * self.sigma**2))
            g[rho < 1e-12, 1:] = 0.0  # at the centre only the intertwiner part is allowed
        m = np.arange(self.m_max + 1)
        trig = np.stack([np.cos(phi[:, None] * m), np.sin(phi[:, None] * m)], 1)  # (P, 2, M)
        table = (trig[:, :, :, None] * g[:, None, None, :]).reshape(P, -1) / P  # (P, 2*M*J)
        k = self._n_in[self._rotated_inputs]
        ang = k[:, None] * phi[None, :]
        return {
            "geom_table": torch.tensor(table, dtype=self._dtype),
            "geom_cos_in": torch.tensor(np.cos(ang), dtype=self._dtype),
            "geom_sin_in": torch.tensor(np.sin(ang), dtype=self._dtype),
        }

    def _grid_tables(self, H: int, W: int, like: torch.Tensor) -> dict[str, torch.Tensor]:
        if self.image_size is not None:
            if (H, W) != self.image_size:
                raise ShapeError(
                    f"image must have spatial size {self.image_size} (image_size), got {(H, W)}"
                )
            return {k: v for k, v in self.named_buffers(recurse=False) if k.startswith("geom_")}
        key = (H, W, like.device, like.dtype)
        if key not in self._tables:
            t = self._geometry(grid_coordinates(H, W))
            self._tables[key] = {
                k: v.to(device=like.device, dtype=like.dtype) for k, v in t.items()
            }
        return self._tables[key]

    # -- weights ---------------------------------------------------------------------------------
    def weights(self) -> torch.Tensor:
        """All radial weights ``(1 + n_rings, out_dim, in_dim)``: the centre intertwiner first."""
        W0 = self.project_centre(self.centre_weight)
        return torch.cat([W0[None], self.ring_weight], 0)

    def kernel(self, coords) -> torch.Tensor:
        """The kernel K(r) at points ``coords`` (P, 2), dense: shape (P, out_dim, in_dim).

        For inspection and tests (one point at a time); the forward pass never forms it.
        """
        coords = np.asarray(coords, dtype=float)
        if coords.ndim != 2 or coords.shape[1] != 2:
            raise ShapeError(f"coords must have shape (P, 2), got {coords.shape}")
        C = self.in_rep.dim
        check_dense_size("InducedLayer.kernel", coords.shape[0] * self.out_rep.dim * C)
        eye = torch.eye(C, dtype=self._dtype, device=self.p_in.device)[:, :, None]
        return torch.stack(
            [self.forward_points(coords[p : p + 1], eye).T for p in range(len(coords))]
        )

    # -- forward ---------------------------------------------------------------------------------
    def _apply(self, feats: torch.Tensor, t: dict[str, torch.Tensor]) -> torch.Tensor:
        B, C, P = feats.shape
        if "geom_harmonics" in t:
            Y = t["geom_harmonics"]  # (P, (L+1)^2)
            c = torch.einsum("bcp,pk->bck", feats, Y)
            return c.reshape(B, -1)[:, self.ortho_index]
        if self._rotated_inputs.size:  # psi_in(-phi) f(r)
            idx = self.rotated_in
            part = feats[:, idx] * t["geom_cos_in"] + feats[:, self.p_in[idx]] * t["geom_sin_in"]
            feats = feats.index_copy(1, idx, part)
        J, M = 1 + self.n_rings, self.m_max + 1
        G = (feats.reshape(B * C, P) @ t["geom_table"]).reshape(B, C, 2, M, J)
        Wt = self.weights()  # (J, O, C)
        Wp = Wt[:, self.p_out] * (-self.sign_out)[None, :, None]
        pieces = []
        for m in self._freq_rows:
            rows = getattr(self, f"rows_{m}")
            Gm = G[:, :, :, m].permute(0, 2, 3, 1).reshape(B, 2 * J * C)  # (B, [cos, sin] j c)
            Wm = torch.stack([Wt[:, rows], Wp[:, rows]], 0)  # (2, J, R, C)
            Wm = Wm.permute(0, 1, 3, 2).reshape(2 * J * C, rows.numel())
            pieces.append(Gm @ Wm)
        return torch.cat(pieces, 1)[:, self.inverse_order]

    def forward_points(self, coords, feats: torch.Tensor) -> torch.Tensor:
        """Apply to features at arbitrary points: coords (P, 2), feats (B, in_dim, P)."""
        coords = np.asarray(coords, dtype=float)
        if coords.ndim != 2 or coords.shape[1] != 2:
            raise ShapeError(f"coords must have shape (P, 2), got {coords.shape}")
        if feats.ndim != 3 or feats.shape[-2:] != (self.in_rep.dim, coords.shape[0]):
            raise ShapeError(
                f"feats must have shape (B, {self.in_rep.dim}, {coords.shape[0]}), "
                f"got {tuple(feats.shape)}"
            )
        t = {
            k: v.to(device=feats.device, dtype=feats.dtype)
            for k, v in self._geometry(coords).items()
        }
        return self._apply(feats, t)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        """image (B, in_dim, H, W) -> (B, out_dim)."""
        if (
            not isinstance(image, torch.Tensor)
            or image.ndim != 4
            or image.shape[1] != self.in_rep.dim
        ):
            raise ShapeError(
                f"image must have shape (B, {self.in_rep.dim}, H, W), "
                f"got {tuple(getattr(image, 'shape', ()))}"
            )
        B, C, H, W = image.shape
        return self._apply(image.reshape(B, C, H * W), self._grid_tables(H, W, image))

    # -- special case: image to sphere --------------------------------------------------------
    @classmethod
    def orthographic(
        cls, channels: int, L: int, dtype=torch.float32, image_size: tuple[int, int] | None = None
    ) -> InducedLayer:
        """Image2Sphere's orthographic projection onto the upper hemisphere, as an induction
        layer with the fixed kernel ``K(r) = Y_{0..L}(x, y, sqrt(1 - |r|^2))`` (``|r| < 1``).

        Input: ``channels`` plain (psi_0) channels; output: ``channels`` copies of rho_0..rho_L
        (channel-major within each degree, the layout of :func:`~reptheory.so3.sphere_rep`).
        The only table is the harmonics at each pixel's sphere point, ``(H*W, (L+1)^2)``.

        Examples
        --------
        >>> import torch
        >>> layer = InducedLayer.orthographic(channels=3, L=2)
        >>> layer(torch.randn(2, 3, 8, 8)).shape
        torch.Size([2, 27])
        """
        channels = check_int("channels", channels, minimum=1)
        L = check_int("L", L, minimum=0)
        layer = cls(
            SO2Rep([(channels, 0)]),
            sphere_rep(L, channels),
            n_rings=0,
            dtype=dtype,
            image_size=image_size,
            _orthographic_L=L,
        )
        # (c, l*l + l + m) -> row of the sphere_rep layout (degree blocks, channel-major inside)
        index = np.empty(channels * (L + 1) ** 2, dtype=np.int64)
        row = 0
        for l in range(L + 1):
            for c in range(channels):
                for m in range(2 * l + 1):
                    index[row] = c * (L + 1) ** 2 + l * l + m
                    row += 1
        layer.register_buffer("ortho_index", torch.tensor(index), persistent=False)
        return layer

    def forward_sphere(self, points, feats: torch.Tensor) -> torch.Tensor:
        """Orthographic layers only: harmonic coefficients of features already on the sphere.

        ``points`` (P, 3) unit vectors, ``feats`` (B, channels, P) ->
        ``(1/P) sum_p Y(points_p) feats_p`` in the :func:`~reptheory.so3.sphere_rep` layout, so
        rotating the points by R multiplies the output by the Wigner D of R.
        """
        if self._ortho_L is None:
            raise ReptheoryTypeError("forward_sphere needs an orthographic layer")
        points = np.asarray(points, dtype=float)
        if points.ndim != 2 or points.shape[1] != 3:
            raise ShapeError(f"points must have shape (P, 3), got {points.shape}")
        if feats.ndim != 3 or feats.shape[-2:] != (self.in_rep.dim, points.shape[0]):
            raise ShapeError(
                f"feats must have shape (B, {self.in_rep.dim}, {points.shape[0]}), "
                f"got {tuple(feats.shape)}"
            )
        Y = spherical_harmonics_all(self._ortho_L, points) / points.shape[0]
        t = {"geom_harmonics": torch.tensor(Y, dtype=feats.dtype, device=feats.device)}
        return self._apply(feats, t)


class RestrictionLayer(nn.Module):
    """SO(3) features -> SO(2) channels: restrict to rotations about z, then a learnable
    SO(2)-equivariant linear map (an exact projection of a free matrix onto the intertwiners).

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
        self.in_rep = _as_so3(in_rep)
        self.out_rep = _as_so2(out_rep)
        O, C = self.out_rep.dim, self.in_rep.dim
        check_dense_size("RestrictionLayer weights", O * C)
        n_out, p_out = _signed_frequencies(self.out_rep)
        n_in, p_in = _signed_frequencies(self.in_rep)
        self.project = _Projector(n_out, p_out, n_in, p_in, dtype)
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        self.weight = nn.Parameter(
            torch.randn(O, C, generator=gen, dtype=dtype) / math.sqrt(max(C, 1))
        )

    def matrix(self) -> torch.Tensor:
        """The equivariant matrix (out_dim, in_dim)."""
        return self.project(self.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] != self.in_rep.dim:
            raise ShapeError(f"x must have last dimension {self.in_rep.dim}, got {tuple(x.shape)}")
        return x @ self.matrix().T
