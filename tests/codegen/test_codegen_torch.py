"""Generated torch modules: values, gradients, torch.compile / jit.trace, equivariance."""

from __future__ import annotations

import numpy as np
import pytest
from codegen_helpers import eps_specs, group_bases, j_spec, load_source, random_inputs

import reptheory as rt
from reptheory.codegen import generate
from reptheory.kernels import apply_spec, spec_matrices

torch = pytest.importorskip("torch")

GROUP_CASES = group_bases()
HAND_SPECS = [("J", j_spec())] + [(f"eps{i}", s) for i, s in enumerate(eps_specs())]


def _module(spec_or_basis, tmp_path, w, bias=None, **kw):
    mod = load_source(generate(spec_or_basis, target="torch", **kw), tmp_path)
    layer = mod.EquivariantLayer(w.shape[1], w.shape[0], bias=bias is not None).double()
    with torch.no_grad():
        layer.weight.copy_(torch.as_tensor(w))
        if bias is not None:
            layer.bias.copy_(torch.as_tensor(bias))
    return mod, layer


@pytest.mark.parametrize("case", GROUP_CASES + HAND_SPECS, ids=[c[0] for c in GROUP_CASES + HAND_SPECS])
def test_torch_matches_executor(case, tmp_path):
    _, obj = case
    spec = obj.spec if isinstance(obj, rt.LayerBasis) else obj
    rng = np.random.default_rng(4)
    w, x = random_inputs(spec, rng)
    _, layer = _module(obj, tmp_path, w)
    y = layer(torch.as_tensor(x)).detach().numpy()
    np.testing.assert_allclose(y, apply_spec(spec, w, x), rtol=1e-10, atol=1e-10)


def _dense_torch(spec, weight, x):
    """Reference: the layer as a dense torch matrix built from the exact basis matrices."""
    mats = torch.as_tensor(np.stack([m.toarray() for m in spec_matrices(spec)]))
    batch, c_in = x.shape[:2]
    y = torch.einsum("oim,mpq,biq->bop", weight, mats, x.reshape(batch, c_in, -1))
    return y.reshape((batch, weight.shape[0]) + (spec.n,) * spec.l)


@pytest.mark.parametrize("case", [("S4-orbit", rt.layer_basis(rt.S(4), 2, 2, kind="orbit")),
                                  ("J", j_spec()), ("eps", eps_specs()[4])],
                         ids=lambda c: c[0])
def test_gradients_match_dense_reference(case, tmp_path):
    _, obj = case
    spec = obj.spec if isinstance(obj, rt.LayerBasis) else obj
    rng = np.random.default_rng(5)
    w, x = random_inputs(spec, rng)
    _, layer = _module(obj, tmp_path, w, bias=None)
    xt = torch.as_tensor(x).requires_grad_(True)
    g = torch.as_tensor(rng.standard_normal((x.shape[0], w.shape[0]) + (spec.n,) * spec.l))
    (layer(xt) * g).sum().backward()
    wr = torch.as_tensor(w).requires_grad_(True)
    xr = torch.as_tensor(x).requires_grad_(True)
    (_dense_torch(spec, wr, xr) * g).sum().backward()
    torch.testing.assert_close(layer.weight.grad, wr.grad, rtol=1e-9, atol=1e-9)
    torch.testing.assert_close(xt.grad, xr.grad, rtol=1e-9, atol=1e-9)


def test_bias_and_equivariance(tmp_path):
    G = rt.S(4)
    B = rt.layer_basis(G, 2, 2)
    rng = np.random.default_rng(6)
    w, x = random_inputs(B.spec, rng)
    bias = rng.standard_normal((w.shape[0], 2))
    _, layer = _module(B, tmp_path, w, bias=bias)
    E = rt.layer_basis(G, 0, 2)
    expected = B.apply(w, x) + E.apply(bias[:, None, :], np.ones((1, 1)))
    np.testing.assert_allclose(layer(torch.as_tensor(x)).detach().numpy(), expected,
                               rtol=1e-10, atol=1e-10)
    rt.assert_equivariant(layer, G, 2, 2, input_shape=(2, w.shape[1]))


def test_module_api(tmp_path):
    B = rt.layer_basis(rt.S(3), 2, 2, kind="orbit")
    mod = load_source(generate(B, target="torch", name="MyLayer"), tmp_path)
    layer = mod.MyLayer(3, 4)
    assert layer.weight.shape == (4, 3, len(B)) and layer.bias.shape == (4, 2)
    assert set(layer.state_dict()) == {"weight", "bias"}  # buffers are not persistent
    assert mod.MyLayer(3, 4, bias=False).bias is None
    y = layer(torch.randn(5, 3, 3, 3))
    assert y.shape == (5, 4, 3, 3) and y.dtype == torch.float32
    with pytest.raises(ValueError, match="channels"):
        layer(torch.randn(5, 2, 3, 3))


def test_torch_compile_and_trace_gradients(tmp_path):
    """torch.compile (fullgraph, aot_eager backend: dynamo + AOT autograd, no C++ build, which
    takes minutes on this machine) and torch.jit.trace give the eager values and gradients."""
    B = rt.layer_basis(rt.S(4), 2, 2, kind="orbit")
    rng = np.random.default_rng(7)
    w, x = random_inputs(B.spec, rng)
    bias = rng.standard_normal((w.shape[0], 2))
    _, layer = _module(B, tmp_path, w, bias=bias)
    xt = torch.as_tensor(x)
    g = torch.as_tensor(rng.standard_normal((x.shape[0], w.shape[0], 4, 4)))

    def grads(f):
        layer.zero_grad()
        xi = xt.clone().requires_grad_(True)
        y = f(xi)
        (y * g).sum().backward()
        return y.detach(), xi.grad, layer.weight.grad.clone(), layer.bias.grad.clone()

    eager = grads(layer)
    compiled = grads(torch.compile(layer, fullgraph=True, backend="aot_eager"))
    traced = grads(torch.jit.trace(layer, (xt,)))
    for other in (compiled, traced):
        for a, b in zip(eager, other):
            torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-10)
