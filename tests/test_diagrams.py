"""Partition diagrams: enumeration, canonical form, composition, tensor product, pictures."""

import itertools

import numpy as np
import pytest
import sympy
from _reference import brute_diagram_matrix
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.utilities.iterables import multiset_partitions

from reptheory.diagrams import (
    PartitionDiagram,
    bell,
    compose,
    count_partition_diagrams,
    partition_diagrams,
    set_partitions,
    tensor_product,
)
from reptheory.errors import InvalidParameterError


@pytest.mark.parametrize("m", range(8))
def test_set_partitions_match_sympy(m):
    ours = sorted(set_partitions(m))
    ref = sorted(tuple(sorted(tuple(sorted(b)) for b in p)) for p in multiset_partitions(list(range(m))))
    if m == 0:
        ref = [()]
    assert ours == ref
    assert len(ours) == len(set(ours))


@pytest.mark.parametrize("k,l", [(0, 0), (1, 0), (0, 3), (2, 2), (3, 2), (4, 3)])
def test_enumeration_counts(k, l):
    ds = list(partition_diagrams(k, l))
    assert len(ds) == bell(k + l) == count_partition_diagrams(k, l)
    assert len(set(ds)) == len(ds)
    for t in range(k + l + 1):
        sub = list(partition_diagrams(k, l, max_blocks=t))
        assert all(d.num_blocks <= t for d in sub)
        assert len(sub) == sum(1 for d in ds if d.num_blocks <= t) == count_partition_diagrams(k, l, t)


def test_known_bell_numbers():
    # OEIS A000110
    assert [bell(m) for m in range(11)] == [1, 1, 2, 5, 15, 52, 203, 877, 4140, 21147, 115975]


def test_canonical_form_and_hash():
    a = PartitionDiagram([[3, 1], [2, 0]], k=2, l=2)
    b = PartitionDiagram([(0, 2), (1, 3)], k=2, l=2)
    assert a == b and hash(a) == hash(b)
    assert a.blocks == ((0, 2), (1, 3))
    assert {a, b} == {a}
    with pytest.raises(AttributeError):
        a._k = 3


@pytest.mark.parametrize("blocks,k,l", [([[0, 1]], 1, 2), ([[0], [0, 1]], 1, 1), ([[0, 5]], 1, 1)])
def test_bad_blocks(blocks, k, l):
    with pytest.raises(InvalidParameterError, match="set partition"):
        PartitionDiagram(blocks, k=k, l=l)


def test_bad_k_l():
    with pytest.raises(InvalidParameterError, match="k must be an integer >= 0"):
        list(partition_diagrams(-1, 2))


def _random_diagram(rng, k, l):
    parts = list(set_partitions(k + l))
    return PartitionDiagram._from_canonical(parts[rng.integers(len(parts))], k, l)


@pytest.mark.parametrize("seed", range(12))
def test_composition_matches_matrix_product(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 4))
    k, m, l = (int(v) for v in rng.integers(0, 3, size=3))
    d1 = _random_diagram(rng, k, m)     # (k -> m)
    d2 = _random_diagram(rng, m, l)     # (m -> l)
    coef, d = compose(d2, d1, n)
    D1 = brute_diagram_matrix(d1.blocks, k, m, n)
    D2 = brute_diagram_matrix(d2.blocks, m, l, n)
    D = brute_diagram_matrix(d.blocks, k, l, n)
    assert np.array_equal(D2 @ D1, coef * D)


def test_composition_symbolic_loops():
    nsym = sympy.Symbol("n")
    cap = PartitionDiagram([[0, 1]], k=2, l=0)
    cup = PartitionDiagram([[0, 1]], k=0, l=2)
    c, d = compose(cap, cup, nsym)
    assert c == nsym and d.k == 0 and d.l == 0
    # two separate middle singletons -> n^2
    bottom = PartitionDiagram([[0], [1]], k=0, l=2)
    top = PartitionDiagram([[0], [1]], k=2, l=0)
    assert compose(top, bottom, nsym)[0] == nsym**2


def test_compose_mismatch():
    with pytest.raises(InvalidParameterError, match="top.k must equal bottom.l"):
        compose(PartitionDiagram.identity(2), PartitionDiagram.identity(3), 3)


diagram_triples = st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2), st.integers(0, 2),
                            st.integers(0, 10**6))


@settings(max_examples=40, deadline=None)
@given(diagram_triples)
def test_composition_is_associative(data):
    a, b, c, d, seed = data
    rng = np.random.default_rng(seed)
    n = sympy.Symbol("n")
    p = _random_diagram(rng, a, b)
    q = _random_diagram(rng, b, c)
    r = _random_diagram(rng, c, d)
    c1, qp = compose(q, p, n)
    c2, left = compose(r, qp, n)
    c3, rq = compose(r, q, n)
    c4, right = compose(rq, p, n)
    assert left == right
    assert sympy.simplify(c1 * c2 - c3 * c4) == 0


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2), st.integers(0, 2), st.integers(0, 10**6))
def test_identity_is_neutral(k, l, seed):
    d = _random_diagram(np.random.default_rng(seed), k, l)
    assert compose(d, PartitionDiagram.identity(k), 5) == (1, d)
    assert compose(PartitionDiagram.identity(l), d, 5) == (1, d)


@pytest.mark.parametrize("seed", range(6))
def test_tensor_product_is_kronecker(seed):
    rng = np.random.default_rng(seed)
    n = 2
    k1, l1, k2, l2 = (int(v) for v in rng.integers(0, 3, size=4))
    a = _random_diagram(rng, k1, l1)
    b = _random_diagram(rng, k2, l2)
    t = tensor_product(a, b)
    assert (t.k, t.l) == (k1 + k2, l1 + l2)
    assert np.array_equal(
        brute_diagram_matrix(t.blocks, t.k, t.l, n),
        np.kron(brute_diagram_matrix(a.blocks, k1, l1, n), brute_diagram_matrix(b.blocks, k2, l2, n)),
    )


def test_transpose_is_matrix_transpose():
    for d in partition_diagrams(2, 1):
        assert np.array_equal(brute_diagram_matrix(d.transpose().blocks, 1, 2, 3),
                              brute_diagram_matrix(d.blocks, 2, 1, 3).T)


def test_from_permutation_swaps_factors():
    d = PartitionDiagram.from_permutation([1, 0])
    M = brute_diagram_matrix(d.blocks, 2, 2, 3)
    x = np.arange(9.0).reshape(3, 3)
    assert np.array_equal((M @ x.ravel()).reshape(3, 3), x.T)


def test_text_and_tikz():
    d = PartitionDiagram([[0, 3], [1], [2]], k=2, l=2)
    assert d.to_text() == "{1,2'} {2} {1'}"
    assert "top    : a b" in d.to_ascii()
    tikz = d.to_tikz()
    assert tikz.startswith("\\begin{tikzpicture}") and tikz.rstrip().endswith("\\end{tikzpicture}")
    # one line for the cross block, one fill per vertex
    assert tikz.count("\\fill") == 4 and tikz.count(" -- ") == 1


def test_draw_and_svg(tmp_path):
    d = PartitionDiagram([[0, 2, 3], [1]], k=2, l=2)
    ax = d.draw()
    assert len(ax.collections) >= 1  # the vertices
    svg = d._repr_svg_()
    assert svg is not None and "<svg" in svg
    from reptheory.diagrams import draw_diagrams

    fig = draw_diagrams(list(partition_diagrams(1, 1)))
    out = tmp_path / "d.png"
    fig.savefig(out)
    assert out.stat().st_size > 1000


def test_every_pair_of_vertices_equal_iff_same_block():
    # the restricted growth string is consistent with the blocks
    for d in partition_diagrams(2, 2):
        rgs = d.restricted_growth_string()
        for u, v in itertools.combinations(range(4), 2):
            same = any(u in b and v in b for b in d.blocks)
            assert (rgs[u] == rgs[v]) == same


@pytest.mark.parametrize("bad", ["x", 2.5, None, True])
def test_compose_rejects_inexact_loop_value(bad):
    from reptheory.errors import ReptheoryTypeError

    d = PartitionDiagram.identity(1)
    with pytest.raises(ReptheoryTypeError, match="loop value"):
        compose(d, d, bad)


def test_compose_accepts_numpy_integer():
    d = PartitionDiagram([[0], [1]], k=1, l=1)
    c, _ = compose(d, d, np.int64(4))
    assert c == 4
