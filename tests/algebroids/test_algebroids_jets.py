"""Jets along W, tangency to order k and involutivity up to order k."""

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from reptheory.algebroids import (
    NotInvolutiveError,
    Submanifold,
    VectorField,
    check_involutive_up_to_order,
    distribution_jet,
    involutive_up_to_order,
    is_tangent_to_order,
    jet,
    same_jet,
    tangency_order,
)
from reptheory.errors import InvalidParameterError, ShapeError

x, y, z = sp.symbols("x y z")
XY = (x, y)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(0, 5), st.integers(-2, 2), st.integers(-2, 2))
def test_tangency_order_hypersurface_both_directions(k, p, a, b):
    """v = x^p (1 + a y) d/dx + b d/dy is tangent to order k iff p >= k (a != -... generic)."""
    W = Submanifold([x], XY)
    v = VectorField([x**p * (2 + a * y), b], XY)
    assert is_tangent_to_order(v, W, k) == (p >= k)


def test_tangency_curved_hypersurface():
    f = y - x**2
    W = Submanifold([f], XY)
    # v = d/dx + 2x d/dy is tangent (v(f) = 0, to every order)
    v = VectorField([1, 2 * x], XY)
    assert is_tangent_to_order(v, W, 5)
    # perturb by f^2 d/dy: v(f) = f^2, tangent to order exactly 2
    w = VectorField([1, 2 * x + f**2], XY)
    assert is_tangent_to_order(w, W, 2) and not is_tangent_to_order(w, W, 3)
    assert tangency_order(w, W) == 2
    assert tangency_order(VectorField([0, 1], XY), W) == 0


def test_tangency_codim_two():
    W = Submanifold([x, y], (x, y, z))
    v = VectorField([x**2, x * y, 1], (x, y, z))
    assert is_tangent_to_order(v, W, 2)
    assert not is_tangent_to_order(v, W, 3)
    assert not is_tangent_to_order(VectorField([x, z, 0], (x, y, z)), W, 1)


def test_jets():
    W = Submanifold([x], XY)
    f = 1 + x * y + x**2 * y + x**3
    assert jet(f, W, 1) == sp.expand(1 + x * y)
    assert jet(f, W, 2) == sp.expand(1 + x * y + x**2 * y)
    v = VectorField([x**3 + x, y + x**2], XY)
    assert jet(v, W, 1) == VectorField([x, y], XY)
    W2 = Submanifold([x, y], (x, y, z))
    assert jet(x * y * z + x + z, W2, 1) == x + z


def test_involutive_up_to_order_and_distribution_jets():
    cs = (x, y, z)
    W = Submanifold([x], cs)
    # D spanned by d_y and d_z + y x^2 d_x: [d_y, .] = x^2 d_x, in I^2 X but not I^3 X (mod D)
    D = [VectorField([0, 1, 0], cs), VectorField([y * x**2, 0, 1], cs)]
    assert involutive_up_to_order(D, W, 0)
    assert involutive_up_to_order(D, W, 1)
    assert not involutive_up_to_order(D, W, 2)
    with pytest.raises(NotInvolutiveError, match=r"order 2.*generator 0, generator 1"):
        check_involutive_up_to_order(D, W, 2)
    D0 = [VectorField([0, 1, 0], cs), VectorField([0, 0, 1], cs)]
    assert same_jet(D, D0, W, 1)
    assert not same_jet(D, D0, W, 2)
    J = distribution_jet(D, W, 1)
    assert J.contains(VectorField([x**2, 0, 0], cs))


def test_bad_input():
    with pytest.raises(InvalidParameterError, match="not a polynomial"):
        Submanifold([sp.sin(x)], XY)
    with pytest.raises(InvalidParameterError, match="not coordinates"):
        Submanifold([x - z], XY)
    with pytest.raises(InvalidParameterError, match="dependent"):
        Submanifold([x, 2 * x], XY)
    W = Submanifold([x], XY)
    with pytest.raises(InvalidParameterError, match="k must be an integer >= 1"):
        is_tangent_to_order(VectorField([x, 0], XY), W, 0)
    with pytest.raises(ShapeError):
        is_tangent_to_order(VectorField([x, 0, 0], (x, y, z)), W, 1)
