"""Tests of the group base and S_n (checked against independent numpy constructions)."""

import itertools

import numpy as np
import pytest

import reptheory as rt
from reptheory.groups import permutation_matrix, tensor_power


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_symmetric_random_element_is_permutation_matrix(n):
    g = rt.S(n).random_element(np.random.default_rng(n))
    assert g.shape == (n, n)
    assert np.array_equal(g @ g.T, np.eye(n))
    assert set(np.unique(g)) <= {0.0, 1.0}


@pytest.mark.parametrize("n", [2, 3, 4])
def test_generators_generate_whole_group(n):
    # close the generator set under multiplication and compare with n!
    gens = [tuple(map(tuple, g.astype(int))) for g in rt.S(n).generators()]
    seen = set(gens)
    frontier = list(gens)
    while frontier:
        new = []
        for a in frontier:
            for b in gens:
                c = tuple(map(tuple, (np.array(a) @ np.array(b))))
                if c not in seen:
                    seen.add(c)
                    new.append(c)
        frontier = new
    assert len(seen) == len(list(itertools.permutations(range(n))))


def test_permutation_matrix_convention():
    # P e_i = e_{perm[i]}
    perm = [2, 0, 1]
    P = permutation_matrix(perm)
    for i in range(3):
        assert np.array_equal(P @ np.eye(3)[i], np.eye(3)[perm[i]])


def test_tensor_power_matches_kron():
    g = np.arange(4.0).reshape(2, 2)
    assert np.array_equal(tensor_power(g, 2), np.kron(g, g))
    assert np.array_equal(tensor_power(g, 0), np.eye(1))


def test_value_semantics():
    assert rt.S(3) == rt.S(3)
    assert rt.S(3) != rt.S(4)
    assert hash(rt.S(3)) == hash(rt.SymmetricGroup(3))
    with pytest.raises(AttributeError):
        rt.S(3)._n = 4


@pytest.mark.parametrize("bad", [0, -1])
def test_bad_n(bad):
    with pytest.raises(rt.InvalidParameterError, match="n must be an integer >= 1"):
        rt.S(bad)


def test_non_integer_n():
    with pytest.raises(rt.ReptheoryTypeError, match="n must be an integer"):
        rt.S(2.5)
    with pytest.raises(ValueError):
        rt.S("3")


def test_group_from_name_unknown():
    with pytest.raises(rt.InvalidParameterError, match="group must be one of"):
        rt.group_from_name("Q", 3)
