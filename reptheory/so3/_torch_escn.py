"""eSCN convolution in torch: multi-channel, m-truncated, with radial edge weights and a graph
layer that sums messages into nodes (imports torch).

* :class:`ESCNConvolution` - the edge operation ``x -> D(R)^T W D(R) x`` of
  :func:`reptheory.so3.escn_convolution` for features (E, C_in, (L_in+1)**2): rotate each edge
  to the pole with the torch Wigner matrices (:func:`reptheory.torch.wigner_D_all` of
  :func:`reptheory.torch.edge_to_pole_rotation`, so gradients reach the edge vectors), keep
  the orders ``|m| <= m_max``, optionally scale by per-edge weights, apply the SO(2) linear map,
  rotate back.  Up to degree 4 with at least 8 channels in and out (``fused``), each rotation
  is one batched matmul with the block-diagonal matrix of the kept rows of ``D_0 .. D_L`` and
  the SO(2) map of all orders and channels one matmul with a (C_out n_out, C_in n_in) matrix
  into which the weights are scattered (fewer, larger operations: 0.6-0.9x the time of the
  per-degree form in those cases); otherwise, with at most 16 channels in and out, the
  rotations are broadcast products with the edges along the last axis (the layout in which
  :func:`reptheory.torch.wigner_D_all` computes the matrices, so neither they nor their
  gradients are copied or transposed; one temporary of at most 16 times the size of the
  largest Wigner block) and the SO(2) map one matmul per order (one CPU thread, forward and
  backward: 1.4-4x faster than batched matmuls of the small blocks, measured for L = 2..16
  and 1..16 channels); with more channels one batched matmul per degree and per order (the
  dense blocks would waste up to 7x the multiply-adds at L = 8).
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

#: the one-matmul-per-step strategy of :class:`ESCNConvolution` is used up to this degree ...
_FUSED_MAX_L = 4
#: ... and from this many channels (in and out)
_FUSED_MIN_CHANNELS = 8
#: otherwise, up to this many channels (in and out), the edges-last elementwise strategy
_EDGES_LAST_MAX_CHANNELS = 16


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
        # the truncated rotated layout: per degree l, orders m = -min(l, m_max)..min(l, m_max)
        self.n_in, self.n_out = self._n_trunc(L_in), self._n_trunc(L_out)
        deg = [l for l in range(L_in + 1) for _ in range(2 * min(l, self.m_max) + 1)]
        self.register_buffer("deg_in", torch.as_tensor(deg, dtype=torch.int64), persistent=False)
        # two strategies, chosen by size (measured, one CPU thread): with few degrees and many
        # channels one matmul per step (block-diagonal rotations, the SO(2) map of all orders
        # as one matrix) beats the per-degree / per-order matmuls; at higher degree or with few
        # channels the dense blocks waste too much (2.2x slower at L = 8, one channel)
        self.fused = max(L_in, L_out) <= _FUSED_MAX_L and min(ci, co) >= _FUSED_MIN_CHANNELS
        # with few channels the per-degree rotations are tiny matmuls: elementwise products with
        # the edges along the last axis (the layout in which the Wigner matrices are computed)
        self.edges_last = not self.fused and max(ci, co) <= _EDGES_LAST_MAX_CHANNELS
        if self.fused:
            # the input rotation is built transposed, (d_in, n_in): both matmuls take it as it is
            for name, L, tr in (("rot_in", L_in, True), ("rot_out", L_out, False)):
                index = torch.as_tensor(self._rotation_index(L, tr))
                self.register_buffer(name, index, persistent=False)
            src, dst, neg = self._so2_index()
            self.register_buffer("so2_src", torch.as_tensor(src), persistent=False)
            self.register_buffer("so2_dst", torch.as_tensor(dst), persistent=False)
            self.register_buffer("so2_neg", torch.as_tensor(neg), persistent=False)
        else:
            idx_in, idx_out = self._order_index(L_in), self._order_index(L_out)
            for m, (pos, neg) in enumerate(idx_in):
                self.register_buffer(f"idx_in_p{m}", torch.as_tensor(pos), persistent=False)
                self.register_buffer(f"idx_in_n{m}", torch.as_tensor(neg), persistent=False)
            # the SO(2) map produces the output rows order by order; this puts them back by degree
            rows = [idx_out[0][0]] + [a for m in range(1, self.m_max + 1) for a in idx_out[m]]
            order = np.argsort(np.concatenate(rows), kind="stable")
            self.register_buffer("out_order", torch.as_tensor(order), persistent=False)

    def _order_index(self, L: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each m <= m_max: positions of (l, +m) and (l, -m), l = m..L (truncated layout)."""
        pos = self._trunc_pos(L)
        return [
            tuple(np.array([pos[l, s * m] for l in range(m, L + 1)], dtype=np.int64)
                  for s in (1, -1))
            for m in range(self.m_max + 1)
        ]

    def _so2_per_order(self, xr: torch.Tensor) -> torch.Tensor:
        """SO(2) map order by order: (E, C_in, n_in) -> (E, C_out, n_out), truncated layouts."""
        E = xr.shape[0]
        L_in, L_out, ci, co = self.L_in, self.L_out, self.channels_in, self.channels_out
        pieces = []
        for m in range(self.m_max + 1):
            kin, kout = (L_in + 1 - m) * ci, (L_out + 1 - m) * co
            xp = xr.index_select(2, getattr(self, f"idx_in_p{m}")).transpose(1, 2).reshape(E, kin)
            if m == 0:
                W = self.w0.to(xr.dtype).reshape(kout, kin)
                pieces.append((xp @ W.T).view(E, L_out + 1, co))  # rows ordered (l, c)
                continue
            xm = xr.index_select(2, getattr(self, f"idx_in_n{m}")).transpose(1, 2).reshape(E, kin)
            A, B = self.wm[m - 1].to(xr.dtype).reshape(2, kout, kin)
            big = torch.cat([torch.cat([A, -B], 1), torch.cat([B, A], 1)], 0)  # (2kout, 2kin)
            y = torch.cat([xp, xm], 1) @ big.T  # (E, 2 kout): [y+, y-]
            pieces.append(y.view(E, 2 * (L_out + 1 - m), co))
        Y = torch.cat(pieces, 1)  # (E, n_out, co), rows: m = 0, then +1, -1, +2, -2, ...
        return Y.index_select(1, self.out_order).transpose(1, 2)

    def _n_trunc(self, L: int) -> int:
        return sum(2 * min(l, self.m_max) + 1 for l in range(L + 1))

    def _trunc_pos(self, L: int) -> dict:
        """Position of (l, m), |m| <= min(l, m_max), in the truncated layout of degrees 0..L."""
        pos, off = {}, 0
        for l in range(L + 1):
            k = min(l, self.m_max)
            for m in range(-k, k + 1):
                pos[l, m] = off + k + m
            off += 2 * k + 1
        return pos

    def _rotation_index(self, L: int, transpose: bool) -> np.ndarray:
        """Flat positions in the (n_trunc, (L+1)**2) block rotation of the kept rows of each D_l.

        The kept rows of ``D_l`` (orders ``|m| <= min(l, m_max)``), flattened degree by degree
        and concatenated, go to these positions of the block-diagonal matrix (of its transpose,
        ((L+1)**2, n_trunc), with ``transpose``).
        """
        d, n, out, off = (L + 1) ** 2, self._n_trunc(L), [], 0
        for l in range(L + 1):
            k = min(l, self.m_max)
            rows = off + np.arange(2 * k + 1)[:, None]
            cols = l * l + np.arange(2 * l + 1)[None, :]
            out.append((cols * n + rows if transpose else rows * d + cols).reshape(-1))
            off += 2 * k + 1
        return np.concatenate(out).astype(np.int64)

    def _so2_index(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where each weight goes in the one (C_out n_out, C_in n_in) matrix of the SO(2) map.

        Entry e of that matrix (flat position ``dst[e]``) is the flat weight ``src[e]`` (``w0``
        then ``wm[0]``, ``wm[1]``, ... flattened), negated where ``neg[e]``: order 0 couples
        (l_out, 0) to (l_in, 0) by ``w0``; order m > 0 couples ``[+m, -m]`` by ``[[A, -B], [B, A]]``
        with ``A, B = wm[m-1]``.
        """
        L_in, L_out, ci, co = self.L_in, self.L_out, self.channels_in, self.channels_out
        p_in, p_out = self._trunc_pos(L_in), self._trunc_pos(L_out)
        n_in, n_out = self.n_in, self.n_out
        c_o, c_i = np.meshgrid(np.arange(co), np.arange(ci), indexing="ij")
        src, dst, neg, base = [], [], [], 0

        def put(flat, lo, mo, li, mi, sign):
            src.append(flat.reshape(-1))
            row, col = c_o * n_out + p_out[lo, mo], c_i * n_in + p_in[li, mi]
            dst.append((row * (ci * n_in) + col).reshape(-1))
            neg.append(np.full(flat.size, sign < 0))

        idx0 = np.arange((L_out + 1) * co * (L_in + 1) * ci).reshape(L_out + 1, co, L_in + 1, ci)
        for lo in range(L_out + 1):
            for li in range(L_in + 1):
                put(idx0[lo, :, li, :], lo, 0, li, 0, 1)
        base = idx0.size
        for m in range(1, self.m_max + 1):
            shape = (2, L_out + 1 - m, co, L_in + 1 - m, ci)
            idx = base + np.arange(int(np.prod(shape))).reshape(shape)
            for lo in range(m, L_out + 1):
                for li in range(m, L_in + 1):
                    A, B = idx[0, lo - m, :, li - m, :], idx[1, lo - m, :, li - m, :]
                    put(A, lo, m, li, m, 1)
                    put(A, lo, -m, li, -m, 1)
                    put(B, lo, m, li, -m, -1)
                    put(B, lo, -m, li, m, 1)
            base += idx.size
        return tuple(np.concatenate(a) for a in (src, dst, neg))

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

    def _so2_matrix(self, dtype: torch.dtype | None = None) -> torch.Tensor:
        """The SO(2) map as one (C_out n_out, C_in n_in) matrix on the truncated layouts.

        Rows ``c_out * n_out + position of (l_out, m)``, columns likewise for the input, with
        the truncated layout of degrees 0..L: per degree l the orders
        ``-min(l, m_max)..min(l, m_max)``.  Differentiable in the weights.
        """
        flat = torch.cat([self.w0.reshape(-1)] + [w.reshape(-1) for w in self.wm])
        if dtype is not None:
            flat = flat.to(dtype)
        vals = flat.index_select(0, self.so2_src)
        vals = torch.where(self.so2_neg, -vals, vals)
        n = self.channels_out * self.n_out * self.channels_in * self.n_in
        W = flat.new_zeros(n).index_copy(0, self.so2_dst, vals)
        return W.view(self.channels_out * self.n_out, self.channels_in * self.n_in)

    def _rotation(self, wigner: list, L: int, index: torch.Tensor, n: int) -> torch.Tensor:
        """The kept rows of D_0 .. D_L placed at ``index`` of a flat (E, n_trunc (L+1)**2)
        tensor: the block-diagonal rotation or its transpose, flattened (see
        :meth:`_rotation_index`)."""
        E, mm = wigner[0].shape[0], self.m_max
        blocks = [wigner[l][:, l - min(l, mm) : l + min(l, mm) + 1, :].flatten(1)
                  for l in range(L + 1)]
        flat = torch.cat(blocks, 1)
        return flat.new_zeros(E, n * (L + 1) ** 2).index_copy(1, index, flat)

    def forward(
        self,
        x: torch.Tensor,
        edge_vec: torch.Tensor,
        edge_weight: torch.Tensor | None = None,
        wigner: list[torch.Tensor] | None = None,
    ) -> torch.Tensor:
        L_in, L_out = self.L_in, self.L_out
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
        elif len(wigner) < max(L_in, L_out) + 1:
            raise ShapeError(
                f"wigner must hold D_0 .. D_{max(L_in, L_out)}, got {len(wigner)} matrices")
        if edge_weight is not None:
            want = (E, L_in + 1, self.channels_in) if self.has_channels else (E, L_in + 1)
            if tuple(edge_weight.shape) != want:
                raise ShapeError(f"edge_weight must have shape {want}, got {tuple(edge_weight.shape)}")
            if not self.has_channels:
                edge_weight = edge_weight[:, :, None]
        if self.fused:
            y = self._forward_fused(x, wigner, edge_weight)
        elif self.edges_last:
            y = self._forward_edges_last(x, wigner, edge_weight)
        else:
            y = self._forward_per_degree(x, wigner, edge_weight)
        return y if self.has_channels else y[:, 0, :]

    def _forward_fused(self, x, wigner, edge_weight):
        """One matmul each: rotate (block-diagonal), SO(2) map (all orders), rotate back."""
        E, d_in = x.shape[0], x.shape[2]
        # rotate into the edge frame (rows |m| <= m_max only; D_0 = 1 needs no rotation)
        xr = x if self.L_in == 0 else torch.matmul(
            x, self._rotation(wigner, self.L_in, self.rot_in, self.n_in).view(E, d_in, self.n_in))
        if edge_weight is not None:  # (E, C_in, n_in): each column scaled by its degree's weight
            xr = xr * edge_weight.transpose(1, 2).index_select(2, self.deg_in)
        yr = (xr.flatten(1) @ self._so2_matrix(xr.dtype).T).view(E, self.channels_out, self.n_out)
        # rotate back: y_l = D_l^T y'_l (only the kept rows of D)
        if self.L_out == 0:
            return yr
        rot = self._rotation(wigner, self.L_out, self.rot_out, self.n_out)
        return torch.matmul(yr, rot.view(E, self.n_out, (self.L_out + 1) ** 2))

    def _forward_edges_last(self, x, wigner, edge_weight):
        """Per degree, with the edges along the last axis: features (d, C, E), Wigner matrices
        (d, d, E) (for degrees >= 2 the storage of :func:`wigner_D_all`, no copy), rotations
        as broadcast products summed over one axis; the SO(2) map one matmul per order."""
        E, mm = x.shape[0], self.m_max
        L_in, L_out, ci, co = self.L_in, self.L_out, self.channels_in, self.channels_out
        Dt = [D.permute(1, 2, 0) for D in wigner[: max(L_in, L_out) + 1]]  # (d, d, E) each
        # split, not sliced: the backward of a slice would zero-fill a full-size gradient each
        xs = x.permute(2, 1, 0).contiguous().split([2 * l + 1 for l in range(L_in + 1)], 0)
        parts = [xs[0]]  # D_0 = 1
        for l in range(1, L_in + 1):  # rotate into the edge frame, rows |m| <= m_max only
            parts.append((self._kept_rows(Dt[l], l)[:, :, None, :] * xs[l]).sum(1))
        xr = torch.cat(parts, 0)  # (n_in, C_in, E)
        if edge_weight is not None:
            xr = xr * edge_weight.permute(1, 2, 0).index_select(0, self.deg_in)
        pieces = []
        for m in range(mm + 1):  # the SO(2) map: one matmul per order, rows (l, c)
            kin, kout = (L_in + 1 - m) * ci, (L_out + 1 - m) * co
            xp = xr.index_select(0, getattr(self, f"idx_in_p{m}")).reshape(kin, E)
            if m == 0:
                pieces.append(self.w0.to(xr.dtype).reshape(kout, kin) @ xp)
                continue
            xm = xr.index_select(0, getattr(self, f"idx_in_n{m}")).reshape(kin, E)
            A, B = self.wm[m - 1].to(xr.dtype).reshape(2, kout, kin)
            big = torch.cat([torch.cat([A, -B], 1), torch.cat([B, A], 1)], 0)  # (2kout, 2kin)
            pieces.append(big @ torch.cat([xp, xm], 0))  # (2 kout, E): [y+, y-]
        yr = torch.cat(pieces, 0).view(self.n_out, co, E).index_select(0, self.out_order)  # (n_out, C, E)
        ys = yr.split([2 * min(l, mm) + 1 for l in range(L_out + 1)], 0)
        outs = [ys[0]]
        for l in range(1, L_out + 1):  # rotate back: y_l = D_l^T y'_l (kept rows of D)
            outs.append((self._kept_rows(Dt[l], l)[:, :, None, :] * ys[l][:, None]).sum(0))
        return torch.cat(outs, 0).permute(2, 1, 0).contiguous()  # (E, C_out, d_out) as the others

    def _kept_rows(self, D: torch.Tensor, l: int) -> torch.Tensor:
        """The rows ``|m| <= m_max`` of ``D_l`` (d, d, E): no slice (and no zero-filled
        gradient in the backward) when all are kept."""
        k = min(l, self.m_max)
        return D if k == l else D[l - k : l + k + 1]

    def _forward_per_degree(self, x, wigner, edge_weight):
        """One matmul per degree (rotations) and per order (SO(2) map)."""
        mm = self.m_max
        parts = []
        for l in range(self.L_in + 1):  # rotate into the edge frame, rows |m| <= m_max only
            k = min(l, mm)
            D = wigner[l][:, l - k : l + k + 1, :]  # (E, 2k+1, 2l+1)
            parts.append(torch.matmul(x[:, :, l * l : (l + 1) ** 2], D.transpose(1, 2)))
        xr = torch.cat(parts, 2)
        if edge_weight is not None:
            xr = xr * edge_weight.transpose(1, 2).index_select(2, self.deg_in)
        yr = self._so2_per_order(xr)
        outs, off = [], 0
        for l in range(self.L_out + 1):  # rotate back: y_l = D_l^T y'_l (kept rows of D)
            k = min(l, mm)
            outs.append(torch.matmul(yr[:, :, off : off + 2 * k + 1], wigner[l][:, l - k : l + k + 1, :]))
            off += 2 * k + 1
        return torch.cat(outs, 2)


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
