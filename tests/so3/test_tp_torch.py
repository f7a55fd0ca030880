"""Torch tensor-product modules: agreement with numpy, equivariance, gradcheck."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")


from _reference import random_rotation as rand_rot

from reptheory.errors import ShapeError
from reptheory.so3 import (
    cg_tensor_product,
    escn_convolution,
    gaunt_tensor_product,
    tp_paths,
    wigner_D,
)
from reptheory.torch import CGTensorProduct, ESCNConvolution, GauntTensorProduct

# method="fourier" is deprecated but stays an exact cross-check of method="grid"
pytestmark = pytest.mark.filterwarnings(
    r"ignore:.*\(method='fourier'\) is deprecated:DeprecationWarning"
)


def block_D(L, R):
    n = (L + 1) ** 2
    D = np.zeros((n, n))
    for l in range(L + 1):
        D[l * l : (l + 1) ** 2, l * l : (l + 1) ** 2] = wigner_D(l, R)
    return torch.from_numpy(D)


@pytest.mark.parametrize("method", ["dense", "sparse"])
def test_cg_module_matches_numpy_and_is_equivariant(method):
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    tp = CGTensorProduct(2, 2, 3, method=method).double()
    with torch.no_grad():
        tp.weight.copy_(torch.randn(len(tp.paths)))
    x1, x2 = torch.randn(4, 9, dtype=torch.float64), torch.randn(4, 9, dtype=torch.float64)
    ref = cg_tensor_product(x1.numpy(), x2.numpy(), 3, weights=tp.weight.detach().numpy())
    np.testing.assert_allclose(tp(x1, x2).detach().numpy(), ref, atol=1e-12)
    R = rand_rot(rng)
    out = tp(x1 @ block_D(2, R).T, x2 @ block_D(2, R).T)
    np.testing.assert_allclose(
        out.detach().numpy(), (tp(x1, x2) @ block_D(3, R).T).detach().numpy(), atol=1e-11
    )


def test_cg_module_per_channel_weights():
    tp_d = CGTensorProduct(1, 1, 2, channels=3, method="dense").double()
    tp_s = CGTensorProduct(1, 1, 2, channels=3, method="sparse").double()
    w = torch.randn(len(tp_paths(1, 1, 2)), 3, dtype=torch.float64)
    with torch.no_grad():
        tp_d.weight.copy_(w)
        tp_s.weight.copy_(w)
    x1, x2 = torch.randn(2, 3, 4, dtype=torch.float64), torch.randn(2, 3, 4, dtype=torch.float64)
    ref = cg_tensor_product(x1.numpy(), x2.numpy(), 2, weights=w.numpy())
    np.testing.assert_allclose(tp_d(x1, x2).detach().numpy(), ref, atol=1e-12)
    np.testing.assert_allclose(tp_s(x1, x2).detach().numpy(), ref, atol=1e-12)


@pytest.mark.parametrize("method", ["fourier", "grid"])
def test_gaunt_module_matches_numpy(method):
    tp = GauntTensorProduct(3, 2, 4, method=method).double()
    w1, w2, wo = torch.randn(4), torch.randn(3), torch.randn(5)
    with torch.no_grad():
        tp.weight1.copy_(w1)
        tp.weight2.copy_(w2)
        tp.weight_out.copy_(wo)
    x1, x2 = torch.randn(5, 16, dtype=torch.float64), torch.randn(5, 9, dtype=torch.float64)
    ref = gaunt_tensor_product(
        x1.numpy(), x2.numpy(), 4, method, w1.numpy(), w2.numpy(), wo.numpy()
    )
    np.testing.assert_allclose(tp(x1, x2).detach().numpy(), ref, atol=1e-12)
    # float32 path runs and agrees loosely
    out32 = tp.float()(x1.float(), x2.float())
    assert out32.dtype == torch.float32
    np.testing.assert_allclose(out32.detach().numpy(), ref, atol=1e-4)


def test_escn_module_matches_numpy_and_is_equivariant():
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    conv = ESCNConvolution(2, 3).double()
    x, r = torch.randn(5, 9, dtype=torch.float64), torch.randn(5, 3, dtype=torch.float64)
    ref = escn_convolution(x.numpy(), r.numpy(), conv.weights_dict(), 3)
    np.testing.assert_allclose(conv(x, r).detach().numpy(), ref, atol=1e-12)
    R = rand_rot(rng)
    out = conv(x @ block_D(2, R).T, r @ torch.from_numpy(R).T)
    np.testing.assert_allclose(
        out.detach().numpy(), (conv(x, r) @ block_D(3, R).T).detach().numpy(), atol=1e-11
    )


def test_gradcheck_all_modules():
    torch.manual_seed(2)
    x1 = torch.randn(2, 4, dtype=torch.float64, requires_grad=True)
    x2 = torch.randn(2, 9, dtype=torch.float64, requires_grad=True)
    for tp in (
        CGTensorProduct(1, 2, 2, method="dense").double(),
        CGTensorProduct(1, 2, 2, method="sparse").double(),
        GauntTensorProduct(1, 2, 2, method="grid").double(),
        GauntTensorProduct(1, 2, 2, method="fourier").double(),
    ):
        assert torch.autograd.gradcheck(tp, (x1, x2))
        params = list(tp.parameters())

        def f(*ps, tp=tp):  # gradient with respect to the learnable weights
            return torch.func.functional_call(
                tp,
                {n: q for (n, _), q in zip(tp.named_parameters(), ps)},
                (x1.detach(), x2.detach()),
            )

        assert torch.autograd.gradcheck(
            f, tuple(p.detach().double().requires_grad_(True) for p in params)
        )
    conv = ESCNConvolution(2, 2).double()
    x = torch.randn(3, 9, dtype=torch.float64, requires_grad=True)
    r = torch.randn(3, 3, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda a: conv(a, r), (x,))


def test_shape_errors():
    tp = CGTensorProduct(1, 1, 1)
    with pytest.raises(ShapeError, match="x2 must have last dimension 4"):
        tp(torch.randn(2, 4), torch.randn(2, 9))
    with pytest.raises(ShapeError, match="leading shape"):
        tp(torch.randn(2, 4), torch.randn(3, 4))


def test_deprecated_module_alias():
    import importlib
    import sys

    sys.modules.pop("reptheory.so3.torch_tp", None)
    with pytest.warns(DeprecationWarning, match="reptheory.torch"):
        mod = importlib.import_module("reptheory.so3.torch_tp")
    assert mod.CGTensorProduct is CGTensorProduct


def test_gaunt_fourier_deprecated_and_equal_to_grid_in_float32():
    """The deprecated Fourier route warns, stays in the input dtype (float32 in, real float32
    matmuls and complex64 FFTs) and gives the grid method's values, forward and backward."""
    with pytest.warns(DeprecationWarning, match="method='fourier'"):
        tp_f = GauntTensorProduct(3, 4, 5, method="fourier")
    with pytest.warns(DeprecationWarning, match="method='fourier'"):
        gaunt_tensor_product(np.ones((1, 4)), np.ones((1, 4)), 1, method="fourier")
    tp_g = GauntTensorProduct(3, 4, 5)
    torch.manual_seed(3)
    x1 = torch.randn(64, 16, requires_grad=True)
    x2 = torch.randn(64, 25, requires_grad=True)
    zf, zg = tp_f(x1, x2), tp_g(x1, x2)
    assert zf.dtype == torch.float32 and zf.shape == (64, 36)
    torch.testing.assert_close(zf, zg, atol=2e-5, rtol=1e-5)
    w = torch.randn(64, 36)
    gf = torch.autograd.grad((zf * w).sum(), (x1, x2))
    gg = torch.autograd.grad((zg * w).sum(), (x1, x2))
    compared = 0
    for a, b in zip(gf, gg):
        torch.testing.assert_close(a, b, atol=2e-4, rtol=1e-4)
        compared += 1
    assert compared == 2
