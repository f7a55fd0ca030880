"""Torch modules for the tensor products of :mod:`reptheory.so3` (imports torch).

* :class:`CGTensorProduct` - CG product with learnable per-path (optionally per-channel)
  weights, dense (one matmul with the weighted CG matrix) or sparse (the outer product split
  into contiguous blocks by the orders and signs of the two inputs, one small matmul each).
* :class:`GauntTensorProduct` - Gaunt product with per-degree weights (Luo et al.), on the
  exact sphere grid or through the 2-D Fourier basis; the changes of basis are the exact
  tables of :mod:`reptheory.so3._tp_gaunt_fourier` / ``_tp_gaunt_grid`` stored as buffers.
* :class:`ESCNConvolution` - eSCN SO(2) convolution (defined in
  :mod:`reptheory.so3._torch_escn`, with the graph layer :class:`ESCNGraphConv`).

All follow the conventions of :mod:`reptheory.so3`: features of shape (..., (L+1)**2), order
``l*l + l + m``.  Not imported by ``reptheory.so3``.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from torch import nn

from ..errors import InvalidParameterError, ShapeError
from ._torch_escn import ESCNConvolution
from ._tp_cg import _check_paths, _coo
from ._tp_gaunt_fourier import _fast_len, fourier_to_sh, sh_to_fourier
from ._tp_gaunt_grid import _from_grid, _to_grid, sphere_grid

__all__ = ["CGTensorProduct", "ESCNConvolution", "GauntTensorProduct"]


def _sign_layout(L: int, swap: bool = False) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
    """Feature columns regrouped by ``|m|``: for each a, (l, +a) for l = a..L, then (l, -a).

    Returns the permutation and, per a, ``(start, S, k)``: the ``S * k`` columns from ``start``
    (S = 1 for a = 0, else 2 sign halves of k = L + 1 - a degrees).  ``swap`` puts the -a half
    first (the partner layout that pairs cosine with sine terms).
    """
    perm, spans = [], []
    for a in range(L + 1):
        pos = [l * l + l + a for l in range(a, L + 1)]
        neg = [l * l + l - a for l in range(a, L + 1)]
        halves = [pos] if a == 0 else ([neg, pos] if swap else [pos, neg])
        spans.append((len(perm), len(halves), L + 1 - a))
        for h in halves:
            perm.extend(h)
    return np.array(perm, dtype=np.int64), spans


def _sign_blocks(L1: int, L2: int, L_out: int, paths: tuple) -> tuple:
    """The non-zero CG entries as small dense blocks over contiguous products of input columns.

    The real CG tables couple ``(m1, m2)`` only to ``|m3| = |m1| + |m2|`` or ``||m1| - |m2||``.
    With the inputs regrouped by ``|m|`` (:func:`_sign_layout`), every pair of orders
    ``(a, b)`` with a, b > 0 gives two products of contiguous column blocks, same-sign
    ``[c1 c2, s1 s2]`` and cross-sign ``[c1 s2, s1 c2]`` (c: order +a or +b, s: -a or -b; the
    second input in its swapped layout), and a = 0 or b = 0 gives one; each product feeds one
    dense block (its outputs x its ``S k1 k2`` rows).  Every input pair (i, j) sits in exactly
    one product, so together the products are the outer product ``x1 (x) x2`` computed
    without any gather, and the blocks hold about 4x fewer multiply-adds than the dense
    ``(d1 d2, d3)`` matrix at L1 = L2 = L_out = 6.

    Returns ``(p1, p2, p2s, sizes1, sizes2, prods, pos, total, out_index)``: the column
    permutations of x1, x2 and swapped x2; the sizes of their order blocks (columns of order
    ``|m| = a``, a = 0, 1, ...); per product ``(a, b, swapped, S, k1, k2, n_out, offset)``;
    ``pos[e]`` the flat position of COO entry e (of :func:`_coo`) in the concatenated blocks
    (each stored (n_out, S k1 k2) row-major); ``total`` their size; ``out_index`` the output
    column of each concatenated block row.
    """
    I, J, K, _V, _P = _coo(L1, L2, L_out, paths)
    p1, sp1 = _sign_layout(L1)
    p2, sp2 = _sign_layout(L2)
    p2s, sp2s = _sign_layout(L2, swap=True)
    d2 = (L2 + 1) ** 2
    where = {}  # (i, j) -> (product number, row)
    cand = []
    for a, (s1, S1, h1) in enumerate(sp1):
        for b in range(L2 + 1):
            for swapped in (False, True) if (a and b) else (False,):
                s2, S2, h2 = (sp2s if swapped else sp2)[b]
                cols2 = (p2s if swapped else p2)[s2 : s2 + S2 * h2].reshape(S2, h2)
                cols1 = p1[s1 : s1 + S1 * h1].reshape(S1, h1)
                if S1 == S2:  # sign halves paired (same or, swapped, opposite sign)
                    S, rows = S1, cols1[:, :, None] * d2 + cols2[:, None, :]
                    k1, k2 = h1, h2
                else:  # a = 0 or b = 0: every column with every column
                    S, rows = 1, cols1.reshape(-1)[:, None] * d2 + cols2.reshape(-1)[None, :]
                    k1, k2 = rows.shape
                for r, ij in enumerate(rows.reshape(-1)):
                    where[int(ij)] = (len(cand), r)
                cand.append((a, b, swapped, S, k1, k2))
    prod_of = np.array([where[int(i * d2 + j)][0] for i, j in zip(I, J)], dtype=np.int64)
    row_of = np.array([where[int(i * d2 + j)][1] for i, j in zip(I, J)], dtype=np.int64)
    prods, pos, off, outs_all = [], np.zeros(I.size, dtype=np.int64), 0, []
    for c, (a, b, swapped, S, k1, k2) in enumerate(cand):
        (sel,) = np.nonzero(prod_of == c)
        if not sel.size:
            continue
        outs, oinv = np.unique(K[sel], return_inverse=True)
        n_in = S * k1 * k2
        pos[sel] = off + oinv * n_in + row_of[sel]
        prods.append((a, b, swapped, S, k1, k2, outs.size, off))
        outs_all.append(outs)
        off += outs.size * n_in
    out_index = np.concatenate(outs_all) if outs_all else np.zeros(0, dtype=np.int64)
    for arr in (p1, p2, p2s, pos, out_index):
        arr.setflags(write=False)
    sizes1 = tuple(S * k for _, S, k in sp1)
    sizes2 = tuple(S * k for _, S, k in sp2)
    return p1, p2, p2s, sizes1, sizes2, tuple(prods), pos, off, out_index


def _check_last(name: str, x: torch.Tensor, d: int) -> None:
    if x.shape[-1] != d:
        raise ShapeError(f"{name} must have last dimension {d}, got shape {tuple(x.shape)}")


class CGTensorProduct(nn.Module):
    """CG tensor product ``(..., (L1+1)^2) x (..., (L2+1)^2) -> (..., (L_out+1)^2)``.

    Parameters
    ----------
    L1, L2, L_out : int
    paths : sequence of (l1, l2, l3), optional
        Default: every path.
    channels : int, optional
        Per-channel weights (inputs (..., channels, d)); default one weight per path.
    method : {"dense", "sparse"}
        ``"dense"``: the outer product ``x1 (x) x2`` times one (d1 d2, d3) matrix with the
        weights baked in (O(L^6) per sample).
        ``"sparse"``: the real CG tables couple orders only as ``|m3| = |m1| +- |m2|``, so with
        the inputs regrouped by ``|m|`` the products of each pair of orders (a, b), split by
        sign, are contiguous blocks of the outer product, each mapped to its outputs by one
        small dense block (about 4x fewer multiply-adds than dense at L = 6, no gather and no
        (d1 d2, d3) matrix: memory grows far slower with L).  Forward + backward on one CPU
        thread it measured 1.3-3.4x faster than ``"dense"`` for L1 = L2 = L_out = 2 .. 10
        (``benchmarks/bench_so3_torch.py``).

    Examples
    --------
    >>> import torch
    >>> tp = CGTensorProduct(1, 1, 2).double()
    >>> tp(torch.randn(5, 4, dtype=torch.float64), torch.randn(5, 4, dtype=torch.float64)).shape
    torch.Size([5, 9])
    """

    def __init__(
        self,
        L1: int,
        L2: int,
        L_out: int,
        paths=None,
        channels: int | None = None,
        method: str = "dense",
    ):
        super().__init__()
        if method not in ("dense", "sparse"):
            raise InvalidParameterError(f"method must be 'dense' or 'sparse', got {method!r}")
        self.L1, self.L2, self.L_out, self.method = L1, L2, L_out, method
        self.paths = _check_paths(paths, L1, L2, L_out)
        I, J, K, V, P = _coo(L1, L2, L_out, self.paths)
        for name, arr in zip("IJKVP", (I, J, K, V, P)):
            self.register_buffer(name, torch.from_numpy(np.array(arr)))
        if method == "sparse":
            p1, p2, p2s, sizes1, sizes2, prods, pos, total, out_index = _sign_blocks(
                L1, L2, L_out, self.paths)
            for name, arr in (("p1", p1), ("p2", p2), ("p2s", p2s), ("pos", pos),
                              ("out_index", out_index)):
                self.register_buffer(name, torch.from_numpy(np.array(arr)), persistent=False)
            self._prods, self._total, self._sizes = prods, total, (sizes1, sizes2)
        shape = (len(self.paths),) if channels is None else (len(self.paths), channels)
        self.weight = nn.Parameter(torch.ones(shape, dtype=torch.float32))
        self.channels = channels

    def forward(self, x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
        d1, d2, d3 = (self.L1 + 1) ** 2, (self.L2 + 1) ** 2, (self.L_out + 1) ** 2
        _check_last("x1", x1, d1)
        _check_last("x2", x2, d2)
        if x1.shape[:-1] != x2.shape[:-1]:
            raise ShapeError(
                f"x1 has leading shape {tuple(x1.shape[:-1])} but x2 has {tuple(x2.shape[:-1])}"
            )
        w = self.weight.to(x1.dtype)
        V = self.V.to(x1.dtype)
        vals = V * w[self.P] if w.ndim == 1 else V[:, None] * w[self.P]  # (nnz,) or (nnz, C)
        if self.method == "sparse":
            return self._sparse(x1, x2, vals, d1, d2, d3)
        outer = (x1[..., :, None] * x2[..., None, :]).reshape(x1.shape[:-1] + (d1 * d2,))
        if vals.ndim == 1:
            M = x1.new_zeros(d1 * d2, d3).index_put(
                (self.I * d2 + self.J, self.K), vals, accumulate=True
            )
            return outer @ M
        C = vals.shape[1]
        M = x1.new_zeros(C, d1 * d2, d3)
        cidx = torch.arange(C, device=x1.device)[:, None].expand(C, vals.shape[0])
        M = M.index_put(
            (cidx, (self.I * d2 + self.J)[None].expand_as(cidx), self.K[None].expand_as(cidx)),
            vals.T,
            accumulate=True,
        )
        return torch.einsum("...cq,cqk->...ck", outer, M)


    def _sparse(self, x1, x2, vals, d1, d2, d3):
        """Blocks of :func:`_sign_blocks`: features as (C, d, batch), so slices are whole rows."""
        lead = x1.shape[:-1]
        if vals.ndim == 1:  # one weight per path: the channels (if any) join the batch
            a, b, vals = x1.reshape(1, -1, d1), x2.reshape(1, -1, d2), vals[:, None]
        else:
            C = vals.shape[1]
            if x1.ndim < 2 or x1.shape[-2] != C:
                raise ShapeError(f"x1 must have shape (..., {C}, {d1}) for per-channel weights")
            a, b = x1.reshape(-1, C, d1).transpose(0, 1), x2.reshape(-1, C, d2).transpose(0, 1)
        a, b = a.transpose(1, 2), b.transpose(1, 2)  # (C, d, n)
        C, n = a.shape[0], a.shape[2]
        if not self._prods:  # no path: the product is zero
            return x1.new_zeros(lead + (d3,))
        # the order blocks as separate tensors: one split (and in the backward one cat), where
        # slicing would make every product's backward fill and add a whole-size gradient
        A = a.index_select(1, self.p1).split(self._sizes[0], 1)
        Bn = b.index_select(1, self.p2).split(self._sizes[1], 1)
        Bs = b.index_select(1, self.p2s).split(self._sizes[1], 1)
        coef = vals.new_zeros(self._total, C).index_put((self.pos,), vals, accumulate=True)
        Z = []
        for ia, ib, swapped, S, k1, k2, n_out, off in self._prods:
            X1 = A[ia].view(C, S, k1, 1, n)
            X2 = (Bs if swapped else Bn)[ib].view(C, S, 1, k2, n)
            P = (X1 * X2).view(C, S * k1 * k2, n)  # the products of this block, one row each
            W = coef[off : off + n_out * S * k1 * k2].view(n_out, S * k1 * k2, C).permute(2, 0, 1)
            Z.append(torch.matmul(W, P))  # (C, n_out, n)
        Z = a.new_zeros(C, d3, n).index_add(1, self.out_index, torch.cat(Z, 1))
        return Z.permute(2, 0, 1).reshape(lead + (d3,))


class GauntTensorProduct(nn.Module):
    """Gaunt tensor product with learnable per-degree (optionally per-channel) weights (Luo et al.).

    ``channels=C``: weights of shape (L+1, C) for inputs (..., C, d), one set per channel.

    ``method="grid"`` (the default): dense "to grid" and "from grid" matrices of the exact
    quadrature grid (matmuls, as in the Price of Freedom code).

    ``method="fourier"`` is deprecated (it emits a ``DeprecationWarning``) and kept as an exact
    cross-check: exact SH -> zero-padded 2-D half spectrum as one real matrix per input,
    ``torch.fft.irfft2`` to the torus grid, pointwise product, ``torch.fft.rfft2``, exact
    projection back as one real matrix (Luo et al.).  It computes the same product but is
    about 9x slower than the grid method at L = 2, 4 and 8 (one CPU thread, 20k samples,
    forward + backward; see ``benchmarks/results/so3_torch.md``): the torus
    grid has about twice the points of the Gauss-Legendre grid (``2(L1+L2)+1`` rows against
    ``(L1+L2+L_out)/2+1``), and the small batched 2-D FFTs (three forward, three backward)
    cost more than the dense matmuls they replace.

    Examples
    --------
    >>> import torch
    >>> from reptheory.so3 import gaunt_tensor_product
    >>> tp = GauntTensorProduct(2, 2, 4).double()
    >>> x1, x2 = torch.randn(3, 9, dtype=torch.float64), torch.randn(3, 9, dtype=torch.float64)
    >>> ref = gaunt_tensor_product(x1.numpy(), x2.numpy(), 4)
    >>> bool(torch.allclose(tp(x1, x2), torch.from_numpy(ref)))
    True
    """

    def __init__(
        self, L1: int, L2: int, L_out: int, method: str = "grid", channels: int | None = None
    ):
        super().__init__()
        if method not in ("fourier", "grid"):
            raise InvalidParameterError(f"method must be 'fourier' or 'grid', got {method!r}")
        if channels is not None and (not isinstance(channels, int) or channels < 1):
            raise InvalidParameterError(f"channels must be None or an integer >= 1, got {channels!r}")
        self.L1, self.L2, self.L_out, self.method = L1, L2, L_out, method
        self.channels = channels
        extra = () if channels is None else (channels,)
        self.weight1 = nn.Parameter(torch.ones((L1 + 1,) + extra))
        self.weight2 = nn.Parameter(torch.ones((L2 + 1,) + extra))
        self.weight_out = nn.Parameter(torch.ones((L_out + 1,) + extra))
        for name, L in (("rep1", L1), ("rep2", L2), ("repo", L_out)):
            self.register_buffer(
                name, torch.from_numpy(np.repeat(np.arange(L + 1), 2 * np.arange(L + 1) + 1))
            )
        if method == "grid":
            n_t, n_p = sphere_grid(L1, L2, L_out)
            self.register_buffer(
                "to1",
                torch.from_numpy(
                    _to_grid(np.eye((L1 + 1) ** 2), L1, n_t, n_p).reshape((L1 + 1) ** 2, -1)
                ),
            )
            self.register_buffer(
                "to2",
                torch.from_numpy(
                    _to_grid(np.eye((L2 + 1) ** 2), L2, n_t, n_p).reshape((L2 + 1) ** 2, -1)
                ),
            )
            eye = np.eye(n_t * n_p).reshape(-1, n_t, n_p)
            self.register_buffer("back", torch.from_numpy(_from_grid(eye, L_out, n_t, n_p)))
        else:
            warnings.warn(
                "GauntTensorProduct(method='fourier') is deprecated: it computes the same product "
                "as method='grid' but several times slower (more grid points, small batched "
                "FFTs); use method='grid'",
                DeprecationWarning,
                stacklevel=2,
            )
            U = L1 + L2
            Lc = min(L_out, U)
            self.Nu = _fast_len(2 * U + 1)
            self.Nv = _fast_len(max(U + Lc + 1, 2 * max(L1, L2, Lc) + 1))
            self.U, self.Lc = U, Lc
            self.register_buffer("f1", torch.from_numpy(self._spectrum_matrix(L1)))
            self.register_buffer("f2", torch.from_numpy(self._spectrum_matrix(L2)))
            # projection back: real (Re, Im) of the kept half spectrum -> SH, FFT scale folded in
            n = (2 * U + 1) * (Lc + 1)
            basis = np.eye(n).reshape(n, 2 * U + 1, Lc + 1)
            rows = np.arange(-U, U + 1) % self.Nu
            back = np.zeros((self.Nu, Lc + 1, 2, (Lc + 1) ** 2))
            shape = (2 * U + 1, Lc + 1, -1)
            back[rows, :, 0] = fourier_to_sh(basis.astype(complex), Lc).reshape(shape)
            back[rows, :, 1] = fourier_to_sh(1j * basis, Lc).reshape(shape)
            self.register_buffer(
                "back", torch.from_numpy(back.reshape(-1, (Lc + 1) ** 2) * (self.Nu * self.Nv))
            )

    def _spectrum_matrix(self, L: int) -> np.ndarray:
        """Real (d, Nu*(L+1)*2): SH -> zero-padded half spectrum (u wrapped mod Nu), (Re, Im)."""
        F = sh_to_fourier(np.eye((L + 1) ** 2))  # (d, 2L+1, L+1), rows u = -L..L
        A = np.zeros((F.shape[0], self.Nu, L + 1), dtype=complex)
        A[:, np.arange(-L, L + 1) % self.Nu] = F
        return np.ascontiguousarray(A.view(np.float64).reshape(F.shape[0], -1))

    def _fourier_grid(self, x, F, L):
        """Values on the (Nu, Nv) torus grid (irfft2 zero-pads the orders v > L)."""
        H = (x @ F.to(x.dtype)).view(x.shape[:-1] + (self.Nu, L + 1, 2))
        return torch.fft.irfft2(torch.view_as_complex(H), s=(self.Nu, self.Nv))

    def forward(self, x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
        _check_last("x1", x1, (self.L1 + 1) ** 2)
        _check_last("x2", x2, (self.L2 + 1) ** 2)
        C = self.channels
        if C is not None and (x1.ndim < 2 or x1.shape[-2] != C or x2.ndim < 2 or x2.shape[-2] != C):
            raise ShapeError(
                f"x1 and x2 must have shape (..., {C}, d) for per-channel weights, got "
                f"{tuple(x1.shape)} and {tuple(x2.shape)}"
            )
        a = x1 * self._w(self.weight1, self.rep1, x1.dtype)
        b = x2 * self._w(self.weight2, self.rep2, x2.dtype)
        if self.method == "grid":
            g = (a @ self.to1.to(a.dtype)) * (b @ self.to2.to(b.dtype))
            z = g @ self.back.to(g.dtype)
        else:
            g = self._fourier_grid(a, self.f1, self.L1) * self._fourier_grid(b, self.f2, self.L2)
            G = torch.fft.rfft2(g)[..., : self.Lc + 1]
            z = torch.view_as_real(G).reshape(G.shape[:-2] + (-1,)) @ self.back.to(g.dtype)
            d_out = (self.L_out + 1) ** 2
            if z.shape[-1] < d_out:  # degrees above L1 + L2 are zero
                z = torch.nn.functional.pad(z, (0, d_out - z.shape[-1]))
        return z * self._w(self.weight_out, self.repo, z.dtype)

    @staticmethod
    def _w(weight: torch.Tensor, rep: torch.Tensor, dtype) -> torch.Tensor:
        """Per-degree weights spread over the 2l+1 entries: (d,) or, per channel, (C, d)."""
        w = weight.to(dtype)[rep]
        return w if w.ndim == 1 else w.T
