"""Expressivity by contraction sequences, against graph-theoretic criteria computed independently."""

import itertools

import networkx as nx
import pytest

from reptheory.errors import InvalidParameterError
from reptheory.polynomials import Polynomial, polynomial_basis
from reptheory.polynomials._expressivity import (
    MODELS,
    ContractionModel,
    contraction_sequence,
    expressive_degree,
    expressivity_table,
    is_computable,
    missing_features,
)


def simple_skeleton(p):
    """Undirected simple graph of H without loops; also whether H has parallel edges."""
    g = nx.Graph()
    g.add_nodes_from(range(p.num_vertices))
    pairs = [frozenset(e) for e in p.edges if e[0] != e[1]]
    g.add_edges_from(tuple(e) for e in set(pairs))
    return g, len(pairs) != len(set(pairs))


def treewidth(g):
    """Exact treewidth by dynamic programming over vertex subsets (elimination orderings)."""
    nodes = list(g.nodes)
    if not nodes:
        return -1
    best = {frozenset(): -1}

    def q(S, v):
        # vertices outside S + {v} reachable from v through S
        seen, stack, out = {v}, [v], set()
        while stack:
            x = stack.pop()
            for y in g[x]:
                if y in seen:
                    continue
                seen.add(y)
                if y in S:
                    stack.append(y)
                else:
                    out.add(y)
        return len(out)

    for k in range(1, len(nodes) + 1):
        for S in itertools.combinations(nodes, k):
            S = frozenset(S)
            best[S] = min(max(best[S - {v}], q(S - {v}, v)) for v in S)
    return best[frozenset(nodes)]


@pytest.mark.parametrize("output", ["invariant", "node", "edge"])
def test_mpnn_computes_exactly_forests(output):
    for p in polynomial_basis(3, output, symmetric=True, exact_degree=False):
        g, parallel = simple_skeleton(p)
        ok = (g.number_of_nodes() == 0 or nx.is_forest(g)) and not parallel
        if p.output == "edge" and not p.diagonal:
            ok = ok and not nx.has_path(g, 0, 1)  # node-based: outer product readout only
        assert is_computable(p, "MPNN") == ok, p


@pytest.mark.parametrize("output,degrees", [("invariant", range(7)), ("node", range(6)),
                                            ("edge", range(5))])
@pytest.mark.parametrize("symmetric", [True, False])
def test_ppgnpp_computes_exactly_treewidth_two(output, degrees, symmetric):
    if not symmetric:
        degrees = range(min(4, max(degrees) + 1))
    model = "PPGN++" if not symmetric else "PPGN"
    for d in degrees:
        for p in polynomial_basis(d, output, symmetric, max_degree=6):
            g, _ = simple_skeleton(p)
            g.add_edges_from(itertools.combinations(sorted(set(p.outputs)), 2))  # marks: a clique
            assert is_computable(p, model) == (treewidth(g) <= 2), p


def test_paper_conclusions_ppgn():
    k4_minus = Polynomial.from_edges([("a", "c"), ("a", "d"), ("b", "c"), ("b", "d"), ("c", "d")],
                                     marked=("a", "b"), symmetric=True)
    k4 = [("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("b", "d"), ("c", "d")]
    assert missing_features("PPGN++", 5, "edge") == [k4_minus]
    assert missing_features("PPGN++", 6, "invariant") == [Polynomial.from_edges(k4, symmetric=True)]
    assert missing_features("PPGN++", 6, "node") == [
        Polynomial.from_edges(k4, marked=("a",), symmetric=True)]
    assert missing_features("PPGN++", 5, "node") == []
    assert expressive_degree("PPGN++", "edge", max_degree=5) == 4
    assert expressive_degree("PPGN++", "edge", symmetric=False, max_degree=4) == 4
    # without transposes, directed PPGN cannot even output X^T
    assert expressive_degree("PPGN", "edge", symmetric=False, max_degree=2) == 0
    assert not is_computable(Polynomial.from_edges([("b", "a")], marked=("a", "b")), "PPGN")


def test_paper_conclusions_mpnn():
    assert expressive_degree("MPNN", "invariant", max_degree=3) == 1
    tri = Polynomial.from_edges([(0, 1), (1, 2), (2, 0)], symmetric=True)
    assert not is_computable(tri, "MPNN") and is_computable(tri, "PPGN")
    double = Polynomial.from_edges([(0, 1), (0, 1)], symmetric=True)
    assert not is_computable(double, "MPNN")
    assert is_computable(double, MODELS["MPNN"].with_primitives("hadamard"))
    rows = expressivity_table("MPNN", 2, "invariant")
    assert rows[:2] == [(0, 1, 1), (1, 2, 2)] and rows[2][1] < rows[2][2]


def test_sequences_and_errors():
    path = Polynomial.from_edges([(0, 1), (1, 2)], marked=(0, 2))
    seq = contraction_sequence(path, "PPGN")
    assert seq and seq[0].startswith("matmul")
    with pytest.raises(InvalidParameterError, match="unknown primitives"):
        ContractionModel("x", {"fft"})
    with pytest.raises(InvalidParameterError, match="model must be"):
        is_computable(path, "GIN-9000")


def _trivial(p):
    """Nothing to compute: every vertex is an output and H has no edge but X[a, b] itself."""
    return p.num_vertices == len(set(p.outputs)) and p.edges in ((), ((0, 1),)) and not (
        p.output == "edge" and not p.diagonal and not p.edges
    )


_SEQ_MODELS = [
    MODELS["MPNN"],
    MODELS["PPGN"],
    MODELS["PPGN++"],
    MODELS["MPNN"].with_primitives("hadamard", "transpose"),
    MODELS["MPNN"].with_primitives("edge_output", "transpose"),
]


@pytest.mark.parametrize("model", _SEQ_MODELS, ids=lambda m: m.name)
@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("output", ["invariant", "node", "edge"])
def test_sequences_list_every_primitive(model, symmetric, output):
    no_t = ContractionModel("no-transpose", model.primitives - {"transpose"})
    for d in range(3):
        for p in polynomial_basis(d, output, symmetric=symmetric):
            seq = contraction_sequence(p, model)
            if seq is None:
                continue
            used = [step.split(":")[0] for step in seq]
            assert set(used) <= model.primitives, (p, seq)
            assert seq or _trivial(p), (p, seq)
            # a transpose is listed exactly when X is directed and no transpose-free way exists
            needed = not symmetric and not is_computable(p, no_t)
            assert ("transpose" in used) == needed, (p, seq)


def test_transpose_output_is_listed():
    xt = Polynomial.from_edges([(1, 0)], marked=(0, 1))
    assert not is_computable(xt, "PPGN")
    assert contraction_sequence(xt, "PPGN++") == ["transpose: reverse edge 1-0 (output X^T)"]
    xxt = Polynomial.from_edges([(0, 2), (1, 2)], marked=(0, 1))  # X X^T
    seq = contraction_sequence(xxt, "PPGN++")
    assert [s.split(":")[0] for s in seq] == ["transpose", "matmul"]
    ones = Polynomial.from_edges([], marked=(0, 1))  # the all-ones matrix h_a h_b
    assert [s.split(":")[0] for s in contraction_sequence(ones, "MPNN")] == ["outer"]
