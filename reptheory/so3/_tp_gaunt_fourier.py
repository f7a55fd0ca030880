"""Exact change of basis between real spherical harmonics and 2-D Fourier series; the Gaunt
tensor product by FFT (Luo, Chen, Krishnapriyan, ICLR 2024).

Extending theta from [0, pi] to [0, 2 pi) with the *signed* sine, every real harmonic is a
finite 2-D Fourier series::

    Y_{l,m}(t, p) = sum_{|u| <= l, v = +-|m|} c^{l,m}_{u,v} exp(i u t) exp(i v p)

Write ``P_l^m(cos t) = sin(t)**m * P_l^(m)(cos t)`` (m >= 0, no Condon-Shortley phase) and
expand ``sin^m t cos^k t`` with ``cos t = (z + 1/z)/2``, ``sin t = (z - 1/z)/(2i)``,
``z = exp(i t)``: the theta part is ``n_{l,m} i^{-m} sum_u A^{l,m}_u exp(i u t)`` with
**rational** ``A`` and ``n_{l,m} = sqrt((2l+1)/(4 pi) (l-m)!/(l+m)!)`` (times sqrt 2 for
m > 0); so every coefficient is ``sqrt(rational/pi)`` times a rational times a power of i
(:func:`sh_to_fourier_exact`).  The phi part is ``cos(m p) = (e^{imp} + e^{-imp})/2`` or
``sin(|m| p)``.

Projection back (``f2sh``) integrates over the true sphere (t in [0, pi] only)::

    Z^{l,m}_u = n_{l,m} int_0^pi exp(i u t) Theta_{l,m}(t) sin t dt  =  n_{l,m} (P pi + i R) * phase

with rational P, R (``int_0^pi e^{ijt} dt`` is pi, 0 or 2i/j), and
``z_{l,m} = 2 pi Re Q``, ``z_{l,-m} = -2 pi Im Q``, ``Q = sum_u G_{u,|m|} Z^{l,|m|}_u``,
using ``G_{-u,-v} = conj(G_{u,v})`` for real functions.

The product of two band-limited functions is the 2-D linear convolution of their coefficient
grids, done with the convolution theorem: inverse real FFT of each zero-padded grid
(values on a torus grid), pointwise product, forward real FFT.  Costs O(L^3) per sample for
the changes of basis plus O(L^2 log L) for the FFTs.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache, lru_cache

import numpy as np

from .._validate import check_dense_size, check_int

__all__ = [
    "fourier_projection_exact",
    "fourier_to_sh",
    "gaunt_fourier",
    "sh_to_fourier",
    "sh_to_fourier_exact",
]


def _legendre_deriv(l: int, m: int) -> dict[int, Fraction]:
    """Coefficients {power: Fraction} of d^m/dz^m P_l(z)."""
    poly = {}
    for k in range(l // 2 + 1):
        c = Fraction((-1) ** k * math.comb(l, k) * math.comb(2 * l - 2 * k, l), 2**l)
        poly[l - 2 * k] = c
    for _ in range(m):
        poly = {p - 1: c * p for p, c in poly.items() if p > 0}
    return poly


def _laurent_mul(a: dict, b: dict) -> dict:
    out: dict[int, Fraction] = {}
    for i, x in a.items():
        for j, y in b.items():
            out[i + j] = out.get(i + j, 0) + x * y
    return {k: v for k, v in out.items() if v != 0}


def _laurent_pow(base: dict, n: int) -> dict:
    out = {0: Fraction(1)}
    for _ in range(n):
        out = _laurent_mul(out, base)
    return out


@cache
def _theta_coeffs(l: int, m: int) -> dict[int, Fraction]:
    """Rational A_u with sin^m t * P_l^(m)(cos t) = i^{-m} sum_u A_u exp(i u t) (signed sine)."""
    cos_ = {1: Fraction(1, 2), -1: Fraction(1, 2)}
    sin_ = {1: Fraction(1, 2), -1: Fraction(-1, 2)}  # times 1/i, collected into i^{-m}
    s = _laurent_pow(sin_, m)
    total: dict[int, Fraction] = {}
    for k, c in _legendre_deriv(l, m).items():
        for u, v in _laurent_mul(s, _laurent_pow(cos_, k)).items():
            total[u] = total.get(u, 0) + c * v
    return {u: v for u, v in total.items() if v != 0}


def _norm_sq(l: int, m: int) -> Fraction:
    """n_{l,m}^2 * pi (rational)."""
    r = Fraction((2 * l + 1) * math.factorial(l - m), 4 * math.factorial(l + m))
    return 2 * r if m else r


def _integral_0_pi(j: int) -> tuple[Fraction, Fraction]:
    """int_0^pi exp(i j t) dt = P*pi + i*R, returned as (P, R)."""
    if j == 0:
        return Fraction(1), Fraction(0)
    if j % 2 == 0:
        return Fraction(0), Fraction(0)
    return Fraction(0), Fraction(2, j)


@cache
def _projection_coeffs(l: int, m: int, u: int) -> tuple[Fraction, Fraction]:
    """(P, R) with Z^{l,m}_u = n_{l,m} * i^{-m-1} / 2 * (P pi + i R)."""
    P = R = Fraction(0)
    for k, a in _theta_coeffs(l, m).items():
        p1, r1 = _integral_0_pi(u + k + 1)
        p2, r2 = _integral_0_pi(u + k - 1)
        P += a * (p1 - p2)
        R += a * (r1 - r2)
    return P, R


def _ipow(k: int) -> complex:
    return (1, 1j, -1, -1j)[k % 4]


def sh_to_fourier_exact(l: int, m: int) -> dict:
    """Exact 2-D Fourier coefficients of the real harmonic Y_{l,m} (signed-sine extension).

    Returns ``{(u, v): sympy expression}`` with
    ``Y_{l,m}(t, p) = sum c_{u,v} exp(i u t) exp(i v p)`` for t in [0, pi].

    Examples
    --------
    >>> sh_to_fourier_exact(1, 0)
    {(-1, 0): sqrt(3)/(4*sqrt(pi)), (1, 0): sqrt(3)/(4*sqrt(pi))}
    """
    import sympy as sp

    l = check_int("l", l, minimum=0)
    m = check_int("m", m, minimum=-l, maximum=l)
    a = abs(m)
    nsq = _norm_sq(l, a)
    n = sp.sqrt(sp.Rational(nsq.numerator, nsq.denominator)) / sp.sqrt(sp.pi)
    phase_t = sp.I ** (-a)
    if m == 0:
        phi = {0: sp.Integer(1)}
    elif m > 0:
        phi = {m: sp.Rational(1, 2), -m: sp.Rational(1, 2)}
    else:
        phi = {a: 1 / (2 * sp.I), -a: -1 / (2 * sp.I)}
    out = {}
    for u, c in sorted(_theta_coeffs(l, a).items()):
        for v, cv in sorted(phi.items()):
            out[(u, v)] = sp.nsimplify(
                sp.expand(n * phase_t * sp.Rational(c.numerator, c.denominator) * cv)
            )
    return dict(sorted(out.items()))


def fourier_projection_exact(l: int, m: int, u: int):
    """Exact ``Z^{l,m}_u = n_{l,m} int_0^pi exp(i u t) Theta_{l,m}(t) sin t dt`` (m >= 0), sympy.

    Examples
    --------
    >>> fourier_projection_exact(0, 0, 0)
    1/sqrt(pi)
    """
    import sympy as sp

    l = check_int("l", l, minimum=0)
    m = check_int("m", m, minimum=0, maximum=l)
    u = check_int("u", u)
    nsq = _norm_sq(l, m)
    n = sp.sqrt(sp.Rational(nsq.numerator, nsq.denominator)) / sp.sqrt(sp.pi)
    P, R = _projection_coeffs(l, m, u)
    val = (
        n
        * sp.I ** (-m - 1)
        / 2
        * (
            sp.Rational(P.numerator, P.denominator) * sp.pi
            + sp.I * sp.Rational(R.numerator, R.denominator)
        )
    )
    return sp.simplify(sp.expand(val))


@lru_cache(maxsize=32)
def _forward_table(L: int) -> np.ndarray:
    """T[m, l, u+L] (complex), F[u, m] = sum_l c[l, m] T[m, l, u] for m >= 0, with
    c = x_{l,m} - i x_{l,-m} (m > 0), x_{l,0} (m = 0)."""
    T = np.zeros((L + 1, L + 1, 2 * L + 1), dtype=complex)
    for m in range(L + 1):
        for l in range(m, L + 1):
            n = math.sqrt(_norm_sq(l, m)) / math.sqrt(math.pi) * (0.5 if m else 1.0)
            ph = _ipow(-m)
            for u, a in _theta_coeffs(l, m).items():
                T[m, l, u + L] = n * ph * float(a)
    T.setflags(write=False)
    return T


@lru_cache(maxsize=32)
def _backward_table(L_out: int, U: int) -> np.ndarray:
    """Z[m, u+U, l] (complex) for l <= L_out, m <= l, |u| <= U, times 2 pi."""
    Z = np.zeros((L_out + 1, 2 * U + 1, L_out + 1), dtype=complex)
    for m in range(L_out + 1):
        for l in range(m, L_out + 1):
            n = math.sqrt(_norm_sq(l, m)) / math.sqrt(math.pi)
            ph = _ipow(-m - 1) / 2
            for u in range(-U, U + 1):
                P, R = _projection_coeffs(l, m, u)
                if P or R:
                    Z[m, u + U, l] = 2 * math.pi * n * ph * complex(float(P) * math.pi, float(R))
    Z.setflags(write=False)
    return Z


def _complex_input(x: np.ndarray, L: int) -> np.ndarray:
    """(B, (L+1)^2) -> c[m, B, l] complex, c = x_{l,m} - i x_{l,-m} (m > 0), x_{l,0}."""
    B = x.shape[0]
    cdt = np.complex64 if x.dtype == np.float32 else np.complex128
    c = np.zeros((L + 1, B, L + 1), dtype=cdt)
    for l in range(L + 1):
        base = l * l + l
        c[0, :, l] = x[:, base]
        if l:
            ms = np.arange(1, l + 1)
            c[1 : l + 1, :, l] = (x[:, base + ms] - 1j * x[:, base - ms]).T
    return c


def sh_to_fourier(x) -> np.ndarray:
    """Half-spectrum 2-D Fourier coefficients of spherical functions: ``F[b, u+L, v]`` for
    ``|u| <= L``, ``v = 0..L`` (``F[-u, -v] = conj F[u, v]`` gives the rest).

    Parameters
    ----------
    x : array_like, shape (B, (L+1)**2)
        Real SH coefficients (degree L inferred from the last dimension).

    Returns
    -------
    numpy.ndarray, complex, shape (B, 2L+1, L+1)

    Examples
    --------
    >>> import numpy as np
    >>> F = sh_to_fourier(np.array([[1.0, 0, 0, 0]]))      # Y_00 = 1/sqrt(4 pi)
    >>> np.allclose(F[0, 1, 0], 1 / np.sqrt(4 * np.pi))
    True
    """
    from ._tp_util import as_features

    x, Lx = as_features("x", x)
    x = x.reshape(-1, x.shape[-1])
    T = _forward_table(Lx).astype(np.complex64 if x.dtype == np.float32 else complex)
    c = _complex_input(x, Lx)
    F = np.matmul(c, T)  # (m, B, u)
    return np.ascontiguousarray(F.transpose(1, 2, 0))


def fourier_to_sh(F, L_out: int) -> np.ndarray:
    """Project a real function given by half-spectrum coefficients ``F[b, u+U, v]``
    (``|u| <= U``, ``v = 0..V``) onto real harmonics of degrees 0..L_out (sphere integral, exact).

    Parameters
    ----------
    F : array_like, complex, shape (B, 2U+1, V+1)
    L_out : int

    Returns
    -------
    numpy.ndarray, shape (B, (L_out+1)**2)

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(2, 16))
    >>> np.allclose(fourier_to_sh(sh_to_fourier(x), 3), x)
    True
    """
    L_out = check_int("L_out", L_out, minimum=0)
    F = np.asarray(F)
    B, nu, nv = F.shape
    U = (nu - 1) // 2
    x = np.zeros((B, (L_out + 1) ** 2), dtype=np.float32 if F.dtype == np.complex64 else np.float64)
    Z = _backward_table(L_out, U).astype(F.dtype)
    M = min(nv - 1, L_out)
    Q = np.matmul(F[:, :, : M + 1].transpose(2, 0, 1), Z[: M + 1])  # (m, B, l)
    for l in range(L_out + 1):
        base = l * l + l
        x[:, base] = Q[0, :, l].real
        mm = min(l, M)
        if mm:
            ms = np.arange(1, mm + 1)
            x[:, base + ms] = Q[1 : mm + 1, :, l].real.T
            x[:, base - ms] = -Q[1 : mm + 1, :, l].imag.T
    return x


def _fast_len(n: int) -> int:
    from scipy.fft import next_fast_len

    return next_fast_len(n, real=True)


@lru_cache(maxsize=32)
def _forward_real(L: int) -> tuple:
    """Per order m: (l = m..L, real table t (L-m+1, 2L+1), m % 4) with
    ``F[u, m] = i^{-m} (x_{.,m} @ t - i x_{.,-m} @ t)``."""
    T = _forward_table(L)
    out = []
    for m in range(L + 1):
        t = (T[m, m:] * _ipow(m)).real.copy()  # undo the phase i^{-m}: t is real
        t.setflags(write=False)
        out.append((np.arange(m, L + 1), t, m % 4))
    return tuple(out)


@lru_cache(maxsize=32)
def _backward_real(L_out: int, U: int) -> tuple:
    """Per order m: real W (2(2U+1), 2(L_out-m+1)) acting on interleaved (Re G_u, Im G_u) rows
    and giving (Re Q, Im Q) for l = m..L_out."""
    Z = _backward_table(L_out, U)
    out = []
    for m in range(L_out + 1):
        z = Z[m][:, m:]  # (2U+1, n_l)
        n_l = z.shape[1]
        W = np.zeros((2 * (2 * U + 1), 2 * n_l))
        W[0::2, :n_l], W[0::2, n_l:] = z.real, z.imag
        W[1::2, :n_l], W[1::2, n_l:] = -z.imag, z.real
        W.setflags(write=False)
        out.append((np.arange(m, L_out + 1), W))
    return tuple(out)


def _to_torus(x: np.ndarray, L: int, Nu: int, Nv: int) -> np.ndarray:
    """Values on the (Nu, Nv) torus grid of the signed-sine extension of the SH expansion x."""
    from scipy import fft

    B = x.shape[0]
    H = np.zeros((B, Nu, Nv // 2 + 1), dtype=np.complex64 if x.dtype == np.float32 else complex)
    Hf = H.view(x.dtype)
    uidx = np.arange(-L, L + 1) % Nu
    for m, (ls, t, ph) in enumerate(_forward_real(L)):
        tt = t.astype(x.dtype)
        re = x[:, ls * ls + ls + m] @ tt
        im = -(x[:, ls * ls + ls - m] @ tt) if m else np.zeros_like(re)
        if ph == 1:
            re, im = im, -re
        elif ph == 2:
            re, im = -re, -im
        elif ph == 3:
            re, im = -im, re
        Hf[:, uidx, 2 * m] = re
        Hf[:, uidx, 2 * m + 1] = im
    return fft.irfft2(H, s=(Nu, Nv), axes=(1, 2), workers=1)


def gaunt_fourier(x1: np.ndarray, x2: np.ndarray, L1: int, L2: int, L_out: int) -> np.ndarray:
    """Gaunt product of 2-D feature arrays (B, d1), (B, d2) via sh2f, FFT convolution, f2sh.

    Same maps as :func:`sh_to_fourier` / :func:`fourier_to_sh`, written as real matmuls per
    order m straight into the zero-padded FFT arrays (tested against them).
    """
    from scipy import fft

    B = x1.shape[0]
    dtype = x1.dtype
    U = L1 + L2
    Lc = min(L_out, U)
    Nu = _fast_len(2 * U + 1)
    Nv = _fast_len(max(U + Lc + 1, 2 * max(L1, L2, Lc) + 1))
    per = Nu * (Nv // 2 + 1) * 2 + Nu * Nv
    check_dense_size(
        "Fourier grid for one sample",
        per,
        hint="the 2-D Fourier grid grows as (L1+L2)^2; lower L1, L2 or L_out",
    )
    out = np.zeros((B, (L_out + 1) ** 2), dtype=dtype)
    step = max(1, (1 << 22) // per)
    uidx = np.arange(-U, U + 1) % Nu
    back = _backward_real(Lc, U)
    for s in range(0, B, step):
        g = _to_torus(x1[s : s + step], L1, Nu, Nv)
        g *= _to_torus(x2[s : s + step], L2, Nu, Nv)
        G = fft.rfft2(g, axes=(1, 2), workers=1)
        G *= Nu * Nv  # irfft2 divided by Nu*Nv twice, rfft2 by nothing
        nb = g.shape[0]
        n_u = uidx.size
        # one gather into (m, batch, u, re/im) so that every order m is a contiguous block
        Gt = G[:, uidx, : Lc + 1].view(dtype).reshape(nb, n_u, Lc + 1, 2)
        Gt = np.ascontiguousarray(Gt.transpose(2, 0, 1, 3)).reshape(Lc + 1, nb, 2 * n_u)
        for m, (ls, W) in enumerate(back):
            Q = Gt[m] @ W.astype(dtype)
            n_l = ls.size
            out[s : s + nb, ls * ls + ls + m] = Q[:, :n_l]
            if m:
                out[s : s + nb, ls * ls + ls - m] = -Q[:, n_l:]
    return out
