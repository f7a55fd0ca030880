"""S_n layer bases: equivariance, dimensions (independently computed), change of basis, apply."""

import itertools

import numpy as np
import pytest
import sympy
from _reference import (
    brute_diagram_matrix,
    brute_orbit_matrix,
    commutant_dimension_numeric,
    commutant_dimension_permutation_graph,
    kron_power,
    matrix_rank,
)

import reptheory as rt
from reptheory.layers import (
    change_of_basis,
    symmetric_hom_dimension_mckay,
    symmetric_hom_dimension,
)

CASES = [(n, k, l) for n in range(1, 6) for k in range(6) for l in range(6) if k + l <= 5]


def _dense(B):
    return [m.toarray() for m in B.matrices()]


def _commutant_dim(n, k, l):
    G = rt.S(n)
    if n ** (k + l) <= 400:
        return commutant_dimension_numeric(G.generators(), k, l)
    perms = [np.argmax(g, axis=0) for g in G.generators()]  # P e_i = e_perm[i]
    return commutant_dimension_permutation_graph(perms, n, k + l)


@pytest.mark.parametrize("n,k,l", CASES)
def test_dimension_matches_commutant_and_bases_have_full_rank(n, k, l):
    G = rt.S(n)
    expected = _commutant_dim(n, k, l)
    assert rt.hom_dimension(G, k, l) == expected
    for kind in ("diagram", "orbit"):
        B = rt.layer_basis(G, k, l, kind=kind)
        assert B.is_basis
        assert len(B) == B.dimension == expected
        assert matrix_rank(_dense(B)) == expected


@pytest.mark.parametrize("n,k,l", [(2, 1, 1), (3, 2, 2), (4, 2, 1), (2, 3, 2), (3, 0, 3), (5, 2, 2)])
def test_every_basis_matrix_is_equivariant(n, k, l):
    G = rt.S(n)
    rng = np.random.default_rng(n + 10 * k + 100 * l)
    for kind in ("diagram", "orbit"):
        for M in _dense(rt.layer_basis(G, k, l, kind=kind)):
            rt.assert_equivariant(M, G, k, l)
            # independent plain-numpy check
            for _ in range(3):
                g = G.random_element(rng)
                assert np.allclose(kron_power(g, l) @ M, M @ kron_power(g, k))


@pytest.mark.parametrize("n,k,l", [(1, 1, 1), (2, 2, 1), (3, 2, 2), (4, 1, 3), (2, 0, 2)])
def test_matrices_equal_brute_force(n, k, l):
    D = rt.layer_basis(rt.S(n), k, l, kind="diagram")
    for d, M in zip(D, _dense(D)):
        assert np.array_equal(M, brute_diagram_matrix(d.blocks, k, l, n))
    O = rt.layer_basis(rt.S(n), k, l, kind="orbit")
    for d, M in zip(O, _dense(O)):
        assert np.array_equal(M, brute_orbit_matrix(d.blocks, k, l, n))


def test_orbit_basis_partitions_the_index_space():
    # orbit matrices are 0/1 with disjoint supports covering all entries (n >= k+l not needed)
    for n, k, l in [(2, 2, 2), (3, 1, 2), (4, 2, 2)]:
        mats = _dense(rt.layer_basis(rt.S(n), k, l, kind="orbit"))
        total = sum(mats)
        assert np.array_equal(total, np.ones((n**l, n**k)))


@pytest.mark.parametrize("n,k,l", [(1, 1, 1), (2, 2, 2), (3, 2, 2), (3, 3, 1), (6, 1, 2)])
def test_spanning_set_flag(n, k, l):
    S = rt.spanning_set(rt.S(n), k, l)
    assert len(S) == sympy.bell(k + l)
    assert S.is_basis == (n >= k + l)
    assert matrix_rank(_dense(S)) == S.dimension


def test_diagram_basis_of_2_2_small_n_from_digest():
    # digest 01 §1.6: ranks 1, 8, 14, 15 for n = 1..4
    assert [len(rt.layer_basis(rt.S(n), 2, 2)) for n in (1, 2, 3, 4)] == [1, 8, 14, 15]


@pytest.mark.parametrize("n", range(1, 7))
@pytest.mark.parametrize("m", range(9))
def test_stirling_equals_mckay(n, m):
    assert symmetric_hom_dimension(n, m, 0) == symmetric_hom_dimension_mckay(n, 0, m)


def test_mckay_walks_from_digest():
    # n = 3: closed walks 1, 2, 5, 14, 41, 122, 365, 1094
    assert [symmetric_hom_dimension_mckay(3, m, 0) for m in range(1, 9)] == [1, 2, 5, 14, 41, 122, 365, 1094]


@pytest.mark.parametrize("n,k,l", [(1, 1, 1), (2, 2, 1), (3, 2, 2), (4, 2, 2), (2, 3, 1)])
def test_change_of_basis_is_exact(n, k, l):
    M = change_of_basis(n, k, l, "diagram", "orbit")
    Mi = change_of_basis(n, k, l, "orbit", "diagram")
    assert M * Mi == sympy.eye(M.rows)
    Ds = _dense(rt.layer_basis(rt.S(n), k, l, kind="diagram"))
    Xs = _dense(rt.layer_basis(rt.S(n), k, l, kind="orbit"))
    Mn = np.array(M.tolist(), dtype=float)
    for i, D in enumerate(Ds):
        assert np.array_equal(D, sum(Mn[i, j] * Xs[j] for j in range(len(Xs))))


@pytest.mark.parametrize("kind", ["diagram", "orbit"])
@pytest.mark.parametrize("n,k,l", [(1, 2, 2), (2, 1, 1), (3, 2, 2), (4, 1, 2), (3, 3, 0), (3, 0, 2),
                                   (2, 0, 0), (4, 3, 2)])
def test_apply_equals_dense(n, k, l, kind):
    rng = np.random.default_rng(7)
    B = rt.layer_basis(rt.S(n), k, l, kind=kind)
    batch, cin, cout = 3, 2, 4
    x = rng.standard_normal((batch, cin) + (n,) * k)
    w = rng.standard_normal((cout, cin, len(B)))
    y = B.apply(w, x)
    assert y.shape == (batch, cout) + (n,) * l
    mats = np.stack(_dense(B))
    ref = np.einsum("ocb,bij,zcj->zoi", w, mats, x.reshape(batch, cin, -1)).reshape(y.shape)
    assert np.allclose(y, ref)
    # the assembled layer matrix agrees too
    W = B.layer_matrix(w[0, 0]).toarray()
    assert np.allclose(W, np.tensordot(w[0, 0], mats, axes=1))


def test_apply_float32_keeps_dtype():
    B = rt.layer_basis(rt.S(3), 2, 2)
    x = np.ones((1, 1, 3, 3), dtype=np.float32)
    w = np.ones((1, 1, len(B)), dtype=np.float32)
    assert B.apply(w, x).dtype == np.float32


def test_apply_layer_is_equivariant_as_function():
    n, k, l = 4, 2, 2
    B = rt.layer_basis(rt.S(n), k, l)
    w = np.random.default_rng(1).standard_normal((2, 1, len(B)))
    rt.assert_equivariant(lambda x: B.apply(w, x), rt.S(n), k, l, input_shape=(2, 1))


def test_bad_shapes_named():
    B = rt.layer_basis(rt.S(3), 2, 1)
    with pytest.raises(rt.ShapeError, match=r"x must have shape \(batch, c_in, 3, 3\)"):
        B.apply(np.ones((1, 1, len(B))), np.ones((2, 1, 3)))
    with pytest.raises(rt.ShapeError, match="one weight per basis element"):
        B.apply(np.ones((1, 1, 2)), np.ones((2, 1, 3, 3)))
    with pytest.raises(rt.ShapeError, match="c_in"):
        B.apply(np.ones((1, 2, len(B))), np.ones((2, 1, 3, 3)))
    with pytest.raises(rt.ReptheoryTypeError, match="floating-point"):
        B.apply(np.ones((1, 1, len(B))), np.array([[[["a"] * 3] * 3]]))


def test_unknown_backend_and_kind():
    B = rt.layer_basis(rt.S(3), 1, 1)
    with pytest.raises(rt.InvalidParameterError, match="backend must be one of"):
        B.apply(np.ones((1, 1, 2)), np.ones((1, 1, 3)), backend="fortran")
    with pytest.raises(rt.InvalidParameterError, match="kind must be one of diagram, orbit"):
        rt.layer_basis(rt.S(3), 1, 1, kind="magic")


def test_bad_group_and_orders():
    with pytest.raises(rt.ReptheoryTypeError, match="group must be a reptheory Group"):
        rt.layer_basis(5, 1, 1)
    with pytest.raises(rt.InvalidParameterError, match="l must be an integer >= 0"):
        rt.hom_dimension(rt.S(3), 1, -2)
    with pytest.raises(rt.ReptheoryTypeError, match="k must be an integer"):
        rt.layer_basis(rt.S(3), 1.5, 1)


def test_dense_guard_names_size_and_way_out():
    B = rt.layer_basis(rt.S(40), 3, 3)
    with pytest.raises(rt.SizeLimitError, match=r"40\*\*3.*over the budget.*apply\(\)"):
        B.matrices()
    # apply still works without ever forming the 40^6 matrix
    y = B.apply(np.ones((1, 1, len(B))), np.ones((1, 1, 40, 40, 40)))
    assert y.shape == (1, 1, 40, 40, 40)
    with pytest.raises(rt.SizeLimitError):
        rt.layer_basis(rt.S(3), 2, 2).matrices(max_entries=10)


def test_budget_env_override(monkeypatch):
    monkeypatch.setenv("REPTHEORY_MAX_DENSE_ENTRIES", "50")
    with pytest.raises(rt.SizeLimitError, match="budget of 50"):
        rt.layer_basis(rt.S(3), 2, 2).matrices()


def test_basis_order_matches_enumeration_and_repr():
    B = rt.layer_basis(rt.S(5), 1, 1)
    assert [d.to_text() for d in B] == ["{1,1'}", "{1} {1'}"]
    assert "2 elements, basis, dimension 2" in repr(B)
    assert B[0] == next(iter(B))
    assert all(len(d.blocks) <= 2 for d in itertools.islice(B, 2))


def test_register_backend_plugs_in_an_executor():
    from reptheory import kernels

    calls = []

    def doubled(spec, weights, x):
        calls.append(spec.group)
        return 2 * kernels.apply_spec(spec, weights, x)

    import sys
    import types

    mod = types.ModuleType("_rt_test_backend")
    mod.apply = doubled
    sys.modules["_rt_test_backend"] = mod
    try:
        kernels.register_backend("test-doubled", "_rt_test_backend:apply")
        B = rt.layer_basis(rt.S(3), 1, 1)
        w = np.ones((1, 1, 2))
        x = np.arange(3.0).reshape(1, 1, 3)
        assert np.allclose(B.apply(w, x, backend="test-doubled"), 2 * B.apply(w, x))
        assert calls == ["S(3)"]
        # the same entry builds layer matrices (from its apply function)
        M = B.layer_matrix(np.array([1.0, 3.0]), backend="test-doubled", sparse=False)
        np.testing.assert_allclose(M, 2 * (np.eye(3) + 3 * np.ones((3, 3))))
        Mc = B.layer_matrix(np.arange(8.0).reshape(2, 2, 2), backend="test-doubled", sparse=True)
        np.testing.assert_allclose(Mc.toarray(), 2 * B.layer_matrix(
            np.arange(8.0).reshape(2, 2, 2), sparse=False))
    finally:
        kernels.unregister_backend("test-doubled")
        sys.modules.pop("_rt_test_backend", None)
