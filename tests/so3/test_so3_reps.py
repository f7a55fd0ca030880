"""Restriction, induction, Hom bases and Frobenius reciprocity (checked numerically)."""

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from reptheory.errors import InvalidParameterError, ReptheoryError, ReptheoryTypeError
from reptheory.groups._rotation import SO2, SO3
from reptheory.so3 import (
    Irrep,
    Irreps,
    SO2Irrep,
    SO2Rep,
    axis_angle_to_matrix,
    frobenius_reciprocity,
    hom_basis,
    induce,
    restrict,
    rot_z,
    wigner_D,
)

ROTS = Rotation.random(3, random_state=5).as_matrix()


def _block_mask(irreps):
    n = sum(ir.dim for ir in irreps)
    mask = np.zeros((n, n), bool)
    i = 0
    for ir in irreps:
        mask[i : i + ir.dim, i : i + ir.dim] = True
        i += ir.dim
    return mask


@pytest.mark.parametrize("axis", ["z", "x", "y", [1.0, -2.0, 0.5], [0, 0, -1]])
@pytest.mark.parametrize("basis", ["real", "complex"])
def test_restriction_is_block_diagonal(axis, basis):
    rep = Irreps("2x1+1x3")
    res = restrict(rep, axis=axis, basis=basis)
    Q = res.change_of_basis
    assert np.allclose(Q @ Q.conj().T, np.eye(rep.dim))
    for t in (0.3, 2.1):
        R = axis_angle_to_matrix(res.axis, t)
        B = Q @ rep.matrix(R) @ Q.conj().T
        assert np.allclose(B[~_block_mask(res.irreps)], 0, atol=1e-12)
        i = 0
        for ir in res.irreps:
            assert np.allclose(B[i : i + ir.dim, i : i + ir.dim], ir.matrix(t), atol=1e-12)
            i += ir.dim
    # branching rule by counting: psi_0 .. psi_l per copy of rho_l
    if basis == "real":
        assert sorted(ir.m for ir in res.irreps) == sorted([0, 1] * 2 + [0, 1, 2, 3])


def test_restrict_int_and_permutation():
    res = restrict(4)
    Q = res.change_of_basis
    assert set(np.unique(Q)) <= {0.0, 1.0}
    assert [ir.m for ir in res.irreps] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("m,L", [(0, 4), (2, 5), (-3, 4), (5, 3)])
def test_induced_multiplicities_and_realisation(m, L):
    ind = induce(m, L)
    assert ind.decomposition.multiplicities() == {Irrep(l): 1 for l in range(abs(m), L + 1)}
    if ind.dim == 0:
        return
    rng = np.random.default_rng(0)
    c = rng.normal(size=ind.dim) + 1j * rng.normal(size=ind.dim)
    g = ROTS
    t = 0.77
    # induced-space condition f(g h) = chi_m(h)^-1 f(g)
    assert np.allclose(ind.evaluate(c, g @ rot_z(t)), np.exp(-1j * m * t) * ind.evaluate(c, g))
    # left translation = action on coefficients
    g0 = ROTS[0]
    assert np.allclose(ind.evaluate(c, g0.T @ g), ind.evaluate(ind.matrix(g0) @ c, g))
    # canonical map is evaluation at the identity and is SO(2)-equivariant
    ev = ind.canonical_map()
    assert np.allclose(ev @ c, ind.evaluate(c, np.eye(3)))
    assert np.allclose(ev @ ind.matrix(rot_z(t)), np.exp(1j * m * t) * ev)


@pytest.mark.parametrize("l", range(9))
def test_frobenius_reciprocity_all_m(l):
    for m in range(-l, l + 1):
        assert frobenius_reciprocity(m, l) == (1, 1)
    assert frobenius_reciprocity(l + 1, l) == (0, 0)


def _numerical_hom_dim(mat_in, mat_out, dim_in, dim_out, elements):
    rows = [
        np.kron(mat_out(g), np.eye(dim_in)) - np.kron(np.eye(dim_out), mat_in(g).T)
        for g in elements
    ]
    sv = np.linalg.svd(np.concatenate(rows), compute_uv=False)
    return int(np.sum(sv < 1e-9)) + max(0, dim_in * dim_out - len(sv))


@pytest.mark.parametrize("a,b", [("2x0+1x1+3", "1x0+2x3"), ("1x2+1x1", "1x1+1x2+1x2"), ("0", "1")])
def test_so3_hom_basis_matches_nullspace(a, b):
    A, B = Irreps(a), Irreps(b)
    basis = hom_basis(A, B)
    for M in basis:
        for R in ROTS:
            assert np.allclose(B.matrix(R) @ M, M @ A.matrix(R), atol=1e-12)
    flat = np.array([M.ravel() for M in basis]) if basis else np.zeros((0, A.dim * B.dim))
    assert np.linalg.matrix_rank(flat) == len(basis)
    assert len(basis) == _numerical_hom_dim(A.matrix, B.matrix, A.dim, B.dim, ROTS)


@pytest.mark.parametrize(
    "a,b",
    [
        (SO2Rep("1x0+2x1+1x3"), SO2Rep("2x1+1x0+1x2")),
        (SO2Rep([1, -1, 2], real=False), restrict(2).rep),
    ],
)
def test_so2_hom_basis_matches_nullspace(a, b):
    ts = [0.4, 1.3, 2.9]
    basis = hom_basis(a, b)
    for M in basis:
        for t in ts:
            assert np.allclose(b.matrix(t) @ M, M @ a.matrix(t), atol=1e-12)
    assert len(basis) == _numerical_hom_dim(a.matrix, b.matrix, a.dim, b.dim, ts)


def test_reps_value_objects_and_parsing():
    assert Irreps("2x0+1x1+3") == Irreps([(2, 0), (1, 1), (1, 3)])
    assert hash(Irreps("1x2")) == hash(Irreps(2))
    assert SO2Irrep(1, True) == SO2Irrep(1, True) and Irrep(3).dim == 7
    assert induce(2, 4) == induce(2, 4)
    with pytest.raises(AttributeError):
        Irreps("1")._terms = ()
    with pytest.raises(InvalidParameterError):
        Irreps("2y1")
    with pytest.raises(InvalidParameterError):
        Irreps("-1")
    with pytest.raises(InvalidParameterError):
        SO2Rep("-1")  # real SO(2) irreps need k >= 0
    with pytest.raises(ReptheoryTypeError):
        hom_basis(Irreps("1"), SO2Rep("1"))
    with pytest.raises(ReptheoryError):
        restrict(2, axis="w")
    with pytest.raises(ReptheoryError):
        induce(0, -1)


def test_rotation_groups():
    G = SO3()
    R = G.random_element(3)
    assert G.contains(R) and G.n == 3 and not G.is_finite
    assert np.allclose(wigner_D(1, R) @ wigner_D(1, R).T, np.eye(3))
    H = SO2()
    assert H.contains(H.random_element(1)) and H == SO2(2)
    with pytest.raises(InvalidParameterError):
        SO3(4)
    # Haar: mean of a random rotation's trace is 0 (std ~ 1/sqrt(n))
    rng = np.random.default_rng(0)
    tr = [np.trace(G.random_element(rng)) for _ in range(2000)]
    assert abs(np.mean(tr)) < 0.1


def test_one_so3_group_for_groups_layers_and_so3():
    import pickle

    import reptheory as rt
    from reptheory import so3

    G = rt.SO3()
    assert so3.SO3 is rt.SO3 and G == rt.SO(3) and rt.SO(3) == G and hash(G) == hash(rt.SO(3))
    assert {rt.SO(3): "x"}[G] == "x" and pickle.loads(pickle.dumps(G)) == G
    # the diagram machinery of SO(n), n = 3: same basis and dimensions as SO(3)
    checked = 0
    for k, l in [(1, 1), (2, 1), (2, 2), (3, 0)]:
        assert rt.hom_dimension(G, k, l) == rt.hom_dimension(rt.SO(3), k, l)
        B = rt.layer_basis(G, k, l)
        mats = B.dense_matrices()
        assert len(mats) == rt.hom_dimension(G, k, l) > 0
        for M in mats:
            rt.assert_equivariant(M, G, k, l)
        checked += 1
    assert checked == 4
    # same random draws as SO(3), and the irreps machinery on top
    assert np.array_equal(G.random_element(11), rt.SO(3).random_element(11))
    R = G.random_element(2)
    assert np.allclose(G.wigner_D(1, R), wigner_D(1, R))
    assert G.irrep(2) == Irrep(2, 1) and G.irreps("1x1o") == Irreps("1x1")
    assert (G != rt.SO(3)) is False and (rt.SO(3) != G) is False and G != rt.O(3)


def test_irreps_accept_both_spellings_and_keep_parity():
    assert Irreps("2x0+1x1+3") == Irreps("2x0e+1x1o+1x3o") == Irreps([(2, "0e"), (1, 1), (1, 3)])
    assert Irreps("1x1e") != Irreps("1x1") and Irreps("1x1e").irreps() == [Irrep(1, 1)]
    assert str(Irreps("2x0+1x2")) == "2x0e+1x2e" and Irreps(str(Irreps("3x1e+2"))) == Irreps(
        "3x1e+2"
    )
    assert (
        Irreps("").dim == 0
        and Irreps(2) == Irreps("1x2e")
        and Irreps.spherical_harmonics(2).labels() == [0, 1, 2]
    )
    assert Irrep("1o") == Irrep(1) == (1, -1) and Irrep(1, 1).p == 1
    # the tensor-product parser is the same function and type
    from reptheory.so3._tp_util import Irrep as TPIrrep
    from reptheory.so3._tp_util import parse_irreps as tp_parse

    assert TPIrrep is Irrep and tp_parse("2x0+1x1o") == Irreps("2x0e+1x1").terms
    with pytest.raises(InvalidParameterError):
        Irrep(1, 0)
    with pytest.raises(InvalidParameterError):
        Irreps("1x1q")
    # O(3) action: parity on the inversion, O(3)-equivariant Hom bases respect it
    R = ROTS[0]
    assert np.allclose(Irrep(2, -1).matrix(-R), -wigner_D(2, R))
    assert np.allclose(Irrep(2, 1).matrix(-R), wigner_D(2, R))
    assert hom_basis(Irreps("1x1e"), Irreps("1x1o")) == []
    A, B = Irreps("1x1e+1x1o"), Irreps("2x1o")
    basis = hom_basis(A, B)
    assert len(basis) == 2
    for g in (R, -R):
        for M in basis:
            assert np.allclose(B.matrix(g) @ M, M @ A.matrix(g), atol=1e-12)


def test_deprecated_names_warn_and_alias():
    from reptheory import so3
    from reptheory._cache import cache_dir

    with pytest.warns(DeprecationWarning, match="Irreps"):
        old = so3.SO3Rep
    assert old is Irreps and old("2x0+1x1").dim == 5
    with pytest.warns(DeprecationWarning, match="Irrep"):
        assert so3.SO3Irrep is Irrep
    with pytest.warns(DeprecationWarning, match="cache_dir"):
        assert so3.cache_dir() == cache_dir("so3")
