"""Torch real spherical harmonics and Wigner D matrices of all degrees, differentiable (imports torch).

* :func:`spherical_harmonics` - all real harmonics of degree 0..L of (batched) vectors, the
  values of :func:`reptheory.so3.spherical_harmonics_all` (index ``l*l + l + m``).
* :func:`wigner_D_all` - the real Wigner matrices ``D_0(R), ..., D_L(R)`` of (batched)
  rotation matrices, ``Y_l(R x) = D_l(R) Y_l(x)``.
* :func:`edge_to_pole_rotation` - rotations taking edge vectors to the z axis, differentiable.

Everything is built from plain torch operations (no custom kernels), so it runs on any device,
in float32 or float64, and autograd gives first and second derivatives (forces and force
training).  Conventions are those of :mod:`reptheory.so3`.

Method
------
Harmonics: ``Y_{l,+-m} = Q_l^m(z) * sqrt(2) (Re, Im) (x + i y)^m`` with ``Q_l^m`` the
normalised associated Legendre function divided by ``sin^m`` (a polynomial in z), built for all
m at once by the three-term recursion in l, one vectorised step per degree; the powers
``(x + i y)^m`` by the recursion in m, each degree written in place into one output buffer.
The first derivative is analytic: the same pass keeps ``Q_l^m`` and ``dQ_l^m / dz`` (from the
differentiated recursion), and the backward sums the output gradient against them per m
(``d (x + i y)^m / dx = m (x + i y)^{m-1}``, ``d / dy = i m (x + i y)^{m-1}``); a backward
that builds a graph (``create_graph=True``, second derivatives) and ``torch.compile`` use the
plain autograd form of the same recursion instead.

Wigner D: ``D_1 = P R P^T`` (P: (x, y, z) -> (y, z, x)), then, for 2 <= l <= 12, the
Ivanic-Ruedenberg recursion (J. Ivanic and K. Ruedenberg, J. Phys. Chem. 100, 6342 (1996);
corrections in J. Phys. Chem. A 102, 9099 (1998)): each entry of ``D_l`` is a sum of at most
five products of an entry of ``D_1`` and an entry of ``D_{l-1}`` (the coefficients u, v, w
factor into a row part and a column part), O(1) work per entry.  It is vectorised with the
rotations along the last axis: per degree a column scaling, a row flip, five multiply-adds of
shifted row slices with per-rotation factors and one small matmul for the two columns
``n = +-l``.  Its rounding error doubles about every 4 degrees beyond l ~ 12-16, so from
l = 13 on ``D_l = C^T (D_1 (x) D_{l-1}) C``, with ``C`` the exact real Clebsch-Gordan table
of ``1 (x) (l-1) -> l``, continues (one batched matrix product per degree; its error stays
flat).  Both are polynomials in the entries of R: no Euler angles, so no gimbal lock and
smooth derivatives everywhere.  The gradient of the Ivanic-Ruedenberg part is analytic (the
steps transposed, from the highest degree down); a backward that builds a graph (second
derivatives) differentiates the steps by autograd instead; the CG part runs under autograd.

Accuracy
--------
float64: agrees with the numpy harmonics to ~1e-13 relative up to L = 100 (and beyond).
float32: the error grows with the degree, about ``l**2`` roundings: measured against float64
(5000 random directions and the poles; error over the largest value of the degree) it is
4e-6 at l = 10, 1.3e-5 at l = 20, 4e-5 at l = 40, 8e-5 at l = 60, 1.0e-4 at l = 70 and
1.6e-4 at l = 100.  :data:`MAX_L_FLOAT32` = 60 is the largest L accepted in float32 (error
under 1e-4); larger L in float32 raises :class:`~reptheory.errors.InvalidParameterError`
(use float64).

Wigner D (40 random rotations, against :func:`reptheory.so3.wigner_D`): float64 within
1e-14 up to l = 20 and 3e-14 at l = 100; float32 against float64 4e-7 at l = 10, 1e-6 at
l = 60 and 1.4e-6 at l = 100 (no float32 cap).
"""

from __future__ import annotations

import math
from functools import cache, lru_cache

import numpy as np
import torch

from .._validate import check_dense_size, check_int
from ..errors import InvalidParameterError, ReptheoryTypeError, ShapeError
from ._sh import _coeffs
from ._tables import cg_tensor

__all__ = ["MAX_L_FLOAT32", "edge_to_pole_rotation", "spherical_harmonics", "wigner_D_all"]

#: Largest degree accepted for float32 input (see the module notes); float64 has no cap.
MAX_L_FLOAT32 = 60

_FLOATS = (torch.float32, torch.float64)

# entries of one per-degree intermediate of wigner_D_all on the CPU (see the chunking there)
_CHUNK_ENTRIES = 1 << 19

# wigner_D_all: the Ivanic-Ruedenberg recursion up to this degree, the CG recursion above (its
# rounding error stays flat where the former's doubles about every 4 degrees beyond l ~ 12-16)
_IR_MAX_DEGREE = 12


def _is_compiling() -> bool:
    try:
        return bool(torch.compiler.is_compiling())
    except AttributeError:  # pragma: no cover - old torch
        return False


def _check_float(name: str, t) -> None:
    if not isinstance(t, torch.Tensor):
        raise ReptheoryTypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
    if t.dtype not in _FLOATS:
        raise ReptheoryTypeError(f"{name} must be float32 or float64, got {t.dtype}")


def _check_degree(L, dtype) -> int:
    L = check_int("L", L, minimum=0)
    if dtype == torch.float32 and L > MAX_L_FLOAT32:
        raise InvalidParameterError(
            f"L must be <= {MAX_L_FLOAT32} for float32 input (float32 harmonics lose accuracy "
            f"beyond), got {L}; pass float64 tensors for higher degrees"
        )
    return L


def _check_vectors(name: str, v: torch.Tensor) -> torch.Tensor:
    """Squared lengths of v (..., 3), after checking they are finite and non-zero."""
    r2 = (v * v).sum(-1)
    if not _is_compiling() and r2.numel():
        ok = torch.isfinite(r2) & (r2 > 0)
        if not bool(ok.all()):
            flat = v.detach().reshape(-1, 3)
            i = int((~ok.reshape(-1)).nonzero()[0, 0])
            row = flat[i]
            if not bool(torch.isfinite(row).all()):
                why = "a NaN or infinite coordinate"
            elif not bool(row.any()):
                why = "a zero vector (its direction is undefined)"
            else:
                why = "a vector whose squared length over- or underflows"
            raise InvalidParameterError(f"{name} has {why} at flat row {i}: {row.tolist()}")
    return r2


@lru_cache(maxsize=32)
def _sh_tables(L: int) -> list:
    """Per-degree recursion coefficients: (A, AB, Q_l^l) for l = 1..L (numpy)."""
    a, b, diag, _sub = _coeffs(L)
    y00 = 1.0 / math.sqrt(4 * math.pi)
    pmm = [y00]
    for m in range(1, L + 1):
        pmm.append(pmm[-1] * diag[m])
    steps = []
    for l in range(1, L + 1):
        # rows m = 0..l-1 of Q_l = A * z * Q_{l-1} - AB * Q_{l-2} (rows m <= l-2); row l constant
        A = np.array([a[l, m] if m < l - 1 else math.sqrt(2 * m + 3) for m in range(l)])
        AB = np.array([a[l, m] * b[l, m] for m in range(l - 1)])
        steps.append((A, AB, pmm[l]))
    return steps


def spherical_harmonics(L: int, vectors: torch.Tensor, normalize: bool = True) -> torch.Tensor:
    """All real spherical harmonics of degree 0..L of vectors, differentiable.

    Parameters
    ----------
    L : int
        Largest degree (>= 0); at most :data:`MAX_L_FLOAT32` for float32 input.
    vectors : torch.Tensor, shape (..., 3), float32 or float64
        Any device.  Normalised to unit length first (the harmonics of the direction) unless
        ``normalize=False``, when they must already be unit vectors (the polynomial harmonics
        are then evaluated as they are).
    normalize : bool
        Divide by the length first (zero vectors raise).

    Returns
    -------
    torch.Tensor, shape (..., (L+1)**2), dtype and device of ``vectors``
        Column ``l*l + l + m`` holds ``Y_{l,m}`` (m = -l..l), as
        :func:`reptheory.so3.spherical_harmonics_all`.  Autograd gives first and second
        derivatives with respect to ``vectors``.

    Raises
    ------
    InvalidParameterError
        L negative or too large for float32; a zero, NaN or infinite vector (the check is
        skipped inside ``torch.compile``).
    ShapeError
        Last dimension not 3.
    ReptheoryTypeError
        Not a float32 / float64 tensor.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from reptheory.so3 import spherical_harmonics_all
    >>> v = torch.tensor([[1.0, 2.0, -0.5], [0.0, 0.0, 3.0]], dtype=torch.float64)
    >>> Y = spherical_harmonics(3, v)
    >>> Y.shape
    torch.Size([2, 16])
    >>> bool(np.allclose(Y.numpy(), spherical_harmonics_all(3, v.numpy())))
    True
    """
    _check_float("vectors", vectors)
    L = _check_degree(L, vectors.dtype)
    if vectors.shape[-1:] != (3,):
        raise ShapeError(f"vectors must have shape (..., 3), got {tuple(vectors.shape)}")
    lead = vectors.shape[:-1]
    v = vectors.reshape(-1, 3)
    check_dense_size("spherical harmonics output", 3 * v.shape[0] * (L + 1) ** 2)
    if normalize:
        r2 = _check_vectors("vectors", v)
        v = v * torch.rsqrt(r2)[:, None]
    elif not _is_compiling() and v.numel() and not bool(torch.isfinite(v).all()):
        raise InvalidParameterError("vectors has a NaN or infinite coordinate")
    if _is_compiling():
        Y = _sh_autograd(L, v)
    elif torch.is_grad_enabled() and v.requires_grad:
        Y = _SH.apply(v, L)
    else:
        Y = _sh_fast(L, v, False)[0]
    return Y.T.reshape(lead + ((L + 1) ** 2,))


def _sh_autograd(L: int, v: torch.Tensor) -> torch.Tensor:
    """Harmonics ((L+1)^2, N) of unit vectors v (N, 3) from plain differentiable torch ops
    (used inside ``torch.compile`` and for second derivatives)."""
    dt, dev = v.dtype, v.device
    n = v.shape[0]
    x, y, z = v.T  # (N,) each, rows of a transposed view
    steps = _sh_tables(L)
    # cs[m] = sqrt(2) Re (x+iy)^m, ss[m-1] = sqrt(2) Im (x+iy)^m, m = 1..L (cs[0] = 1)
    r2c = math.sqrt(2.0)
    cs, ss = [torch.ones_like(x)], []
    c, s = x * r2c, y * r2c
    for m in range(1, L + 1):
        if m > 1:
            c, s = x * c - y * s, x * s + y * c
        cs.append(c)
        ss.append(s)
    # Q_l^m rows (l+1, N) by the recursion in l (a list and cat: no in-place writes, so
    # autograd can differentiate twice); degree l of the output is Q_l^{|m|} times cs / ss.
    # The factors of each degree are stacked afresh (no slices of one large tensor, whose
    # backward would fill a zero tensor of the full size for every degree).
    Q = v.new_full((1, n), 1.0 / math.sqrt(4 * math.pi))
    blocks = [Q]
    prev2 = None
    for l, (A, AB, top) in enumerate(steps, start=1):
        t = (torch.as_tensor(A, dtype=dt, device=dev)[:, None] * z) * Q
        top_row = v.new_full((1, n), top)
        if l >= 2:
            ABt = torch.as_tensor(AB, dtype=dt, device=dev)[:, None]
            parts = [t[: l - 1] - ABt * prev2, t[l - 1 :], top_row]
        else:
            parts = [t, top_row]
        prev2 = Q
        Q = torch.cat(parts, 0)
        blocks.append((Q[1:] * torch.stack(ss[:l], 0)).flip(0))
        blocks.append(Q * torch.stack(cs[: l + 1], 0))
    Y = torch.cat(blocks, 0)  # ((L+1)^2, N)
    return Y


def _sh_fast(L: int, v: torch.Tensor, grads: bool) -> tuple:
    """Harmonics ``Y`` ((L+1)^2, N) of unit vectors v (N, 3), written in place into one buffer
    (not differentiable); with ``grads`` also what :class:`_SH` needs for the gradient: the
    rows ``Q_l^m`` and ``dQ_l^m / dz`` (m = 0..l, degree l from row ``l (l+1) / 2``) and the
    factors ``cs``, ``ss`` ((L+1, N) each, ``ss[0] = 0``)."""
    with torch.no_grad():
        dt, dev = v.dtype, v.device
        n = v.shape[0]
        x, y, z = v.T.contiguous()
        r2c = math.sqrt(2.0)
        cs = v.new_empty((L + 1, n))
        ss = v.new_empty((L + 1, n))
        cs[0] = 1.0
        ss[0] = 0.0
        if L >= 1:
            torch.mul(x, r2c, out=cs[1])
            torch.mul(y, r2c, out=ss[1])
        for m in range(2, L + 1):
            # (c, s)_m = (x c - y s, x s + y c)_{m-1}
            torch.mul(x, cs[m - 1], out=cs[m])
            cs[m].addcmul_(y, ss[m - 1], value=-1.0)
            torch.mul(x, ss[m - 1], out=ss[m])
            ss[m].addcmul_(y, cs[m - 1])
        K = (L + 1) ** 2
        Y = v.new_empty((K, n))
        nq = (L + 1) * (L + 2) // 2
        Q = v.new_empty((nq, n))
        dQ = v.new_empty((nq, n)) if grads else None
        Q[0] = 1.0 / math.sqrt(4 * math.pi)
        Y[0] = Q[0]
        if grads:
            dQ[0] = 0.0
        for l, (A, AB, top) in enumerate(_sh_tables(L), start=1):
            o, op = l * (l + 1) // 2, (l - 1) * l // 2
            Ql, Qp = Q[o : o + l + 1], Q[op:o]
            At = torch.as_tensor(A, dtype=dt, device=dev)[:, None]
            # Q_l = A z Q_{l-1} - AB Q_{l-2} (rows m <= l-2); row l constant
            torch.mul(Qp, z, out=Ql[:l])
            Ql[:l].mul_(At)
            if l >= 2:
                ABt = torch.as_tensor(AB, dtype=dt, device=dev)[:, None]
                opp = (l - 2) * (l - 1) // 2
                Ql[: l - 1].addcmul_(ABt, Q[opp : opp + l - 1], value=-1.0)
            Ql[l] = top
            if grads:
                # dQ_l = A (Q_{l-1} + z dQ_{l-1}) - AB dQ_{l-2}; row l zero
                dQl, dQp = dQ[o : o + l + 1], dQ[op:o]
                torch.addcmul(Qp, z, dQp, out=dQl[:l])
                dQl[:l].mul_(At)
                if l >= 2:
                    dQl[: l - 1].addcmul_(ABt, dQ[opp : opp + l - 1], value=-1.0)
                dQl[l] = 0.0
            c0 = l * l + l
            torch.mul(Ql, cs[: l + 1], out=Y[c0 : c0 + l + 1])
            for m in range(1, l + 1):  # row by row: m = l..1 run backwards in Y
                torch.mul(Ql[m], ss[m], out=Y[c0 - m])
    return Y, Q, dQ, cs, ss


def _sh_grad(L: int, g: torch.Tensor, Q, dQ, cs, ss) -> torch.Tensor:
    """Gradient (N, 3) with respect to the unit vectors of ``sum g * Y``, g ((L+1)^2, N)."""
    n = g.shape[1]
    # per m: Pc = sum_l g_{l,m} Q_l^m, Ps = sum_l g_{l,-m} Q_l^m and the same with dQ
    Pc, dPc = g.new_zeros((L + 1, n)), g.new_zeros((L + 1, n))
    Ps, dPs = g.new_zeros((L + 1, n)), g.new_zeros((L + 1, n))
    for l in range(L + 1):
        o, c0 = l * (l + 1) // 2, l * l + l
        Ql, dQl, gp = Q[o : o + l + 1], dQ[o : o + l + 1], g[c0 : c0 + l + 1]
        Pc[: l + 1].addcmul_(gp, Ql)
        dPc[: l + 1].addcmul_(gp, dQl)
        for m in range(1, l + 1):  # rows m = l..1 run backwards in g
            Ps[m].addcmul_(g[c0 - m], Ql[m])
            dPs[m].addcmul_(g[c0 - m], dQl[m])
    gz = (dPc * cs).sum(0) + (dPs * ss).sum(0)
    if L == 0:
        return torch.stack([torch.zeros_like(gz), torch.zeros_like(gz), gz], 1)
    # d cs_m / dx = m ct_{m-1}, d cs_m / dy = -m ss_{m-1}, d ss_m / dx = m ss_{m-1},
    # d ss_m / dy = m ct_{m-1}, with ct_k = sqrt(2) Re (x + iy)^k (ct_0 = sqrt(2))
    ct = cs[:L].clone()
    ct[0] = math.sqrt(2.0)
    mv = torch.arange(1, L + 1, dtype=g.dtype, device=g.device)[:, None]
    Pc1, Ps1 = Pc[1:] * mv, Ps[1:] * mv
    gx = (Pc1 * ct).sum(0) + (Ps1 * ss[:L]).sum(0)
    gy = (Ps1 * ct).sum(0) - (Pc1 * ss[:L]).sum(0)
    return torch.stack([gx, gy, gz], 1)


class _SH(torch.autograd.Function):
    """Harmonics of unit vectors with the analytic gradient; second derivatives go through
    :func:`_sh_autograd`."""

    @staticmethod
    def forward(ctx, v, L):
        Y, Q, dQ, cs, ss = _sh_fast(L, v, True)
        ctx.L = L
        ctx.save_for_backward(v, Q, dQ, cs, ss)
        return Y

    @staticmethod
    def backward(ctx, gY):
        v, Q, dQ, cs, ss = ctx.saved_tensors
        if torch.is_grad_enabled():  # create_graph: a differentiable gradient
            with torch.enable_grad():
                Y = _sh_autograd(ctx.L, v)
                if not Y.requires_grad:  # L = 0 without normalisation: a constant
                    return v * 0.0, None
                (gv,) = torch.autograd.grad(Y, v, gY, create_graph=True)
            return gv, None
        # rows of gY are read one degree at a time: copy unless they are already contiguous
        # (or broadcast, as the gradient of a sum)
        g = gY if gY.stride(1) <= 1 else gY.contiguous()
        return _sh_grad(ctx.L, g, Q, dQ, cs, ss), None


# --------------------------------------------------------------------------- Wigner D


@cache
def _ir_coefficients(l: int) -> np.ndarray:
    """Ivanic-Ruedenberg coefficients of degree ``l >= 2``, flat (float64, read-only).

    With ``d = 2l+1``, ``dp = 2l-1`` and rows ``m = -l..l``: five row vectors (length dp) of
    the interior columns, ``u`` on the rows ``m = 1-l..l-1`` and the four shifted ones
    (``P^1`` from rows ``m -+ 1``, ``P^{-1}`` from the flipped rows ``-m +- 1``), the column
    scale ``1 / sqrt((l+n)(l-n))`` (|n| < l), then ``G`` (d, 3 dp), the same row mixing as a
    dense matrix (blocks ``i = -1, 0, 1``) times ``1 / sqrt(2l (2l-1))`` for the columns
    ``n = +-l``.  The u, v, w factors depend on m only once the column scale is split off.
    """
    d, dp = 2 * l + 1, 2 * l - 1
    c0, c1m, c1p, cm1m, cm1p = (np.zeros(d) for _ in range(5))
    for k in range(d):
        m = k - l
        am = abs(m)
        u = math.sqrt((l + m) * (l - m))
        v = 0.5 * math.sqrt((1 + (m == 0)) * (l + am - 1) * (l + am)) * (-1.0 if m == 0 else 1.0)
        w = 0.0 if (m == 0 or am >= l - 1) else -0.5 * math.sqrt((l - am - 1) * (l - am))
        c0[k] = u
        # m = 0: V = P^1_{1} + P^{-1}_{-1}; m > 0: V = sqrt(1 + [m=1]) P^1_{m-1}
        # - [m != 1] P^{-1}_{-m+1}, W = P^1_{m+1} + P^{-1}_{-m-1}; m < 0: V = [m != -1] P^1_{m+1}
        # + sqrt(1 + [m=-1]) P^{-1}_{-m-1}, W = P^1_{m-1} - P^{-1}_{-m+1}
        if m == 0:
            c1p[k] += v
            cm1p[k] += v
        elif m > 0:
            c1m[k] += v * math.sqrt(1 + (m == 1))
            cm1m[k] -= v * (m != 1)
            c1p[k] += w
            cm1p[k] += w
        else:
            c1p[k] += v * (m != -1)
            cm1p[k] += v * math.sqrt(1 + (m == -1))
            c1m[k] += w
            cm1m[k] -= w
    n = np.arange(1 - l, l)
    G = np.zeros((d, 3, dp))  # G[k, i + 1, a]: row k of D_l from row a of P^i
    for k in range(d):
        if 1 <= k <= dp:
            G[k, 1, k - 1] = c0[k]
        if k >= 2:
            G[k, 2, k - 2] += c1m[k]
            G[k, 0, dp + 1 - k] += cm1m[k]
        if k < dp:
            G[k, 2, k] += c1p[k]
            G[k, 0, dp - 1 - k] += cm1p[k]
    flat = np.concatenate(
        [
            c0[1:-1],
            c1m[2:],
            cm1m[2:],
            c1p[:dp],
            cm1p[:dp],
            1.0 / np.sqrt((l + n) * (l - n)),
            G.reshape(-1) / math.sqrt(2 * l * (2 * l - 1)),
        ]
    )
    flat.setflags(write=False)
    return flat


@torch.compiler.disable
def _ir_flat(L: int, dtype, device) -> torch.Tensor:
    """The coefficients of :func:`_ir_coefficients` for l = 2..L in one tensor (numpy work,
    kept out of ``torch.compile`` graphs)."""
    return torch.as_tensor(
        np.concatenate([_ir_coefficients(l) for l in range(2, L + 1)]), dtype=dtype, device=device
    )


def _ir_tables(L: int, dtype, device) -> list:
    """Per degree l = 2..L: ``(K, s, G)``, K (5, dp, 1) the row vectors of
    :func:`_ir_coefficients`, s (dp, 1) the column scale, G (d, 3 dp); one transfer."""
    flat = _ir_flat(L, dtype, device)
    out, o = [], 0
    for l in range(2, L + 1):
        d, dp = 2 * l + 1, 2 * l - 1
        K = flat[o : o + 5 * dp].view(5, dp, 1)
        s = flat[o + 5 * dp : o + 6 * dp].view(dp, 1)
        o += 6 * dp
        G = flat[o : o + 3 * d * dp].view(d, 3 * dp)
        o += 3 * d * dp
        out.append((K, s, G))
    return out


def _ir_step(Dp: torch.Tensor, D1: torch.Tensor, tables: tuple, out: torch.Tensor) -> None:
    """Write ``D_l`` (d, d, n) into ``out`` from ``D_{l-1}`` (dp, dp, n) and ``D_1`` (3, 3, n),
    rotations along the last axis (the Ivanic-Ruedenberg recursion).

    Columns ``|n| < l`` need only the z column of ``D_1``: five shifted row slices of the
    column-scaled ``D_{l-1}`` and of its row flip, each times a row coefficient and a per-rotation
    entry of ``D_1``; the columns ``n = +-l`` (two per rotation) are one small matmul.  Only
    ``zero_``, ``addcmul_`` and slice assignment write into ``out``, so autograd (twice) works.
    """
    K, s, G = tables
    dp = Dp.shape[0]
    n = Dp.shape[-1]
    r_m, r_0, r_p = D1[:, 1]  # (n,) each: R_{-1,0}, R_{0,0}, R_{1,0} (rows y, z, x; column z)
    Dsc = Dp * s  # column scale 1 / sqrt((l+n)(l-n))
    F = Dsc.flip(0)  # F[m] = Dsc[-m]
    # the per-rotation row factors: K[j] times R_{i,0} for the source P^i of term j
    W = (K * torch.stack([r_0, r_p, r_m, r_p, r_m])[:, None, :])[:, :, None, :]  # (5, dp, 1, n)
    oi = out[:, 1:-1]
    oi.zero_()
    oi[1:-1].addcmul_(Dsc, W[0])  # u P^0_{m}
    oi[2:].addcmul_(Dsc, W[1])  # P^1_{m-1}
    oi[2:].addcmul_(F, W[2])  # P^{-1}_{-m+1}
    oi[:dp].addcmul_(Dsc, W[3])  # P^1_{m+1}
    oi[:dp].addcmul_(F, W[4])  # P^{-1}_{-m-1}
    # columns n = l and -l: P^i_{a,+l} = R_{i,1} D_{a,l-1} - R_{i,-1} D_{a,1-l},
    # P^i_{a,-l} = R_{i,1} D_{a,1-l} + R_{i,-1} D_{a,l-1}, mixed over (i, a) by G
    cl, cf = Dp[:, -1], Dp[:, 0]  # (dp, n)
    Ri1, Rim1 = D1[:, 2, None, :], D1[:, 0, None, :]  # (3, 1, n): R_{i,1}, R_{i,-1}
    Q = torch.stack([Ri1 * cl - Rim1 * cf, Ri1 * cf + Rim1 * cl], -2)  # (3, dp, 2, n)
    E = (G @ Q.reshape(3 * dp, 2 * n)).view(-1, 2, n)
    out[:, -1] = E[:, 0]
    out[:, 0] = E[:, 1]


def _ir_forward(D1t: torch.Tensor, tables: list, chunk: int) -> list[torch.Tensor]:
    """``[D_2, ..., D_l]`` (each (d, d, B)) from ``D1t`` (3, 3, B) by :func:`_ir_step`, over
    chunks of ``chunk`` rotations (one chunk when autograd records it)."""
    B = D1t.shape[-1]
    Ds = [D1t.new_empty((K.shape[1] + 2, K.shape[1] + 2, B)) for K, _, _ in tables]
    for a in range(0, B, chunk):
        Dc = D1t[..., a : a + chunk]
        Dp = Dc
        for D, t in zip(Ds, tables):
            D = D[..., a : a + chunk]
            _ir_step(Dp, Dc, t, D)
            Dp = D
    return Ds


def _ir_backward(D1t: torch.Tensor, Ds: list, grads: list, tables: list) -> torch.Tensor:
    """Gradient (3, 3, B) with respect to ``D1t`` of ``sum_l <grads[l], D_l>`` for the
    outputs ``Ds`` of :func:`_ir_forward` (``grads`` entries may be None): the steps of
    :func:`_ir_step` transposed, from the highest degree down."""
    gD1 = torch.zeros_like(D1t)
    g = None  # gradient reaching D_l from the steps above
    for l in range(len(Ds) + 1, 1, -1):
        i = l - 2
        gl = grads[i]
        g = gl if g is None else (g if gl is None else g + gl)
        if g is None:
            continue
        K, s, G = tables[i]
        Dp = Ds[i - 1] if i else D1t
        dp = Dp.shape[0]
        n = Dp.shape[-1]
        r_m, r_0, r_p = D1t[:, 1]
        Dsc = Dp * s
        F = Dsc.flip(0)
        gI = g[:, 1:-1]
        # the output rows of each term times its row coefficient, grouped by the entry of D_1
        # that multiplies them (R_{0,0}: term 0, R_{1,0}: terms 1, 3, R_{-1,0}: terms 2, 4);
        # fused multiply-adds into fresh tensors (this backward records no graph)
        Kc = K[:, :, :, None]  # (5, dp, 1, 1)
        A0 = gI[1:-1] * Kc[0]
        Ap = torch.mul(gI[2:], Kc[1]).addcmul_(gI[:dp], Kc[3])
        Am = torch.mul(gI[2:], Kc[2]).addcmul_(gI[:dp], Kc[4])
        # gradient of the per-rotation entries: sum over rows and columns
        gD1[1, 1] += torch.linalg.vecdot(A0.reshape(-1, n), Dsc.reshape(-1, n), dim=0)
        gD1[2, 1] += torch.linalg.vecdot(Ap.reshape(-1, n), Dsc.reshape(-1, n), dim=0)
        gD1[0, 1] += torch.linalg.vecdot(Am.reshape(-1, n), F.reshape(-1, n), dim=0)
        gDsc = A0.mul_(r_0).addcmul_(Ap, r_p)
        gDsc += Am.mul_(r_m).flip(0)
        gDp = gDsc.mul_(s)
        # columns n = +-l
        gE = torch.stack([g[:, -1], g[:, 0]], 1)  # (d, 2, n)
        gQ = (G.T @ gE.reshape(-1, 2 * n)).view(3, dp, 2, n)
        gQp, gQm = gQ[:, :, 0], gQ[:, :, 1]  # (3, dp, n)
        cl, cf = Dp[:, -1], Dp[:, 0]
        Ri1, Rim1 = D1t[:, 2, None, :], D1t[:, 0, None, :]
        gD1[:, 2] += (gQp * cl + gQm * cf).sum(1)
        gD1[:, 0] += (gQm * cl - gQp * cf).sum(1)
        gDp[:, -1] += (gQp * Ri1 + gQm * Rim1).sum(0)
        gDp[:, 0] += (gQm * Ri1 - gQp * Rim1).sum(0)
        g = gDp
    if g is not None:  # what reaches D_1 through the degree-2 step
        gD1 += g
    return gD1


class _WignerIR(torch.autograd.Function):
    """``(D_2, ..., D_l)`` of ``D1t`` (3, 3, B) by the Ivanic-Ruedenberg steps, with the
    analytic gradient of :func:`_ir_backward`; a backward that builds a graph (second
    derivatives) differentiates the steps by autograd instead."""

    @staticmethod
    def forward(ctx, D1t, tables, chunk):
        Ds = _ir_forward(D1t, tables, chunk)
        ctx.tables = tables
        ctx.save_for_backward(D1t, *Ds)
        return tuple(Ds)

    @staticmethod
    def backward(ctx, *grads):
        D1t, *Ds = ctx.saved_tensors
        # gradients of views of another layout (a transposed (B, d, d) product, say) are copied
        # once into the (d, d, B) layout of the steps, not read strided by each of them
        grads = tuple(g if g is None else g.contiguous() for g in grads)
        if torch.is_grad_enabled():  # create_graph: a differentiable gradient
            with torch.enable_grad():
                Ds = _ir_forward(D1t, ctx.tables, D1t.shape[-1])
                pairs = [(D, g) for D, g in zip(Ds, grads) if g is not None]
                (gD1,) = torch.autograd.grad(
                    [D for D, _ in pairs], D1t, [g for _, g in pairs], create_graph=True
                )
            return gD1, None, None
        return _ir_backward(D1t, Ds, list(grads), ctx.tables), None, None


@lru_cache(maxsize=256)
def _wigner_cg(l: int) -> np.ndarray:
    """The real CG table C of ``1 (x) (l-1) -> l``, ``C[a, n', n]``, shape (3, 2l-1, 2l+1)."""
    C = np.array(cg_tensor(1, l - 1, l, "real"))
    C.setflags(write=False)
    return C


def _wigner_mix_table(l: int) -> np.ndarray:
    """``E`` (9, (2l-1) * 3 * (2l+1)) with ``E[(a, a'), (n', a'', n)] = [a'' = a] C[a', n', n]``,
    so that ``D1.reshape(B, 9) @ E`` is ``M[b, (n', a), n] = sum_a' D1[b, a, a'] C[a', n', n]``.
    About 108 l**2 entries: cached up to l = 32 (8 MB in all), built afresh above."""
    return _wigner_mix_cached(l) if l <= 32 else _wigner_mix_build(l)


def _wigner_mix_build(l: int) -> np.ndarray:
    C = _wigner_cg(l)
    E = np.zeros((3, 3, 2 * l - 1, 3, 2 * l + 1))
    for a in range(3):
        E[a, :, :, a, :] = C
    return E.reshape(9, -1)


@cache
def _wigner_mix_cached(l: int) -> np.ndarray:
    E = _wigner_mix_build(l)
    E.setflags(write=False)
    return E


def _cg_tables(l0: int, L: int, dtype, device) -> list:
    """Per degree l = l0+1..L: ``A`` (2l-1, 3(2l+1)), ``A[m', (a, m)] = C[a, m', m]``, and ``E``
    of :func:`_wigner_mix_table`, as tensors."""
    out = []
    for l in range(l0 + 1, L + 1):
        A = _wigner_cg(l).transpose(1, 0, 2).reshape(2 * l - 1, 3 * (2 * l + 1))
        E = _wigner_mix_table(l)
        out.append(tuple(torch.tensor(t, dtype=dtype, device=device) for t in (A, E)))
    return out


def _cg_steps(D1: torch.Tensor, XT: torch.Tensor, tables: list) -> list[torch.Tensor]:
    """``[D_{l0+1}, ..., D_L]`` (each (B, d, d)) from ``D1`` (B, 3, 3) and ``XT = D_{l0}^T``
    (B, 2 l0 + 1, 2 l0 + 1), by ``D_l = C^T (D_1 (x) D_{l-1}) C`` (tables of :func:`_cg_tables`).

    ``D_l^T = M^T U`` per rotation, with ``U[(n', a), m] = sum_m' D_{l-1}[m', n'] C[a, m', m]``
    (one matmul with the batch folded into the rows) and ``M = D1 (x) C`` mixed by one matmul
    with ``E``: one batched product per degree.
    """
    B = D1.shape[0]
    D1f = D1.reshape(B, 9)
    out = []
    for A, E in tables:
        dp, d = A.shape[0], A.shape[1] // 3
        U = (XT.reshape(B * dp, dp) @ A).view(B, 3 * dp, d)
        M = (D1f @ E).view(B, 3 * dp, d)
        XT = torch.bmm(M.transpose(1, 2), U)
        out.append(XT.transpose(1, 2))
    return out


def _check_rotations(R: torch.Tensor) -> None:
    if _is_compiling() or not R.numel():
        return
    Rd = R.detach()
    if not bool(torch.isfinite(Rd).all()):
        raise InvalidParameterError("R has NaN or infinite entries")
    eye = torch.eye(3, dtype=Rd.dtype, device=Rd.device)
    err = float((Rd.transpose(-1, -2) @ Rd - eye).abs().max())
    tol = 1e-4 if Rd.dtype == torch.float32 else 1e-8
    if err > tol:
        raise InvalidParameterError(
            f"R is not a rotation matrix: max |R^T R - I| = {err:.3g} > {tol:g}"
        )
    if float(torch.linalg.det(Rd).min()) < 0:
        raise InvalidParameterError("R has determinant -1 (a reflection), not a rotation")


def wigner_D_all(L: int, R: torch.Tensor, check: bool = True) -> list[torch.Tensor]:
    """Real Wigner D matrices of every degree 0..L for rotation matrices, differentiable.

    Parameters
    ----------
    L : int
        Largest degree (>= 0).  float32 stays accurate: the error of ``D_l`` against float64
        was measured at 4e-7 for l = 10 and 1e-6 for l = 60, so there is no float32 cap.
    R : torch.Tensor, shape (..., 3, 3), float32 or float64
        Rotation matrices, any device.
    check : bool
        Check that R is finite, orthogonal (to 1e-8, float32: 1e-4) with determinant +1.

    Returns
    -------
    list of torch.Tensor
        ``L + 1`` tensors of shape (..., 2l+1, 2l+1) with ``Y_l(R x) = D_l(R) Y_l(x)``
        (the matrices of :func:`reptheory.so3.wigner_D`); differentiable with respect to R
        (polynomials in its entries: no Euler angles, no singular points).
        Degrees l >= 2 are views of storage with the rotations along the last axis (not
        contiguous; call ``.contiguous()`` where a kernel needs it).

    Notes
    -----
    Degrees up to 12 by the Ivanic-Ruedenberg recursion (J. Ivanic and K. Ruedenberg,
    J. Phys. Chem. 100, 6342 (1996) and 102, 9099 (1998)), at most five products per entry;
    higher degrees by the Clebsch-Gordan recursion ``D_l = C^T (D_1 (x) D_{l-1}) C``, whose
    rounding error stays flat (see the module notes).  O(L^3) per rotation in all.  On the
    CPU the rotations are processed in chunks that keep the intermediates in cache.  The
    gradient of the first part is analytic; second derivatives go through autograd.

    Raises
    ------
    InvalidParameterError
        L out of range; R not a rotation (when ``check``).
    ShapeError, ReptheoryTypeError
        R not of shape (..., 3, 3); not a float32 / float64 tensor.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from reptheory.so3 import rot_x, rot_z, wigner_D
    >>> R = torch.from_numpy(rot_z(0.4) @ rot_x(1.2))
    >>> Ds = wigner_D_all(3, R)
    >>> [tuple(D.shape) for D in Ds]
    [(1, 1), (3, 3), (5, 5), (7, 7)]
    >>> bool(np.allclose(Ds[3].numpy(), wigner_D(3, R.numpy())))
    True
    """
    _check_float("R", R)
    L = check_int("L", L, minimum=0)
    if R.shape[-2:] != (3, 3):
        raise ShapeError(f"R must have shape (..., 3, 3), got {tuple(R.shape)}")
    if check:
        _check_rotations(R)
    lead = R.shape[:-2]
    Rb = R.reshape(-1, 3, 3)
    B = Rb.shape[0]
    out_entries = B * (L + 1) * (2 * L + 1) * (2 * L + 3) // 3
    # On the CPU, chunks of rotations keep the per-degree intermediates in cache (about
    # _CHUNK_ENTRIES entries); a graph keeps about two intermediates per output entry.
    graph = torch.is_grad_enabled() and R.requires_grad
    chunk = B if R.device.type != "cpu" else max(64, _CHUNK_ENTRIES // (2 * L + 1) ** 2)
    check_dense_size(
        "Wigner D output",
        3 * out_entries if graph else out_entries + 4 * min(B, chunk) * (2 * L + 1) ** 2,
    )
    dev = R.device
    perm = torch.tensor([1, 2, 0], device=dev)
    D1 = Rb.index_select(1, perm).index_select(2, perm)  # P R P^T, (B, 3, 3)
    out = [R.new_ones(lead + (1, 1))]
    if L >= 1:
        out.append(D1.reshape(lead + (3, 3)))
    if L < 2:
        return out
    L_ir = min(L, _IR_MAX_DEGREE)
    tables = _ir_tables(L_ir, R.dtype, dev)
    D1t = D1.permute(1, 2, 0).contiguous()  # (3, 3, B): rotations along the last axis
    if not graph:
        Ds = _ir_forward(D1t, tables, chunk)
    elif _is_compiling():  # plain autograd through the in-place steps: one chunk
        Ds = _ir_forward(D1t, tables, B)
    else:
        Ds = list(_WignerIR.apply(D1t, tables, chunk))
    Ds = [D.permute(2, 0, 1) for D in Ds]  # (B, d, d) views
    if L > L_ir:
        # the CG recursion from D_{L_ir}, over chunks of rotations on the CPU (its intermediates
        # have about 3 (2L-1)(2L+1) entries per rotation)
        XT = Ds[-1].transpose(1, 2).contiguous()
        cg_chunk = B if dev.type != "cpu" else max(16, _CHUNK_ENTRIES // (6 * (2 * L + 1) ** 2))
        cg = _cg_tables(L_ir, L, R.dtype, dev)
        parts = [
            _cg_steps(D1[a : a + cg_chunk], XT[a : a + cg_chunk], cg) for a in range(0, B, cg_chunk)
        ]
        Ds += [
            torch.cat([p[i] for p in parts]) if len(parts) > 1 else parts[0][i]
            for i in range(L - L_ir)
        ]
    for l, D in zip(range(2, L + 1), Ds):
        out.append(D.reshape(lead + (2 * l + 1, 2 * l + 1)))
    return out


def edge_to_pole_rotation(edge_vec: torch.Tensor) -> torch.Tensor:
    """Rotations R with ``R @ r / |r| = (0, 0, 1)``, differentiable in ``edge_vec``.

    For ``r_z >= 0``, R is the rotation about the axis ``r x z`` (the shortest one); for
    ``r_z < 0``, ``R = diag(1, -1, -1) S`` with S the shortest rotation taking r to -z.  Both
    charts are smooth where they are used; the roll about z differs from
    :func:`reptheory.so3.edge_to_pole_rotation`, which does not matter for SO(2)-equivariant
    maps in the edge frame (eSCN).

    Parameters
    ----------
    edge_vec : torch.Tensor, shape (..., 3), float32 or float64

    Returns
    -------
    torch.Tensor, shape (..., 3, 3)

    Raises
    ------
    InvalidParameterError
        A zero, NaN or infinite vector.

    Examples
    --------
    >>> import torch
    >>> r = torch.tensor([[1.0, 2.0, -0.5], [0.0, 0.3, 2.0]], dtype=torch.float64)
    >>> R = edge_to_pole_rotation(r)
    >>> (R @ (r / r.norm(dim=1, keepdim=True))[..., None])[..., 0].round(decimals=12) + 0.0
    tensor([[0., 0., 1.],
            [0., 0., 1.]], dtype=torch.float64)
    """
    _check_float("edge_vec", edge_vec)
    if edge_vec.shape[-1:] != (3,):
        raise ShapeError(f"edge_vec must have shape (..., 3), got {tuple(edge_vec.shape)}")
    r2 = _check_vectors("edge_vec", edge_vec)
    u = edge_vec * torch.rsqrt(r2)[..., None]
    ux, uy, uz = u.unbind(-1)
    s = torch.where(uz >= 0, torch.ones_like(uz), -torch.ones_like(uz))
    # shortest rotation taking u to s*z: v = u x (s z) = s (uy, -ux, 0), c = s uz >= 0
    c = s * uz
    k = 1.0 / (1.0 + c)
    vx, vy = s * uy, -s * ux
    one = torch.ones_like(uz)
    torch.zeros_like(uz)
    # R = I + [v]x + [v]x^2 / (1 + c) with v = (vx, vy, 0)
    rows = [
        [one - k * vy * vy, k * vx * vy, vy],
        [k * vx * vy, one - k * vx * vx, -vx],
        [-vy, vx, one - k * (vx * vx + vy * vy)],
    ]
    S = torch.stack([torch.stack(r, -1) for r in rows], -2)
    # s = -1: flip y and z (rotation by pi about x) so that -z goes to z
    flip = torch.stack([one, s, s], -1)[..., :, None]
    return flip * S
