"""The numba kernel of the real spherical harmonics (imported only after
``reptheory._cache.numba_cache()``, so the compiled code is cached outside the package).

The numpy twin, with the same algorithm, is ``reptheory.so3._sh._sh_numpy``.
"""

from __future__ import annotations

import math

from .._cache import numba_cache

numba_cache()  # before numba is imported: compiled code is cached under cache_dir("numba")

try:
    from numba import njit

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - importable (plain Python) without numba
    HAVE_NUMBA = False

    def njit(*args, **kwargs):
        return lambda f: f


__all__ = ["HAVE_NUMBA", "sh_kernel"]

_SCALE_BITS = 200
_SCALE = 2.0**_SCALE_BITS
_INV_SCALE = 2.0**-_SCALE_BITS


@njit(cache=True, fastmath=False, boundscheck=False)
def _column_scaled(out, i, L, m, pm, pe, z, fc, fs, a, b, sub):  # pragma: no cover - compiled
    """Fill Y_{l,+-m}, l = m..L, of point i from a sectoral value pm * 2**pe below the float
    range (pe < 0): the recurrence runs on the mantissa and the exponent is carried along."""
    e = pe
    v = math.ldexp(pm, e)
    base = m * m + 2 * m
    out[i, base] = v * fc
    out[i, base - 2 * m] = v * fs
    if m == L:
        return
    p2 = pm
    p1 = sub[m] * z * pm
    base = (m + 1) * (m + 1) + m + 1
    v = math.ldexp(p1, e)
    out[i, base + m] = v * fc
    out[i, base - m] = v * fs
    for l in range(m + 2, L + 1):
        p = a[l, m] * (z * p1 - b[l, m] * p2)
        if e < 0 and abs(p) > _SCALE:
            p *= _INV_SCALE
            p1 *= _INV_SCALE
            e += _SCALE_BITS
        v = math.ldexp(p, e) if e else p
        base = l * l + l
        out[i, base + m] = v * fc
        out[i, base - m] = v * fs
        p2 = p1
        p1 = p


@njit(cache=True, fastmath=False, boundscheck=False)
def sh_kernel(xyz, L, a, b, diag, sub, normalize, thr2, out):  # pragma: no cover - compiled
    """Fill out (N, (L+1)^2) with the real harmonics; return -1, or the first bad row.

    Points with ``x^2 + y^2 >= thr2 = 2^(-400/L)`` take the plain recurrence (Re/Im of
    ``(x + i y)^m`` never leaves the float range); the others (near the poles) carry the
    sectoral values with an extra exponent.  Both give the values of the numpy twin.
    """
    n = xyz.shape[0]
    sq2 = math.sqrt(2.0)
    y00 = 1.0 / math.sqrt(4.0 * math.pi)
    for i in range(n):
        x = xyz[i, 0]
        y = xyz[i, 1]
        z = xyz[i, 2]
        rr = x * x + y * y + z * z
        if not (rr < math.inf):  # NaN or infinite coordinates, or overflow
            return i
        if normalize:
            if not rr > 0.0:
                return i
            inv = 1.0 / math.sqrt(rr)
            x *= inv
            y *= inv
            z *= inv
        # m = 0
        p2 = y00
        out[i, 0] = p2
        if L >= 1:
            p1 = sub[0] * z * p2
            out[i, 2] = p1
            for l in range(2, L + 1):
                p = a[l, 0] * (z * p1 - b[l, 0] * p2)
                out[i, l * l + l] = p
                p2 = p1
                p1 = p
        rxy = x * x + y * y
        if rxy >= thr2:
            # (x + i y)^m >= 2^-200 for every m <= L: P_l^m / sin^m t times Re/Im (x + i y)^m
            # stays in range (no square root, no division)
            c = 1.0
            s = 0.0
            pmm = y00
            for m in range(1, L + 1):
                c, s = x * c - y * s, x * s + y * c
                pmm = pmm * diag[m]
                fc = c * sq2
                fs = s * sq2
                base = m * m + m
                out[i, base + m] = pmm * fc
                out[i, base - m] = pmm * fs
                if m < L:
                    p2 = pmm
                    p1 = sub[m] * z * pmm
                    base = (m + 1) * (m + 1) + m + 1
                    out[i, base + m] = p1 * fc
                    out[i, base - m] = p1 * fs
                    for l in range(m + 2, L + 1):
                        p = a[l, m] * (z * p1 - b[l, m] * p2)
                        base = l * l + l
                        out[i, base + m] = p * fc
                        out[i, base - m] = p * fs
                        p2 = p1
                        p1 = p
            continue
        # near the poles: sin^m t in the sectoral values, extended exponent range
        rho = math.sqrt(rxy)
        if rho > 0.0:
            cphi = x / rho
            sphi = y / rho
        else:
            cphi = 1.0
            sphi = 0.0
        c = 1.0
        s = 0.0
        pm = y00
        pe = 0
        for m in range(1, L + 1):
            c, s = cphi * c - sphi * s, cphi * s + sphi * c
            pm = pm * (diag[m] * rho)
            if 0.0 < pm < _INV_SCALE:
                pm *= _SCALE
                pe -= _SCALE_BITS
            fc = c * sq2
            fs = s * sq2
            if pe:  # below the float range: rare, out of line
                _column_scaled(out, i, L, m, pm, pe, z, fc, fs, a, b, sub)
                continue
            base = m * m + m
            out[i, base + m] = pm * fc
            out[i, base - m] = pm * fs
            if m < L:
                p2 = pm
                p1 = sub[m] * z * pm
                base = (m + 1) * (m + 1) + m + 1
                out[i, base + m] = p1 * fc
                out[i, base - m] = p1 * fs
                for l in range(m + 2, L + 1):
                    p = a[l, m] * (z * p1 - b[l, m] * p2)
                    base = l * l + l
                    out[i, base + m] = p * fc
                    out[i, base - m] = p * fs
                    p2 = p1
                    p1 = p
    return -1
