"""Float tables of coupling coefficients, derived from the exact values and cached on disk.

* ``cg_tensor(l1, l2, l3, basis)``: C of shape (2l1+1, 2l2+1, 2l3+1) with
  ``(D_l1 (x) D_l2) C = C D_l3`` (contracting the first two axes with D_l1, D_l2), normalised so
  that ``sum_{m1 m2} C[m1, m2, m3] C[m1, m2, m3'] = delta``.  ``basis="complex"`` gives the
  Clebsch-Gordan coefficients ``<l1 m1; l2 m2 | l3 m3>``; ``basis="real"`` gives
  ``(U1 (x) U2) C U3^H`` times ``1`` when l1+l2+l3 is even and ``-i`` when it is odd (so that it
  is real).  Each entry is a single ``sign * sqrt(rational)`` computed exactly, then correctly
  rounded (the nearest float), in both bases.
* ``gaunt_tensor(l1, l2, l3, basis)``: the integrals of three harmonics (real or complex),
  ``sign sqrt(rational / pi)``: products of correctly rounded factors (within a few ulp).

Tables are cached in memory and (those with at least ``DISK_MIN_ENTRIES`` entries) on disk in
``reptheory._cache.cache_dir("so3")`` (``$REPTHEORY_CACHE_DIR/so3``, default
``~/.cache/reptheory/so3``) as ``.npy`` files keyed by name and convention version
(:func:`disk_table`, also used for the high-degree Wigner tables), and handed out read-only.
"""

from __future__ import annotations

import math
import os
from collections import OrderedDict
from functools import lru_cache

import numpy as np

from .._cache import cache_dir
from .._validate import check_dense_size, check_int
from ..errors import InvalidParameterError
from ._exact import CGBlock, _cg_block, _sqrt_ratio, _urow

__all__ = ["CONVENTION_VERSION", "cg_tensor", "gaunt_tensor"]

#: Bumped whenever a sign or ordering convention of a cached table changes.
CONVENTION_VERSION = 1

#: Bumped whenever the numbers of a cached table change without a convention change (2: the
#: real CG tables became correctly rounded); part of every file name, so old files are ignored.
TABLE_REVISION = 2

#: Tables with fewer entries are recomputed (faster than a file read) instead of cached on disk.
DISK_MIN_ENTRIES = 4096


def _complex_lookup(kind: str, l1: int, l2: int, l3: int):
    """Signs and magnitudes of the complex coefficients from one exact CG block.

    Returns f(k1, k2, k3) -> float (0.0 when forbidden).  For ``cg``, k3 = k1 + k2; for
    ``gaunt``, k1 + k2 + k3 = 0 and ``G = sqrt((2l1+1)(2l2+1)/(4 pi (2l3+1))) (-1)^k3
    <l1 0 l2 0|l3 0> <l1 k1 l2 k2|l3 -k3>``.  Each CG magnitude is rounded once from its exact
    square.
    """
    val = CGBlock(l1, l2, l3, *_cg_block(l1, l2, l3)).to_float()
    if kind == "cg":

        def f(k1, k2, k3):
            return val[k1 + l1, k2 + l2] if k3 == k1 + k2 and abs(k3) <= l3 else 0.0

        return f
    c0 = val[l1, l2]
    pref = math.sqrt((2 * l1 + 1) * (2 * l2 + 1) / (2 * l3 + 1)) / math.sqrt(4 * math.pi) * c0

    def g(k1, k2, k3):
        if k1 + k2 + k3 != 0 or abs(k3) > l3:
            return 0.0
        return (-1) ** (k3 % 2) * pref * val[k1 + l1, k2 + l2]

    return g


def _compute(kind: str, l1: int, l2: int, l3: int, basis: str) -> np.ndarray:
    out = np.zeros((2 * l1 + 1, 2 * l2 + 1, 2 * l3 + 1))
    if l3 > l1 + l2 or l3 < abs(l1 - l2) or (kind == "gaunt" and (l1 + l2 + l3) % 2):
        return out
    f = _complex_lookup(kind, l1, l2, l3)
    exact = None
    if kind == "cg" and basis == "real":
        sn, den = _cg_block(l1, l2, l3)
        d2 = 2 * l2 + 1

        def exact(k1, k2):
            return abs(sn[(k1 + l1) * d2 + k2 + l2]), den

    for m1 in range(-l1, l1 + 1):
        for m2 in range(-l2, l2 + 1):
            if basis == "complex":
                m3 = m1 + m2 if kind == "cg" else -m1 - m2
                if abs(m3) <= l3:
                    out[m1 + l1, m2 + l2, m3 + l3] = f(m1, m2, m3)
                continue
            a, b = abs(m1), abs(m2)
            for m3 in {a + b, abs(a - b)}:
                if m3 > l3:
                    continue
                for s3 in (m3, -m3) if m3 else (0,):
                    out[m1 + l1, m2 + l2, s3 + l3] = _real_entry(f, m1, m2, s3, kind, exact)
    return out


_SQRT_HALF = (1.0, 1 / math.sqrt(2), 0.5, 0.5 / math.sqrt(2))


def _real_entry(f, m1: int, m2: int, m3: int, kind: str, exact=None) -> float:
    """Real-basis entry from the complex ones: the (at most two) contributing complex terms
    have equal magnitudes, so the unit phases are summed exactly and the magnitude is used
    once (no cancellation).  For odd l1 + l2 + l3 the CG sum is i * real; we return the real
    factor (the table is -i times the complex-basis product).  With ``exact(k1, k2) -> (num,
    den)`` (the exact square of the CG magnitude) the entry is correctly rounded from its
    exact value ``t sqrt(num / (den 2^half))``."""
    total = 0j
    mag = 0.0
    half = 0
    key = None
    for k1, c1, h1 in _urow(m1):
        for k2, c2, h2 in _urow(m2):
            for k3, c3, h3 in _urow(m3):
                if kind == "cg":
                    if k1 + k2 != k3:
                        continue
                    coef3 = c3.conjugate()
                else:
                    if k1 + k2 + k3 != 0:
                        continue
                    coef3 = c3
                v = f(k1, k2, k3)
                if v == 0.0:
                    continue
                total += c1 * c2 * coef3 * (1 if v > 0 else -1)
                mag = abs(v)
                half = h1 + h2 + h3
                key = (k1, k2)
    re, im = round(total.real), round(total.imag)
    t = re if re else im
    if exact is not None and t:
        num, den = exact(*key)
        return math.copysign(_sqrt_ratio(t * t * num, den << half), t)
    return t * mag * _SQRT_HALF[half]


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
    shape = (2 * l1 + 1, 2 * l2 + 1, 2 * l3 + 1)
    if math.prod(shape) < DISK_MIN_ENTRIES:
        arr = _compute(kind, l1, l2, l3, basis)
        arr.setflags(write=False)
        return arr
    return disk_table(
        f"{kind}_{basis}_{l1}_{l2}_{l3}", shape, lambda: _compute(kind, l1, l2, l3, basis)
    )


def disk_table(name: str, shape: tuple[int, ...], compute) -> np.ndarray:
    """A float table read from ``cache_dir("so3")/<name>_v<CONVENTION_VERSION>r<TABLE_REVISION>.npy`` or
    computed by ``compute()`` and written there (atomically); returned read-only.

    A file of the wrong shape or that cannot be read is recomputed; an unwritable cache
    directory only costs the write.
    """
    path = cache_dir("so3") / f"{name}_v{CONVENTION_VERSION}r{TABLE_REVISION}.npy"
    arr = None
    if path.exists():
        try:
            arr = np.load(path, allow_pickle=False)
            if arr.shape != tuple(shape):
                arr = None
        except (OSError, ValueError):
            arr = None
    if arr is None:
        arr = compute()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, arr)
            os.replace(tmp, path)
        except OSError:  # pragma: no cover - read-only home: keep the in-memory copy
            pass
    arr.setflags(write=False)
    return arr


class MemoryCache:
    """A least-recently-used in-memory cache of read-only arrays, bounded in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict = OrderedDict()
        self._bytes = 0

    def get(self, key, compute) -> np.ndarray:
        """The cached array for ``key``, else ``compute()`` (stored read-only)."""
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        arr = compute()
        arr.setflags(write=False)
        self._items[key] = arr
        self._bytes += arr.nbytes
        while self._bytes > self.max_bytes and len(self._items) > 1:
            _, old = self._items.popitem(last=False)
            self._bytes -= old.nbytes
        return arr


def cg_tensor(l1: int, l2: int, l3: int, basis: str = "real") -> np.ndarray:
    """Clebsch-Gordan coupling tensor, float64, read-only, shape (2l1+1, 2l2+1, 2l3+1).

    ``einsum("ia,jb,abk->ijk", D1, D2, C) == einsum("ijc,ck->ijk", C, D3)`` for the Wigner D
    matrices of :mod:`reptheory.so3` (real or complex).  Zero unless ``abs(l1-l2) <= l3 <= l1+l2``.

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
