"""Groups O(n), SO(n), Sp(n), A_n: membership, generators, Lie algebras, bad input."""

import itertools

import numpy as np
import pytest

import reptheory as rt
from reptheory.errors import InvalidParameterError, ReptheoryError, ReptheoryTypeError
from reptheory.groups import (
    SO,
    A,
    AlternatingGroup,
    O,
    OrthogonalGroup,
    Sp,
    SpecialOrthogonalGroup,
    SymplecticGroup,
    group_from_name,
    permutation_sign,
    symplectic_form,
)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_orthogonal_elements(n):
    rng = np.random.default_rng(0)
    for G in (O(n), SO(n)):
        for _ in range(5):
            g = G.random_element(rng)
            assert np.allclose(g.T @ g, np.eye(n))
            assert G.contains(g)
        for X in G.lie_algebra_basis():
            assert np.allclose(X, -X.T)
    assert len(O(n).lie_algebra_basis()) == n * (n - 1) // 2
    dets = [np.linalg.det(SO(n).random_element(rng)) for _ in range(5)]
    assert np.allclose(dets, 1.0)
    R = O(n).generators()[0]
    assert np.isclose(np.linalg.det(R), -1.0) and not SO(n).contains(R)


def test_orthogonal_haar_spread():
    # the mean of a Haar-random orthogonal matrix is 0; E[g_00^2] = 1/n
    rng = np.random.default_rng(1)
    gs = np.array([O(3).random_element(rng) for _ in range(3000)])
    assert np.abs(gs.mean(axis=0)).max() < 0.06
    assert abs((gs[:, 0, 0] ** 2).mean() - 1 / 3) < 0.03


@pytest.mark.parametrize("n", [2, 4, 6])
def test_symplectic(n):
    G = Sp(n)
    J = G.form
    assert J.dtype.kind == "i" and not J.flags.writeable
    # Darboux ordering: omega(e_{2a}, e_{2a+1}) = 1
    for a in range(n // 2):
        assert J[2 * a, 2 * a + 1] == 1 and J[2 * a + 1, 2 * a] == -1
    assert np.array_equal(J @ J, -np.eye(n, dtype=int))
    rng = np.random.default_rng(2)
    for _ in range(4):
        g = G.random_element(rng)
        assert np.allclose(g.T @ J @ g, J) and np.allclose(g @ J @ g.T, J)
        assert G.contains(g)
    basis = G.lie_algebra_basis()
    assert len(basis) == n * (n + 1) // 2
    for X in basis:
        assert np.allclose(X.T @ J + J @ X, 0)
    flat = np.array([X.ravel() for X in basis])
    assert np.linalg.matrix_rank(flat) == len(basis)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_alternating_generators_generate(n):
    G = A(n)
    gens = [np.argmax(g, axis=0) for g in G.generators()]   # g e_j = e_perm[j]
    for p in gens:
        assert permutation_sign(list(p)) == 1
    # closure of the generators has n!/2 elements (1 for n <= 2)
    seen = {tuple(range(n))}
    frontier = list(seen)
    while frontier:
        new = []
        for s in frontier:
            for p in gens:
                t = tuple(int(p[s[i]]) for i in range(n))
                if t not in seen:
                    seen.add(t)
                    new.append(t)
        frontier = new
    assert len(seen) == G.order
    rng = np.random.default_rng(3)
    for _ in range(5):
        assert G.contains(G.random_element(rng))


def test_permutation_sign_against_inversions():
    for p in itertools.permutations(range(5)):
        inv = sum(1 for i in range(5) for j in range(i + 1, 5) if p[i] > p[j])
        assert permutation_sign(p) == (-1) ** inv


def test_alternating_rejects_odd_permutations():
    with pytest.raises(InvalidParameterError):
        A(3).defining_matrix([1, 0, 2])
    assert A(3).defining_matrix([1, 2, 0]).shape == (3, 3)
    assert not A(3).contains(rt.S(3).defining_matrix([1, 0, 2]))


def test_bad_input():
    for bad in (3, 5):
        with pytest.raises(InvalidParameterError, match="even"):
            Sp(bad)
        with pytest.raises(InvalidParameterError, match="even"):
            symplectic_form(bad)
    for G in (O, SO, A):
        with pytest.raises(InvalidParameterError):
            G(0)
        with pytest.raises(ReptheoryTypeError):
            G(2.0)
    with pytest.raises(InvalidParameterError):
        Sp(0)
    with pytest.raises(ReptheoryError):
        Sp(-2)


def test_value_objects_and_registry():
    assert O(3) == O(3) and O(3) != SO(3) and hash(Sp(4)) == hash(Sp(4))
    assert repr(A(4)) == "A(4)" and repr(Sp(4)) == "Sp(4)"
    assert not isinstance(A(4), rt.SymmetricGroup)
    for name, cls in [("A", AlternatingGroup), ("O", OrthogonalGroup),
                      ("SO", SpecialOrthogonalGroup), ("Sp", SymplecticGroup)]:
        assert type(group_from_name(name, 4)) is cls
