"""Generated SO(3) tensor products, PyTorch target."""

from __future__ import annotations

import numpy as np
import pytest
from codegen_helpers import load_source
from test_codegen_tp_numpy import block_D, random_rotation

from reptheory import so3
from reptheory.codegen import generate_tensor_product

torch = pytest.importorskip("torch")

DEGREES = [(0, 0, 0), (1, 1, 2), (2, 1, 2), (3, 2, 4)]


def _t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


@pytest.mark.parametrize("degrees", DEGREES, ids=str)
def test_cg_torch_matches_reptheory(degrees, tmp_path):
    L1, L2, L_out = degrees
    mod = load_source(generate_tensor_product("cg", L1, L2, L_out, target="torch"), tmp_path)
    rng = np.random.default_rng(20 + sum(degrees))
    x1 = rng.standard_normal((4, 3, (L1 + 1) ** 2))
    x2 = rng.standard_normal((4, 3, (L2 + 1) ** 2))
    P = len(so3.tp_paths(L1, L2, L_out))
    for channels, w in ((None, rng.standard_normal(P)), (3, rng.standard_normal((P, 3)))):
        tp = mod.CGTensorProduct(channels).double()
        assert tuple(tp.weight.shape) == np.shape(w)
        with torch.no_grad():
            tp.weight.copy_(_t(w))
        z = tp(_t(x1), _t(x2))
        assert z.dtype == torch.float64
        ref = so3.cg_tensor_product(x1, x2, L_out, weights=w)
        np.testing.assert_allclose(z.detach().numpy(), ref, rtol=1e-12, atol=1e-12)
    # float32 module, only the weights in the state dict
    tp = mod.CGTensorProduct()
    assert list(tp.state_dict()) == ["weight"]
    z32 = tp(_t(x1).float(), _t(x2).float())
    assert z32.dtype == torch.float32
    np.testing.assert_allclose(z32.detach().numpy(), so3.cg_tensor_product(x1, x2, L_out),
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("degrees", DEGREES, ids=str)
def test_gaunt_torch_matches_reptheory(degrees, tmp_path):
    L1, L2, L_out = degrees
    mod = load_source(generate_tensor_product("gaunt", L1, L2, L_out, target="torch"), tmp_path)
    rng = np.random.default_rng(30 + sum(degrees))
    x1 = rng.standard_normal((5, (L1 + 1) ** 2))
    x2 = rng.standard_normal((5, (L2 + 1) ** 2))
    w1, w2, wo = (rng.standard_normal(L + 1) for L in (L1, L2, L_out))
    tp = mod.GauntTensorProduct().double()
    assert sorted(tp.state_dict()) == ["weights1", "weights2", "weights_out"]
    with torch.no_grad():
        for p, v in ((tp.weights1, w1), (tp.weights2, w2), (tp.weights_out, wo)):
            p.copy_(_t(v))
    ref = so3.gaunt_tensor_product(x1, x2, L_out, method="fourier", weights1=w1, weights2=w2,
                                   weights_out=wo)
    np.testing.assert_allclose(tp(_t(x1), _t(x2)).detach().numpy(), ref, rtol=1e-11,
                               atol=1e-11)


@pytest.mark.parametrize("kind", ["cg", "gaunt"])
def test_torch_equivariance_and_gradients(kind, tmp_path):
    L1, L2, L_out = 2, 2, 3
    mod = load_source(generate_tensor_product(kind, L1, L2, L_out, target="torch",
                                              name="Product"), tmp_path)
    tp = mod.Product().double()
    with torch.no_grad():
        for p in tp.parameters():
            p.normal_()
    rng = np.random.default_rng(4)
    x1 = rng.standard_normal((6, 9))
    x2 = rng.standard_normal((6, 9))
    for _ in range(3):
        R = random_rotation(rng)
        lhs = tp(_t(x1 @ block_D(L1, R).T), _t(x2 @ block_D(L2, R).T)).detach().numpy()
        rhs = tp(_t(x1), _t(x2)).detach().numpy() @ block_D(L_out, R).T
        np.testing.assert_allclose(lhs, rhs, rtol=1e-11, atol=1e-11)
    a = _t(x1).requires_grad_()
    tp(a, _t(x2)).square().sum().backward()
    assert a.grad is not None and torch.isfinite(a.grad).all()
    assert all(p.grad is not None for p in tp.parameters())
    with pytest.raises(ValueError, match="x2 must have shape"):
        tp(_t(x1), _t(x2[:, :4]))
