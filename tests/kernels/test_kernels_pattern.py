"""Sharing patterns, layer matrices by gather, and the ``pattern`` command."""

from __future__ import annotations

import argparse
import itertools
from fractions import Fraction

import numpy as np
import pytest
from kernels_helpers import brute_spec_matrices, eps_specs, j_spec

import reptheory as rt
from reptheory.errors import InvalidParameterError, ShapeError, SizeLimitError
from reptheory.kernels import sharing_pattern


def _pattern_matrices(pat):
    mats = np.zeros((pat.num_params,) + pat.shape)
    np.add.at(mats, (pat.params, pat.rows, pat.cols), pat.coefficients)
    return mats


@pytest.mark.parametrize("nkl", [(2, 2, 2), (3, 2, 1), (4, 1, 2), (3, 3, 1), (1, 2, 0)])
@pytest.mark.parametrize("kind", ["diagram", "orbit"])
def test_pattern_reproduces_matrices(nkl, kind):
    n, k, l = nkl
    B = rt.layer_basis(rt.S(n), k, l, kind=kind)
    pat = B.sharing_pattern()
    np.testing.assert_array_equal(_pattern_matrices(pat), np.stack(brute_spec_matrices(B.spec)))
    assert pat.is_partition() == (kind == "orbit" or all(len(d.blocks) == 1 for d in B))


def test_orbit_pattern_is_the_orbit_partition():
    """Independent check: the orbit of (I, J) under S_n is its equality pattern."""
    n, k, l = 3, 1, 2
    B = rt.layer_basis(rt.S(n), k, l, kind="orbit")
    pat = B.sharing_pattern()
    assert pat.is_partition() and len(pat) == n ** (k + l)
    owner = {(r, c): p for r, c, p in zip(pat.rows.tolist(), pat.cols.tolist(), pat.params.tolist())}
    for a, b in itertools.combinations(itertools.product(range(n), repeat=k + l), 2):
        same_pattern = all((a[i] == a[j]) == (b[i] == b[j]) for i in range(3) for j in range(3))
        ra, ca = a[0] * n + a[1], a[2]
        rb, cb = b[0] * n + b[1], b[2]
        assert (owner[(ra, ca)] == owner[(rb, cb)]) == same_pattern


def test_constant_patterns_carry_signs():
    spec = j_spec(4)
    pat = sharing_pattern(spec)
    assert not pat.is_partition() and (pat.numerators < 0).any()
    # element 1 = J⊗I - (1/2) J²⊗I = J⊗I + (1/2) I⊗I since J² = -I; other rows have 1/3, 5/7
    assert pat.denominator == 42 and any(pat.exact_coefficient(e) == Fraction(1, 2)
                                         for e in range(len(pat)) if pat.params[e] == 1)
    np.testing.assert_allclose(_pattern_matrices(pat), np.stack(brute_spec_matrices(spec)))
    for spec in eps_specs():
        np.testing.assert_allclose(_pattern_matrices(sharing_pattern(spec)),
                                   np.stack(brute_spec_matrices(spec)))


@pytest.mark.parametrize("backend", ["numpy", "numba", "torch"])
def test_layer_matrix_backends_agree_with_apply(backend):
    rng = np.random.default_rng(0)
    B = rt.layer_basis(rt.S(3), 2, 2)
    w = rng.standard_normal((2, 3, len(B)))
    x = rng.standard_normal((4, 3, 3, 3))
    M = B.layer_matrix(w, backend=backend, sparse=False)
    M = M.numpy() if hasattr(M, "numpy") else np.asarray(M)
    y = (x.reshape(4, -1) @ M.T).reshape(4, 2, 3, 3)
    np.testing.assert_allclose(y, B.apply(w, x), atol=1e-12)
    v = rng.standard_normal(len(B))
    m1 = B.layer_matrix(v, backend=backend, sparse=False)
    m1 = m1.numpy() if hasattr(m1, "numpy") else np.asarray(m1)
    ref = sum(c * m.toarray() for c, m in zip(v, B.matrices()))
    np.testing.assert_allclose(m1, ref, atol=1e-12)


def test_layer_matrix_sparse_default_is_compatible():
    B = rt.layer_basis(rt.S(3), 1, 1)
    m = B.layer_matrix([1.0, 2.0])
    assert hasattr(m, "tocsr")
    np.testing.assert_array_equal(m.toarray(), np.eye(3) + 2 * np.ones((3, 3)))
    ms = B.layer_matrix(np.ones((2, 2, 2)), sparse=True)
    np.testing.assert_array_equal(ms.toarray(), B.layer_matrix(np.ones((2, 2, 2)), sparse=False))


def test_layer_matrix_bad_input():
    B = rt.layer_basis(rt.S(3), 1, 1)
    with pytest.raises(ShapeError, match=r"\(2,\) or \(c_out, c_in, 2\)"):
        B.layer_matrix(np.ones(3))
    with pytest.raises(InvalidParameterError, match="backend"):
        B.layer_matrix(np.ones(2), backend="jax")
    with pytest.raises(SizeLimitError):
        rt.layer_basis(rt.S(40), 3, 3).sharing_pattern()


def _run_cli(argv):
    from reptheory.cli._pattern import add_pattern_command

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    add_pattern_command(sub)
    args = parser.parse_args(argv)
    return args.handler(args)


def test_cli_pattern(capsys):
    assert _run_cli(["pattern", "S", "4", "--k", "1", "--l", "2"]) == 0
    out = capsys.readouterr().out
    assert "row\tcol\tparam\tcoefficient" in out and "5 parameters" in out
    assert _run_cli(["pattern", "S", "2", "--k", "1", "--l", "1", "--kind", "orbit", "--grid"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == ["0 1", "1 0"]
