"""The shared modular elimination against sympy's exact pivots over Q."""

import numpy as np
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
