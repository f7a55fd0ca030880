"""Exact Clebsch-Gordan, Wigner 3j and Gaunt coefficients with integer arithmetic.

Every coefficient is ``sign * sqrt(p / q)`` with integers p, q (times ``1/sqrt(pi)`` for
Gaunt coefficients).  We compute ``sign``, ``p`` and ``q`` with Python integers from the
Racah formula, so there is no cancellation error at any degree; floats are obtained by one
single correct rounding of the exact value (an exact integer square root with a sticky bit),
so every float equals the exact value rounded to nearest.

Half-integer angular momenta are accepted wherever physics allows them (``clebsch_gordan``,
``wigner_3j``) as ``int``, :class:`fractions.Fraction`, sympy ``Rational`` or a float that is
exactly a half-integer.  Internally every j and m is stored doubled (an integer).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np

from ..errors import InvalidParameterError, ReptheoryTypeError

__all__ = [
    "CGBlock",
    "SqrtRational",
    "clebsch_gordan",
    "clebsch_gordan_all",
    "clebsch_gordan_exact",
    "clebsch_gordan_float",
    "clebsch_gordan_table",
    "gaunt",
    "real_gaunt",
    "wigner_3j",
    "wigner_3j_exact",
]

_FACT: list[int] = [1]


def _fact(n: int) -> int:
    """n! from a growing table (exact Python integer)."""
    if n >= len(_FACT):
        f = _FACT[-1]
        for k in range(len(_FACT), n + 1):
            f *= k
            _FACT.append(f)
    return _FACT[n]


class SqrtRational:
    """An exact real number ``sign * sqrt(num / den)`` (value object).

    Parameters
    ----------
    sign : int
        -1, 0 or 1.
    num, den : int
        Non-negative integers with ``gcd(num, den) == 1`` (reduced on construction).

    Examples
    --------
    >>> x = SqrtRational(-1, 1, 3)
    >>> x
    SqrtRational(-sqrt(1/3))
    >>> float(x)
    -0.5773502691896257
    >>> x.to_sympy()
    -sqrt(3)/3
    """

    __slots__ = ("den", "num", "sign")

    def __init__(self, sign: int, num: int, den: int = 1) -> None:
        if num == 0 or sign == 0:
            sign, num, den = 0, 0, 1
        else:
            g = math.gcd(num, den)
            num, den = num // g, den // g
        object.__setattr__(self, "sign", int(sign))
        object.__setattr__(self, "num", int(num))
        object.__setattr__(self, "den", int(den))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("SqrtRational is immutable")

    def __reduce__(self):
        return (SqrtRational, (self.sign, self.num, self.den))

    @property
    def square(self) -> Fraction:
        """The exact square ``num / den`` as a Fraction (times the sign: ``sign * x**2``)."""
        return Fraction(self.sign * self.num, self.den)

    def __float__(self) -> float:
        """The correctly rounded float (round to nearest, ties to even) of the exact value."""
        if self.sign == 0:
            return 0.0
        return self.sign * _sqrt_ratio(self.num, self.den)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SqrtRational):
            return (self.sign, self.num, self.den) == (other.sign, other.num, other.den)
        if isinstance(other, numbers.Rational):
            return self == SqrtRational(
                _sgn(other), abs(other.numerator) ** 2, other.denominator**2
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.sign, self.num, self.den))

    def __neg__(self) -> SqrtRational:
        return SqrtRational(-self.sign, self.num, self.den)

    def __mul__(self, other: SqrtRational) -> SqrtRational:
        if not isinstance(other, SqrtRational):
            return NotImplemented
        return SqrtRational(self.sign * other.sign, self.num * other.num, self.den * other.den)

    def __repr__(self) -> str:
        s = "-" if self.sign < 0 else ""
        return f"SqrtRational({s}sqrt({self.num}/{self.den}))"

    def __str__(self) -> str:
        """Compact exact text: ``1``, ``-1/2``, ``sqrt(2/3)``, ``-sqrt(5)``.

        Examples
        --------
        >>> [str(SqrtRational(s, n, d)) for s, n, d in [(1, 1, 1), (-1, 1, 4), (1, 2, 3), (-1, 5, 1)]]
        ['1', '-1/2', 'sqrt(2/3)', '-sqrt(5)']
        """
        if self.sign == 0:
            return "0"
        s = "-" if self.sign < 0 else ""
        rn, rd = math.isqrt(self.num), math.isqrt(self.den)
        if rn * rn == self.num and rd * rd == self.den:
            return f"{s}{rn}" if rd == 1 else f"{s}{rn}/{rd}"
        return f"{s}sqrt({self.num})" if self.den == 1 else f"{s}sqrt({self.num}/{self.den})"

    def to_sympy(self):
        """The value as a sympy expression ``sign * sqrt(Rational(num, den))``."""
        import sympy

        if self.sign == 0:
            return sympy.Integer(0)
        return self.sign * sympy.sqrt(sympy.Rational(self.num, self.den))


def _sqrt_ratio(num: int, den: int) -> float:
    """``sqrt(num / den)`` correctly rounded to float64 (positive integers), rounded once.

    An integer square root with at least 58 significant bits, and a sticky bit when it is
    inexact, is converted by ``float(int)`` (correctly rounded, ties to even): no rounding
    boundary lies strictly between the truncated root and the true value.  Exact for every
    result in the normal float range (subnormal results, below 2.2e-308, may be rounded twice).

    Examples
    --------
    >>> _sqrt_ratio(1, 4), _sqrt_ratio(2, 1) == 2 ** 0.5
    (0.5, True)
    """
    k = (118 - (num.bit_length() - den.bit_length())) // 2 + 1
    if k >= 0:
        q, r = divmod(num << (2 * k), den)
    else:
        q, r = divmod(num, den << (-2 * k))
    s = math.isqrt(q)
    if r or s * s != q:
        s, k = 2 * s + 1, k + 1  # sticky bit: the true root lies strictly inside (s, s + 1)
    return math.ldexp(float(s), -k)


def _sgn(x) -> int:
    return (x > 0) - (x < 0)


# ---------------------------------------------------------------------------------------------
# argument parsing (doubled integers)
# ---------------------------------------------------------------------------------------------
def _twice(name: str, value: object, integer_only: bool = False) -> int:
    """2*value as an int, for an integer or half-integer value; clear errors otherwise."""
    if isinstance(value, bool):
        raise ReptheoryTypeError(f"{name} must be an integer or half-integer, got {value!r}")
    if isinstance(value, numbers.Integral):
        return 2 * int(value)
    try:
        import sympy

        if isinstance(value, sympy.Basic):
            if value.is_Rational:
                value = Fraction(int(value.p), int(value.q))
            else:
                raise ReptheoryTypeError(
                    f"{name} must be an integer or half-integer, got {value!r}"
                )
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, (Fraction, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidParameterError(f"{name} must be an integer or half-integer, got {value!r}")
        d = 2 * Fraction(value)
        if d.denominator != 1:
            raise InvalidParameterError(f"{name} must be an integer or half-integer, got {value!r}")
        if integer_only and d.numerator % 2:
            raise InvalidParameterError(
                f"{name} must be an integer (no half-integers here), got {value!r}"
            )
        return int(d.numerator)
    raise ReptheoryTypeError(
        f"{name} must be an integer or half-integer, got {value!r} of type {type(value).__name__}"
    )


def _check_jm(j2: int, m2: int, jname: str, mname: str) -> None:
    if j2 < 0:
        raise InvalidParameterError(f"{jname} must be >= 0, got {j2 / 2:g}")
    if abs(m2) > j2 or (j2 - m2) % 2:
        raise InvalidParameterError(
            f"{mname} must be one of -{jname}, -{jname}+1, ..., {jname} (here {jname} = {j2 / 2:g}), "
            f"got {m2 / 2:g}"
        )


# ---------------------------------------------------------------------------------------------
# Racah formula on doubled arguments
# ---------------------------------------------------------------------------------------------
def _cg2(j1: int, m1: int, j2: int, m2: int, j: int, m: int) -> tuple[int, int, int]:
    """<j1 m1 j2 m2 | j m> on doubled, validated arguments as (sign, num, den) unreduced."""
    if m1 + m2 != m or j > j1 + j2 or j < abs(j1 - j2) or (j1 + j2 + j) % 2:
        return 0, 0, 1
    a = (j1 + j2 - j) // 2
    b = (j1 - m1) // 2
    c = (j2 + m2) // 2
    d = (j - j2 + m1) // 2
    e = (j - j1 - m2) // 2
    kmin = max(0, -d, -e)
    kmax = min(a, b, c)
    if kmin > kmax:  # pragma: no cover - excluded by the triangle rule
        return 0, 0, 1
    F = _fact
    Fa, Fb, Fc, Fdk, Fek = F(a), F(b), F(c), F(d + kmax), F(e + kmax)
    s = 0
    for k in range(kmin, kmax + 1):
        t = Fa // (F(k) * F(a - k)) * (Fb // F(b - k)) * (Fc // F(c - k))
        t *= (Fdk // F(d + k)) * (Fek // F(e + k))
        s += -t if k & 1 else t
    if s == 0:
        return 0, 0, 1
    P = Fa * Fb * Fc * Fdk * Fek
    num = (j + 1) * F((j + j1 - j2) // 2) * F((j - j1 + j2) // 2) * F(a)
    num *= F((j + m) // 2) * F((j - m) // 2) * F((j1 - m1) // 2) * F((j1 + m1) // 2)
    num *= F((j2 - m2) // 2) * F((j2 + m2) // 2) * s * s
    den = F((j1 + j2 + j) // 2 + 1) * P * P
    return (1 if s > 0 else -1), num, den


def clebsch_gordan_exact(j1, m1, j2, m2, j, m) -> SqrtRational:
    """<j1 m1; j2 m2 | j m> as an exact :class:`SqrtRational` (Condon-Shortley phase).

    Same arguments as :func:`clebsch_gordan`.

    Examples
    --------
    >>> clebsch_gordan_exact(1, 0, 1, 0, 0, 0)
    SqrtRational(-sqrt(1/3))
    """
    a = [_twice(n, v) for n, v in zip(("j1", "m1", "j2", "m2", "j", "m"), (j1, m1, j2, m2, j, m))]
    _check_jm(a[0], a[1], "j1", "m1")
    _check_jm(a[2], a[3], "j2", "m2")
    _check_jm(a[4], a[5], "j", "m")
    return SqrtRational(*_cg2(*a))


def clebsch_gordan(j1, m1, j2, m2, j, m):
    """The Clebsch-Gordan coefficient <j1 m1; j2 m2 | j m>, exact, as a sympy number.

    Condon-Shortley phase convention (``<j1 j1; j2 (j-j1) | j j> > 0``), identical to
    ``sympy.physics.wigner.clebsch_gordan(j1, j2, j, m1, m2, m)`` (note sympy's argument order).
    Computed with the Racah formula in Python integer arithmetic.

    Parameters
    ----------
    j1, m1, j2, m2, j, m : int, Fraction, sympy Rational or half-integer float
        Angular momenta and projections (integers or half-integers; ``j - m`` integer).

    Returns
    -------
    sympy.Expr
        ``sign * sqrt(Rational)``; zero when a selection rule fails (triangle, m1 + m2 = m).

    Raises
    ------
    InvalidParameterError
        Negative j, a value that is not an integer or half-integer, or abs(m) > j.
    ReptheoryTypeError
        A value of a non-numeric type.

    Examples
    --------
    >>> clebsch_gordan(1, 1, 1, -1, 0, 0)
    sqrt(3)/3
    >>> from fractions import Fraction
    >>> h = Fraction(1, 2)
    >>> clebsch_gordan(h, h, h, -h, 1, 0)
    sqrt(2)/2
    """
    return clebsch_gordan_exact(j1, m1, j2, m2, j, m).to_sympy()


def clebsch_gordan_float(j1, m1, j2, m2, j, m) -> float:
    """<j1 m1; j2 m2 | j m> as a float: the exact value correctly rounded (to nearest).

    The coefficient ``sign * sqrt(p / q)`` is computed exactly in integers and rounded once
    (integer square root with a sticky bit), so the result is the float nearest to the exact
    value, at every degree (no cancellation).

    Examples
    --------
    >>> clebsch_gordan_float(1, 0, 1, 0, 1, 0)
    0.0
    >>> round(clebsch_gordan_float(100, 0, 100, 0, 100, 0), 12)
    0.085523907399
    >>> clebsch_gordan_float(1, 1, 1, -1, 0, 0)
    0.5773502691896257
    >>> clebsch_gordan_float(6, 4, 7, -4, 3, 0)  # math.sqrt(32 / 1105) rounds twice: ...683
    0.1701742519246068
    """
    return float(clebsch_gordan_exact(j1, m1, j2, m2, j, m))


def wigner_3j_exact(j1, j2, j3, m1, m2, m3) -> SqrtRational:
    """The Wigner 3j symbol as an exact :class:`SqrtRational` (sympy argument order).

    Examples
    --------
    >>> wigner_3j_exact(1, 1, 0, 0, 0, 0)
    SqrtRational(-sqrt(1/3))
    """
    a = [
        _twice(n, v) for n, v in zip(("j1", "j2", "j3", "m1", "m2", "m3"), (j1, j2, j3, m1, m2, m3))
    ]
    J1, J2, J3, M1, M2, M3 = a
    _check_jm(J1, M1, "j1", "m1")
    _check_jm(J2, M2, "j2", "m2")
    _check_jm(J3, M3, "j3", "m3")
    s, num, den = _cg2(J1, M1, J2, M2, J3, -M3)
    if s == 0:
        return SqrtRational(0, 0)
    phase = (J1 - J2 - M3) // 2  # an integer when the CG is nonzero
    if phase % 2:
        s = -s
    return SqrtRational(s, num, den * (J3 + 1))


def wigner_3j(j1, j2, j3, m1, m2, m3):
    """The Wigner 3j symbol (j1 j2 j3; m1 m2 m3), exact, in sympy's argument order.

    ``(j1 j2 j3; m1 m2 m3) = (-1)^(j1 - j2 - m3) / sqrt(2 j3 + 1) <j1 m1; j2 m2 | j3 -m3>``.

    Parameters
    ----------
    j1, j2, j3, m1, m2, m3 : int, Fraction, sympy Rational or half-integer float

    Returns
    -------
    sympy.Expr
        ``sign * sqrt(Rational)``.

    Raises
    ------
    InvalidParameterError
        As for :func:`clebsch_gordan`.

    Examples
    --------
    >>> wigner_3j(2, 6, 4, 0, 0, 0)
    sqrt(715)/143
    """
    return wigner_3j_exact(j1, j2, j3, m1, m2, m3).to_sympy()


def _check_l(name: str, value: object) -> int:
    t = _twice(name, value, integer_only=True)
    if t < 0:
        raise InvalidParameterError(f"{name} must be an integer >= 0, got {t // 2}")
    return t // 2


def _check_m(name: str, value: object, l: int, lname: str) -> int:
    t = _twice(name, value, integer_only=True) // 2
    if abs(t) > l:
        raise InvalidParameterError(
            f"{name} must be an integer in [-{lname}, {lname}] = [{-l}, {l}], got {t}"
        )
    return t


def _check_degrees(l1: object, l2: object, l3: object) -> tuple[int, int, int]:
    """Three degrees as non-negative ints (errors name l1, l2, l3)."""
    return tuple(_check_l(n, v) for n, v in zip(("l1", "l2", "l3"), (l1, l2, l3)))


def _check_lm(l1, l2, l3, m1, m2, m3) -> tuple[int, int, int, int, int, int]:
    """Degrees and orders (``|mi| <= li``) of a coefficient as ints; errors name the argument."""
    L = _check_degrees(l1, l2, l3)
    M = tuple(
        _check_m(n, v, li, ln)
        for n, v, li, ln in zip(("m1", "m2", "m3"), (m1, m2, m3), L, ("l1", "l2", "l3"))
    )
    return L + M


def _gaunt_sq(l1: int, l2: int, l3: int, m1: int, m2: int, m3: int) -> SqrtRational:
    """Gaunt coefficient times sqrt(pi) as a SqrtRational (validated integer arguments)."""
    if (l1 + l2 + l3) % 2 or m1 + m2 + m3 != 0:
        return SqrtRational(0, 0)
    a = wigner_3j_exact(l1, l2, l3, 0, 0, 0)
    b = wigner_3j_exact(l1, l2, l3, m1, m2, m3)
    pref = SqrtRational(1, (2 * l1 + 1) * (2 * l2 + 1) * (2 * l3 + 1), 4)
    return pref * a * b


def gaunt(l1, l2, l3, m1, m2, m3):
    """The Gaunt coefficient, the integral of three complex spherical harmonics, exact.

    ``int Y_l1^m1 Y_l2^m2 Y_l3^m3 dOmega = sqrt((2l1+1)(2l2+1)(2l3+1)/(4 pi))
    (l1 l2 l3; 0 0 0)(l1 l2 l3; m1 m2 m3)`` for orthonormal complex harmonics with the
    Condon-Shortley phase; same argument order and value as ``sympy.physics.wigner.gaunt``.

    Parameters
    ----------
    l1, l2, l3 : int
        Degrees (non-negative integers).
    m1, m2, m3 : int
        Orders, ``|mi| <= li``.

    Returns
    -------
    sympy.Expr
        ``sign * sqrt(Rational) / sqrt(pi)``.

    Raises
    ------
    InvalidParameterError
        Negative or half-integer degrees, abs(m) > l.

    Examples
    --------
    >>> gaunt(1, 1, 2, 0, 0, 0)
    sqrt(5)/(5*sqrt(pi))
    """
    import sympy

    return _gaunt_sq(*_check_lm(l1, l2, l3, m1, m2, m3)).to_sympy() / sympy.sqrt(sympy.pi)


def _real_gaunt_sq(l1: int, l2: int, l3: int, m1: int, m2: int, m3: int) -> SqrtRational:
    """Real Gaunt coefficient times sqrt(pi) (validated arguments), exact.

    Real harmonics (see :mod:`reptheory.so3`): Y_{l,m} = sum_k U[m, k] Y_l^k.  Only the complex
    triples with k1 + k2 + k3 = 0 contribute; they come in +-pairs of equal magnitude, so the
    result is again a single SqrtRational (the 1/sqrt(2) factors and phases are tracked
    exactly).
    """
    if (l1 + l2 + l3) % 2:
        return SqrtRational(0, 0)
    # U row m as list of (k, coefficient) with coefficient = (re, im) * 2^(-1/2 or 0)
    terms = []
    for k1, c1, h1 in _urow(m1):
        for k2, c2, h2 in _urow(m2):
            for k3, c3, h3 in _urow(m3):
                if k1 + k2 + k3 != 0:
                    continue
                g = _gaunt_sq(l1, l2, l3, k1, k2, k3)
                if g.sign == 0:
                    continue
                coef = c1 * c2 * c3  # complex (as Python complex of small ints)
                half = h1 + h2 + h3  # number of 1/sqrt(2) factors
                terms.append((coef, half, g))
    if not terms:
        return SqrtRational(0, 0)
    # all |g| equal; sum the complex unit coefficients with the signs of g
    half = terms[0][1]
    total = 0j
    for coef, h, g in terms:
        assert h == half and g.num * terms[0][2].den == terms[0][2].num * g.den
        total += coef * g.sign
    assert abs(total.imag) < 1e-12 and float(total.real).is_integer()
    t = round(total.real)
    if t == 0:
        return SqrtRational(0, 0)
    g0 = terms[0][2]
    return SqrtRational(_sgn(t), t * t * g0.num, g0.den * 2**half)


@cache
def _urow(m: int) -> tuple[tuple[int, complex, int], ...]:
    """Row m of the complex -> real change of basis U (``Y_real = U Y_complex``), exactly.

    Returns ``[(k, unit Gaussian integer c, h)]``: ``U[m, k] = c / sqrt(2)**h``.  The one home of
    this row (the real CG / Gaunt tables and the generated tensor products all read it).

    Examples
    --------
    >>> _urow(0), _urow(1)
    (((0, (1+0j), 0),), ((1, (-1+0j), 1), (-1, (1+0j), 1)))
    """
    if m == 0:
        return ((0, 1 + 0j, 0),)
    if m > 0:
        return ((m, complex((-1) ** m), 1), (-m, 1 + 0j, 1))
    k = -m
    return ((k, complex(0, -((-1) ** k)), 1), (-k, 1j, 1))


def real_gaunt(l1, l2, l3, m1, m2, m3):
    """The real Gaunt coefficient, the integral of three real spherical harmonics, exact.

    Uses reptheory's real harmonics (see :mod:`reptheory.so3`).  Because non-zero real Gaunt
    coefficients have ``|m1| + |m2| + |m3|`` even, the value equals
    ``sympy.physics.wigner.real_gaunt`` although sympy's real harmonics carry an extra
    ``(-1)^|m|``.

    Parameters
    ----------
    l1, l2, l3 : int
        Degrees.
    m1, m2, m3 : int
        Real orders, ``|mi| <= li``.

    Returns
    -------
    sympy.Expr
        ``sign * sqrt(Rational) / sqrt(pi)``.

    Raises
    ------
    InvalidParameterError
        Negative or half-integer degrees, abs(m) > l.

    Examples
    --------
    >>> real_gaunt(1, 1, 2, -1, 1, -2)
    sqrt(15)/(10*sqrt(pi))
    """
    import sympy

    return _real_gaunt_sq(*_check_lm(l1, l2, l3, m1, m2, m3)).to_sympy() / sympy.sqrt(sympy.pi)


_BINOM: list[list[int]] = [[1]]


def _binom_rows(n: int) -> list[list[int]]:
    """Pascal's triangle up to row n (exact integers, grown on demand)."""
    while len(_BINOM) <= n:
        prev = _BINOM[-1]
        _BINOM.append([1] + [prev[i] + prev[i + 1] for i in range(len(prev) - 1)] + [1])
    return _BINOM


def _cg_block(l1: int, l2: int, l3: int) -> tuple[list[int], int]:
    """All <l1 m1; l2 m2 | l3 m1+m2> for integer degrees, exactly, with the m -> -m symmetry.

    Racah's sum in binomial form: with a = l1+l2-l3, x = l3+l1-l2, y = l3-l1+l2,
    ``C = sqrt((2l3+1) (l3+m)!(l3-m)!(l1-m1)!(l1+m1)!(l2-m2)!(l2+m2)!
    / ((l1+l2+l3+1)! a! x! y!)) * S`` with the integer
    ``S = sum_k (-1)^k binom(a, k) binom(x, l1-m1-k) binom(y, l2+m2-k)``.
    Returns (sn, den): ``sn`` a flat list (row-major over (m1, m2)) of signed integers and
    ``den`` one positive integer with ``value = sign(sn) sqrt(|sn| / den)`` (unreduced); zero
    entries (including |m1 + m2| > l3) have sn = 0.
    """
    d1, d2 = 2 * l1 + 1, 2 * l2 + 1
    num = [0] * (d1 * d2)
    if l3 > l1 + l2 or l3 < abs(l1 - l2):
        return num, 1
    F = _FACT
    _fact(l1 + l2 + l3 + 1)
    a = l1 + l2 - l3
    x = l3 + l1 - l2
    y = l3 - l1 + l2
    B = _binom_rows(max(a, x, y))
    Ba, Bx, By = B[a], B[x], B[y]
    block_den = F[l1 + l2 + l3 + 1] * F[a] * F[x] * F[y]
    odd = a % 2
    f2 = [F[l2 - m2] * F[l2 + m2] for m2 in range(-l2, l2 + 1)]
    f3 = [F[l3 + m] * F[l3 - m] * (2 * l3 + 1) for m in range(l3 + 1)]
    for m1 in range(-l1, l1 + 1):
        b = l1 - m1
        fm1 = F[l1 - m1] * F[l1 + m1]
        row = (m1 + l1) * d2 + l2
        mrow = (l1 - m1) * d2 + l2
        lo = max(-l2, -m1) if m1 >= 0 else max(-l2, 1 - m1)
        hi = min(l2, l3 - m1)
        for m2 in range(lo, hi + 1):
            c = l2 + m2
            # k ranges over binom(a, k) binom(x, b - k) binom(y, c - k) != 0
            kmin = max(0, b - x, c - y)
            kmax = min(a, b, c)
            s = 0
            for k in range(kmin, kmax + 1):
                t = Ba[k] * Bx[b - k] * By[c - k]
                s += -t if k & 1 else t
            if s == 0:
                continue
            n = f3[m1 + m2] * fm1 * f2[c] * s * s
            if s < 0:
                n = -n
            num[row + m2] = n
            num[mrow - m2] = -n if odd else n
    return num, block_den


class CGBlock(Mapping):
    """Exact Clebsch-Gordan coefficients of one (l1, l2, l3) block, a read-only mapping
    ``(m1, m2) -> SqrtRational`` over the non-zero entries (``m = m1 + m2``).

    Stored compactly (signed integers and one common denominator), so tabulating is cheap;
    entries become :class:`SqrtRational` objects only when accessed.  :meth:`to_float` gives
    the (2l1+1, 2l2+1) float array of ``<l1 m1; l2 m2 | l3 m1+m2>``, each entry rounded once.
    """

    __slots__ = ("_den", "_sn", "l1", "l2", "l3")

    def __init__(self, l1: int, l2: int, l3: int, sn: list[int], den: int) -> None:
        object.__setattr__(self, "l1", l1)
        object.__setattr__(self, "l2", l2)
        object.__setattr__(self, "l3", l3)
        object.__setattr__(self, "_sn", tuple(sn))
        object.__setattr__(self, "_den", den)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("CGBlock is immutable")

    def _index(self, key) -> int:
        m1, m2 = key
        if abs(m1) > self.l1 or abs(m2) > self.l2:
            raise KeyError(key)
        return (m1 + self.l1) * (2 * self.l2 + 1) + (m2 + self.l2)

    def __getitem__(self, key: tuple[int, int]) -> SqrtRational:
        v = self._sn[self._index(key)]
        if v == 0:
            raise KeyError(key)
        return SqrtRational(1 if v > 0 else -1, abs(v), self._den)

    def __iter__(self):
        d2 = 2 * self.l2 + 1
        for i, v in enumerate(self._sn):
            if v:
                yield (i // d2 - self.l1, i % d2 - self.l2)

    def __len__(self) -> int:
        return sum(1 for v in self._sn if v)

    @property
    def signs(self) -> np.ndarray:
        """Signs (-1, 0, 1) of all entries, shape (2l1+1, 2l2+1) (a new read-only array)."""
        out = np.array([(v > 0) - (v < 0) for v in self._sn], dtype=np.int8)
        out = out.reshape(2 * self.l1 + 1, 2 * self.l2 + 1)
        out.setflags(write=False)
        return out

    def to_float(self) -> np.ndarray:
        """Float array (2l1+1, 2l2+1) of ``<l1 m1; l2 m2 | l3 m1+m2>``, correctly rounded."""
        den = self._den
        vals = [
            (_sqrt_ratio(v, den) if v > 0 else -_sqrt_ratio(-v, den)) if v else 0.0
            for v in self._sn
        ]
        return np.array(vals, dtype=float).reshape(2 * self.l1 + 1, 2 * self.l2 + 1)

    def __repr__(self) -> str:
        return f"CGBlock(l1={self.l1}, l2={self.l2}, l3={self.l3}, nonzero={len(self)})"


def clebsch_gordan_table(l1: int, l2: int, l3: int) -> CGBlock:
    """All non-zero <l1 m1; l2 m2 | l3 m1+m2> of a block, exactly, as a :class:`CGBlock`
    (a mapping ``(m1, m2) -> SqrtRational``).

    Integer arithmetic (Racah formula with an exact integer term recursion and the
    ``m -> -m`` symmetry).

    Parameters
    ----------
    l1, l2, l3 : int
        Integer degrees.

    Returns
    -------
    CGBlock

    Raises
    ------
    InvalidParameterError
        Negative or half-integer degrees.

    Examples
    --------
    >>> t = clebsch_gordan_table(1, 1, 0)
    >>> t[(1, -1)], len(t)
    (SqrtRational(sqrt(1/3)), 3)
    """
    l1, l2, l3 = _check_degrees(l1, l2, l3)
    return CGBlock(l1, l2, l3, *_cg_block(l1, l2, l3))


def clebsch_gordan_all(L: int) -> dict[tuple[int, int, int], CGBlock]:
    """Every Clebsch-Gordan block with l1, l2 <= L (all l3), exactly.

    Uses ``<l2 m2; l1 m1 | l3 m> = (-1)^(l1+l2-l3) <l1 m1; l2 m2 | l3 m>`` to compute only
    l1 <= l2.  All L <= 10 (128,843 coefficients) takes about 0.1 s.

    Parameters
    ----------
    L : int
        Largest l1, l2.

    Returns
    -------
    dict mapping (l1, l2, l3) to CGBlock

    Raises
    ------
    InvalidParameterError
        Negative L.

    Examples
    --------
    >>> tables = clebsch_gordan_all(2)
    >>> len(tables), sum(len(b) for b in tables.values())
    (19, 188)
    """
    from .._validate import check_int

    L = check_int("L", L, minimum=0)
    out: dict[tuple[int, int, int], CGBlock] = {}
    for l1 in range(L + 1):
        for l2 in range(l1, L + 1):
            for l3 in range(l2 - l1, l1 + l2 + 1):
                sn, den = _cg_block(l1, l2, l3)
                out[(l1, l2, l3)] = CGBlock(l1, l2, l3, sn, den)
                if l1 != l2:
                    d1, d2 = 2 * l1 + 1, 2 * l2 + 1
                    if (l1 + l2 - l3) % 2:
                        tr = [-sn[i * d2 + j] for j in range(d2) for i in range(d1)]
                    else:
                        tr = [sn[i * d2 + j] for j in range(d2) for i in range(d1)]
                    out[(l2, l1, l3)] = CGBlock(l2, l1, l3, tr, den)
    return out
