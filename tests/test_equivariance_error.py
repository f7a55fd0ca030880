"""reptheory.testing.equivariance_error and the shared group actions (numpy side)."""

import itertools

import numpy as np
import pytest

import reptheory as rt
from reptheory.groups import permutation_matrix, tensor_power
from reptheory.testing import (
    TrivialGroup,
    act_on_axes,
    assert_equivariant,
    equivariance_error,
    group_action,
)


def _layer(group, k, l, seed):
    basis = rt.layer_basis(group, k, l)
    w = np.random.default_rng(seed).standard_normal((1, 1, len(basis)))
    return basis, w


@pytest.mark.parametrize("group,k,l", [(rt.S(4), 2, 2), (rt.A(4), 1, 3), (rt.O(3), 2, 2),
                                       (rt.SO(3), 1, 2), (rt.Sp(4), 2, 2)])
def test_equivariant_layers_have_zero_error(group, k, l):
    basis, w = _layer(group, k, l, seed=1)
    assert len(basis) > 0
    f = lambda x: basis.apply(w, x)
    assert equivariance_error(f, group, k, l, input_shape=(3, 1), n_samples=4) < 1e-10
    # the dense matrix of the same layer, checked exactly on basis vectors
    M = sum(wb * m.toarray() for wb, m in zip(w[0, 0], basis.matrices()))
    assert equivariance_error(M, group, k, l) < 1e-10


@pytest.mark.parametrize("group,k,l", [(rt.S(4), 2, 2), (rt.O(3), 2, 2), (rt.Sp(4), 1, 1)])
def test_broken_layer_is_clearly_nonzero(group, k, l):
    basis, w = _layer(group, k, l, seed=2)
    n = group.n
    B = np.random.default_rng(3).standard_normal((n,) * (k + l))
    eps = 0.1

    def f(x):  # equivariant part + eps * a generic linear map
        extra = np.tensordot(x, B, axes=(list(range(x.ndim - k, x.ndim)), list(range(l, l + k))))
        return basis.apply(w, x) + eps * extra

    err = equivariance_error(f, group, k, l, input_shape=(3, 1), n_samples=4)
    assert 1e-3 < err <= 2.0
    with pytest.raises(AssertionError, match="not equivariant"):
        assert_equivariant(f, group, k, l, input_shape=(3, 1))


def test_matrix_error_matches_brute_force_over_generators():
    # S_3 on R^3 -> (R^3)^{⊗2}: exact over the generators, against Kronecker powers
    rng = np.random.default_rng(4)
    M = rng.standard_normal((9, 3))
    G = rt.S(3)
    gens = G.generators()
    errs, scales = [], [np.abs(M).max()]
    for g in gens:
        errs.append(np.abs(tensor_power(g, 2) @ M - M @ g).max())
        scales.append(np.abs(M @ g).max())
    expected = max(errs) / max(scales)
    got = equivariance_error(M, G, 1, 2, n_samples=0)
    assert len(gens) == 2 and expected > 0.1
    assert got == pytest.approx(expected, rel=1e-12)
    assert equivariance_error(M, G, 1, 2, n_samples=0, relative=False) == pytest.approx(max(errs))


def test_function_error_matches_brute_force_over_whole_group():
    # a nonlinear function on R^3: the max over all 6 elements of S_3 by brute force
    rng = np.random.default_rng(5)
    W = rng.standard_normal((3, 3))
    f = lambda x: np.tanh(x @ W.T)
    x = rng.standard_normal((7, 3))
    worst, scale, count = 0.0, 0.0, 0
    for perm in itertools.permutations(range(3)):
        P = permutation_matrix(perm)
        lhs, rhs = f(x @ P.T), f(x) @ P.T
        worst = max(worst, np.abs(lhs - rhs).max())
        scale = max(scale, np.abs(f(x)).max(), np.abs(lhs).max())
        count += 1
    assert count == 6
    # generators plus every element as "samples": use the permutation group's elements directly
    class Enumerated(rt.SymmetricGroup):
        __slots__ = ()

        def generators(self):
            return [permutation_matrix(p) for p in itertools.permutations(range(3))]

    got = equivariance_error(f, Enumerated(3), 1, 1, n_samples=0, x=x)
    assert got == pytest.approx(worst / scale, rel=1e-12)


def test_so3_irreps_spherical_harmonics():
    from reptheory.so3 import spherical_harmonics_all

    f = lambda x: spherical_harmonics_all(2, x)
    kw = {"input_shape": (6,)}
    assert equivariance_error(f, rt.O(3), 1, "0e+1o+2e", n_samples=4, **kw) < 1e-12
    assert equivariance_error(f, rt.SO3(), 1, rt.so3.Irreps("0+1+2"), n_samples=4, **kw) < 1e-12
    # wrong parity is caught by the reflection (a generator of O(3))
    assert equivariance_error(f, rt.O(3), 1, "0e+1e+2e", n_samples=0, **kw) > 0.1
    # irreps on the input side: the vector irrep 1o holds (y, z, x)
    P = np.array([[0.0, 1, 0], [0, 0, 1], [1, 0, 0]])
    g = lambda v: np.linalg.norm(v, axis=-1, keepdims=True) * (v @ P.T)
    assert equivariance_error(g, rt.O(3), 1, "1x1o", n_samples=3) < 1e-12
    assert equivariance_error(g, rt.O(3), 1, 1, n_samples=3) > 0.1


def test_direct_product_point_clouds():
    mean = lambda x: x.mean(axis=-2)
    first = lambda x: x[..., 0, :]
    grp = (rt.S(5), rt.O(3))
    assert equivariance_error(mean, grp, (1, 1), (0, 1), input_shape=(4,)) < 1e-12
    assert equivariance_error(first, grp, (1, 1), (0, 1), input_shape=(4,)) > 0.1
    # first point is O(3)-equivariant: only the permutation factor breaks it
    assert equivariance_error(first, (TrivialGroup(5), rt.O(3)), (1, 1), (0, 1),
                              input_shape=(4,)) < 1e-12


def test_act_on_axes_matches_kron_for_product():
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((2, 2)), rng.standard_normal((3, 3))
    x = rng.standard_normal((4, 2, 3))
    ref = (np.kron(a, b) @ x.reshape(4, 6).T).T.reshape(x.shape)
    assert np.allclose(act_on_axes([a, b], x), ref)


def test_action_parsing_and_axes():
    act = group_action((rt.S(4), rt.O(3)), (1, "2x0e+1x1o"), (2, 0))
    assert act.in_axes == (4, 5) and act.out_axes == (4, 4)
    els = act.elements(3, 0)
    assert len(els) == 2 + 1 + 3      # S_4 generators, the O(3) reflection, 3 samples
    assert all(rt.O(3).contains(e[1]) and rt.S(4).contains(e[0]) for e in els)


def test_non_finite_outputs_fail():
    with pytest.raises(AssertionError, match="non-finite"):
        assert_equivariant(lambda x: x * np.nan, rt.S(3), 1, 1)
    with pytest.raises(AssertionError, match="non-finite"):
        assert_equivariant(lambda x: x * np.inf, rt.O(3), 1, 1)
    with pytest.raises(rt.InvalidParameterError, match="non-finite"):
        equivariance_error(lambda x: x * np.nan, rt.S(3), 1, 1)
    with pytest.raises(rt.InvalidParameterError, match="non-finite"), \
            np.errstate(invalid="ignore"):
        equivariance_error(np.full((3, 3), np.inf), rt.S(3), 1, 1)


def test_bad_input_errors():
    # the representation does not match what the function accepts
    W = np.ones((4, 4))
    with pytest.raises(rt.ShapeError, match="trailing axes"):
        equivariance_error(lambda x: x @ W, rt.S(3), 1, 1)
    # ... or what it returns
    with pytest.raises(rt.ShapeError, match="output"):
        equivariance_error(lambda x: x.sum(axis=-1), rt.S(3), 1, 1)
    with pytest.raises(rt.ShapeError, match="x must end in axes"):
        equivariance_error(lambda x: x, rt.S(3), 1, 1, x=np.ones((2, 4)))
    with pytest.raises(rt.ReptheoryTypeError, match="reptheory Group"):
        equivariance_error(lambda x: x, "S3", 1, 1)
    with pytest.raises(rt.InvalidParameterError, match="irreps"):
        equivariance_error(lambda x: x, rt.S(3), "1x1o", 1)
    with pytest.raises(rt.InvalidParameterError, match="tuples"):
        equivariance_error(lambda x: x, (rt.S(3), rt.O(3)), 1, 1)
    with pytest.raises(rt.InvalidParameterError, match="n_samples >= 1"):
        equivariance_error(lambda x: x, rt.SO(3), 1, 1, n_samples=0)

    class NoSampler(rt.SymmetricGroup):
        __slots__ = ()

        def random_element(self, rng=None):
            raise NotImplementedError

    with pytest.raises(rt.InvalidParameterError, match="no sampler"):
        equivariance_error(lambda x: x, NoSampler(3), 1, 1)
    # a finite group without a sampler still works exactly over its generators
    assert equivariance_error(lambda x: x, NoSampler(3), 1, 1, n_samples=0) == 0.0


def test_zero_function_and_given_inputs():
    assert equivariance_error(lambda x: 0 * x, rt.O(3), 1, 1) == 0.0
    x = np.random.default_rng(7).standard_normal((5, 3))
    assert equivariance_error(lambda v: 2 * v, rt.O(3), 1, 1, x=x) < 1e-14


def test_torch_module_float32():
    torch = pytest.importorskip("torch")
    from reptheory.torch import EquivariantLinear

    torch.manual_seed(0)
    layer = EquivariantLinear(rt.S(4), 2, 1, in_channels=1, out_channels=2)
    assert equivariance_error(layer, rt.S(4), 2, 1, input_shape=(3, 1)) < 1e-5
    lin = torch.nn.Linear(4, 4)
    assert equivariance_error(lin, rt.S(4), 1, 1) > 1e-2
