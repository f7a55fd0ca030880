"""Property tests (hypothesis): canonical forms, naive evaluation, products, exact arithmetic."""

import itertools
import random
from fractions import Fraction

import numpy as np
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from reptheory.polynomials import Polynomial, polynomial_basis


@st.composite
def marked_multigraphs(draw):
    m = draw(st.integers(1, 5))
    edges = draw(st.lists(st.tuples(st.integers(0, m - 1), st.integers(0, m - 1)), max_size=5))
    nmark = draw(st.integers(0, 2))
    marked = tuple(draw(st.integers(0, m - 1)) for _ in range(nmark))
    symmetric = draw(st.booleans())
    seed = draw(st.integers(0, 10**6))
    return edges, marked, symmetric, seed


def naive(edges, marked, X, verts):
    n = X.shape[0]
    out = {}
    for phi in itertools.product(range(n), repeat=len(verts)):
        a = dict(zip(verts, phi))
        val = 1.0
        for r, s in edges:
            val *= X[a[r], a[s]]
        key = tuple(a[v] for v in marked)
        out[key] = out.get(key, 0.0) + val
    return out


@settings(max_examples=40, deadline=None)
@given(marked_multigraphs())
def test_relabelling_and_naive_evaluation(data):
    edges, marked, symmetric, seed = data
    p = Polynomial.from_edges(edges, marked=marked, symmetric=symmetric)
    rnd = random.Random(seed)
    verts = sorted({v for e in edges for v in e} | set(marked))
    perm = dict(zip(verts, rnd.sample(range(100, 200), len(verts))))
    e2 = [(perm[r], perm[s]) for r, s in edges]
    rnd.shuffle(e2)
    if symmetric:
        e2 = [(s, r) for r, s in e2]
    q = Polynomial.from_edges(e2, marked=tuple(perm[v] for v in marked), symmetric=symmetric)
    assert p == q
    assert Polynomial.from_edges(p.edges, marked=p.outputs, symmetric=symmetric) == p
    # evaluation equals the definition on a small random X
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2, 2))
    if symmetric:
        X = X + X.T
    got = p.evaluate(X)
    ref = naive(edges, marked, X, verts)
    if len(marked) == 2 and marked[0] == marked[1]:
        ref = {(i, i): v for (i,), v in ((k[:1], v) for k, v in ref.items())}
    for key, val in ref.items():
        assert np.isclose(got[key], val)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6))
def test_disjoint_union_is_product(seed):
    rnd = random.Random(seed)
    b = list(polynomial_basis(2, "invariant", symmetric=True, exact_degree=False))
    p, q = rnd.choice(b), rnd.choice(b)
    union = Polynomial.from_edges(
        [(("p", r), ("p", s)) for r, s in p.edges] + [(("q", r), ("q", s)) for r, s in q.edges],
        symmetric=True,
    )
    X = np.random.default_rng(seed).normal(size=(4, 4))
    X = X + X.T
    assert np.isclose(union.evaluate(X), p.evaluate(X) * q.evaluate(X))


def test_exact_fraction_and_symbolic_evaluation():
    X = np.array([[Fraction(i + 1, j + 2) for j in range(3)] for i in range(3)], dtype=object)
    basis = polynomial_basis(3, "edge", exact_degree=False)
    for p in list(basis)[::50]:
        val = p.evaluate(X)
        assert all(isinstance(v, (Fraction, int)) for v in val.ravel())
        assert np.allclose(val.astype(float), p.evaluate(X.astype(float)))
    x = sympy.symbols("x0:9")
    Xs = np.array(x, dtype=object).reshape(3, 3)
    loops2 = Polynomial.from_edges([(0, 0), (0, 0)], symmetric=True)
    assert sympy.expand(loops2.evaluate(Xs) - (x[0] ** 2 + x[4] ** 2 + x[8] ** 2)) == 0
