"""Exact choice of independent diagrams at small n (O(3), SO(3), Sp(2), Sp(4), O(2)).

Checked against computations that share no code with the selection: the numerical rank of the
dense diagram matrices (numpy SVD), sympy's exact rref of the integer Gram matrix, and sympy
determinants.
"""

import os

import numpy as np
import pytest
import scipy.sparse as sp
import sympy

import reptheory as rt
from reptheory.diagrams import brauer_diagrams, levi_civita_diagrams
from reptheory.layers import _select, brauer_gram, hom_dimension, levi_civita_gram
from reptheory.layers._exact_rank import pivot_columns_exact

SLOW = pytest.mark.skipif(not os.environ.get("REPTHEORY_SLOW_TESTS"),
                          reason="large case: set REPTHEORY_SLOW_TESTS=1")

# (group, k, l) with dependent diagrams and n^(k+l) small enough for dense matrices
DENSE_CASES = [
    (rt.O(1), 2, 2), (rt.O(2), 3, 3), (rt.O(2), 2, 4), (rt.O(3), 4, 4), (rt.O(3), 3, 5),
    (rt.O(3), 1, 7), (rt.SO(3), 2, 3), (rt.SO(3), 3, 4), (rt.SO(3), 2, 5), (rt.SO(2), 3, 3),
    (rt.Sp(2), 3, 3), (rt.Sp(2), 4, 4), (rt.Sp(4), 3, 3), (rt.Sp(4), 2, 4),
]


def _dense(basis):
    n, k, l = basis.n, basis.k, basis.l
    return np.array([m.toarray().reshape(n ** (k + l)) for m in basis.matrices()])


@pytest.mark.parametrize(("G", "k", "l"), DENSE_CASES, ids=str)
def test_selected_basis_is_independent_and_has_the_dimension(G, k, l):
    basis = rt.layer_basis(G, k, l)
    dim = hom_dimension(G, k, l)
    spanning = rt.spanning_set(G, k, l)
    assert len(spanning) > dim                      # the selection had something to do
    assert len(basis) == dim and basis.is_basis
    M = _dense(basis)
    assert np.linalg.matrix_rank(M) == dim          # independent (numerically, no shared code)
    # and they span what all the diagrams span
    assert np.linalg.matrix_rank(np.vstack([M, _dense(spanning)])) == dim


def _exact_greedy(gram):
    return pivot_columns_exact(gram)


@pytest.mark.parametrize(("n", "k", "l", "form"), [
    (1, 2, 2, "orthogonal"), (2, 3, 3, "orthogonal"), (3, 4, 4, "orthogonal"),
    (2, 2, 4, "symplectic"), (4, 4, 4, "symplectic"), (2, 3, 5, "symplectic"),
])
def test_brauer_choice_is_the_exact_greedy_choice(n, k, l, form):
    ds = list(brauer_diagrams(k, l))
    expected = _exact_greedy(brauer_gram(ds, n, form))     # sympy rref over Q
    assert 0 < len(expected) < len(ds)
    assert _select.independent_diagrams(ds, n, len(expected), form) == expected


@pytest.mark.parametrize(("n", "k", "l"), [(3, 2, 3), (3, 3, 4), (2, 3, 3), (4, 3, 3)])
def test_levi_civita_choice_is_the_exact_greedy_choice(n, k, l):
    hs = list(levi_civita_diagrams(n, k, l))
    expected = _exact_greedy(levi_civita_gram(hs, n))
    assert 0 < len(expected) < len(hs)
    assert _select.independent_diagrams(hs, n, len(expected)) == expected


def test_gram_fallback_gives_the_same_choice(monkeypatch):
    ds = list(brauer_diagrams(3, 3))
    fast = _select.independent_diagrams(ds, 2, 10)
    monkeypatch.setattr(_select, "ATTEMPTS", 0)
    slow = _select.independent_diagrams(ds, 2, 10, gram=lambda x: brauer_gram(x, 2))
    assert len(fast) == 10 and slow == fast


def test_determinants_mod_p_match_sympy():
    p = 1048573
    rng = np.random.default_rng(7)
    checked = 0
    for n in (1, 2, 3, 4, 5):
        M = rng.integers(0, p, size=(6, n, n))
        M[0, :, 0] = 0                                       # a singular one
        if n > 1:
            M[1, [0, 1]] = M[1, [1, 0]] * 0 + M[1, 0]        # two equal rows
            M[2, 0, 0] = 0                                   # a zero pivot: needs a row swap
        got = _select._det_mod_p(M, p)
        for i in range(len(M)):
            assert int(got[i]) % p == int(sympy.Matrix(M[i].tolist()).det()) % p
            checked += 1
    assert checked == 30


def test_no_selection_when_the_diagrams_are_independent():
    ds = list(brauer_diagrams(2, 2))
    assert _select.independent_diagrams(ds, 5, 3) == [0, 1, 2]
    assert _select.independent_diagrams(ds, 5, 0) == []


def _gram_rank_is_full(basis):
    """Numerical check from the sparse matrices: the Gram matrix of the flattened matrices is
    positive definite (memory ~ dim^2, never n^(k+l) x dim)."""
    M = sp.vstack([m.reshape(1, -1) for m in basis.matrices()]).tocsr()
    ev = np.linalg.eigvalsh((M @ M.T).toarray())
    return ev.min() > 1e-9 * ev.max()


@SLOW
@pytest.mark.parametrize(("G", "k", "l", "numerical"), [
    (rt.O(3), 5, 5, True), (rt.SO(3), 4, 5, True), (rt.Sp(4), 5, 5, True),
    (rt.Sp(2), 5, 5, True), (rt.O(3), 6, 6, True), (rt.SO(3), 5, 6, True), (rt.Sp(2), 6, 6, True),
    (rt.O(3), 4, 8, True),
    (rt.Sp(4), 6, 6, False)],   # its sparse Gram product takes ~20 min on 2 cores: certificate only
    ids=str)
def test_large_selection_is_a_basis(G, k, l, numerical):
    basis = rt.layer_basis(G, k, l)
    assert len(basis) == hom_dimension(G, k, l) and basis.is_basis
    if numerical:
        assert _gram_rank_is_full(basis)
