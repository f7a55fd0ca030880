"""Brauer, (l+k)\\n and jellyfish diagrams: counts, brute-force matrices, composition, Gram."""

import itertools
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reptheory.diagrams import (
    BrauerDiagram,
    JellyfishDiagram,
    LeviCivitaDiagram,
    brauer_diagrams,
    compose_brauer,
    count_brauer_diagrams,
    count_jellyfish_diagrams,
    count_levi_civita_diagrams,
    jellyfish_diagrams,
    levi_civita_diagrams,
    stirling2,
)
from reptheory.errors import InvalidParameterError
from reptheory.layers import brauer_gram, levi_civita_gram


# ---- independent brute-force matrices (plain numpy, straight from the definitions) ----------
def _J(n):
    J = np.zeros((n, n))
    for a in range(0, n, 2):
        J[a, a + 1], J[a + 1, a] = 1, -1
    return J


def _eps(vals):
    vals = list(vals)
    if len(set(vals)) < len(vals):
        return 0
    inv = sum(1 for i in range(len(vals)) for j in range(i + 1, len(vals)) if vals[i] > vals[j])
    return (-1) ** inv


def brute_brauer(d, n, form="orthogonal"):
    k, l = d.k, d.l
    W = np.zeros((n,) * (l + k))
    J = _J(n) if form == "symplectic" else None
    for idx in itertools.product(range(n), repeat=l + k):
        val = 1.0
        for u, v in d.blocks:
            if form == "symplectic" and (u < l) == (v < l):
                val *= J[idx[u], idx[v]]
            else:
                val *= idx[u] == idx[v]
        W[idx] = val
    return W.reshape(n**l, n**k)


def brute_levi_civita(d, n):
    k, l = d.k, d.l
    W = np.zeros((n,) * (l + k))
    for idx in itertools.product(range(n), repeat=l + k):
        if all(idx[u] == idx[v] for u, v in d.pairs):
            W[idx] = _eps(idx[f] for f in d.free_vertices)
    return W.reshape(n**l, n**k)


def brute_jellyfish(d, n):
    """Pattern exactly pi, value sgn(v_1..v_t[, missing value])."""
    k, l = d.k, d.l
    W = np.zeros((n,) * (l + k))
    for idx in itertools.product(range(n), repeat=l + k):
        vals = [idx[b[0]] for b in d.blocks]
        if any(idx[v] != idx[b[0]] for b in d.blocks for v in b) or len(set(vals)) < len(vals):
            continue
        if d.dangling:
            vals.append(next(c for c in range(n) if c not in vals))
        W[idx] = _eps(vals)
    return W.reshape(n**l, n**k)


# ---- counts -----------------------------------------------------------------------------------
def _dfact(m):
    return 1 if m <= 0 else m * _dfact(m - 2)


@pytest.mark.parametrize("k,l", [(k, l) for k in range(5) for l in range(5)])
def test_counts(k, l):
    ds = list(brauer_diagrams(k, l))
    assert len(ds) == count_brauer_diagrams(k, l) == (0 if (k + l) % 2 else _dfact(k + l - 1))
    assert len(set(ds)) == len(ds)
    assert all(len(b) == 2 for d in ds for b in d.blocks)
    for n in range(1, 6):
        hs = list(levi_civita_diagrams(n, k, l))
        m = k + l
        expect = comb(m, n) * _dfact(m - n - 1) if m >= n and (m - n) % 2 == 0 else 0
        assert len(hs) == count_levi_civita_diagrams(n, k, l) == expect
        js = list(jellyfish_diagrams(n, k, l))
        assert len(js) == count_jellyfish_diagrams(n, k, l)
        if n >= 2:
            assert len(js) == stirling2(m, n) + stirling2(m, n - 1)


def test_brauer_blocks_checked():
    with pytest.raises(InvalidParameterError):
        BrauerDiagram([[0, 1, 2], [3]], k=2, l=2)
    with pytest.raises(InvalidParameterError):
        LeviCivitaDiagram([[0, 1, 2], [3]], k=2, l=2)
    with pytest.raises(InvalidParameterError):
        JellyfishDiagram([[0], [1]], k=1, l=1, n=4)   # 2 blocks, need 3 or 4


def test_text_and_ascii():
    d = BrauerDiagram([[0, 3], [1, 2]], k=2, l=2)
    assert d.to_text() == "{1,2'} {2,1'}"
    assert "top" in d.to_ascii()
    j = JellyfishDiagram([[0, 2], [1]], k=1, l=2, n=3)
    assert j.to_text() == "eps({1,1'},{2},*)"
    assert j == JellyfishDiagram([[1], [0, 2]], k=1, l=2, n=3)
    assert j != JellyfishDiagram([[1], [0, 2]], k=1, l=2, n=2)


def test_drawing_runs():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    for d in [BrauerDiagram([[0, 1], [2, 3]], 2, 2), next(levi_civita_diagrams(3, 2, 1)),
              JellyfishDiagram([[0], [1], [2]], k=2, l=1, n=4)]:
        ax = d.draw()
        assert ax is not None
        assert "tikzpicture" in d.to_tikz()


# ---- composition agrees with matrix multiplication --------------------------------------------
def _random_matching(data, k, l):
    ds = list(brauer_diagrams(k, l))
    return ds[data.draw(st.integers(0, len(ds) - 1))]


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_composition_orthogonal(data):
    k, m, l = (data.draw(st.integers(0, 3)) for _ in range(3))
    if (k + m) % 2 or (m + l) % 2:
        return
    n = data.draw(st.integers(1, 3))
    bottom, top = _random_matching(data, k, m), _random_matching(data, m, l)
    c, d = compose_brauer(top, bottom, n)
    lhs = brute_brauer(top, n) @ brute_brauer(bottom, n)
    assert np.array_equal(lhs, c * brute_brauer(d, n))
    c2, d2 = top.compose(bottom, n)
    assert (c2, d2) == (c, d)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_composition_symplectic(data):
    k, m, l = (data.draw(st.integers(0, 3)) for _ in range(3))
    if (k + m) % 2 or (m + l) % 2:
        return
    n = data.draw(st.sampled_from([2, 4]))
    bottom, top = _random_matching(data, k, m), _random_matching(data, m, l)
    c, d = compose_brauer(top, bottom, n, form="symplectic")
    lhs = brute_brauer(top, n, "symplectic") @ brute_brauer(bottom, n, "symplectic")
    assert np.array_equal(lhs, c * brute_brauer(d, n, "symplectic"))
    assert abs(c) in [n**j for j in range(4)]


def test_symplectic_loop_and_snake():
    cup = BrauerDiagram([[0, 1]], k=0, l=2)
    cap = BrauerDiagram([[0, 1]], k=2, l=0)
    assert compose_brauer(cap, cup, 6, "symplectic")[0] == 6
    assert compose_brauer(cap, cup, 6)[0] == 6
    left = BrauerDiagram([[0, 1], [2, 3]], k=1, l=3)     # cup ⊗ id
    right = BrauerDiagram([[0, 1], [2, 3]], k=3, l=1)    # id ⊗ cap
    assert compose_brauer(right, left, 4, "symplectic") == (-1, BrauerDiagram.identity(1))
    assert compose_brauer(right, left, 4) == (1, BrauerDiagram.identity(1))
    with pytest.raises(InvalidParameterError):
        compose_brauer(cap, cup, 2, form="unitary")
    with pytest.raises(InvalidParameterError):
        compose_brauer(cup, cup, 2)


# ---- exact Gram matrices against numerical inner products -----------------------------------
@pytest.mark.parametrize("n,k,l", [(1, 2, 2), (2, 2, 2), (2, 3, 1), (3, 3, 3), (2, 2, 4)])
def test_brauer_gram(n, k, l):
    ds = list(brauer_diagrams(k, l))
    for form in ("orthogonal", "symplectic"):
        if form == "symplectic" and n % 2:
            continue
        M = np.array([brute_brauer(d, n, form).ravel() for d in ds])
        assert np.array_equal(np.array(brauer_gram(ds, n, form)), M @ M.T)


@pytest.mark.parametrize("n,k,l", [(2, 1, 1), (2, 2, 2), (3, 2, 3), (2, 3, 3), (4, 3, 3), (3, 1, 2)])
def test_levi_civita_gram(n, k, l):
    hs = list(levi_civita_diagrams(n, k, l))
    M = np.array([brute_levi_civita(h, n).ravel() for h in hs])
    assert np.array_equal(np.array(levi_civita_gram(hs, n)), M @ M.T)
    # H's are orthogonal to every Brauer matrix
    ds = list(brauer_diagrams(k, l))
    if ds:
        E = np.array([brute_brauer(d, n).ravel() for d in ds])
        assert not np.any(E @ M.T)


def test_compose_brauer_rejects_inexact_loop_value():
    import pytest

    from reptheory.diagrams import BrauerDiagram, compose_brauer
    from reptheory.errors import ReptheoryTypeError

    d = BrauerDiagram.identity(1)
    with pytest.raises(ReptheoryTypeError, match="loop value"):
        compose_brauer(d, d, "n")
    with pytest.raises(ReptheoryTypeError, match="loop value"):
        compose_brauer(d, d, 3.0, "symplectic")
