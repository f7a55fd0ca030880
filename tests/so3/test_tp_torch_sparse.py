"""The order-grouped sparse CG tensor product against the numpy product (dense CG tables)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from reptheory.so3 import cg_tensor_product, tp_paths
from reptheory.so3._tp_cg import _coo, _order_groups
from reptheory.torch import CGTensorProduct

# method="fourier" is deprecated but stays an exact cross-check of method="grid"
pytestmark = pytest.mark.filterwarnings(
    r"ignore:.*\(method='fourier'\) is deprecated:DeprecationWarning"
)


@pytest.mark.parametrize(
    "L1, L2, L_out, paths",
    [
        (2, 3, 4, None),
        (3, 1, 6, None),  # L_out > L1 + L2: outputs no path reaches
        (4, 4, 4, [(1, 1, 1), (4, 2, 3), (2, 2, 0), (3, 4, 4)]),  # a few paths only
        (0, 2, 2, None),
    ],
)
def test_sparse_matches_numpy(L1, L2, L_out, paths):
    rng = np.random.default_rng(L1 + 10 * L2)
    tp = CGTensorProduct(L1, L2, L_out, paths=paths, method="sparse").double()
    w = rng.normal(size=len(tp.paths))
    with torch.no_grad():
        tp.weight.copy_(torch.from_numpy(w))
    x1 = rng.normal(size=(2, 3, (L1 + 1) ** 2))
    x2 = rng.normal(size=(2, 3, (L2 + 1) ** 2))
    z = tp(torch.from_numpy(x1), torch.from_numpy(x2)).detach().numpy()
    ref = cg_tensor_product(x1, x2, L_out, weights=w, paths=tp.paths, method="dense")
    assert z.shape == ref.shape
    np.testing.assert_allclose(z, ref, atol=1e-12)


def test_sparse_per_channel_weights_and_float32():
    rng = np.random.default_rng(1)
    tp = CGTensorProduct(2, 2, 3, channels=4, method="sparse")
    w = rng.normal(size=(len(tp.paths), 4))
    with torch.no_grad():
        tp.weight.copy_(torch.from_numpy(w))
    x1, x2 = rng.normal(size=(5, 4, 9)), rng.normal(size=(5, 4, 9))
    z = tp(torch.from_numpy(x1).float(), torch.from_numpy(x2).float())
    assert z.dtype == torch.float32 and z.shape == (5, 4, 16)
    ref = cg_tensor_product(x1, x2, 3, weights=w, method="dense")
    np.testing.assert_allclose(z.detach().double().numpy(), ref, atol=2e-5)


def test_sparse_gradients():
    torch.manual_seed(2)
    tp = CGTensorProduct(2, 1, 2, channels=2, method="sparse").double()
    with torch.no_grad():
        tp.weight.copy_(torch.randn_like(tp.weight))
    x1 = torch.randn(3, 2, 9, dtype=torch.float64, requires_grad=True)
    x2 = torch.randn(3, 2, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: tp(a, b), (x1, x2))
    assert torch.autograd.gradgradcheck(lambda a, b: tp(a, b), (x1, x2))
    # the weight gradient: derivative of a linear function of the weights, by finite differences
    tp(x1, x2).pow(2).sum().backward()
    g = tp.weight.grad.clone()
    h = 1e-6
    with torch.no_grad():
        tp.weight[3, 1] += h
        fp = tp(x1, x2).pow(2).sum()
        tp.weight[3, 1] -= 2 * h
        fm = tp(x1, x2).pow(2).sum()
    assert abs(float((fp - fm) / (2 * h)) - float(g[3, 1])) < 1e-5


def test_order_groups_cover_every_entry_once():
    paths = tp_paths(3, 3, 3)
    I, J, K, _V, _P = _coo(3, 3, 3, paths)
    groups, pos, _perm, total, present = _order_groups(3, 3, 3, paths)
    assert len(set(pos.tolist())) == I.size  # every non-zero entry has its own block slot
    assert sum(len(gi) * len(outs) for gi, _, outs, _ in groups) == total
    assert present.tolist() == list(range(16))
    # the selection rule: |m3| = |m1| + |m2| or ||m1| - |m2||
    def order(k):
        l = int(np.sqrt(k))
        return k - l * l - l

    for i, j, k in zip(I, J, K):
        a, b, c = abs(order(i)), abs(order(j)), abs(order(k))
        assert c in (a + b, abs(a - b))


@pytest.mark.parametrize("method", ["grid", "fourier"])
def test_gaunt_per_channel_weights_match_numpy(method):
    from reptheory.errors import ShapeError
    from reptheory.so3 import gaunt_tensor_product
    from reptheory.torch import GauntTensorProduct

    rng = np.random.default_rng(5)
    tp = GauntTensorProduct(2, 1, 3, method=method, channels=3).double()
    ws = [rng.normal(size=(L + 1, 3)) for L in (2, 1, 3)]
    with torch.no_grad():
        for p, w in zip((tp.weight1, tp.weight2, tp.weight_out), ws):
            p.copy_(torch.from_numpy(w))
    x1, x2 = rng.normal(size=(4, 3, 9)), rng.normal(size=(4, 3, 4))
    z = tp(torch.from_numpy(x1), torch.from_numpy(x2)).detach().numpy()
    compared = 0
    for c in range(3):
        ref = gaunt_tensor_product(x1[:, c], x2[:, c], 3, method="grid", weights1=ws[0][:, c],
                                   weights2=ws[1][:, c], weights_out=ws[2][:, c])
        np.testing.assert_allclose(z[:, c], ref, atol=1e-12)
        compared += 1
    assert compared == 3
    with pytest.raises(ShapeError):
        tp(torch.randn(4, 2, 9, dtype=torch.float64), torch.randn(4, 2, 4, dtype=torch.float64))
