"""Float tables of coupling coefficients, derived from the exact values and cached on disk.

* ``cg_tensor(l1, l2, l3, basis)``: C of shape (2l1+1, 2l2+1, 2l3+1) with
  ``(D_l1 (x) D_l2) C = C D_l3`` (contracting the first two axes with D_l1, D_l2), normalised so
  that ``sum_{m1 m2} C[m1, m2, m3] C[m1, m2, m3'] = delta``.  ``basis="complex"`` gives the
  Clebsch-Gordan coefficients ``<l1 m1; l2 m2 | l3 m3>``; ``basis="real"`` gives
  ``(U1 (x) U2) C U3^H`` times ``1`` when l1+l2+l3 is even and ``-i`` when it is odd (so that it
  is real).  Each entry is a single ``sign * sqrt(rational)`` computed exactly, then rounded.
* ``gaunt_tensor(l1, l2, l3, basis)``: the integrals of three harmonics (real or complex).

Tables are cached in memory and in ``$REPTHEORY_CACHE_DIR/so3`` (default
``~/.cache/reptheory/so3``) as ``.npy`` files keyed by the convention version, and handed out
read-only.
"""

from __future__ import annotations

import math
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from .._validate import check_dense_size, check_int
from ..errors import InvalidParameterError
from ._exact import SqrtRational, _cg2, _gaunt_sq, _urow

__all__ = ["CONVENTION_VERSION", "cache_dir", "cg_tensor", "gaunt_tensor"]

#: Bumped whenever a sign or ordering convention of a cached table changes.
CONVENTION_VERSION = 1


def cache_dir() -> Path:
    """The cache directory: ``$REPTHEORY_CACHE_DIR/so3`` or ``~/.cache/reptheory/so3``.

    Examples
    --------
    >>> cache_dir().name
    'so3'
    """
    base = os.environ.get("REPTHEORY_CACHE_DIR")
    root = Path(base) if base else Path.home() / ".cache" / "reptheory"
    return root / "so3"


def _real_coupling(l1, l2, l3, m1, m2, m3, kind: str) -> tuple[SqrtRational, bool]:
    """Exact real-basis entry. Returns (value, odd) where for kind 'cg' the complex value is
    value * (i if odd else 1). Terms pair up with equal magnitudes, so the sum is exact."""
    terms = []
    for k1, c1 in _urow(m1):
        for k2, c2 in _urow(m2):
            for k3, c3 in _urow(m3):
                if kind == "cg":
                    if k1 + k2 != k3:
                        continue
                    coef3 = c3[0].conjugate()
                    s, num, den = _cg2(2 * l1, 2 * k1, 2 * l2, 2 * k2, 2 * l3, 2 * k3)
                    g = SqrtRational(s, num, den)
                else:
                    if k1 + k2 + k3 != 0:
                        continue
                    coef3 = c3[0]
                    g = _gaunt_sq(l1, l2, l3, k1, k2, k3)
                if g.sign == 0:
                    continue
                terms.append((c1[0] * c2[0] * coef3, c1[1] + c2[1] + c3[1], g))
    if not terms:
        return SqrtRational(0, 0), False
    half = terms[0][1]
    g0 = terms[0][2]
    total = 0j
    for coef, h, g in terms:
        if h != half or g.num * g0.den != g0.num * g.den:  # pragma: no cover - by symmetry
            raise AssertionError("unequal magnitudes in real coupling")
        total += coef * g.sign
    re, im = round(total.real), round(total.imag)
    if re and im:  # pragma: no cover - by symmetry
        raise AssertionError("complex real-basis coupling")
    t, odd = (re, False) if re else (im, True)
    if t == 0:
        return SqrtRational(0, 0), odd
    return SqrtRational(1 if t > 0 else -1, t * t * g0.num, g0.den * 2**half), odd


def _compute(kind: str, l1: int, l2: int, l3: int, basis: str) -> np.ndarray:
    out = np.zeros((2 * l1 + 1, 2 * l2 + 1, 2 * l3 + 1))
    if l3 > l1 + l2 or l3 < abs(l1 - l2) or (kind == "gaunt" and (l1 + l2 + l3) % 2):
        return out
    for m1 in range(-l1, l1 + 1):
        for m2 in range(-l2, l2 + 1):
            if basis == "complex":
                m3 = m1 + m2 if kind == "cg" else -m1 - m2
                if abs(m3) > l3:
                    continue
                if kind == "cg":
                    v = float(SqrtRational(*_cg2(2 * l1, 2 * m1, 2 * l2, 2 * m2, 2 * l3, 2 * m3)))
                else:
                    v = float(_gaunt_sq(l1, l2, l3, m1, m2, m3)) / math.sqrt(math.pi)
                out[m1 + l1, m2 + l2, m3 + l3] = v
            else:
                a, b = abs(m1), abs(m2)
                for m3 in {a + b, abs(a - b)}:
                    if m3 > l3:
                        continue
                    for s3 in (m3, -m3) if m3 else (0,):
                        val, _odd = _real_coupling(l1, l2, l3, m1, m2, s3, kind)
                        v = float(val)
                        if kind == "gaunt":
                            v /= math.sqrt(math.pi)
                        out[m1 + l1, m2 + l2, s3 + l3] = v
    return out


def _table(kind: str, l1, l2, l3, basis: str) -> np.ndarray:
    l1 = check_int("l1", l1, minimum=0)
    l2 = check_int("l2", l2, minimum=0)
    l3 = check_int("l3", l3, minimum=0)
    if basis not in ("real", "complex"):
        raise InvalidParameterError(f"basis must be 'real' or 'complex', got {basis!r}")
    check_dense_size(f"{kind} table", (2 * l1 + 1) * (2 * l2 + 1) * (2 * l3 + 1))
    return _cached(kind, l1, l2, l3, basis)


@lru_cache(maxsize=4096)
def _cached(kind: str, l1: int, l2: int, l3: int, basis: str) -> np.ndarray:
    path = cache_dir() / f"{kind}_{basis}_{l1}_{l2}_{l3}_v{CONVENTION_VERSION}.npy"
    arr = None
    if path.exists():
        try:
            arr = np.load(path, allow_pickle=False)
            if arr.shape != (2 * l1 + 1, 2 * l2 + 1, 2 * l3 + 1):
                arr = None
        except (OSError, ValueError):
            arr = None
    if arr is None:
        arr = _compute(kind, l1, l2, l3, basis)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, arr)
            os.replace(tmp, path)
        except OSError:  # pragma: no cover - read-only home: keep the in-memory copy
            pass
    arr.setflags(write=False)
    return arr


def cg_tensor(l1: int, l2: int, l3: int, basis: str = "real") -> np.ndarray:
    """Clebsch-Gordan coupling tensor, float64, read-only, shape (2l1+1, 2l2+1, 2l3+1).

    ``einsum("ia,jb,abk->ijk", D1, D2, C) == einsum("ijc,ck->ijk", C, D3)`` for the Wigner D
    matrices of :mod:`reptheory.so3` (real or complex).  Zero unless |l1-l2| <= l3 <= l1+l2.

    Parameters
    ----------
    l1, l2, l3 : int
        Degrees.
    basis : {"real", "complex"}

    Returns
    -------
    numpy.ndarray (read-only)

    Raises
    ------
    InvalidParameterError
        Negative degree or unknown basis.
    SizeLimitError
        Table over the dense budget.

    Examples
    --------
    >>> import numpy as np
    >>> C = cg_tensor(1, 1, 0)
    >>> np.allclose(C[:, :, 0], -np.eye(3) / np.sqrt(3))
    True
    >>> C.flags.writeable
    False
    """
    return _table("cg", l1, l2, l3, basis)


def gaunt_tensor(l1: int, l2: int, l3: int, basis: str = "real") -> np.ndarray:
    """Gaunt table ``G[m1, m2, m3] = int Y_l1m1 Y_l2m2 Y_l3m3 dOmega`` (read-only float64).

    Examples
    --------
    >>> import numpy as np
    >>> G = gaunt_tensor(0, 0, 0)
    >>> np.allclose(G, 1 / np.sqrt(4 * np.pi))
    True
    """
    return _table("gaunt", l1, l2, l3, basis)
