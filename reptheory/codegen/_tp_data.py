"""Exact data of the generated SO(3) tensor products.

* :func:`real_cg_entries`: the non-zero entries of the real Clebsch-Gordan tensor of one path,
  each as an exact ``sign * sqrt(num / den)`` (signed numerator, denominator), derived from the
  exact complex coefficients of :func:`reptheory.so3.clebsch_gordan_table` and the exact
  complex-to-real change of basis (no floating point involved);
* :func:`cg_entries`: those entries over all paths, with global feature indices ``l*l+l+m``.

The real tensor follows :func:`reptheory.so3.cg_tensor`: ``(U1 (x) U2) C U3^H`` times 1 (l1+l2+l3
even) or -i (odd), with ``Y_{l,m} = ((-1)^m Y_l^m + Y_l^-m)/sqrt(2)``,
``Y_{l,-m} = i (Y_l^-m - (-1)^m Y_l^m)/sqrt(2)`` (m > 0).
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

from ..errors import ReptheoryError
from ..so3._exact import _urow

__all__ = ["cg_entries", "real_cg_entries"]


@lru_cache(maxsize=256)
def real_cg_entries(l1: int, l2: int, l3: int) -> tuple[tuple[int, int, int, int, int], ...]:
    """Non-zero real CG entries ``(m1, m2, m3, s*num, den)`` of one path, value
    ``s * sqrt(num / den)``, sorted by (m3, m1, m2).

    Examples
    --------
    >>> real_cg_entries(0, 1, 1)[:2]
    ((0, -1, -1, 1, 1), (0, 0, 0, 1, 1))
    """
    from ..so3 import clebsch_gordan_table

    block = clebsch_gordan_table(l1, l2, l3)
    odd = (l1 + l2 + l3) % 2
    out = []
    for m1 in range(-l1, l1 + 1):
        for m2 in range(-l2, l2 + 1):
            a, b = abs(m1), abs(m2)
            for m3a in sorted({a + b, abs(a - b)}):
                if m3a > l3:
                    continue
                for m3 in (-m3a, m3a) if m3a else (0,):
                    total = 0j
                    mag = None
                    half = None
                    for k1, c1, h1 in _urow(m1):
                        for k2, c2, h2 in _urow(m2):
                            for k3, c3, h3 in _urow(m3):
                                if k1 + k2 != k3 or (k1, k2) not in block:
                                    continue
                                g = block[(k1, k2)]
                                sq = Fraction(g.num, g.den)
                                h = h1 + h2 + h3
                                if mag is None:
                                    mag, half = sq, h
                                elif mag != sq or half != h:  # pragma: no cover - theory
                                    raise ReptheoryError("unequal CG magnitudes in a real entry")
                                total += c1 * c2 * c3.conjugate() * g.sign
                    if mag is None:
                        continue
                    t = -total * 1j if odd else total  # the real tensor is -i times it (odd)
                    if abs(t.imag) > 1e-9 or not float(t.real).is_integer():  # pragma: no cover
                        raise ReptheoryError("real CG entry is not real")
                    ti = round(t.real)
                    if ti == 0:
                        continue
                    sq = mag * ti * ti / 2**half
                    out.append((m1, m2, m3, sq.numerator * (1 if ti > 0 else -1), sq.denominator))
    out.sort(key=lambda e: (e[2], e[0], e[1]))
    return tuple(out)


def cg_entries(
    paths: tuple[tuple[int, int, int], ...],
) -> list[tuple[int, int, int, int, int, int]]:
    """Entries ``(k, p, i, j, s*num, den)`` over all paths (global indices), sorted by k, p, i, j."""
    out = []
    for p, (l1, l2, l3) in enumerate(paths):
        for m1, m2, m3, num, den in real_cg_entries(l1, l2, l3):
            out.append((l3 * l3 + l3 + m3, p, l1 * l1 + l1 + m1, l2 * l2 + l2 + m2, num, den))
    out.sort()
    return out
