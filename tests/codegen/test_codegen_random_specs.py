"""Property test: random LayerSpecs (labels, diagonals, broadcasts, constants) generate code
that agrees with the reference executor and with the enumerated basis matrices."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from codegen_helpers import dense_reference, load_source, symplectic_J
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reptheory.codegen import generate
from reptheory.kernels import apply_spec
from reptheory.layers import ConstantTensor, LayerSpec, Operation

N = 4


@st.composite
def specs(draw):
    k = draw(st.integers(0, 3))
    l = draw(st.integers(0, 3))
    consts = (symplectic_J(N), ConstantTensor("v", (N,), (((0,), 2), ((3,), Fraction(-1, 2)))))
    ops = []
    for _ in range(draw(st.integers(1, 4))):
        labels = st.integers(0, 4)
        inputs = tuple(draw(st.lists(labels, min_size=k, max_size=k)))
        outputs = tuple(draw(st.lists(labels, min_size=l, max_size=l)))
        factors = []
        for _ in range(draw(st.integers(0, 2))):
            if draw(st.booleans()):
                factors.append(("J", (draw(labels), draw(labels))))
            else:
                factors.append(("v", (draw(labels),)))
        op = Operation(inputs, outputs, tuple(factors)).canonical()
        if op not in ops:
            ops.append(op)
    coef = st.fractions(min_value=-3, max_value=3, max_denominator=5)
    rows = []
    for _ in range(draw(st.integers(1, 3))):
        js = draw(st.lists(st.integers(0, len(ops) - 1), min_size=1, max_size=len(ops), unique=True))
        rows.append(tuple((j, draw(coef)) for j in sorted(js)))
    return LayerSpec("random", N, k, l, "random", tuple(ops), tuple(rows), consts)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs())
def test_random_specs_numpy(tmp_path, spec):
    mod = load_source(generate(spec, target="numpy"), tmp_path)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 2) + (N,) * spec.k)
    w = rng.standard_normal((2, 2, len(spec)))
    y = mod.equivariant_layer(w, x)
    np.testing.assert_allclose(y, apply_spec(spec, w, x), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(y, dense_reference(spec, w, x), rtol=1e-9, atol=1e-9)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs())
def test_random_specs_torch(tmp_path, spec):
    torch = pytest.importorskip("torch")
    mod = load_source(generate(spec, target="torch"), tmp_path)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 2) + (N,) * spec.k)
    w = rng.standard_normal((3, 2, len(spec)))
    layer = mod.EquivariantLayer(2, 3).double()
    with torch.no_grad():
        layer.weight.copy_(torch.as_tensor(w))
    y = layer(torch.as_tensor(x)).detach().numpy()
    np.testing.assert_allclose(y, apply_spec(spec, w, x), rtol=1e-9, atol=1e-9)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs())
def test_random_specs_jax(tmp_path, spec):
    pytest.importorskip("jax")
    mod = load_source(generate(spec, target="jax"), tmp_path)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 2) + (N,) * spec.k).astype(np.float32)
    w = rng.standard_normal((3, 2, len(spec))).astype(np.float32)
    y = np.asarray(mod.equivariant_layer({"weight": w}, x))
    ref = apply_spec(spec, w.astype(float), x.astype(float))
    scale = max(1.0, float(np.abs(ref).max()))
    np.testing.assert_allclose(y / scale, ref / scale, rtol=1e-5, atol=1e-5)
