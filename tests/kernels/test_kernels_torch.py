"""The torch layer: gradients, equivariance of a small network, tracing, state_dict, CUDA."""

from __future__ import annotations

import os

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import reptheory as rt
from reptheory.errors import BackendUnavailableError, ReptheoryTypeError, ShapeError
from reptheory.testing import act_on_tensor
from reptheory.torch import EquivariantLinear


def test_matches_layer_matrix_and_bias():
    torch.manual_seed(0)
    G = rt.S(3)
    layer = EquivariantLinear(G, 2, 2, 2, 3, dtype=torch.float64)
    with torch.no_grad():
        layer.bias.normal_()
    x = torch.randn(4, 2, 3, 3, dtype=torch.float64)
    y = layer(x).detach().numpy()
    M = layer.basis.layer_matrix(layer.weight.detach().numpy(), sparse=False)
    # bias: independent construction of the S_3-invariant (0, 2) tensors: identity and all-ones
    bias = layer.bias.detach().numpy()
    E = {"{1,2}": np.eye(3), "{1} {2}": np.ones((3, 3))}
    names = rt.layer_basis(G, 0, 2).spec.element_names
    b = sum(bias[:, i, None, None] * E[nm][None] for i, nm in enumerate(names))
    ref = (x.numpy().reshape(4, -1) @ M.T).reshape(4, 3, 3, 3) + b[None]
    np.testing.assert_allclose(y, ref, atol=1e-12)


@pytest.mark.parametrize("k,l", [(1, 1), (2, 1), (1, 2), (2, 2), (0, 2), (3, 1)])
def test_gradcheck_float64(k, l):
    torch.manual_seed(1)
    layer = EquivariantLinear(rt.S(3), k, l, 2, 2, dtype=torch.float64)
    x = torch.randn(2, 2, *([3] * k), dtype=torch.float64, requires_grad=True)
    params = [layer.weight] + ([layer.bias] if layer.bias is not None else [])

    def f(x, *p):
        return torch.func.functional_call(layer, dict(zip(["weight", "bias"], p)), (x,))

    assert torch.autograd.gradcheck(f, (x, *params), eps=1e-6, atol=1e-6)


def test_gradcheck_constant_spec():
    from kernels_helpers import eps_specs, j_spec

    from reptheory.kernels._torch import apply_spec

    for spec in (j_spec(4), eps_specs()[2]):
        x = torch.randn(2, 2, *([spec.n] * spec.k), dtype=torch.float64, requires_grad=True)
        w = torch.randn(2, 2, len(spec), dtype=torch.float64, requires_grad=True)
        assert torch.autograd.gradcheck(lambda x, w, spec=spec: apply_spec(spec, w, x), (x, w))


def test_three_layer_network_is_equivariant():
    torch.manual_seed(2)
    n = 4
    G = rt.S(n)
    net = torch.nn.Sequential(
        EquivariantLinear(G, 2, 2, 1, 4, dtype=torch.float64), torch.nn.ReLU(),
        EquivariantLinear(G, 2, 1, 4, 4, dtype=torch.float64), torch.nn.Tanh(),
        EquivariantLinear(G, 1, 1, 4, 2, dtype=torch.float64))
    with torch.no_grad():
        for m in net:
            if isinstance(m, EquivariantLinear):
                m.bias.normal_()
    x = np.random.default_rng(0).standard_normal((3, 1, n, n))
    y = net(torch.as_tensor(x)).detach().numpy()
    rng = np.random.default_rng(5)
    for _ in range(4):
        g = G.random_element(rng)
        gy = net(torch.as_tensor(act_on_tensor(g, x, 2))).detach().numpy()
        np.testing.assert_allclose(gy, act_on_tensor(g, y, 1), atol=1e-10)
    # and a non-permutation matrix breaks it (the check can fail)
    g = np.linalg.qr(rng.standard_normal((n, n)))[0]
    gy = net(torch.as_tensor(act_on_tensor(g, x, 2))).detach().numpy()
    assert np.abs(gy - act_on_tensor(g, y, 1)).max() > 1e-3
    rt.assert_equivariant(net[0], G, 2, 2)


def test_initialisation_preserves_variance():
    torch.manual_seed(3)
    n, c = 6, 16
    layer = EquivariantLinear(rt.S(n), 2, 2, c, c, dtype=torch.float64)
    # ||D_pi||_F^2 = n^(number of blocks): independent check of the init scale
    total = sum(n ** d.num_blocks for d in layer.basis)
    assert layer.weight.std().item() == pytest.approx((n**2 / (c * total)) ** 0.5, rel=0.1)
    var = []
    for _ in range(8):
        layer.reset_parameters()
        var.append(layer(torch.randn(32, c, n, n, dtype=torch.float64)).var().item())
    assert 0.5 < np.mean(var) < 2.0, var


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_jit_trace_state_dict_and_repr():
    torch.manual_seed(4)
    layer = EquivariantLinear(rt.S(4), 1, 2, 3, 5)
    x = torch.randn(2, 3, 4)
    traced = torch.jit.trace(layer, x)
    x2 = torch.randn(7, 3, 4)
    torch.testing.assert_close(traced(x2), layer(x2))
    sd = layer.state_dict()
    assert set(sd) == {"weight", "bias"}
    other = EquivariantLinear(rt.S(4), 1, 2, 3, 5)
    other.load_state_dict(sd)
    torch.testing.assert_close(other(x2), layer(x2))
    r = repr(layer)
    assert "S(4)" in r and "in_channels=3" in r and "out_channels=5" in r and "k=1, l=2" in r


def test_no_bias_parameter_when_invariant_space_is_zero():
    layer = EquivariantLinear(rt.S(3), 1, 1, 1, 1, bias=False)
    assert layer.bias is None and set(layer.state_dict()) == {"weight"}


def test_bad_inputs():
    layer = EquivariantLinear(rt.S(3), 2, 1, 2, 2)
    with pytest.raises(ShapeError, match=r"\(batch, 2, 3, 3\)"):
        layer(torch.randn(4, 2, 3))
    with pytest.raises(ReptheoryTypeError, match="dtype"):
        layer(torch.randn(4, 2, 3, 3, dtype=torch.float64))
    with pytest.raises(ReptheoryTypeError, match="dtype"):
        EquivariantLinear(rt.S(3), 1, 1, 1, 1, dtype=torch.int64)
    if not torch.cuda.is_available():
        with pytest.raises(BackendUnavailableError, match="CUDA"):
            EquivariantLinear(rt.S(3), 1, 1, 1, 1, device="cuda")


def test_layer_matrix_torch_is_differentiable():
    B = rt.layer_basis(rt.S(3), 2, 1, kind="orbit")
    w = torch.randn(2, 3, len(B), dtype=torch.float64, requires_grad=True)
    M = B.layer_matrix(w, backend="torch")
    ref = B.layer_matrix(w.detach().numpy(), sparse=False)
    np.testing.assert_allclose(M.detach().numpy(), ref, atol=1e-12)
    M.sum().backward()
    assert w.grad is not None and w.grad.shape == w.shape


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda_matches_cpu():  # pragma: no cover - needs a GPU
    torch.manual_seed(6)
    layer = EquivariantLinear(rt.S(4), 2, 2, 3, 3, dtype=torch.float64)
    x = torch.randn(5, 3, 4, 4, dtype=torch.float64)
    y = layer(x)
    layer_gpu = layer.to("cuda")
    torch.testing.assert_close(layer_gpu(x.cuda()).cpu(), y)
    B = layer.basis
    yb = B.apply(layer.weight.detach().cpu(), x.cuda(), backend="torch")
    assert yb.is_cuda


@pytest.mark.skipif(not os.environ.get("REPTHEORY_SLOW_TESTS"),
                    reason="torch.compile takes ~90 s on a 2-core CPU; set REPTHEORY_SLOW_TESTS=1")
def test_torch_compile():  # pragma: no cover - slow
    layer = EquivariantLinear(rt.S(4), 2, 2, 3, 5, dtype=torch.float64)
    x = torch.randn(6, 3, 4, 4, dtype=torch.float64)
    torch.testing.assert_close(torch.compile(layer)(x), layer(x))
