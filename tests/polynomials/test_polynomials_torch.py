"""Torch path: agreement with numpy, gradients, equivariance of the layer."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from reptheory.errors import InvalidParameterError, ShapeError
from reptheory.polynomials import evaluate_basis, polynomial_basis
from reptheory.polynomials import (  # the torch names import torch on first access
    PolynomialFeatures,
    evaluate_basis_torch,
    evaluate_torch,
)


@pytest.mark.parametrize("output", ["invariant", "node", "edge"])
@pytest.mark.parametrize("symmetric", [False, True])
def test_torch_matches_numpy(output, symmetric):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 5, 5))
    if symmetric:
        X = X + X.transpose(0, 2, 1)
    basis = polynomial_basis(3, output, symmetric, exact_degree=False)
    ref = evaluate_basis(basis, X)
    got = evaluate_basis_torch(basis, torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-10)


def test_gradients_by_finite_differences():
    basis = polynomial_basis(3, "edge", exact_degree=False)
    X = torch.randn(2, 3, 3, dtype=torch.float64, requires_grad=True)
    for p in list(basis)[::40]:
        assert torch.autograd.gradcheck(lambda Y, p=p: evaluate_torch(p, Y), (X,))


def test_layer_is_equivariant_and_trains():
    torch.manual_seed(0)
    basis = polynomial_basis(2, "edge", symmetric=True, exact_degree=False)
    layer = PolynomialFeatures(basis, out_channels=3).double()
    X = torch.randn(4, 6, 6, dtype=torch.float64)
    X = X + X.transpose(1, 2)
    perm = torch.randperm(6)
    P = torch.eye(6, dtype=torch.float64)[perm]
    out = layer(X)
    assert out.shape == (4, 3, 6, 6)
    torch.testing.assert_close(layer(P @ X @ P.T), P @ out @ P.T)
    loss = out.pow(2).mean()
    loss.backward()
    assert layer.weight.grad is not None and torch.isfinite(layer.weight.grad).all()


def test_node_and_invariant_layers():
    X = torch.randn(2, 5, 5)
    node = PolynomialFeatures(polynomial_basis(2, "node"), out_channels=2)
    inv = PolynomialFeatures(polynomial_basis(2, "invariant"), out_channels=2)
    perm = torch.randperm(5)
    Xp = X[:, perm][:, :, perm]
    torch.testing.assert_close(node(Xp), node(X)[:, :, perm], rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(inv(Xp), inv(X), rtol=1e-4, atol=1e-4)


def test_torch_bad_input():
    p = polynomial_basis(1, "edge")[0]
    with pytest.raises(ShapeError, match=r"\(n, n\)"):
        evaluate_torch(p, torch.zeros(3, 4))
    with pytest.raises(InvalidParameterError):
        PolynomialFeatures(list(polynomial_basis(1, "edge")) + list(polynomial_basis(1, "node")))
    with pytest.raises(InvalidParameterError):
        PolynomialFeatures(polynomial_basis(1, "edge"), out_channels=0)
