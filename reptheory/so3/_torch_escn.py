"""eSCN convolution in torch: multi-channel, m-truncated, with radial edge weights and a graph
layer that sums messages into nodes (imports torch).

* :class:`ESCNConvolution` - the edge operation ``x -> D(R)^T W D(R) x`` of
  :func:`reptheory.so3.escn_convolution` for features (E, C_in, (L_in+1)**2): rotate each edge
  to the pole with the torch Wigner matrices (:func:`reptheory.torch.wigner_D_all` of
  :func:`reptheory.torch.edge_to_pole_rotation`, so gradients reach the edge vectors), keep
  the orders ``|m| <= m_max``, optionally scale by per-edge weights, apply the SO(2) linear map
  (one matmul per order m), rotate back.
* :class:`RadialBasis` - Bessel radial functions ``sin(n pi r / r_c) / r`` times a smooth
  polynomial cutoff (DimeNet / NequIP).
* :class:`ESCNGraphConv` - the graph layer: radial network of the edge length -> per-edge,
  per-(degree, channel) weights -> :class:`ESCNConvolution` of the source features ->
  scatter-sum at the target nodes.

Weights of order m: ``w0`` (L_out+1, C_out, L_in+1, C_in) and ``wm[m-1]`` (2, L_out+1-m,
C_out, L_in+1-m, C_in) (real and imaginary part of the complex weight acting on
``x'[m] + i x'[-m]``, degrees l >= m), the multi-channel form of the dict of
:func:`reptheory.so3.escn_convolution`: ``sum over (l_in, l_out) of (2 min(l_in, l_out, m_max)
+ 1) C_in C_out`` weights, as many as the CG convolution with all filter degrees.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from .._validate import check_int
from ..errors import InvalidParameterError, ShapeError
from ._torch_sh import edge_to_pole_rotation, wigner_D_all

__all__ = ["ESCNConvolution", "ESCNGraphConv", "RadialBasis"]


class ESCNConvolution(nn.Module):
    """eSCN SO(2) convolution of edge features: ``forward(x, edge_vec, edge_weight=None)``.

    Parameters
    ----------
    L_in, L_out : int
        Degrees of the input and output features.
    channels_in, channels_out : int, optional
        Channels; ``None`` (default) means inputs (E, (L_in+1)**2) and outputs
        (E, (L_out+1)**2) without a channel axis (``channels_out`` defaults to
        ``channels_in``).
    m_max : int, optional
        Keep only the orders ``|m| <= m_max`` in the edge frame (default: all,
        ``min(L_in, L_out)``); the weights of the dropped orders are not created.

    Notes
    -----
    ``forward(x, edge_vec, edge_weight)``: ``x`` (E, C_in, d_in) (or (E, d_in) without
    channels), ``edge_vec`` (E, 3), ``edge_weight`` None or (E, L_in+1, C_in) (or (E, L_in+1)):
    multiplies the rotated input of each degree and channel (for example the output of a radial
    network of the edge length; any invariant of the edge keeps the map equivariant),
    ``wigner`` None or the list ``wigner_D_all(max(L_in, L_out), edge_to_pole_rotation(edge_vec))``
    (pass it to share the edge frames between layers).  Output (E, C_out, d_out).  Gradients flow to ``x``, ``edge_vec``, ``edge_weight`` and the
    weights; the Wigner matrices are built in torch on the device of ``x``.

    Examples
    --------
    >>> import torch, numpy as np
    >>> from reptheory.so3 import escn_convolution
    >>> conv = ESCNConvolution(2, 2).double()
    >>> x, r = torch.randn(4, 9, dtype=torch.float64), torch.randn(4, 3, dtype=torch.float64)
    >>> ref = escn_convolution(x.numpy(), r.numpy(), conv.weights_dict(), 2)
    >>> bool(torch.allclose(conv(x, r), torch.from_numpy(ref)))
    True
    >>> conv = ESCNConvolution(3, 2, channels_in=4, channels_out=8, m_max=1)
    >>> conv(torch.randn(10, 4, 16), torch.randn(10, 3)).shape
    torch.Size([10, 8, 9])
    """

    def __init__(
        self,
        L_in: int,
        L_out: int,
        channels_in: int | None = None,
        channels_out: int | None = None,
        m_max: int | None = None,
    ):
        super().__init__()
        self.L_in = check_int("L_in", L_in, minimum=0)
        self.L_out = check_int("L_out", L_out, minimum=0)
        mm = min(L_in, L_out)
        self.m_max = mm if m_max is None else min(check_int("m_max", m_max, minimum=0), mm)
        self.has_channels = channels_in is not None
        if channels_out is not None and channels_in is None:
            raise InvalidParameterError("channels_out needs channels_in (features with a channel axis)")
        ci = 1 if channels_in is None else check_int("channels_in", channels_in, minimum=1)
        co = ci if channels_out is None else check_int("channels_out", channels_out, minimum=1)
        self.channels_in, self.channels_out = ci, co
        scale = 1.0 / math.sqrt(ci * (L_in + 1))
        self.w0 = nn.Parameter(torch.randn(L_out + 1, co, L_in + 1, ci) * scale)
        self.wm = nn.ParameterList(
            [
                nn.Parameter(torch.randn(2, L_out + 1 - m, co, L_in + 1 - m, ci) * scale)
                for m in range(1, self.m_max + 1)
            ]
        )
        # columns of the truncated rotated features (per degree l: m = -min(l, m_max)..min)
        idx_in, idx_out = self._order_index(L_in), self._order_index(L_out)
        for m, (pos, neg) in enumerate(idx_in):
            self.register_buffer(f"idx_in_p{m}", torch.as_tensor(pos), persistent=False)
            self.register_buffer(f"idx_in_n{m}", torch.as_tensor(neg), persistent=False)
        # the SO(2) map produces the output rows order by order; this puts them back by degree
        rows = [idx_out[0][0]] + [a for m in range(1, self.m_max + 1) for a in idx_out[m]]
        order = np.argsort(np.concatenate(rows), kind="stable")
        self.register_buffer("out_order", torch.as_tensor(order), persistent=False)

    def _order_index(self, L: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each m <= m_max: positions of (l, +m) and (l, -m), l = m..L, in the truncated layout."""
        off, starts = 0, []
        for l in range(L + 1):
            k = min(l, self.m_max)
            starts.append((off, k))
            off += 2 * k + 1
        out = []
        for m in range(self.m_max + 1):
            pos = np.array([starts[l][0] + starts[l][1] + m for l in range(m, L + 1)], dtype=np.int64)
            neg = np.array([starts[l][0] + starts[l][1] - m for l in range(m, L + 1)], dtype=np.int64)
            out.append((pos, neg))
        return out

    def weights_dict(self) -> dict:
        """The single-channel weights as the dict of :func:`reptheory.so3.escn_convolution`."""
        if self.channels_in != 1 or self.channels_out != 1:
            raise InvalidParameterError("weights_dict() is defined for one input and output channel")
        mm = min(self.L_in, self.L_out)
        out = {0: self.w0.detach()[:, 0, :, 0].double().cpu().numpy()}
        for m in range(1, mm + 1):
            out[m] = np.zeros((2, self.L_out + 1, self.L_in + 1))
            if m <= self.m_max:
                out[m][:, m:, m:] = self.wm[m - 1].detach()[:, :, 0, :, 0].double().cpu().numpy()
        return out

    def _so2(self, xr: torch.Tensor) -> torch.Tensor:
        """SO(2) linear map on truncated rotated features (E, C_in, n_in) -> (E, C_out, n_out)."""
        E = xr.shape[0]
        L_in, L_out, ci, co = self.L_in, self.L_out, self.channels_in, self.channels_out
        n_out = sum(2 * min(l, self.m_max) + 1 for l in range(L_out + 1))
        pieces = []
        for m in range(self.m_max + 1):
            p_in = getattr(self, f"idx_in_p{m}")
            kin, kout = (L_in + 1 - m) * ci, (L_out + 1 - m) * co
            if m == 0:
                W = self.w0.to(xr.dtype).reshape((L_out + 1) * co, (L_in + 1) * ci)
                xp = xr.index_select(2, p_in).transpose(1, 2).reshape(E, kin)
                y = xp @ W.T  # (E, (L_out+1) * co), ordered (l, c)
                pieces.append(y.view(E, L_out + 1, co))
                continue
            n_in = getattr(self, f"idx_in_n{m}")
            w = self.wm[m - 1].to(xr.dtype).reshape(2, kout, kin)
            A, Bm = w[0], w[1]
            big = torch.cat([torch.cat([A, Bm], 0), torch.cat([-Bm, A], 0)], 1)  # (2kout, 2kin)
            xp = xr.index_select(2, p_in).transpose(1, 2).reshape(E, kin)
            xm = xr.index_select(2, n_in).transpose(1, 2).reshape(E, kin)
            y = torch.cat([xp, xm], 1) @ big.T  # (E, 2 kout): [y+, y-]
            pieces.append(y[:, :kout].view(E, L_out + 1 - m, co))
            pieces.append(y[:, kout:].view(E, L_out + 1 - m, co))
        Y = torch.cat(pieces, 1)  # (E, n_out, co), rows: m = 0, then +1, -1, +2, -2, ...
        return Y.index_select(1, self.out_order).transpose(1, 2).reshape(E, co, n_out)

    def forward(
        self,
        x: torch.Tensor,
        edge_vec: torch.Tensor,
        edge_weight: torch.Tensor | None = None,
        wigner: list[torch.Tensor] | None = None,
    ) -> torch.Tensor:
        L_in, L_out, mm = self.L_in, self.L_out, self.m_max
        d_in = (L_in + 1) ** 2
        if not self.has_channels:
            if x.ndim != 2 or x.shape[1] != d_in:
                raise ShapeError(f"x must have shape (E, {d_in}), got {tuple(x.shape)}")
            x = x[:, None, :]
        elif x.ndim != 3 or x.shape[1:] != (self.channels_in, d_in):
            raise ShapeError(
                f"x must have shape (E, {self.channels_in}, {d_in}), got {tuple(x.shape)}"
            )
        E = x.shape[0]
        if edge_vec.shape != (E, 3):
            raise ShapeError(f"edge_vec must have shape ({E}, 3), got {tuple(edge_vec.shape)}")
        if wigner is None:
            wigner = wigner_D_all(max(L_in, L_out), edge_to_pole_rotation(edge_vec.to(x.dtype)), check=False)
        if edge_weight is not None:
            want = (E, L_in + 1, self.channels_in) if self.has_channels else (E, L_in + 1)
            if tuple(edge_weight.shape) != want:
                raise ShapeError(f"edge_weight must have shape {want}, got {tuple(edge_weight.shape)}")
            if not self.has_channels:
                edge_weight = edge_weight[:, :, None]
        # rotate into the edge frame, rows |m| <= m_max only
        parts = []
        for l in range(L_in + 1):
            k = min(l, mm)
            D = wigner[l][:, l - k : l + k + 1, :]  # (E, 2k+1, 2l+1)
            xl = x[:, :, l * l : (l + 1) ** 2]
            xr = torch.matmul(xl, D.transpose(1, 2))  # (E, C, 2k+1)
            if edge_weight is not None:
                xr = xr * edge_weight[:, l, :, None]
            parts.append(xr)
        yr = self._so2(torch.cat(parts, 2))
        # rotate back: y_l = D_l^T y'_l (only the kept rows of D)
        outs, off = [], 0
        for l in range(L_out + 1):
            k = min(l, mm)
            D = wigner[l][:, l - k : l + k + 1, :]
            outs.append(torch.matmul(yr[:, :, off : off + 2 * k + 1], D))
            off += 2 * k + 1
        y = torch.cat(outs, 2)
        return y if self.has_channels else y[:, 0, :]


class RadialBasis(nn.Module):
    """Bessel radial basis ``sqrt(2/r_c) sin(n pi r / r_c) / r`` (n = 1..num) times the smooth
    cutoff ``1 - 28 t^6 + 48 t^7 - 21 t^8`` (t = r / r_c, zero beyond r_c).

    Examples
    --------
    >>> import torch
    >>> rb = RadialBasis(4, cutoff=3.0)
    >>> rb(torch.tensor([1.0, 3.5])).shape
    torch.Size([2, 4])
    >>> float(rb(torch.tensor([3.5])).abs().max())
    0.0
    """

    def __init__(self, num: int, cutoff: float):
        super().__init__()
        self.num = check_int("num", num, minimum=1)
        if not cutoff > 0:
            raise InvalidParameterError(f"cutoff must be > 0, got {cutoff}")
        self.cutoff = float(cutoff)
        self.register_buffer("freq", torch.arange(1, num + 1, dtype=torch.float64) * math.pi / cutoff)

    def forward(self, r: torch.Tensor) -> torch.Tensor:
        t = (r / self.cutoff).clamp(max=1.0)
        env = 1 - 28 * t**6 + 48 * t**7 - 21 * t**8
        b = math.sqrt(2 / self.cutoff) * torch.sin(self.freq.to(r.dtype) * r[..., None]) / r[..., None]
        return b * env[..., None]


class ESCNGraphConv(nn.Module):
    """Graph eSCN convolution: messages along edges, summed at the target nodes.

    ``forward(x, edge_index, edge_vec)``: node features ``x`` (N, C_in, (L_in+1)**2), edges
    ``edge_index`` (2, E) (row 0: source, row 1: target), ``edge_vec`` (E, 3) (for example
    ``pos[source] - pos[target]``).  Each edge's message is the
    :class:`ESCNConvolution` of the source features, with the rotated input scaled by a small
    network of the edge length (Bessel basis -> MLP -> (L_in+1) C_in weights); messages are
    summed into the targets and divided by ``avg_neighbors``.  Output (N, C_out,
    (L_out+1)**2).  Gradients reach ``edge_vec`` (forces).  Layers on the same edges can share
    their Wigner matrices: pass ``wigner`` (see :class:`ESCNConvolution`).

    Parameters
    ----------
    L_in, L_out : int
    channels_in, channels_out : int
    m_max : int, optional
        Orders kept in the edge frame (default all).
    cutoff : float
        Radial cutoff (edges longer than it get zero weight).
    num_radial, radial_hidden : int
        Size of the Bessel basis and of the hidden layer of the radial MLP.
    avg_neighbors : float
        Messages are divided by this number.

    Examples
    --------
    >>> import torch
    >>> conv = ESCNGraphConv(2, 2, 4, 4, cutoff=4.0)
    >>> x = torch.randn(5, 4, 9)
    >>> edge_index = torch.tensor([[0, 1, 2, 3, 4], [1, 2, 3, 4, 0]])
    >>> pos = torch.randn(5, 3)
    >>> conv(x, edge_index, pos[edge_index[0]] - pos[edge_index[1]]).shape
    torch.Size([5, 4, 9])
    """

    def __init__(
        self,
        L_in: int,
        L_out: int,
        channels_in: int,
        channels_out: int,
        m_max: int | None = None,
        cutoff: float = 5.0,
        num_radial: int = 8,
        radial_hidden: int = 16,
        avg_neighbors: float = 1.0,
    ):
        super().__init__()
        self.conv = ESCNConvolution(L_in, L_out, channels_in, channels_out, m_max)
        self.radial = RadialBasis(num_radial, cutoff)
        self.mlp = nn.Sequential(
            nn.Linear(num_radial, radial_hidden),
            nn.SiLU(),
            nn.Linear(radial_hidden, (L_in + 1) * channels_in),
        )
        self.avg_neighbors = float(avg_neighbors)

    def forward(
        self,
        x: torch.Tensor,
        edge_index: torch.Tensor,
        edge_vec: torch.Tensor,
        wigner: list[torch.Tensor] | None = None,
    ) -> torch.Tensor:
        if edge_index.ndim != 2 or edge_index.shape[0] != 2:
            raise ShapeError(f"edge_index must have shape (2, E), got {tuple(edge_index.shape)}")
        E = edge_index.shape[1]
        if edge_vec.shape != (E, 3):
            raise ShapeError(f"edge_vec must have shape ({E}, 3), got {tuple(edge_vec.shape)}")
        c = self.conv
        r = edge_vec.norm(dim=-1)
        w = self.mlp(self.radial(r).to(self.mlp[0].weight.dtype)).to(x.dtype)
        w = w.view(E, c.L_in + 1, c.channels_in)
        msg = c(x.index_select(0, edge_index[0]), edge_vec, w, wigner)
        out = msg.new_zeros((x.shape[0],) + msg.shape[1:])
        return out.index_add(0, edge_index[1], msg) / self.avg_neighbors
