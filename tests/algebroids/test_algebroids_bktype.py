"""b^k-type foliations: local model, F_D, detection, normal form, extension obstruction."""

import random

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from reptheory.algebroids import (
    NotInvolutiveError,
    Submanifold,
    VectorField,
    VectorFieldModule,
    bk_local_model,
    bk_normal_form,
    bk_type_report,
    extension_obstruction,
    foliation_from_jet,
    involutive_up_to_order,
    is_bk_type,
    is_tangent_to_order,
    random_polynomial,
    same_jet,
)
from reptheory.errors import InvalidParameterError

x, y, z = sp.symbols("x y z")


@pytest.mark.parametrize("dim,k,codim", [(2, 1, 1), (2, 3, 1), (3, 2, 1), (3, 2, 2), (3, 1, 3)])
def test_local_model(dim, k, codim):
    F, W = bk_local_model(dim, k, codim)
    assert F.is_involutive()
    assert is_bk_type(F, W, k)
    if k > 1:
        assert not is_bk_type(F, W, k - 1)
    assert not is_bk_type(F, W, k + 1)
    # leaves: W (dimension dim - codim) and the open complement (dimension dim)
    pt_on = [0] * dim
    pt_off = [1] * dim
    assert F.rank_at(pt_on) == dim - codim and F.rank_at(pt_off) == dim
    # each generator is tangent to order k; d/dx_1 is not even tangent
    assert all(is_tangent_to_order(g, W, k) for g in F.generators)
    assert not is_tangent_to_order(VectorField.coordinate_field(0, W.coords), W, 1)
    # codim 1: det(anchor) = x^k (rank n generators)
    if codim == 1:
        det = sp.factor(F.matrix().det())
        assert sp.expand(det - W.equations[0] ** k) == 0


def test_F_D_from_jets():
    cs = (x, y)
    W = Submanifold([x], cs)
    D = [VectorField([x * y + x**3, 1], cs)]
    for k in (1, 2, 3):
        F = foliation_from_jet(D, W, k)
        assert F.is_involutive()
        assert is_bk_type(F, W, k)
        # only the (k-1)-jet of D matters
        D2 = [VectorField([x * y + x**3 + x**k * (1 + y), 1], cs)]
        assert foliation_from_jet(D2, W, k) == F
    # a D with a different 1-jet gives a different b^2 foliation
    assert foliation_from_jet([VectorField([0, 1], cs)], W, 2) != foliation_from_jet(D, W, 2)
    assert foliation_from_jet([VectorField([x**2, 1], cs)], W, 2) == foliation_from_jet(
        [VectorField([0, 1], cs)], W, 2)


def test_F_D_codim_two_and_errors():
    cs = (x, y, z)
    W = Submanifold([x, y], cs)
    F = foliation_from_jet([VectorField([y, 0, 1], cs)], W, 2)
    assert is_bk_type(F, W, 2)
    W1 = Submanifold([x], cs)
    with pytest.raises(InvalidParameterError, match="generator 0 of D.*not tangent"):
        foliation_from_jet([VectorField([1, 0, 0], cs)], W1, 2)
    D = [VectorField([0, 1, 0], cs), VectorField([x * y, 0, 1], cs)]  # [.,.] = x d_x
    assert foliation_from_jet(D, W1, 1).is_involutive()
    with pytest.raises(NotInvolutiveError, match=r"\[generator 0, generator 1\]"):
        foliation_from_jet(D, W1, 2)
    with pytest.raises(InvalidParameterError, match="k must be"):
        foliation_from_jet(D, W1, 0)


def test_detection_negative_cases():
    cs = (x, y)
    W = Submanifold([x], cs)
    F = VectorFieldModule([VectorField([x, 0], cs), VectorField([0, x], cs)])  # det x^2, rank 0 on W
    rep = bk_type_report(F, W, 2)
    assert not rep.is_bk and "dimension 0" in rep.reason
    G = VectorFieldModule([VectorField([x**2, 0], cs), VectorField([1, 1], cs)])
    assert not is_bk_type(G, W, 2)  # d_x + d_y is not tangent to W
    H = VectorFieldModule([VectorField([x**2, 0], cs), VectorField([0, 1], cs), VectorField([x, y], cs)])
    assert not is_bk_type(H, W, 2) and is_bk_type(H, W, 1)


@pytest.mark.parametrize("k", [2, 3])
def test_normal_form(k):
    cs = (x, y)
    W = Submanifold([x], cs)
    F = foliation_from_jet([VectorField([x**2 + x**2 * y, 1], cs)], W, k)
    phi, *ys = bk_normal_form(F, W, k, max_degree=3)
    # every generator maps phi into (x^k) = (phi^k) locally: tangent to order k to {phi = 0}
    for g in F.generators:
        image = sp.expand(g(phi))
        assert image == 0 or min(m[0] for m in sp.Poly(image, x, y).monoms()) >= k
    # ...while the original D-generator is not tangent to order k for the defining function x
    assert is_tangent_to_order(F.generators[0], W, k) == (k == 2)
    # phi = x * unit near 0 and the new coordinates have invertible Jacobian at 0
    assert sp.cancel(phi / x).subs({x: 0, y: 0}) != 0
    J = sp.Matrix([[sp.diff(f, c) for c in cs] for f in [phi, *ys]])
    assert J.subs({x: 0, y: 0}).det() != 0


def test_normal_form_impossible_polynomially():
    cs = (x, y)
    W = Submanifold([x], cs)
    F = foliation_from_jet([VectorField([x, 1], cs)], W, 2)  # invariant function x e^{-y}
    with pytest.raises(InvalidParameterError, match="no defining function"):
        bk_normal_form(F, W, 2)


def test_extension_obstruction_torus_and_polynomial():
    cs = (x, y, z)
    W = Submanifold([x], cs)
    D = [VectorField([x**2, 1, 0], cs), VectorField([x**3, 0, 1], cs)]
    assert involutive_up_to_order(D, W, 3) and not involutive_up_to_order(D, W, 4)
    torus = extension_obstruction(D, W, 3, setting="torus")
    assert not torus.extends and torus.obstruction == {(0, 1): 1}
    poly = extension_obstruction(D, W, 3)
    assert poly.extends
    assert involutive_up_to_order(poly.extended, W, 4)
    assert same_jet(poly.extended, D, W, 3)
    # the same jet at order 2 (a_2 truncated away) has no obstruction, even on the torus
    r2 = extension_obstruction(D, W, 2, setting="torus")
    assert r2.extends and r2.obstruction == {}
    assert involutive_up_to_order(r2.extended, W, 3)


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 3))
def test_jets_of_honest_foliations_extend(seed, m):
    """Jets of D = ker d(phi) for phi = x + x^2 p + x^3 q extend (to the next order)."""
    rng = random.Random(seed)
    cs = (x, y, z)
    W = Submanifold([x], cs)
    p, q = random_polynomial((y, z), 1, rng), random_polynomial((y, z), 1, rng)
    phi = x + x**2 * p + x**3 * q
    gens = []
    for yi, idx in ((y, 1), (z, 2)):
        a = sp.series(-sp.diff(phi, yi) / sp.diff(phi, x), x, 0, m + 2).removeO()
        comps = [sp.expand(a), 0, 0]
        comps[idx] = 1
        gens.append(VectorField(comps, cs))
    assert involutive_up_to_order(gens, W, m)
    res = extension_obstruction(gens, W, m)
    assert res.extends
    assert involutive_up_to_order(res.extended, W, m + 1)


def test_extension_errors():
    cs = (x, y, z)
    W = Submanifold([x], cs)
    with pytest.raises(NotInvolutiveError, match="order 1"):
        extension_obstruction([VectorField([0, 1, 0], cs), VectorField([x * y, 0, 1], cs)], W, 2)
    with pytest.raises(InvalidParameterError, match="graph form"):
        extension_obstruction([VectorField([0, 1, 1], cs), VectorField([0, 0, 1], cs)], W, 1)
    with pytest.raises(InvalidParameterError, match="translation-invariant"):
        extension_obstruction([VectorField([x * y, 1, 0], cs), VectorField([0, 0, 1], cs)], W, 1,
                              setting="torus")


def test_jet_holonomy_riccati_exact():
    """Holonomy of d_theta + (c x + d x^2) d_x against the exact Riccati flow."""
    from reptheory.algebroids import jet_holonomy

    th, xx, x0, t = sp.symbols("theta x x0 t")
    for c, d in [(sp.Rational(1, 3), 2), (0, 1), (-1, sp.Rational(1, 2))]:
        H = jet_holonomy(VectorField([1, c * xx + d * xx**2], (th, xx)), 3, x0)
        if c == 0:
            exact = x0 / (1 - d * x0 * t)
        else:
            exact = c * x0 * sp.exp(c * t) / (c + d * x0 * (1 - sp.exp(c * t)))
        ser = sp.series(exact.subs(t, 2 * sp.pi), x0, 0, 3).removeO()
        assert sp.simplify(sp.expand(H - ser)) == 0
    # Scott's bundle (a = 0) has trivial holonomy; the twisted one exp(2 pi c)
    assert jet_holonomy(VectorField([1, 0], (th, xx)), 4) == xx


def test_jet_holonomy_theta_dependent_numeric():
    from scipy.integrate import solve_ivp

    from reptheory.algebroids import jet_holonomy

    th, xx = sp.symbols("theta x")
    a = sp.Rational(1, 2) * xx + sp.sin(th) ** 2 * xx**2
    H = jet_holonomy(VectorField([1, a], (th, xx)), 3)
    f = sp.lambdify((th, xx), a)
    c1, c2 = (float(H.coeff(xx, r)) for r in (1, 2))
    h = 1e-4
    ends = [solve_ivp(lambda s, y: [f(s, y[0])], (0, 2 * np.pi), [x0], rtol=1e-13, atol=1e-18).y[0, -1]
            for x0 in (h, -h)]
    # central differences: first and second Taylor coefficients of the holonomy map, error O(h^2)
    assert abs((ends[0] - ends[1]) / (2 * h) - c1) < 1e-3 * abs(c1)
    assert abs((ends[0] + ends[1]) / (2 * h**2) - c2) < 1e-2 * abs(c2)
    with pytest.raises(InvalidParameterError, match="not tangent"):
        jet_holonomy(VectorField([1, 1 + xx], (th, xx)), 2)
