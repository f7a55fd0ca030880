"""Generated layers for a zero space of equivariant maps (O(3), k=1 -> l=2): they initialise,
have no weights, and return exactly the equivariant bias (zero without one)."""

from __future__ import annotations

import numpy as np
import pytest
from codegen_helpers import load_source

import reptheory as rt
from reptheory.codegen import generate

G, K, L = rt.O(3), 1, 2


def _bias_reference(bias: np.ndarray) -> np.ndarray:
    # sum_c bias[:, c] E_c with E_c the dense matrices of the (0, L) basis: an independent path
    E = rt.layer_basis(G, 0, L).dense_matrices()  # (num_bias, 3**L, 1)
    return np.einsum("oc,cij->oi", bias, E).reshape((1, bias.shape[0]) + (G.n,) * L)


def _inputs():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((4, 2) + (G.n,) * K)
    bias = rng.standard_normal((3, len(rt.layer_basis(G, 0, L))))
    return x, bias


def test_the_space_is_zero():
    B = rt.layer_basis(G, K, L)
    assert B.dimension == len(B) == 0 and rt.hom_dimension(G, K, L) == 0


def test_numpy_target(tmp_path):
    mod = load_source(generate(rt.layer_basis(G, K, L), target="numpy"), tmp_path)
    x, bias = _inputs()
    w = np.zeros((3, 2, 0))
    y = mod.equivariant_layer(w, x)
    assert y.shape == (4, 3, 3, 3) and not y.any()
    y = mod.equivariant_layer(w, x, bias)
    np.testing.assert_allclose(y, np.broadcast_to(_bias_reference(bias), y.shape), atol=1e-12)


def test_torch_target(tmp_path):
    torch = pytest.importorskip("torch")
    mod = load_source(generate(rt.layer_basis(G, K, L), target="torch"), tmp_path)
    layer = mod.EquivariantLayer(2, 3).double()  # raised ZeroDivisionError before
    assert layer.weight.shape == (3, 2, 0)
    x, bias = _inputs()
    y = layer(torch.as_tensor(x))
    assert tuple(y.shape) == (4, 3, 3, 3) and not y.detach().numpy().any()  # zero bias at init
    with torch.no_grad():
        layer.bias.copy_(torch.as_tensor(bias))
    y = layer(torch.as_tensor(x)).detach().numpy()
    np.testing.assert_allclose(y, np.broadcast_to(_bias_reference(bias), y.shape), atol=1e-12)
    assert mod.EquivariantLayer(2, 3, bias=False)(torch.as_tensor(x).float()).abs().max() == 0


def test_jax_target(tmp_path):
    jax = pytest.importorskip("jax")
    mod = load_source(generate(rt.layer_basis(G, K, L), target="jax"), tmp_path)
    params = mod.equivariant_layer_init(jax.random.PRNGKey(0), 2, 3)  # raised ZeroDivisionError
    assert params["weight"].shape == (3, 2, 0)
    x, bias = _inputs()
    y = np.asarray(mod.equivariant_layer(params, x.astype(np.float32)))
    assert y.shape == (4, 3, 3, 3) and not y.any()
    params["bias"] = bias.astype(np.float32)
    y = np.asarray(mod.equivariant_layer(params, x.astype(np.float32)))
    np.testing.assert_allclose(y, np.broadcast_to(_bias_reference(bias), y.shape), atol=1e-5)
