"""Generated JAX functions (and the Flax module when flax is installed)."""

from __future__ import annotations

import numpy as np
import pytest
from codegen_helpers import eps_specs, group_bases, j_spec, load_source, random_inputs

import reptheory as rt
from reptheory.codegen import generate
from reptheory.kernels import apply_spec, spec_matrices

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

GROUP_CASES = group_bases(pairs=((1, 1), (2, 1), (2, 2), (0, 2)))
HAND_SPECS = [("J", j_spec())] + [(f"eps{i}", s) for i, s in enumerate(eps_specs())]
TOL = {"rtol": 2e-5, "atol": 2e-5}  # JAX computes in float32 by default


@pytest.mark.parametrize("case", GROUP_CASES + HAND_SPECS, ids=[c[0] for c in GROUP_CASES + HAND_SPECS])
def test_jax_matches_executor(case, tmp_path):
    _, obj = case
    spec = obj.spec if isinstance(obj, rt.LayerBasis) else obj
    mod = load_source(generate(obj, target="jax"), tmp_path)
    rng = np.random.default_rng(8)
    w, x = random_inputs(spec, rng)
    y = mod.equivariant_layer({"weight": jnp.asarray(w)}, jnp.asarray(x))
    scale = max(1.0, float(np.abs(apply_spec(spec, w, x)).max()))
    np.testing.assert_allclose(np.asarray(y) / scale, apply_spec(spec, w, x) / scale, **TOL)


def test_jit_init_bias_and_gradients(tmp_path):
    G = rt.S(4)
    B = rt.layer_basis(G, 2, 2, kind="orbit")
    mod = load_source(generate(B, target="jax", name="layer"), tmp_path)
    params = mod.layer_init(jax.random.PRNGKey(0), 2, 3)
    assert params["weight"].shape == (3, 2, len(B)) and params["bias"].shape == (3, 2)
    assert "bias" not in mod.layer_init(jax.random.PRNGKey(0), 2, 3, bias=False)
    rng = np.random.default_rng(9)
    w, x = random_inputs(B.spec, rng)
    bias = rng.standard_normal((3, 2))
    params = {"weight": jnp.asarray(w, jnp.float32), "bias": jnp.asarray(bias, jnp.float32)}
    f = jax.jit(mod.layer)
    y = f(params, jnp.asarray(x, jnp.float32))
    E = rt.layer_basis(G, 0, 2)
    expected = B.apply(w, x) + E.apply(bias[:, None, :], np.ones((1, 1)))
    np.testing.assert_allclose(np.asarray(y), expected, rtol=1e-4, atol=1e-4)
    # gradient of <y, g> w.r.t. the weights, against the exact basis matrices
    g = rng.standard_normal(np.shape(y))
    grad = jax.jit(jax.grad(lambda p: jnp.sum(f(p, jnp.asarray(x, jnp.float32)) * g)))(params)
    mats = np.stack([m.toarray() for m in spec_matrices(B.spec)])  # (basis, n^l, n^k)
    xf = x.reshape(x.shape[0], x.shape[1], -1)
    gf = np.reshape(g, (g.shape[0], g.shape[1], -1))
    expected_grad = np.einsum("zop,mpq,ziq->oim", gf, mats, xf)
    np.testing.assert_allclose(np.asarray(grad["weight"]), expected_grad, rtol=1e-4, atol=1e-3)
    rt.assert_equivariant(lambda t: np.asarray(f(params, jnp.asarray(t, jnp.float32))),
                          G, 2, 2, input_shape=(2, 2), atol=1e-4, rtol=1e-4)


def test_flax_module(tmp_path):
    pytest.importorskip("flax")
    B = rt.layer_basis(rt.S(3), 2, 1)
    mod = load_source(generate(B, target="jax"), tmp_path)
    layer = mod.FlaxLayer(out_channels=4)
    x = jnp.asarray(np.random.default_rng(10).standard_normal((5, 2, 3, 3)), jnp.float32)
    variables = layer.init(jax.random.PRNGKey(1), x)
    params = variables["params"]
    assert params["weight"].shape == (4, 2, len(B))
    y = layer.apply(variables, x)
    np.testing.assert_allclose(np.asarray(y), np.asarray(mod.equivariant_layer(dict(params), x)),
                               rtol=1e-6, atol=1e-6)


def test_without_flax_only_pure_functions(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_flax(name, *args, **kwargs):
        if name == "flax" or name.startswith("flax."):
            raise ImportError("no flax here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_flax)
    mod = load_source(generate(rt.layer_basis(rt.S(3), 1, 1), target="jax"), tmp_path)
    assert not hasattr(mod, "FlaxLayer") and callable(mod.equivariant_layer_init)
