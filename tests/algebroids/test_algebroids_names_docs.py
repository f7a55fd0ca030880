"""Frame names of b^k-tangent bundles, docstrings of small public members, random_polynomial."""

import inspect
import random

import pytest
import sympy as sp

from reptheory.algebroids import AlgebroidForm, bk_tangent_bundle, random_polynomial
from reptheory.errors import InvalidParameterError
from reptheory.polynomials import Polynomial


def _parse_vector_field(name, coords):
    """'c d/dv' (or 'd/dv') -> the coefficient column of c * d/dv, parsed independently."""
    *coef, deriv = name.split(" ")
    assert deriv.startswith("d/d"), name
    var = sp.Symbol(deriv[3:])
    c = sp.sympify(coef[0].replace("^", "**")) if coef else sp.S.One
    return [c if v == var else sp.S.Zero for v in coords]


@pytest.mark.parametrize("dim,k", [(1, 1), (2, 3), (3, 2), (4, 1)])
def test_bk_names_are_the_frame_vector_fields(dim, k):
    A = bk_tangent_bundle(dim, k)
    M = A.anchor_matrix()
    assert len(A.names) == A.rank
    for i, name in enumerate(A.names):
        column = _parse_vector_field(name, A.coords)
        assert all(sp.simplify(column[a] - M[a, i]) == 0 for a in range(A.dim)), (name, M)


def test_bk_names_example():
    assert bk_tangent_bundle(2, 3).names == ("x^3 d/dx", "d/dy")
    # the dual frame stays dx/x^3, dy
    x, _ = bk_tangent_bundle(2, 3).coords
    assert bk_tangent_bundle(2, 3).dual_frame() == [[x**-3, 0], [0, 1]]


@pytest.mark.parametrize(
    "member",
    [Polynomial.edges, Polynomial.num_vertices, Polynomial.outputs, AlgebroidForm.algebroid,
     AlgebroidForm.degree],
)
def test_members_have_docstrings(member):
    assert (inspect.getdoc(member) or "").strip()


def test_algebroid_form_properties_read_only():
    A = bk_tangent_bundle(2, 2)
    w = A.form({(0, 1): 1}, 2)
    assert w.degree == 2 and w.algebroid == A
    with pytest.raises(AttributeError):
        w.degree = 3


def test_random_polynomial_docstring_and_behaviour():
    doc = inspect.getdoc(random_polynomial)
    for section in ("Parameters", "Returns", "Raises", "Examples", ">>>"):
        assert section in doc
    x, y = sp.symbols("x y")
    for seed in range(20):
        p = random_polynomial([x, y], 3, random.Random(seed), terms=5, coeff=2)
        assert p == random_polynomial([x, y], 3, random.Random(seed), terms=5, coeff=2)
        if p != 0:
            P = sp.Poly(p, x, y)
            assert P.total_degree() <= 3
            assert all(c.is_integer for c in P.coeffs()) and len(P.terms()) <= 5
    assert random_polynomial([], 0, random.Random(0)).is_integer
    for kwargs in ({"degree": -1}, {"degree": 1, "terms": -2}, {"degree": 1, "coeff": -1}):
        with pytest.raises(InvalidParameterError):
            random_polynomial([x], rng=random.Random(0), **kwargs)
    with pytest.raises(InvalidParameterError, match="coords"):
        random_polynomial([], 2, random.Random(0))
