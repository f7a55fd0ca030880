"""Vector fields, brackets and modules of vector fields."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from reptheory.algebroids import NotInvolutiveError, VectorField, VectorFieldModule, lie_bracket
from reptheory.errors import InvalidParameterError, ReptheoryTypeError, ShapeError

x, y, z = sp.symbols("x y z")
XY = (x, y)


def poly_strategy(coords, max_deg=2):
    monos = [sp.Mul(*[c**e for c, e in zip(coords, exps)])
             for exps in np.ndindex(*([max_deg + 1] * len(coords))) if sum(exps) <= max_deg]
    return st.lists(st.integers(-3, 3), min_size=len(monos), max_size=len(monos)).map(
        lambda cs: sp.expand(sum(c * m for c, m in zip(cs, monos))))


def field_strategy(coords, max_deg=2):
    return st.tuples(*[poly_strategy(coords, max_deg) for _ in coords]).map(
        lambda comps: VectorField(comps, coords))


@settings(max_examples=15, deadline=None)
@given(field_strategy(XY), field_strategy(XY))
def test_bracket_is_commutator_of_derivations(u, v):
    f = sp.Function("f")(x, y)
    lhs = lie_bracket(u, v)(f)
    rhs = u(v(f)) - v(u(f))
    assert sp.expand(lhs - rhs) == 0
    assert lie_bracket(v, u) == -lie_bracket(u, v)


@settings(max_examples=12, deadline=None)
@given(field_strategy(XY, 2), field_strategy(XY, 2), field_strategy(XY, 1))
def test_jacobi_for_vector_fields(u, v, w):
    J = u.bracket(v).bracket(w) + v.bracket(w).bracket(u) + w.bracket(u).bracket(v)
    assert J.is_zero()


@settings(max_examples=15, deadline=None)
@given(poly_strategy(XY, 2), poly_strategy(XY, 2))
def test_module_contains_combinations(a, b):
    g1 = VectorField([x**2, 0], XY)
    g2 = VectorField([x * y, 1], XY)
    M = VectorFieldModule([g1, g2])
    assert M.contains(a * g1 + b * g2)


def test_module_non_membership_and_rank():
    M = VectorFieldModule([VectorField([x**2, 0], XY), VectorField([0, 1], XY)])
    # x d/dx has an x-component not divisible by x^2: not in the module
    assert not M.contains(VectorField([x, 0], XY))
    assert M.contains(VectorField([x**2 * (1 + y), y**3], XY))
    for pt in [(0, 0), (0, 5), (2, 1), (-1, 3)]:
        num = np.array([[float(c.subs({x: pt[0], y: pt[1]})) for c in g.components]
                        for g in M.generators])
        assert M.rank_at(pt) == np.linalg.matrix_rank(num)


def test_module_equality_and_parameters():
    c = sp.Symbol("c")
    M1 = VectorFieldModule([VectorField([x**2, 0], XY), VectorField([0, 1], XY)])
    M2 = VectorFieldModule([VectorField([x**2, 1], XY), VectorField([x**2, 0], XY)])
    assert M1 == M2
    Mc = VectorFieldModule([VectorField([c * x, 0], XY), VectorField([0, 1], XY)])
    assert Mc.contains(VectorField([x, y], XY))  # over QQ(c), c is invertible


def test_involutivity_and_errors():
    M = VectorFieldModule([VectorField([0, 1, 0], (x, y, z)), VectorField([y, 0, 1], (x, y, z))])
    assert not M.is_involutive()  # [d_y, y d_x + d_z] = d_x
    with pytest.raises(NotInvolutiveError, match=r"generator 0, generator 1"):
        M.check_involutive()
    assert M.non_involutive_pairs()[0][2] == VectorField([1, 0, 0], (x, y, z))


def test_bad_input():
    with pytest.raises(ShapeError, match="needs 2 components"):
        VectorField([x, y, 1], XY)
    with pytest.raises(ShapeError, match="generator 1"):
        VectorFieldModule([VectorField([x, 0], XY), VectorField([x, 0, 0], (x, y, z))])
    with pytest.raises(InvalidParameterError, match="generator 0"):
        VectorFieldModule([VectorField([1 / x, 0], XY)])
    with pytest.raises(ReptheoryTypeError):
        VectorField("xy", XY)
    with pytest.raises(InvalidParameterError, match="distinct"):
        VectorField([0, 0], (x, x))
    with pytest.raises(ShapeError):
        VectorField([x, 0], XY).bracket(VectorField([0, 0, 0], (x, y, z)))
