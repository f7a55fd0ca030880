"""Lie algebroids: b^k-tangent bundles, Jacobi/Leibniz, forms and d^2 = 0."""

import itertools
import random

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from reptheory.algebroids import (
    AlgebroidIdentityError,
    LieAlgebroid,
    NotInvolutiveError,
    Submanifold,
    VectorField,
    VectorFieldModule,
    bk_tangent_bundle,
    is_tangent_to_order,
    random_polynomial,
    twisted_bk_algebroid,
)
from reptheory.errors import InvalidParameterError, ShapeError


def random_section(A, rng, deg=2):
    return tuple(random_polynomial(A.coords, deg, rng) for _ in range(A.rank))


@pytest.mark.parametrize("dim,k", [(1, 1), (2, 1), (2, 3), (3, 2), (4, 1)])
def test_bk_tangent_bundle_structure(dim, k):
    A = bk_tangent_bundle(dim, k)
    assert A.check_jacobi() and A.check_leibniz()
    x = A.coords[0]
    assert sp.expand(A.anchor_determinant() - x**k) == 0
    # generators closed under the bracket: the module spanned by the anchors is involutive
    M = VectorFieldModule(A.anchor)
    assert M.is_involutive()
    # every anchor is tangent to order k along Z = {x = 0}
    W = Submanifold([x], A.coords)
    assert all(is_tangent_to_order(v, W, k) for v in A.anchor)


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from([(2, 1), (2, 2), (3, 3)]))
def test_jacobi_leibniz_on_random_sections(seed, dk):
    rng = random.Random(seed)
    A = bk_tangent_bundle(*dk)
    s, t, u = (random_section(A, rng) for _ in range(3))
    assert all(v == 0 for v in A.jacobiator(s, t, u))
    f = random_polynomial(A.coords, 2, rng)
    lhs = A.bracket(s, tuple(f * v for v in t))
    st_ = A.bracket(s, t)
    df = A.anchor_of(s)(f)
    assert all(sp.expand(a - (f * b + df * c)) == 0 for a, b, c in zip(lhs, st_, t))
    # the anchor is a morphism of brackets (independent: vector field bracket)
    assert A.anchor_of(A.bracket(s, t)) == A.anchor_of(s).bracket(A.anchor_of(t))


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10**6))
def test_twisted_algebroid_random_sections(seed):
    rng = random.Random(seed)
    c = sp.Rational(rng.randint(-5, 5), rng.randint(1, 4))
    A = twisted_bk_algebroid(rng.randint(1, 3), c)
    assert A.check_jacobi() and A.check_leibniz()
    s, t, u = (random_section(A, rng, 1) for _ in range(3))
    assert all(v == 0 for v in A.jacobiator(s, t, u))


def to_de_rham(A, w):
    """Coefficients of an algebroid form in the dx basis, via the dual frame (independent of d)."""
    dual = sp.Matrix(A.dual_frame())
    out = {}
    for I, cf in w.coeffs.items():
        for J in itertools.combinations(range(A.dim), len(I)):
            out[J] = out.get(J, 0) + cf * dual.extract(list(I), list(J)).det()
    return {J: sp.cancel(v) for J, v in out.items()}


def exterior_d(coords, form, p):
    out = {}
    for J, cf in form.items():
        for a, xa in enumerate(coords):
            if a in J:
                continue
            K = tuple(sorted(J + (a,)))
            sign = (-1) ** K.index(a)
            out[K] = out.get(K, 0) + sign * sp.diff(cf, xa)
    return {K: sp.cancel(v) for K, v in out.items()}


@pytest.mark.parametrize("A", [bk_tangent_bundle(2, 2), bk_tangent_bundle(3, 3),
                               twisted_bk_algebroid(2, sp.Rational(3, 7))])
def test_d_matches_de_rham_and_squares_to_zero(A):
    rng = random.Random(1)
    assert A.check_d_squared(rng)
    for p in range(A.rank):
        w = A.random_form(p, rng)
        dw = A.d(w)
        assert A.d(dw).is_zero()
        lhs = to_de_rham(A, dw)
        rhs = exterior_d(A.coords, to_de_rham(A, w), p)
        keys = set(lhs) | set(rhs)
        assert all(sp.cancel(lhs.get(K, 0) - rhs.get(K, 0)) == 0 for K in keys)


def test_dual_frame_and_forms():
    A = bk_tangent_bundle(2, 3)
    x, y = A.coords
    assert A.dual_frame()[0][0] == x**-3
    w = A.form({(0,): x**3}, 1)  # = dx, exact
    assert A.d(w).is_zero()
    assert A.d(A.form({(): x**4 * y}, 0)) == A.form({(0,): 4 * x**6 * y, (1,): x**4}, 1)
    a, b = A.form({(0,): 1}, 1), A.form({(1,): y}, 1)
    assert a.wedge(b) == A.form({(1, 0): -y}, 2)


def test_broken_algebroids_raise_with_terms():
    x, y, z = sp.symbols("x y z")
    cs = (x, y, z)
    fields = [VectorField.coordinate_field(i, cs) for i in range(3)]
    # a structure function that is not constant breaks Jacobi / anchor compatibility
    bad = LieAlgebroid(cs, fields, {(0, 1): [0, 0, x]})
    with pytest.raises(AlgebroidIdentityError, match="anchor does not preserve"):
        bad.check_leibniz()
    # [e0,e1] = e0, [e1,e2] = e1: [[e1,e2],e0] = -e0 and the other two terms vanish
    bad2 = LieAlgebroid(cs, [VectorField([0, 0, 0], cs)] * 3,
                        {(0, 1): [1, 0, 0], (1, 2): [0, 1, 0]})
    with pytest.raises(AlgebroidIdentityError, match=r"Jacobi identity fails for \(e0, e1, e2\)"):
        bad2.check_jacobi()
    # su(2)-like signs: [e0,e1]=e2, [e1,e2]=e0, [e2,e0]=e1 satisfy Jacobi
    good = LieAlgebroid(cs, [VectorField([0, 0, 0], cs)] * 3,
                        {(0, 1): [0, 0, 1], (1, 2): [1, 0, 0], (2, 0): [0, 1, 0]})
    assert good.check_jacobi()


def test_from_vector_fields_errors():
    x, y = sp.symbols("x y")
    with pytest.raises(NotInvolutiveError, match=r"\[field 0, field 1\]"):
        # [x^2 d_x, d_x + x d_y] = x^2 d_y - 2x d_x = -3/x (x^2 d_x) + x (d_x + x d_y)
        LieAlgebroid.from_vector_fields([VectorField([x**2, 0], (x, y)), VectorField([1, x], (x, y))])
    with pytest.raises(InvalidParameterError, match="k must be"):
        bk_tangent_bundle(2, 0)
    with pytest.raises(InvalidParameterError, match="dim must be"):
        bk_tangent_bundle(0, 1)
    with pytest.raises(ShapeError, match="3 components"):
        bk_tangent_bundle(3, 1).bracket((1, 0), (0, 1, 0))


def test_isomorphic_away_from_W():
    A = bk_tangent_bundle(3, 2)
    x = A.coords[0]
    det = A.anchor_determinant()
    # invertible exactly where x != 0: at x = 1 the anchor matrix has full rank, at x = 0 not
    M = A.anchor_matrix()
    assert M.subs(x, 1).rank() == 3 and M.subs(x, 0).rank() == 2
    assert sp.Poly(det, x).degree() == 2


def test_vanishing_order_and_isomorphism_away_from_W():
    for dim, k in [(1, 2), (2, 1), (3, 4)]:
        A = bk_tangent_bundle(dim, k)
        W = Submanifold([A.coords[0]], A.coords)
        assert A.anchor_vanishing_order(W) == k
        assert A.is_isomorphic_away_from(W)
    x, y = sp.symbols("x y")
    B = LieAlgebroid.from_vector_fields([VectorField([x**2, 0], (x, y)),
                                         VectorField([0, y], (x, y))])
    W = Submanifold([x], (x, y))
    assert B.anchor_vanishing_order(W) == 2
    assert not B.is_isomorphic_away_from(W)  # degenerates also on y = 0
    T = twisted_bk_algebroid(2, sp.Rational(1, 2))
    assert T.is_isomorphic_away_from(Submanifold([T.coords[1]], T.coords))


def test_anchor_rank_is_leaf_dimension():
    T = twisted_bk_algebroid(2, sp.Rational(1, 2))
    th, x = T.coords
    assert T.anchor_rank_at({th: 1, x: 0}) == 1  # W = {x = 0} is a leaf
    assert T.anchor_rank_at({th: 0, x: 2}) == 2
