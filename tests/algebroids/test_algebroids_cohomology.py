"""b^k cohomology: Scott's formula vs direct exact computation on the digest's worked examples."""

import numpy as np
import pytest
import sympy as sp

from reptheory.algebroids import (
    algebroid_cohomology,
    bk_cohomology,
    bk_tangent_bundle,
    twisted_bk_algebroid,
)
from reptheory.errors import InvalidParameterError, ReptheoryTypeError


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_real_line(k):
    """Digest example 2: (R, {0}); H^1 = k, also by a truncated cokernel computation."""
    direct = algebroid_cohomology(bk_tangent_bundle(1, k))
    assert direct == bk_cohomology([1], [1], k) == [1, k]
    # independent: f dx/x^k modulo d(g) = x^k g' dx/x^k, polynomials truncated at degree P
    x = sp.Symbol("x")
    P = 10
    img = [sp.Poly(x**k * sp.diff(x**q, x), x).all_coeffs()[::-1] for q in range(1, P - k + 2)]
    M = sp.Matrix([[r[i] if i < len(r) else 0 for i in range(P + 1)] for r in img])
    assert (P + 1) - M.rank() == direct[1]


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_circle_times_line_untwisted(k):
    """Digest example 3 (k = 2 gives (1, 3, 2)): M = S^1 x R, Z = S^1."""
    x, th = sp.symbols("x theta")
    A = bk_tangent_bundle(2, k, coords=(x, th))
    direct = algebroid_cohomology(A, angles=[th])
    assert direct == bk_cohomology([1, 1], [1, 1], k)
    if k == 2:
        assert direct == [1, 3, 2]


def _numeric_twisted(cval, modes=3, P=8, k=2):
    """Independent float computation for A_c: e1 = d_theta + c x d_x, e2 = x^k d_x.

    d f = (f_theta + c x f_x, x^k f_x);  d(a, b) = b_theta + c x b_x - c (k - 1) b - x^k a_x.
    Degrees: f, a < P;  b, g < P + k - 1 (complete weight pieces, no truncation artefacts).
    """
    Q = P + k - 1
    tot = np.zeros(3, int)
    for j in range(-modes, modes + 1):
        D0 = np.zeros((P + Q, P), complex)
        for p in range(P):  # f = x^p  ->  a = (i j + c p) x^p,  b = p x^{p+k-1}
            D0[p, p] += 1j * j + cval * p
            if p >= 1:
                D0[P + p + k - 1, p] += p
        D1 = np.zeros((Q, P + Q), complex)
        for p in range(Q):  # b x^p -> (i j + c p - c (k - 1)) x^p
            D1[p, P + p] += 1j * j + cval * p - cval * (k - 1)
        for p in range(1, P):  # a x^p -> -p x^{p+k-1}
            D1[p + k - 1, p] -= p
        assert np.allclose(D1 @ D0, 0)
        r0, r1 = np.linalg.matrix_rank(D0), np.linalg.matrix_rank(D1)
        tot += [P - r0, (P + Q - r1) - r0, Q - r1]
    return [int(v) for v in tot]


@pytest.mark.parametrize("c", [sp.Rational(37, 100), sp.Rational(-2, 3), sp.Integer(1)])
def test_twisted_example_differs_from_scott(c):
    """Digest example 4: A_c on S^1 x R; c != 0 gives (1, 2, 1), not Scott's (1, 3, 2)."""
    A = twisted_bk_algebroid(2, c)
    direct = algebroid_cohomology(A, angles=A.coords[:1], max_mode=2)
    assert direct == _numeric_twisted(float(c)) == [1, 2, 1]
    assert direct != bk_cohomology([1, 1], [1, 1], 2)


def test_twisted_example_c_zero_is_scott_and_symbolic_parameter():
    cs = sp.Symbol("c")
    A = twisted_bk_algebroid(2, cs)
    assert algebroid_cohomology(A, angles=A.coords[:1], subs={cs: 0}) == [1, 3, 2]
    assert _numeric_twisted(0.0) == [1, 3, 2]
    with pytest.raises(InvalidParameterError, match="subs="):
        algebroid_cohomology(A, angles=A.coords[:1])


def test_pieces_outside_window_vanish():
    """The weight window is wide enough: the contributing pieces sit strictly inside it."""
    x, th = sp.symbols("x theta")
    A = bk_tangent_bundle(2, 3, coords=(x, th))
    total, info = algebroid_cohomology(A, angles=[th], max_mode=2, weight_margin=3, details=True)
    assert total == [1, 4, 3]
    assert {w for (_, w) in info} == {(-2,), (-1,), (0,)}
    assert all(j == (0,) for (j, _) in info)


def test_more_product_models():
    x, a, b, y = sp.symbols("x a b y")
    A = bk_tangent_bundle(3, 2, coords=(x, a, b))  # T^2 x R, Z = T^2
    assert algebroid_cohomology(A, angles=[a, b]) == bk_cohomology([1, 2, 1], [1, 2, 1], 2)
    B = bk_tangent_bundle(2, 3, coords=(x, y))  # R^2, Z = R
    assert algebroid_cohomology(B) == bk_cohomology([1], [1], 3) + [0]


def test_global_examples_from_digest():
    """Digest example 5 (formula only): S^2 with the equator, T^2 with a circle."""
    for k in range(1, 5):
        assert bk_cohomology([1, 0, 1], [1, 1], k) == [1, k, 1 + k]
        assert bk_cohomology([1, 2, 1], [1, 1], k) == [1, 2 + k, 1 + k]


def test_bad_input():
    with pytest.raises(InvalidParameterError, match="k must be"):
        bk_cohomology([1], [1], 0)
    with pytest.raises(InvalidParameterError, match=r"betti_M\[1\]"):
        bk_cohomology([1, -1], [1], 1)
    with pytest.raises(ReptheoryTypeError):
        bk_cohomology(3, [1], 1)
    x, y = sp.symbols("x y")
    with pytest.raises(InvalidParameterError, match="not one of the coordinates"):
        algebroid_cohomology(bk_tangent_bundle(2, 2, coords=(x, y)), angles=[sp.Symbol("t")])
    from reptheory.algebroids import LieAlgebroid, VectorField

    A = LieAlgebroid.from_vector_fields([VectorField([x**2 + x**3, 0], (x, y)),
                                         VectorField([0, 1], (x, y))])
    with pytest.raises(InvalidParameterError, match="not homogeneous"):
        algebroid_cohomology(A)


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("c", [sp.Integer(0), sp.Rational(1, 2)])
def test_twisted_family_against_float(k, c):
    A = twisted_bk_algebroid(k, c)
    direct = algebroid_cohomology(A, angles=A.coords[:1], max_mode=2)
    assert direct == _numeric_twisted(float(c), k=k)
    # k = 1 is the b-tangent bundle in another frame; c = 0 is Scott's bundle
    if k == 1 or c == 0:
        assert direct == bk_cohomology([1, 1], [1, 1], k)
    else:
        assert direct == [1, 2, 1]
