"""Empty inputs: a batch of size 0, zero channels and a dimension-0 basis give correctly shaped
empty or zero results on every backend (and zero gradients for torch)."""

from __future__ import annotations

import numpy as np
import pytest
from kernels_helpers import available_backends

import reptheory as rt

BACKENDS = available_backends()


def _as_numpy(y):
    return y.detach().cpu().numpy() if hasattr(y, "detach") else np.asarray(y)


def test_the_empty_basis_is_empty():
    assert len(rt.layer_basis(rt.O(3), 1, 2)) == 0


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_empty_inputs(backend, dtype):
    full = rt.layer_basis(rt.S(3), 2, 2)
    empty = rt.layer_basis(rt.O(3), 1, 2)
    cases = [  # (basis, weights shape, x shape, expected y shape)
        (full, (2, 1, len(full)), (0, 1, 3, 3), (0, 2, 3, 3)),      # batch 0
        (full, (2, 0, len(full)), (4, 0, 3, 3), (4, 2, 3, 3)),      # no input channel
        (full, (0, 1, len(full)), (4, 1, 3, 3), (4, 0, 3, 3)),      # no output channel
        (empty, (3, 1, 0), (2, 1, 3), (2, 3, 3, 3)),                # dimension-0 basis
        (empty, (3, 1, 0), (0, 1, 3), (0, 3, 3, 3)),
    ]
    for B, ws, xs, ys in cases:
        w = np.ones(ws, dtype=dtype)
        x = np.ones(xs, dtype=dtype)
        y = _as_numpy(B.apply(w, x, backend=backend))
        assert y.shape == ys and y.dtype == dtype
        assert not np.any(y)
    assert len(cases) == 5


def test_torch_empty_gradients():
    torch = pytest.importorskip("torch")
    from reptheory.torch import EquivariantLinear

    layer = EquivariantLinear(rt.S(3), 2, 2, 2, 3)
    x = torch.ones(0, 2, 3, 3, requires_grad=True)
    y = layer(x)
    assert y.shape == (0, 3, 3, 3)
    y.sum().backward()
    assert x.grad.shape == x.shape
    assert layer.weight.grad is not None and not layer.weight.grad.any()
    empty = EquivariantLinear(rt.O(3), 1, 2, 1, 2, bias=False)
    assert empty.weight.shape == (2, 1, 0)
    x = torch.randn(4, 1, 3, requires_grad=True)
    y = empty(x)
    assert y.shape == (4, 2, 3, 3) and not y.any()
    y.sum().backward()
    assert not x.grad.any()


@pytest.mark.parametrize("backend", ["numpy", "numpy-plan", "numba", "torch"])
def test_empty_basis_layer_matrix(backend):
    B = rt.layer_basis(rt.O(3), 1, 2)
    M = _as_numpy(B.layer_matrix(np.ones((2, 1, 0)), backend=backend, sparse=False))
    assert M.shape == (2 * 9, 3) and not M.any()


@pytest.mark.parametrize("backend", ["numpy", "numpy-plan", "numba"])
def test_numpy_equivariant_linear_batch_zero(backend):
    """A batch of size 0 gives the empty result with the shape and dtype of a non-empty batch."""
    from reptheory.numpy import EquivariantLinear

    compared = 0
    for group, k, l in [(rt.S(4), 1, 2), (rt.S(3), 0, 2), (rt.O(3), 1, 2), (rt.Sp(4), 2, 0)]:
        for dtype in (np.float32, np.float64):
            layer = EquivariantLinear(group, k, l, 3, 5, rng=1, backend=backend, dtype=dtype)
            x = np.ones((2, 3) + (group.n,) * k, dtype=dtype)
            full = layer(x)
            empty = layer(x[:0])
            assert full.shape == (2, 5) + (group.n,) * l
            assert empty.shape == (0,) + full.shape[1:] and empty.dtype == full.dtype
            compared += 1
    assert compared == 8
