"""PolynomialFeatures on multi-channel, node-featured, padded batches; shared sub-contractions."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from reptheory.errors import InvalidParameterError, ShapeError
from reptheory.polynomials import evaluate_basis, polynomial_basis, with_node_features
from reptheory.polynomials._contract import LETTERS
from reptheory.polynomials import PolynomialFeatures


def _naive(p, X):
    """Independent evaluation: one numpy einsum over the edge list of H (no merging, no path)."""
    L = LETTERS[: p.num_vertices]
    b, n = X.shape[0], X.shape[-1]
    ins = ["Z" + L[r] + L[s] for r, s in p.edges] + ["Z" + c for c in L] + ["Z"]  # ones
    outs = "".join(L[v] for v in (p.outputs[:1] if p.diagonal else p.outputs))
    ones = np.ones((b, n))
    val = np.einsum(f"{','.join(ins)}->Z{outs}", *([X] * len(p.edges) + [ones] * len(L) + [ones[:, 0]]))
    if p.diagonal:
        val = np.stack([np.diag(v) for v in val])
    return val


@pytest.mark.parametrize("output", ["invariant", "node", "edge"])
def test_channels_and_node_features_match_numpy(output):
    rng = np.random.default_rng(1)
    basis = polynomial_basis(3, output, exact_degree=False)
    b, c, n = 2, 3, 4
    X = rng.normal(size=(b, c, n, n))
    h = rng.normal(size=(b, c, n))
    layer = PolynomialFeatures(basis, 2, in_channels=c, node_channels=c, normalize=False)
    got = layer.features(torch.from_numpy(X), torch.from_numpy(h)).numpy()
    k = len(basis)
    assert got.shape[:2] == (b, c * k)
    compared = 0
    for ch in range(c):
        Y = with_node_features(X[:, ch], h[:, ch])
        for i, p in enumerate(basis):
            np.testing.assert_allclose(got[:, ch * k + i], _naive(p, Y), rtol=1e-9, atol=1e-9)
            compared += 1
    assert compared == c * k
    # one node channel is added to every edge channel
    one = PolynomialFeatures(basis, 2, in_channels=c, node_channels=1, normalize=False)
    got1 = one.features(torch.from_numpy(X), torch.from_numpy(h[:, :1])).numpy()
    ref1 = np.concatenate([evaluate_basis(basis, with_node_features(X[:, ch], h[:, 0]))
                           for ch in range(c)], axis=1)
    np.testing.assert_allclose(got1, ref1, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("output", ["invariant", "node", "edge"])
def test_padded_batch_equals_each_graph_alone(output):
    rng = np.random.default_rng(7)
    torch.manual_seed(3)
    basis = polynomial_basis(3, output, symmetric=True, exact_degree=False)
    c = 2
    layer = PolynomialFeatures(basis, 3, in_channels=c, node_channels=1, bias=True).double()
    sizes = [5, 3, 6, 4]
    N = max(sizes)
    X = torch.from_numpy(rng.normal(size=(len(sizes), c, N, N)) * 3)  # junk in the padding
    X = X + X.transpose(-1, -2)
    h = torch.from_numpy(rng.normal(size=(len(sizes), 1, N)) * 3)
    mask = torch.zeros(len(sizes), N, dtype=torch.bool)
    for g, m in enumerate(sizes):
        mask[g, :m] = True
    out = layer(X, h, mask=mask)
    compared = 0
    for g, m in enumerate(sizes):
        perm = torch.from_numpy(rng.permutation(m))
        Xg = X[g:g + 1, :, :m, :m][:, :, perm][:, :, :, perm]
        alone = layer(Xg, h[g:g + 1, :, :m][:, :, perm])
        mine = out[g:g + 1]
        if output == "node":
            mine, rest = mine[..., :m][..., perm], mine[..., m:]
        elif output == "edge":
            rest = torch.cat([mine[..., m:, :].flatten(), mine[..., :, m:].flatten()])
            mine = mine[..., :m, :m][..., perm, :][..., perm]
        else:
            rest = torch.zeros(0, dtype=out.dtype)
        torch.testing.assert_close(mine, alone, rtol=1e-9, atol=1e-9)
        assert bool((rest == 0).all())
        compared += 1
    assert compared == len(sizes)


def test_shared_subcontractions_agree_with_fresh_evaluation():
    rng = np.random.default_rng(2)
    basis = polynomial_basis(4, "edge", exact_degree=False)
    X = rng.normal(size=(2, 5, 5))
    shared = evaluate_basis(basis, X)
    compared = 0
    for i, p in enumerate(basis[::7]):
        np.testing.assert_allclose(shared[:, 7 * i], _naive(p, X), rtol=1e-8, atol=1e-8)
        compared += 1
    assert compared > 10
    # the torch path shares the same way
    from reptheory.polynomials import evaluate_basis_torch

    np.testing.assert_allclose(evaluate_basis_torch(basis, torch.from_numpy(X)).numpy(), shared,
                               rtol=1e-9, atol=1e-9)


def test_integer_adjacency_is_evaluated_in_floating_point():
    A = torch.tensor([[0, 1, 1], [1, 0, 1], [1, 1, 0]])
    tri = polynomial_basis(3, "invariant", symmetric=True)
    layer = PolynomialFeatures(tri, 1, normalize=True)
    ref = layer.features(A.double()[None])
    got = layer.features(A[None])
    assert got.dtype == torch.float32 and float(ref.abs().max()) > 0
    torch.testing.assert_close(got.double(), ref, rtol=1e-6, atol=1e-6)


def test_bad_input():
    basis = polynomial_basis(1, "edge")
    layer = PolynomialFeatures(basis, 2, in_channels=3, node_channels=3)
    with pytest.raises(ShapeError, match="square"):
        layer(torch.zeros(2, 3, 4, 5), torch.zeros(2, 3, 4))
    with pytest.raises(ShapeError, match="in_channels = 3"):
        layer(torch.zeros(2, 2, 4, 4), torch.zeros(2, 3, 4))
    with pytest.raises(ShapeError, match="in_channels = 3"):
        layer(torch.zeros(2, 4, 4))
    with pytest.raises(ShapeError, match="node_features"):
        layer(torch.zeros(2, 3, 4, 4), torch.zeros(2, 2, 4))
    with pytest.raises(ShapeError, match="node_features"):
        layer(torch.zeros(2, 3, 4, 4))
    with pytest.raises(ShapeError, match="mask"):
        layer(torch.zeros(2, 3, 4, 4), torch.zeros(2, 3, 4), mask=torch.ones(2, 5, dtype=torch.bool))
    with pytest.raises(InvalidParameterError, match="node_channels"):
        PolynomialFeatures(basis, 2, in_channels=3, node_channels=2)
    with pytest.raises(InvalidParameterError, match="in_channels"):
        PolynomialFeatures(basis, 2, in_channels=0)
    with pytest.raises(ShapeError, match="node_channels = 0"):
        PolynomialFeatures(basis, 2)(torch.zeros(1, 3, 3), torch.zeros(1, 1, 3))
