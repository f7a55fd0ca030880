"""Small n: independent subsets and dimensions versus brute-force S_n orbit counts."""

import itertools

import numpy as np
import pytest

from reptheory.polynomials import (
    basis_dimension,
    independent_subset,
    polynomial_basis,
    rank_mod_p,
)


def orbit_dimension(n, d, output, symmetric):
    """Dimension of equivariant degree-d polynomial maps = S_n-orbits on (monomial, output index)."""
    if symmetric:
        variables = [(i, j) for i in range(n) for j in range(i, n)]
    else:
        variables = [(i, j) for i in range(n) for j in range(n)]
    monomials = list(itertools.combinations_with_replacement(variables, d))
    positions = {"invariant": [()], "node": [(i,) for i in range(n)],
                 "edge": [(i, j) for i in range(n) for j in range(n)]}[output]

    def act(g, mono, pos):
        m = []
        for i, j in mono:
            a, b = g[i], g[j]
            m.append((min(a, b), max(a, b)) if symmetric else (a, b))
        return tuple(sorted(m)), tuple(g[i] for i in pos)

    perms = list(itertools.permutations(range(n)))
    seen = set()
    orbits = 0
    for mono in monomials:
        for pos in positions:
            if (mono, pos) in seen:
                continue
            orbits += 1
            for g in perms:
                seen.add(act(g, mono, pos))
    return orbits


CASES = [(n, d, out, sym) for sym in (False, True) for out in ("invariant", "node", "edge")
         for n, d in [(1, 2), (2, 2), (3, 2), (2, 3)]]


@pytest.mark.parametrize("n,d,output,symmetric", CASES)
def test_small_n_dimension_and_subsets(n, d, output, symmetric):
    expect = orbit_dimension(n, d, output, symmetric)
    by_vertices = polynomial_basis(d, output, symmetric, n=n)
    assert by_vertices.dimension == expect == basis_dimension(d, output, symmetric, n=n)
    by_rank = polynomial_basis(d, output, symmetric, n=n, method="rank")
    assert by_rank.dimension == expect
    # the vertex-count subset is independent for this n (exact rank modulo a prime)
    assert len(independent_subset(by_vertices, n)) == expect


def test_rank_mod_p_matches_sympy():
    sympy = pytest.importorskip("sympy")
    rng = np.random.default_rng(0)
    for _ in range(10):
        M = rng.integers(-2, 3, size=(6, 5))
        M[3] = M[0] + 2 * M[1]
        assert rank_mod_p(M) == sympy.Matrix(M.tolist()).rank()
