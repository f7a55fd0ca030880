"""Evaluation: contraction versus naive loops, equivariance, homomorphism counts, independence."""

import itertools
import random

import networkx as nx
import numpy as np
import pytest

from reptheory.errors import ShapeError
from reptheory.polynomials import (
    Polynomial,
    evaluate_basis,
    polynomial_basis,
    with_node_features,
)

OUTPUTS = ("invariant", "node", "edge")


def naive(p, X):
    """Sum over all vertex assignments, written directly from the definition."""
    n = X.shape[0]
    out = np.zeros({"invariant": (), "node": (n,), "edge": (n, n)}[p.output])
    for phi in itertools.product(range(n), repeat=p.num_vertices):
        val = 1.0
        for r, s in p.edges:
            val *= X[phi[r], phi[s]]
        idx = tuple(phi[v] for v in p.outputs)
        out[idx] += val
    return out


def random_X(rng, n, symmetric, batch=None):
    shape = (n, n) if batch is None else (batch, n, n)
    X = rng.normal(size=shape)
    if symmetric:
        X = X + np.swapaxes(X, -1, -2)
    return X


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("symmetric", [False, True])
def test_contraction_equals_naive_loop(output, symmetric):
    rng = np.random.default_rng(0)
    rnd = random.Random(0)
    X = random_X(rng, 3, symmetric)
    polys = list(polynomial_basis(2, output, symmetric, exact_degree=False))
    deg3 = list(polynomial_basis(3, output, symmetric))
    polys += rnd.sample(deg3, min(25, len(deg3)))
    for p in polys:
        expect = naive(p, X)
        np.testing.assert_allclose(p.evaluate(X), expect, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(p.evaluate(X, optimize=False), expect, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("symmetric", [False, True])
def test_equivariance_of_every_basis_polynomial(output, symmetric):
    rng = np.random.default_rng(1)
    n = 5
    X = random_X(rng, n, symmetric, batch=2)
    perm = rng.permutation(n)
    P = np.eye(n)[perm]
    PX = P @ X @ P.T
    basis = polynomial_basis(3, output, symmetric, exact_degree=False)
    a = evaluate_basis(basis, X)
    b = evaluate_basis(basis, PX)
    if output == "node":
        a = a @ P.T  # (P v) for each row vector v
    elif output == "edge":
        a = P @ a @ P.T
    np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-9)


def test_batch_and_single_agree_and_integer_exact():
    rng = np.random.default_rng(2)
    basis = polynomial_basis(2, "edge", exact_degree=False)
    Xs = rng.integers(-3, 4, size=(3, 4, 4))
    batched = evaluate_basis(basis, Xs)
    assert batched.dtype.kind == "i"
    for i in range(3):
        single = evaluate_basis(basis, Xs[i])
        np.testing.assert_array_equal(batched[i], single)
        for j, p in enumerate(basis):
            np.testing.assert_array_equal(single[j], naive(p, Xs[i].astype(float)).astype(np.int64))


def hom_count(H, G, roots=()):
    """Homomorphisms H -> G (simple graphs), brute force; roots fix images of marked vertices."""
    hv = list(H.nodes)
    total = {}
    for phi in itertools.product(list(G.nodes), repeat=len(hv)):
        m = dict(zip(hv, phi))
        if all(G.has_edge(m[u], m[v]) for u, v in H.edges):
            key = tuple(m[r] for r in roots)
            total[key] = total.get(key, 0) + 1
    return total


@pytest.mark.parametrize("output", OUTPUTS)
def test_homomorphism_counts_on_simple_graphs(output):
    G = nx.gnp_random_graph(5, 0.6, seed=3)
    A = nx.to_numpy_array(G, nodelist=range(5))
    for d in range(1, 5):
        for p in polynomial_basis(d, output, symmetric=True):
            if p.num_vertices > 5:
                continue  # keep the brute force small
            H = nx.Graph(p.graph)
            if H.number_of_edges() != p.degree or nx.number_of_selfloops(H):
                continue  # keep simple H only
            val = p.evaluate(A)
            counts = hom_count(H, G, p.outputs[:1] if p.diagonal else p.outputs)
            if output == "invariant":
                assert round(float(val)) == counts.get((), 0)
            elif output == "node" or p.diagonal:
                vec = np.diag(val) if p.diagonal else val
                for i in range(5):
                    assert round(float(vec[i])) == counts.get((i,), 0)
            else:
                for i in range(5):
                    for j in range(5):
                        assert round(float(val[i, j])) == counts.get((i, j), 0)


@pytest.mark.parametrize("symmetric", [False, True])
@pytest.mark.parametrize("output,d", [("edge", 1), ("edge", 2), ("node", 3), ("invariant", 3)])
def test_linear_independence_for_large_n(output, d, symmetric):
    rng = np.random.default_rng(4)
    basis = polynomial_basis(d, output, symmetric, exact_degree=False)
    n = 2 * d + 2
    # broadcast invariants only vary across samples: take more samples than polynomials
    samples = len(basis) + 2
    X = random_X(rng, n, symmetric, batch=samples) / np.sqrt(n)
    M = np.moveaxis(evaluate_basis(basis, X), 1, 0).reshape(len(basis), -1)
    M /= np.linalg.norm(M, axis=1, keepdims=True)
    assert np.linalg.matrix_rank(M, tol=1e-8) == len(basis)


def test_known_closed_forms():
    rng = np.random.default_rng(5)
    X = random_X(rng, 5, True)
    tri = Polynomial.from_edges([("a", "b"), ("b", "c"), ("c", "a")], marked=("a", "b"), symmetric=True)
    np.testing.assert_allclose(tri.evaluate(X), X * (X @ X))
    c4 = Polynomial.from_edges([("a", "c"), ("c", "b"), ("b", "d"), ("d", "a")], marked=("a", "b"),
                               symmetric=True)
    np.testing.assert_allclose(c4.evaluate(X), (X @ X) * (X @ X))
    loop_pend = Polynomial.from_edges([("a", "a"), ("a", "c")], marked=("a", "a"), symmetric=True)
    np.testing.assert_allclose(loop_pend.evaluate(X), np.diag(np.diag(X) * X.sum(1)))
    Y = rng.normal(size=(5, 5))
    both = Polynomial.from_edges([("a", "b"), ("b", "a")], marked=("a", "b"))
    np.testing.assert_allclose(both.evaluate(Y), Y * Y.T)
    ones = Polynomial.from_edges([], marked=("a", "b"))
    np.testing.assert_allclose(ones.evaluate(Y), np.ones((5, 5)))


def test_text_and_graph():
    p = Polynomial.from_edges([(0, 1), (1, 2)], marked=(0, 2))
    assert p.einsum == "ac,cb->ab"
    assert p.formula() == "P[a,b] = sum_{c} X[a,c] X[c,b]"
    assert "einsum='ac,cb->ab'" in repr(p)
    g = p.graph
    assert g.is_directed() and g.nodes[0]["mark"] == "a" and g.nodes[1]["mark"] == "b"
    with pytest.raises(AttributeError):
        p.edges = ()


def test_draw_smoke():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = Polynomial.from_edges([(0, 1), (1, 1), (0, 1)], marked=(0,)).draw()
    assert ax is not None
    plt.close("all")


def test_node_features_on_diagonal():
    X = np.zeros((2, 3, 3))
    h = np.arange(6.0).reshape(2, 3)
    out = with_node_features(X, h)
    np.testing.assert_array_equal(np.diagonal(out, axis1=1, axis2=2), h)
    with pytest.raises(ShapeError, match="h must have shape"):
        with_node_features(X, np.zeros(4))


def test_shape_errors():
    p = polynomial_basis(1, "edge")[0]
    for bad in (np.zeros((3, 4)), np.zeros(3), np.zeros((2, 2, 3, 3)), np.zeros((0, 0))):
        with pytest.raises(ShapeError, match=r"\(n, n\) or \(batch, n, n\)"):
            p.evaluate(bad)
    with pytest.raises(ShapeError):
        p.evaluate(np.array([["a", "b"], ["c", "d"]]))
