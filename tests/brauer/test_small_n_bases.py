"""Exact bases at small n and k + l up to 12: O(3), SO(3), Sp(2), Sp(4), S(3), A(4).

The dimensions are checked against character theory (Weyl's integration formula on a maximal
torus for the Lie groups, Burnside's lemma over the group elements for the finite groups),
which shares nothing with the Bratteli walks and Stirling sums of the package; the size guard
is checked to accept every modest case and to refuse the others at once; the arithmetic mod p
against Python integers; the large bases (REPTHEORY_SLOW_TESTS=1) against equivariance under
random group elements.
"""

import os
import time
from itertools import permutations

import numpy as np
import pytest
import scipy.sparse as sp

import reptheory as rt
from reptheory import _modular
from reptheory.diagrams import brauer_diagrams, nonnesting_brauer_diagrams
from reptheory.errors import SizeLimitError
from reptheory.layers import _select, brauer_gram, hom_dimension
from reptheory.layers._exact_rank import pivot_columns_exact
from reptheory.layers._registry import _check_build
from reptheory.layers._spec import canonical_operations
from reptheory.testing import assert_equivariant

SLOW = pytest.mark.skipif(not os.environ.get("REPTHEORY_SLOW_TESTS"),
                          reason="large case: set REPTHEORY_SLOW_TESTS=1")

KL = [(4, 4), (2, 6), (5, 5), (4, 6), (6, 6), (4, 8), (8, 4)]


# -- dimensions from character theory ---------------------------------------------------------
def _torus_mean(values: np.ndarray) -> int:
    """The mean of a trigonometric polynomial on a uniform grid (exact when the grid is finer
    than its degree), rounded to the integer it must be."""
    mean = float(values.mean())
    assert abs(mean - round(mean)) < 1e-6 * max(1.0, abs(mean))
    return round(mean)


def _weyl_dimension(symbol: str, m: int) -> int:
    """Multiplicity of the trivial representation in V^{⊗m} by Weyl's integration formula."""
    grid = 2 * np.pi * np.arange(m + 12) / (m + 12)
    if symbol in ("SO3", "O3"):         # rotation by theta: chi = 1 + 2 cos, density 1 - cos
        chi = 1 + 2 * np.cos(grid)
        so3 = _torus_mean(chi**m * (1 - np.cos(grid)))
        if symbol == "SO3":
            return so3
        return so3 if m % 2 == 0 else 0  # O(3) = SO(3) x {I, -I}, -I acts by (-1)^m
    if symbol == "Sp2":                  # SU(2): chi = 2 cos, density 2 sin^2
        return _torus_mean((2 * np.cos(grid)) ** m * 2 * np.sin(grid) ** 2)
    if symbol == "Sp4":                  # C2 torus (a, b): chi = 2 cos a + 2 cos b, |W| = 8
        a, b = np.meshgrid(grid, grid, indexing="ij")
        chi = 2 * np.cos(a) + 2 * np.cos(b)
        delta = 1.0
        for root in (2 * a, 2 * b, a + b, a - b):   # the positive roots
            delta = delta * (2 - 2 * np.cos(root))
        return _torus_mean(chi**m * delta / 8)
    raise AssertionError(symbol)


def _burnside_dimension(n: int, m: int, even_only: bool) -> int:
    """(1/|G|) sum_g fix(g)^m over S_n or A_n (the permutation character to the m-th power)."""
    total = count = 0
    for perm in permutations(range(n)):
        inversions = sum(perm[i] > perm[j] for i in range(n) for j in range(i + 1, n))
        if even_only and inversions % 2:
            continue
        total += sum(perm[i] == i for i in range(n)) ** m
        count += 1
    assert total % count == 0
    return total // count


@pytest.mark.parametrize("m", [8, 9, 10, 11, 12])
def test_dimensions_agree_with_character_theory(m):
    k, l = m // 2, m - m // 2
    checked = 0
    for G, symbol in ((rt.O(3), "O3"), (rt.SO(3), "SO3"), (rt.Sp(2), "Sp2"), (rt.Sp(4), "Sp4")):
        assert hom_dimension(G, k, l) == _weyl_dimension(symbol, m), G
        checked += 1
    assert hom_dimension(rt.S(3), k, l) == _burnside_dimension(3, m, even_only=False)
    assert hom_dimension(rt.A(4), k, l) == _burnside_dimension(4, m, even_only=True)
    assert checked == 4
    # and the dimension does not depend on how the m tensor factors are split into k and l
    assert hom_dimension(rt.Sp(4), 2, m - 2) == hom_dimension(rt.Sp(4), k, l)


def test_character_theory_check_can_fail():
    # the reference is sharp: it tells O(3) from SO(3) at odd m and Sp(2) from Sp(4)
    assert _weyl_dimension("SO3", 3) == 1 and _weyl_dimension("O3", 3) == 0
    assert _weyl_dimension("Sp2", 4) == 2 and _weyl_dimension("Sp4", 4) == 3
    assert _burnside_dimension(4, 3, False) == 5      # the Bell number B(3)
    assert _burnside_dimension(4, 3, True) == 6       # and one Levi-Civita map


# -- what the size guard accepts and refuses --------------------------------------------------
@pytest.mark.parametrize("G", [rt.O(3), rt.SO(3), rt.Sp(2), rt.Sp(4), rt.S(3), rt.A(4)], ids=str)
def test_modest_cases_pass_the_size_guard(G):
    checked = 0
    for k, l in KL:
        dim = hom_dimension(G, k, l)
        if dim <= 10**4:                   # modest: built within the default budget
            _check_build(G, k, l, "diagram", False, None)
            checked += 1
    assert checked >= 2                   # A(4): only k + l = 8 is modest


@pytest.mark.parametrize(("G", "k", "l"), [(rt.A(4), 6, 6), (rt.A(4), 4, 8), (rt.O(3), 7, 7),
                                           (rt.Sp(4), 7, 7), (rt.Sp(2), 15, 15)], ids=str)
def test_large_cases_are_refused_at_once(G, k, l):
    t0 = time.perf_counter()
    with pytest.raises(SizeLimitError, match="max_entries="):
        rt.layer_basis(G, k, l)
    assert time.perf_counter() - t0 < 5     # generous: building them takes minutes


# -- exact arithmetic mod p ----------------------------------------------------------------------
def test_fused_product_and_chunked_reduction_are_exact():
    p = _modular.FAST_PRIMES[1]
    rng = np.random.default_rng(11)
    A = rng.integers(-(p - 1), p, size=(20, 50))
    B = rng.integers(-(p - 1), p, size=(50, 900))       # 20 x 900 > one reduction chunk
    C = rng.integers(-(p - 1), p, size=(20, 900))
    got = _modular._sub_matmul_mod_p(C.astype(float), A.astype(float), B.astype(float), p)
    assert got.size > _modular._REDUCE_CHUNK
    ref = (C.astype(object) - A.astype(object).dot(B.astype(object))) % p
    assert np.abs(got).max() < p
    assert np.array_equal(got.astype(np.int64) % p, ref.astype(np.int64))
    A = rng.integers(-(p - 1), p, size=(2, _modular._CHUNK + 5))     # a long inner dimension
    B = rng.integers(-(p - 1), p, size=(_modular._CHUNK + 5, 3))
    C = rng.integers(-(p - 1), p, size=(2, 3))
    got = _modular._sub_matmul_mod_p(C.astype(float), A.astype(float), B.astype(float), p)
    ref = (C.astype(object) - A.astype(object).dot(B.astype(object))) % p
    assert np.array_equal(got.astype(np.int64) % p, ref.astype(np.int64))
    x = rng.integers(-(2**52), 2**52, size=(3, 2**13 + 5)).astype(float)
    want = np.array([[int(v) % p for v in row] for row in x.astype(np.int64)])
    assert np.array_equal(_modular._reduce(x, p).astype(np.int64) % p, want)
    y = rng.integers(-(2**52), 2**52, size=(2**13, 3)).astype(float)[:, ::2]  # not contiguous
    want = np.array([[int(v) % p for v in row] for row in y.astype(np.int64)])
    assert np.array_equal(_modular._reduce(y, p).astype(np.int64) % p, want)


# -- the A_n diagram basis ------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "k", "l"), [(4, 2, 2), (4, 3, 3), (4, 2, 4), (3, 2, 3), (5, 3, 2),
                                           (2, 2, 2), (6, 2, 3)])
def test_alternating_operations_are_canonical_and_distinct(n, k, l):
    spec = rt.layer_basis(rt.A(n), k, l).spec
    ops, rows = canonical_operations([[(op, 1)] for op in spec.operations])
    assert ops == spec.operations and rows == spec.coefficients
    assert len(set(spec.operations)) == len(spec.operations) == len(spec.coefficients)


@pytest.mark.parametrize("G", [rt.O(2), rt.O(3), rt.O(7), rt.SO(2), rt.SO(3), rt.SO(4), rt.SO(5)],
                         ids=str)
def test_orthogonal_operations_are_canonical_and_distinct(G):
    checked = 0
    for k, l in [(1, 1), (2, 2), (1, 3), (2, 3), (3, 3), (0, 4), (4, 2), (3, 4)]:
        for B in (rt.layer_basis(G, k, l), rt.spanning_set(G, k, l)):
            spec = B.spec
            ops, rows = canonical_operations([[(op, 1)] for op in spec.operations])
            assert ops == spec.operations and rows == spec.coefficients
            checked += len(ops)
    assert checked > 50


def test_alternating_basis_is_equivariant_and_independent():
    G, k, l = rt.A(4), 2, 3
    B = rt.layer_basis(G, k, l)
    assert len(B) == _burnside_dimension(4, 5, even_only=True)
    M = np.array([m.toarray().ravel() for m in B.matrices()])
    assert np.linalg.matrix_rank(M) == len(B)
    w = np.random.default_rng(3).standard_normal((1, 1, len(B)))
    assert_equivariant(lambda x: B.apply(w, x), G, k, l, n_samples=3)


# -- the large modest bases (minutes on a shared machine) ---------------------------------------
@SLOW
@pytest.mark.parametrize(("G", "k", "l"), [(rt.O(3), 6, 6), (rt.SO(3), 4, 8), (rt.Sp(4), 6, 6),
                                           (rt.Sp(2), 8, 4), (rt.SO(3), 5, 6)], ids=str)
def test_large_modest_bases_are_equivariant(G, k, l):
    B = rt.layer_basis(G, k, l)
    assert len(B) == B.dimension == hom_dimension(G, k, l) and B.is_basis
    w = np.random.default_rng(5).standard_normal((1, 1, len(B)))
    assert_equivariant(lambda x: B.apply(w, x), G, k, l, n_samples=2, input_shape=(1, 1),
                       rtol=1e-6)


@SLOW
@pytest.mark.parametrize(("k", "l"), [(4, 4), (3, 6), (4, 6)])
def test_alternating_bases_up_to_dimension_87382(k, l):
    B = rt.layer_basis(rt.A(4), k, l)
    assert len(B) == B.dimension == _burnside_dimension(4, k + l, even_only=True) and B.is_basis


# -- Sp(2) = SL(2): the non-nesting diagrams -------------------------------------------------------
def _nests(d) -> bool:
    return any(a < c < e < b for a, b in d.blocks for c, e in d.blocks)


@pytest.mark.parametrize("m", [0, 2, 4, 6, 8, 10, 5])
def test_nonnesting_diagrams_are_the_brauer_diagrams_without_nested_pairs(m):
    k, l = m // 2, m - m // 2
    want = [d for d in brauer_diagrams(k, l) if not _nests(d)]     # brute force, same order
    got = nonnesting_brauer_diagrams(k, l)
    assert got == want
    assert len(got) == (_weyl_dimension("Sp2", m) if m else 1)


def test_nonnesting_diagrams_refuse_past_the_budget_at_once():
    from reptheory.errors import SizeLimitError

    with pytest.raises(SizeLimitError, match="max_entries"):
        nonnesting_brauer_diagrams(60, 60)                  # Catalan(60) ~ 5e32 diagrams
    with pytest.raises(SizeLimitError, match="max_entries"):
        nonnesting_brauer_diagrams(3, 3, max_entries=5 * 6 - 1)   # 5 diagrams of 6 vertices
    assert len(nonnesting_brauer_diagrams(3, 3, max_entries=5 * 6)) == 5


@pytest.mark.parametrize(("k", "l"), [(2, 2), (1, 3), (3, 3), (2, 4), (0, 6), (4, 4), (3, 5),
                                      (5, 5), (6, 6), (4, 8)])
def test_sp2_basis_is_the_greedy_selection(k, l):
    B = rt.layer_basis(rt.Sp(2), k, l)
    ds = list(brauer_diagrams(k, l))
    chosen = _select.independent_diagrams(ds, 2, hom_dimension(rt.Sp(2), k, l), "symplectic")
    assert 0 < len(chosen) < len(ds)
    assert list(B.elements) == [ds[i] for i in chosen] and B.is_basis


def test_sp2_basis_is_the_exact_greedy_choice():
    ds = list(brauer_diagrams(4, 4))
    exact = pivot_columns_exact(brauer_gram(ds, 2, "symplectic"))      # sympy rref over Q
    assert list(rt.layer_basis(rt.Sp(2), 4, 4).elements) == [ds[i] for i in exact]


def test_sp2_basis_beyond_the_brauer_enumeration():
    # 2027025 Brauer diagrams at k + l = 16: only the 1430 non-nesting ones are built
    B = rt.layer_basis(rt.Sp(2), 8, 8)
    assert len(B) == B.dimension == _weyl_dimension("Sp2", 16) == 1430 and B.is_basis
    # 135135 at k + l = 14: independent, the Gram matrix of the sparse matrices is definite
    B = rt.layer_basis(rt.Sp(2), 7, 7)
    assert len(B) == B.dimension == _weyl_dimension("Sp2", 14) == 429
    M = sp.vstack([m.reshape(1, -1) for m in B.matrices()]).tocsr()
    ev = np.linalg.eigvalsh((M @ M.T).toarray())
    assert ev.min() > 1e-9 * ev.max()


def test_sp2_basis_is_equivariant():
    G, k, l = rt.Sp(2), 5, 5
    B = rt.layer_basis(G, k, l)
    w = np.random.default_rng(8).standard_normal((1, 1, len(B)))
    assert_equivariant(lambda x: B.apply(w, x), G, k, l, n_samples=3)
