"""Exact CG / 3j / Gaunt / real Gaunt against sympy.physics.wigner and mpmath."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.physics import wigner as W

from reptheory.errors import InvalidParameterError, ReptheoryError, ReptheoryTypeError
from reptheory.so3 import (
    SqrtRational,
    clebsch_gordan,
    clebsch_gordan_exact,
    clebsch_gordan_float,
    gaunt,
    real_gaunt,
    wigner_3j,
)


def _same(a, b) -> bool:
    return sympy.simplify(a - b) == 0


@st.composite
def cg_args(draw, max2j=12):
    j1 = Fraction(draw(st.integers(0, max2j)), 2)
    j2 = Fraction(draw(st.integers(0, max2j)), 2)
    lo, hi = abs(j1 - j2), j1 + j2
    j = lo + draw(st.integers(0, int(hi - lo)))
    m1 = j1 - draw(st.integers(0, int(2 * j1)))
    m2 = j2 - draw(st.integers(0, int(2 * j2)))
    if draw(st.booleans()):
        m = m1 + m2
    else:
        m = j - draw(st.integers(0, int(2 * j)))
    if abs(m) > j:
        m = j
    return j1, m1, j2, m2, j, m


@settings(max_examples=50, deadline=None)
@given(cg_args())
def test_clebsch_gordan_matches_sympy(args):
    j1, m1, j2, m2, j, m = args
    R = sympy.Rational
    ref = W.clebsch_gordan(R(j1), R(j2), R(j), R(m1), R(m2), R(m))
    assert _same(clebsch_gordan(j1, m1, j2, m2, j, m), ref)


@st.composite
def lm_args(draw, lmax=6):
    ls = [draw(st.integers(0, lmax)) for _ in range(3)]
    ms = [draw(st.integers(-l, l)) for l in ls]
    if draw(st.booleans()) and abs(ms[0] + ms[1]) <= ls[2]:
        ms[2] = -ms[0] - ms[1]
    return (*ls, *ms)


@settings(max_examples=50, deadline=None)
@given(lm_args())
def test_3j_gaunt_real_gaunt_match_sympy(args):
    assert _same(wigner_3j(*args), W.wigner_3j(*args))
    assert _same(gaunt(*args), W.gaunt(*args))
    assert _same(real_gaunt(*args), W.real_gaunt(*args))


def test_half_integer_3j_matches_sympy():
    h = sympy.Rational(1, 2)
    for args in [(h, h, 1, h, -h, 0), (3 * h, 1, 5 * h, h, 0, -h), (3 * h, 3 * h, 2, -h, -h, 1)]:
        assert _same(wigner_3j(*args), W.wigner_3j(*args))
    assert clebsch_gordan(0.5, 0.5, 0.5, -0.5, 0, 0) == sympy.sqrt(2) / 2


def test_real_gaunt_example_from_digest():
    assert _same(real_gaunt(1, 1, 2, 1, 1, 2), sympy.sqrt(15) / (10 * sympy.sqrt(sympy.pi)))
    assert gaunt(1, 1, 1, 0, 0, 0) == 0
    assert _same(gaunt(1, 1, 2, 0, 0, 0), 1 / sympy.sqrt(5 * sympy.pi))


def _cg_mpmath(j1, m1, j2, m2, j, m):
    """Racah formula in high-precision floating point (independent of the integer code)."""
    f = mpmath.factorial
    pre = mpmath.sqrt(
        (2 * j + 1) * f(j + j1 - j2) * f(j - j1 + j2) * f(j1 + j2 - j) / f(j1 + j2 + j + 1)
    )
    pre *= mpmath.sqrt(f(j + m) * f(j - m) * f(j1 - m1) * f(j1 + m1) * f(j2 - m2) * f(j2 + m2))
    s = mpmath.mpf(0)
    for k in range(j1 + j2 - j + 1):
        args = [k, j1 + j2 - j - k, j1 - m1 - k, j2 + m2 - k, j - j2 + m1 + k, j - j1 - m2 + k]
        if min(args) < 0:
            continue
        term = mpmath.mpf(1)
        for a in args:
            term /= f(a)
        s += (-1) ** k * term
    return pre * s


@pytest.mark.parametrize(
    "args",
    [
        (100, 3, 100, -5, 100, -2),
        (100, 0, 100, 0, 200, 0),
        (80, 17, 60, -40, 70, -23),
        (100, 50, 99, -49, 3, 1),
    ],
)
def test_high_degree_no_cancellation(args):
    with mpmath.workdps(400):
        ref = _cg_mpmath(*args)
        val = clebsch_gordan_float(*args)
        assert np.isfinite(val)
        if ref == 0:
            assert val == 0
        else:
            assert abs(val - float(ref)) <= 4e-16 * abs(float(ref))


def test_sqrt_rational_value_object():
    a = clebsch_gordan_exact(1, 1, 1, -1, 0, 0)
    assert a == SqrtRational(1, 1, 3)
    assert hash(a) == hash(SqrtRational(1, 2, 6))
    assert a.square == Fraction(1, 3)
    with pytest.raises(AttributeError):
        a.sign = -1


@pytest.mark.parametrize(
    "call, exc",
    [
        (lambda: clebsch_gordan(1, 2, 1, 0, 1, 2), InvalidParameterError),  # |m1| > j1
        (lambda: clebsch_gordan(-1, 0, 1, 0, 1, 0), InvalidParameterError),
        (lambda: clebsch_gordan(0.3, 0, 1, 0, 1, 0), InvalidParameterError),
        (lambda: clebsch_gordan(1, 0.5, 1, 0, 1, 0), InvalidParameterError),  # j - m not integer
        (lambda: clebsch_gordan("1", 0, 1, 0, 1, 0), ReptheoryTypeError),
        (lambda: gaunt(0.5, 0.5, 1, 0.5, -0.5, 0), InvalidParameterError),  # half-integer l
        (lambda: real_gaunt(1, 1, 2, 2, 0, 0), InvalidParameterError),
        (lambda: wigner_3j(1, 1, -1, 0, 0, 0), InvalidParameterError),
    ],
)
def test_bad_input(call, exc):
    with pytest.raises(exc):
        call()
    with pytest.raises(ReptheoryError):
        call()


def test_clebsch_gordan_table_matches_sympy():
    from reptheory.so3 import clebsch_gordan_table

    for l1, l2, l3 in [(2, 3, 3), (4, 4, 0), (5, 2, 4), (3, 3, 6)]:
        table = clebsch_gordan_table(l1, l2, l3)
        for m1 in range(-l1, l1 + 1):
            for m2 in range(-l2, l2 + 1):
                m = m1 + m2
                ref = W.clebsch_gordan(l1, l2, l3, m1, m2, m) if abs(m) <= l3 else 0
                got = table.get((m1, m2), SqrtRational(0, 0)).to_sympy()
                assert _same(got, ref)


def test_clebsch_gordan_all_blocks_match_sympy_and_are_read_only():
    from reptheory.so3 import clebsch_gordan_all

    tables = clebsch_gordan_all(3)
    assert set(tables) == {
        (l1, l2, l3)
        for l1 in range(4)
        for l2 in range(4)
        for l3 in range(abs(l1 - l2), l1 + l2 + 1)
    }
    for key in [(3, 1, 3), (1, 3, 3), (2, 3, 1), (3, 2, 1), (3, 3, 5)]:
        block = tables[key]
        l1, l2, l3 = key
        dense = block.to_float()
        for m1 in range(-l1, l1 + 1):
            for m2 in range(-l2, l2 + 1):
                m = m1 + m2
                ref = W.clebsch_gordan(l1, l2, l3, m1, m2, m) if abs(m) <= l3 else 0
                got = block[(m1, m2)].to_sympy() if (m1, m2) in block else 0
                assert _same(got, ref)
                assert dense[m1 + l1, m2 + l2] == pytest.approx(float(ref), abs=1e-15)
    assert not tables[(1, 1, 1)].signs.flags.writeable
    with pytest.raises(KeyError):
        tables[(1, 1, 1)][(0, 0)]  # <1 0 1 0 | 1 0> = 0 is not stored
