"""Enumeration, counts and canonical forms, checked against brute-force orbit counts."""

import itertools
import random

import pytest

from reptheory.errors import InvalidParameterError, ReptheoryTypeError, SizeLimitError
from reptheory.polynomials import Polynomial, basis_count, iter_polynomial_basis, polynomial_basis

OUTPUTS = ("invariant", "node", "edge")
NMARK = {"invariant": 0, "node": 1, "edge": 2}

# Table of Section 5.3 of the digest (counts of degree exactly d = 0..3).
DIGEST = {
    ("invariant", False): [1, 2, 11, 52],
    ("invariant", True): [1, 2, 7, 23],
    ("node", False): [1, 5, 32, 199],
    ("node", True): [1, 4, 17, 69],
    ("edge", False): [2, 15, 117, 877],
    ("edge", True): [2, 11, 56, 266],
}


def _rgs(k):
    """All set partitions of range(k) as restricted growth strings."""
    def rec(prefix, m):
        if len(prefix) == k:
            yield tuple(prefix)
            return
        for b in range(m + 1):
            yield from rec(prefix + [b], max(m, b + 1))
    yield from rec([], 0)


def _normalise(seq):
    relabel = {}
    return tuple(relabel.setdefault(x, len(relabel)) for x in seq)


def brute_force_orbits(d, nmark, symmetric):
    """Orbits of monomial patterns: set partitions of {marks, r_t, s_t} modulo edge symmetries."""
    k = nmark + 2 * d
    group = []
    for perm in itertools.permutations(range(d)):
        for flips in itertools.product((0, 1), repeat=d) if symmetric else [(0,) * d]:
            pos = list(range(nmark))
            for t in range(d):
                r, s = nmark + 2 * perm[t], nmark + 2 * perm[t] + 1
                pos += [s, r] if flips[t] else [r, s]
            group.append(pos)
    seen = set()
    for p in _rgs(k):
        seen.add(min(_normalise([p[g[i]] for i in range(k)]) for g in group))
    return len(seen)


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("symmetric", [False, True])
def test_counts_match_brute_force_and_digest(output, symmetric):
    counts = [len(polynomial_basis(d, output, symmetric)) for d in range(4)]
    brute = [brute_force_orbits(d, NMARK[output], symmetric) for d in range(4)]
    assert counts == brute
    assert counts == DIGEST[(output, symmetric)]
    assert [basis_count(d, output, symmetric) for d in range(4)] == counts
    assert basis_count(3, output, symmetric, exact_degree=False) == sum(counts)
    assert len(polynomial_basis(3, output, symmetric, exact_degree=False)) == sum(counts)


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("symmetric", [False, True])
def test_elements_distinct_and_wellformed(output, symmetric):
    basis = polynomial_basis(3, output, symmetric, exact_degree=False)
    assert len(set(basis)) == len(basis)
    for p in basis:
        assert p.output == output and p.symmetric == symmetric
        g = p.graph
        assert g.number_of_edges() == p.degree
        # no isolated unmarked vertex
        for v in g.nodes:
            assert g.degree(v) > 0 or g.nodes[v]["mark"] is not None


@pytest.mark.parametrize("symmetric", [False, True])
def test_canonical_form_under_relabelling(symmetric):
    rnd = random.Random(1)
    for output in OUTPUTS:
        for p in polynomial_basis(3, output, symmetric):
            perm = list(range(p.num_vertices))
            rnd.shuffle(perm)
            names = [f"v{x}" for x in perm]
            edges = [(names[r], names[s]) for r, s in p.edges]
            rnd.shuffle(edges)
            if symmetric:
                edges = [(s, r) if rnd.random() < 0.5 else (r, s) for r, s in edges]
            marked = tuple(names[v] for v in p.outputs)
            q = Polynomial.from_edges(edges, marked=marked, symmetric=symmetric)
            assert q == p and hash(q) == hash(p)


def test_canonical_forms_separate_non_isomorphic():
    path = Polynomial.from_edges([(0, 1), (1, 2)], marked=(0, 2))
    path_rev = Polynomial.from_edges([(0, 1), (1, 2)], marked=(2, 0))
    assert path != path_rev  # directed: X @ X versus (X @ X).T
    assert Polynomial.from_edges([(0, 1), (1, 2)], marked=(0, 2), symmetric=True) == \
        Polynomial.from_edges([(0, 1), (1, 2)], marked=(2, 0), symmetric=True)
    # the edge a->b versus b->a
    assert Polynomial.from_edges([(0, 1)], marked=(0, 1)) != Polynomial.from_edges([(1, 0)], marked=(0, 1))


def test_larger_degree_counts_are_consistent():
    # listing and counting agree beyond the table (d = 4), and n filters by vertex count
    for output in OUTPUTS:
        for symmetric in (False, True):
            items = list(iter_polynomial_basis(4, output, symmetric))
            assert len(items) == basis_count(4, output, symmetric)
    b = polynomial_basis(3, "edge", True, n=4)
    assert all(p.num_vertices <= 4 for p in b) and b.dimension == len(b)


def test_bad_input():
    with pytest.raises(InvalidParameterError, match="degree"):
        polynomial_basis(-1)
    with pytest.raises(InvalidParameterError, match="output must be one of"):
        polynomial_basis(1, output="graph")
    with pytest.raises(SizeLimitError, match="max_degree"):
        polynomial_basis(12, output="edge")
    with pytest.raises(SizeLimitError, match="max_elements"):
        polynomial_basis(3, output="edge", max_elements=100)
    with pytest.raises(ReptheoryTypeError):
        polynomial_basis(1.0)
    with pytest.raises(ReptheoryTypeError):
        polynomial_basis(1, symmetric="yes")
    with pytest.raises(InvalidParameterError, match="n must be"):
        polynomial_basis(1, n=0)
    with pytest.raises(InvalidParameterError, match="method"):
        polynomial_basis(1, n=2, method="magic")
    with pytest.raises(InvalidParameterError, match="marked"):
        Polynomial.from_edges([(0, 1)], marked=(0, 1, 2))


def test_import_is_light():
    import subprocess
    import sys

    code = ("import sys, reptheory.polynomials; "
            "print(sorted(m for m in ('torch', 'matplotlib', 'tqdm', 'numba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_pickle_and_immutability():
    import pickle

    for p in polynomial_basis(2, "edge"):
        q = pickle.loads(pickle.dumps(p))
        assert q == p and q.edges == p.edges and q.einsum == p.einsum
