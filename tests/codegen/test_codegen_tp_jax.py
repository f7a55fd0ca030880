"""Generated SO(3) tensor products, JAX target."""

from __future__ import annotations

import numpy as np
import pytest
from codegen_helpers import load_source
from test_codegen_tp_numpy import block_D, random_rotation

from reptheory import so3
from reptheory.codegen import generate_tensor_product

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

TOL = {"rtol": 1e-4, "atol": 1e-4}  # JAX computes in float32 by default
DEGREES = [(0, 0, 0), (1, 1, 2), (2, 1, 2), (3, 2, 4)]


@pytest.mark.parametrize("degrees", DEGREES, ids=str)
def test_jax_matches_reptheory(degrees, tmp_path):
    L1, L2, L_out = degrees
    cg = load_source(generate_tensor_product("cg", L1, L2, L_out, target="jax"), tmp_path)
    ga = load_source(generate_tensor_product("gaunt", L1, L2, L_out, target="jax"), tmp_path)
    rng = np.random.default_rng(40 + sum(degrees))
    x1 = rng.standard_normal((4, 3, (L1 + 1) ** 2))
    x2 = rng.standard_normal((4, 3, (L2 + 1) ** 2))
    P = len(so3.tp_paths(L1, L2, L_out))
    for w in (None, rng.standard_normal(P), rng.standard_normal((P, 3))):
        z = jax.jit(cg.cg_tensor_product)(jnp.asarray(x1), jnp.asarray(x2), w)
        np.testing.assert_allclose(np.asarray(z), so3.cg_tensor_product(x1, x2, L_out, weights=w),
                                   **TOL)
    w1, w2, wo = (rng.standard_normal(L + 1) for L in (L1, L2, L_out))
    z = jax.jit(ga.gaunt_tensor_product)(x1, x2, w1, w2, wo)
    ref = so3.gaunt_tensor_product(x1, x2, L_out, method="grid", weights1=w1, weights2=w2,
                                   weights_out=wo)
    np.testing.assert_allclose(np.asarray(z), ref, **TOL)


@pytest.mark.parametrize("kind", ["cg", "gaunt"])
def test_jax_equivariance_and_grad(kind, tmp_path):
    L1, L2, L_out = 2, 1, 3
    mod = load_source(generate_tensor_product(kind, L1, L2, L_out, target="jax", name="prod"),
                      tmp_path)
    rng = np.random.default_rng(6)
    x1 = rng.standard_normal((5, 9)).astype(np.float32)
    x2 = rng.standard_normal((5, 4)).astype(np.float32)
    for _ in range(3):
        R = random_rotation(rng)
        lhs = mod.prod(x1 @ block_D(L1, R).T.astype(np.float32),
                       x2 @ block_D(L2, R).T.astype(np.float32))
        rhs = np.asarray(mod.prod(x1, x2)) @ block_D(L_out, R).T
        np.testing.assert_allclose(np.asarray(lhs), rhs, **TOL)
    g = jax.grad(lambda a: jnp.sum(mod.prod(a, x2) ** 2))(jnp.asarray(x1))
    assert g.shape == x1.shape and bool(jnp.all(jnp.isfinite(g)))
