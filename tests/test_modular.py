"""The shared modular elimination against sympy's exact pivots over Q."""

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from reptheory._modular import pivot_columns_mod_p

P = 1048573   # the largest prime below 2**20


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.integers(1, 6), st.integers(0, 10**6))
def test_pivots_equal_sympy_rref(rows, cols, seed):
    # entries in [-3, 3]: every minor is at most 5^2.5 * 3^5 < 13600 < P in absolute value, so a
    # minor is zero mod P exactly when it is zero over Q, and the pivots must agree exactly
    rng = np.random.default_rng(seed)
    M = rng.integers(-3, 4, size=(rows, cols))
    M[:, rng.integers(cols)] = 0 if cols > 1 else M[:, 0]  # some dependent structure
    if cols > 2:
        M[:, 2] = M[:, 0] - 2 * M[:, 1]
    expected = list(sympy.Matrix(M.tolist()).rref()[1])
    assert pivot_columns_mod_p(M, P) == expected
    assert pivot_columns_mod_p(M.tolist(), P) == expected
    assert pivot_columns_mod_p(M.astype(object) * 10**30, P) == expected  # big integers


def test_empty():
    assert pivot_columns_mod_p(np.zeros((0, 3), dtype=int), P) == []


def test_fast_primes_are_primes_below_the_exactness_bound():
    from reptheory._modular import FAST_PRIMES, MAX_PRIME

    assert all(sympy.isprime(p) and p < MAX_PRIME == 2**20 for p in FAST_PRIMES)


def test_blocked_elimination_matches_sympy_on_a_wide_low_rank_matrix():
    # 600 columns of rank 21: several outer blocks of 256 and recursive halves down to the leaf
    # width; dependent columns at the start, in the middle and at block boundaries
    from reptheory._modular import greedy_pivots_mod_p

    rng = np.random.default_rng(11)
    M = rng.integers(-2, 3, size=(30, 21)) @ rng.integers(-2, 3, size=(21, 600))
    M[:, 0] = 0
    M[:, 255] = M[:, 3] - M[:, 7]
    M[:, 256] = 2 * M[:, 1]
    expected = list(sympy.Matrix(M.tolist()).rref()[1])
    assert len(expected) == 21
    assert pivot_columns_mod_p(M, P) == expected
    # lazily produced uneven blocks, and stopping at a given count
    blocks = (np.mod(M[:, s:s + w], P) for s, w in zip(range(0, 600, 100), [100] * 6))
    assert greedy_pivots_mod_p(blocks, 30, P) == expected
    assert greedy_pivots_mod_p([np.mod(M, P)], 30, P, stop=5) == expected[:5]


def test_matmul_mod_p_is_exact_with_long_inner_dimension():
    from reptheory._modular import matmul_mod_p

    rng = np.random.default_rng(12)
    A = rng.integers(0, P, size=(3, 20000))
    B = rng.integers(0, P, size=(20000, 2))
    ref = [[sum(int(a) * int(b) for a, b in zip(A[i], B[:, j])) % P for j in range(2)]
           for i in range(3)]
    got = matmul_mod_p(A.astype(float), B.astype(float), P)
    assert (np.mod(got, P).astype(np.int64) == np.array(ref)).all()


def test_bad_prime_is_rejected():
    from reptheory.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="below 2\\*\\*20"):
        pivot_columns_mod_p([[1]], 2**31 - 1)
