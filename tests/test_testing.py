"""reptheory.testing.assert_equivariant on matrices, callables and failures."""

import numpy as np
import pytest

import reptheory as rt
from reptheory.testing import act_on_tensor, assert_equivariant


def test_act_on_tensor_matches_kron():
    rng = np.random.default_rng(0)
    g = rng.standard_normal((3, 3))
    x = rng.standard_normal((2, 3, 3, 3))
    ref = (np.kron(np.kron(g, g), g) @ x.reshape(2, -1).T).T.reshape(x.shape)
    assert np.allclose(act_on_tensor(g, x, 3), ref)


def test_matrix_pass_and_fail():
    n = 4
    assert_equivariant(np.eye(n) + 2 * np.ones((n, n)), rt.S(n), 1, 1)
    with pytest.raises(AssertionError, match="not equivariant under S\\(4\\)"):
        assert_equivariant(np.triu(np.ones((n, n))), rt.S(n), 1, 1)


def test_callable_pass_and_fail():
    n = 3
    assert_equivariant(lambda x: x.sum(axis=-1, keepdims=True) * np.ones(n), rt.S(n), 1, 1)
    with pytest.raises(AssertionError, match=r"f\(g.x\) - g.f\(x\)"):
        assert_equivariant(lambda x: np.cumsum(x, axis=-1), rt.S(n), 1, 1)


def test_matrix_shape_error():
    with pytest.raises(rt.ShapeError, match=r"\(3\*\*2, 3\*\*1\)"):
        assert_equivariant(np.eye(3), rt.S(3), 1, 2)


def test_torch_module_is_accepted():
    torch = pytest.importorskip("torch")
    n = 3

    class Mean(torch.nn.Module):
        def forward(self, x):
            return x.mean(dim=-1, keepdim=True).expand_as(x) + x

    assert_equivariant(Mean(), rt.S(n), 1, 1)
