"""The torch executor's custom autograd function: backward is the transposed layer.

Checked against independent computations: torch's numerical gradcheck, the dense matrices
built by enumerating label assignments (brute force, no plan), and plain autograd through the
dense matrix product.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from kernels_helpers import brute_spec_matrices, eps_specs, j_spec

torch = pytest.importorskip("torch")

import reptheory as rt
from reptheory.kernels._torch import apply_plan, spec_tensors, torch_plan, transpose_spec


def _specs():
    out = [rt.layer_basis(rt.S(3), k, l).spec for k, l in [(2, 2), (1, 2), (2, 1), (0, 2), (3, 1),
                                                           (2, 0)]]
    out += [rt.layer_basis(rt.O(3), 2, 2).spec, rt.layer_basis(rt.Sp(4), 2, 2).spec,
            rt.layer_basis(rt.SO(3), 2, 1).spec, rt.layer_basis(rt.A(4), 3, 1).spec,
            j_spec(4), *eps_specs()]
    return [s for s in out if len(s)]


SPECS = _specs()


def _run(spec, w, x, share=True):
    C, consts = spec_tensors(spec, x.dtype, x.device)
    return apply_plan(torch_plan(spec, share), w, x, C, consts)


def test_cases_cover_groups_and_constants():
    groups = {s.group.split("(")[0] for s in SPECS}
    assert {"S", "O", "Sp", "SO", "A"} <= groups
    assert any(s.constants for s in SPECS)


@pytest.mark.parametrize("i", range(len(SPECS)))
def test_transpose_spec_is_the_matrix_transpose(i):
    spec = SPECS[i]
    t = transpose_spec(spec)
    assert (t.k, t.l) == (spec.l, spec.k) and transpose_spec(t) is spec
    fwd, back = brute_spec_matrices(spec), brute_spec_matrices(t)
    assert len(fwd) == len(back) == len(spec)
    for a, b in zip(fwd, back):
        np.testing.assert_array_equal(a.T, b)


@pytest.mark.parametrize("i", range(len(SPECS)))
def test_gradients_match_dense_autograd(i):
    """Both gradients equal autograd through y = M(w) x with brute-force dense matrices."""
    spec = SPECS[i]
    n, k, l = spec.n, spec.k, spec.l
    g = torch.Generator().manual_seed(100 + i)
    batch, c_in, c_out = 3, 2, 3
    x = torch.randn((batch, c_in) + (n,) * k, dtype=torch.float64, generator=g, requires_grad=True)
    w = torch.randn(c_out, c_in, len(spec), dtype=torch.float64, generator=g, requires_grad=True)
    gy = torch.randn((batch, c_out) + (n,) * l, dtype=torch.float64, generator=g)
    for share in (True, False):
        y = _run(spec, w, x, share)
        gx, gw = torch.autograd.grad(y, (x, w), gy)
        M = torch.as_tensor(np.stack(brute_spec_matrices(spec)))      # (nb, n^l, n^k)
        xr = x.detach().clone().requires_grad_(True)
        wr = w.detach().clone().requires_grad_(True)
        ref = torch.einsum("oib,brc,zic->zor", wr, M, xr.reshape(batch, c_in, -1))
        torch.testing.assert_close(y.reshape(ref.shape), ref, rtol=1e-12, atol=1e-12)
        gxr, gwr = torch.autograd.grad(ref, (xr, wr), gy.reshape(ref.shape))
        torch.testing.assert_close(gx, gxr, rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(gw, gwr, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("i", [0, 1, 6, 7, 10, 12])
def test_gradcheck(i):
    spec = SPECS[i]
    g = torch.Generator().manual_seed(7)
    x = torch.randn((2, 2) + (spec.n,) * spec.k, dtype=torch.float64, generator=g,
                    requires_grad=True)
    w = torch.randn(2, 2, len(spec), dtype=torch.float64, generator=g, requires_grad=True)
    assert torch.autograd.gradcheck(lambda w, x: _run(spec, w, x), (w, x))


@pytest.mark.parametrize("i", [0, 3, 6, 7, 10, 12])
def test_plan_differentiated_step_by_step(i):
    """Recording autograd, the plan runs out of place; same values and gradients."""
    spec = SPECS[i]
    g = torch.Generator().manual_seed(9)
    x = torch.randn((2, 2) + (spec.n,) * spec.k, dtype=torch.float64, generator=g,
                    requires_grad=True)
    w = torch.randn(3, 2, len(spec), dtype=torch.float64, generator=g, requires_grad=True)
    C, consts = spec_tensors(spec, x.dtype, x.device)
    y1 = torch_plan(spec).forward(w, x, C, consts)
    y2 = _run(spec, w, x)
    gy = torch.randn(y1.shape, dtype=torch.float64, generator=g)
    torch.testing.assert_close(y1, y2, rtol=1e-12, atol=1e-12)
    for a, b in zip(torch.autograd.grad(y1, (x, w), gy), torch.autograd.grad(y2, (x, w), gy)):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


def test_only_x_or_only_weights_need_grad():
    spec = SPECS[0]
    x = torch.randn(2, 1, 3, 3, dtype=torch.float64, requires_grad=True)
    w = torch.randn(2, 1, len(spec), dtype=torch.float64)
    y = _run(spec, w, x)
    (gx,) = torch.autograd.grad(y.sum(), (x,))
    assert gx.shape == x.shape
    w.requires_grad_(True)
    (gw,) = torch.autograd.grad(_run(spec, w, x.detach()).sum(), (w,))
    assert gw.shape == w.shape


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_jit_trace_forward_and_backward():
    from reptheory.torch import EquivariantLinear

    torch.manual_seed(4)
    layer = EquivariantLinear(rt.S(4), 2, 2, 3, 2, dtype=torch.float64)
    traced = torch.jit.trace(layer, torch.randn(2, 3, 4, 4, dtype=torch.float64))
    x = torch.randn(5, 3, 4, 4, dtype=torch.float64, requires_grad=True)
    y1 = traced(x)
    (g1,) = torch.autograd.grad(y1.square().sum(), (x,))
    y2 = layer(x)
    (g2,) = torch.autograd.grad(y2.square().sum(), (x,))
    torch.testing.assert_close(y1, y2)
    torch.testing.assert_close(g1, g2)


@pytest.mark.skipif(not os.environ.get("REPTHEORY_SLOW_TESTS"),
                    reason="torch.compile takes minutes on a 2-core CPU; set REPTHEORY_SLOW_TESTS=1")
def test_torch_compile_fullgraph_forward_and_backward():  # pragma: no cover - slow
    from reptheory.torch import EquivariantLinear

    torch.manual_seed(0)
    layer = EquivariantLinear(rt.S(4), 2, 2, 3, 5, dtype=torch.float64)
    x = torch.randn(6, 3, 4, 4, dtype=torch.float64, requires_grad=True)
    compiled = torch.compile(layer, fullgraph=True)
    y1 = compiled(x)
    g1 = torch.autograd.grad(y1.square().sum(), (x, layer.weight))
    y2 = layer(x)
    g2 = torch.autograd.grad(y2.square().sum(), (x, layer.weight))
    torch.testing.assert_close(y1, y2)
    for a, b in zip(g1, g2):
        torch.testing.assert_close(a, b)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda_forward_and_backward_match_cpu():  # pragma: no cover - needs a GPU
    torch.manual_seed(6)
    compared = 0
    for spec in SPECS[:3] + [SPECS[7]]:
        x = torch.randn((4, 2) + (spec.n,) * spec.k, dtype=torch.float64, requires_grad=True)
        w = torch.randn(3, 2, len(spec), dtype=torch.float64, requires_grad=True)
        gy = torch.randn((4, 3) + (spec.n,) * spec.l, dtype=torch.float64)
        y = _run(spec, w, x)
        gx, gw = torch.autograd.grad(y, (x, w), gy)
        xc = x.detach().cuda().requires_grad_(True)
        wc = w.detach().cuda().requires_grad_(True)
        yc = _run(spec, wc, xc)
        gxc, gwc = torch.autograd.grad(yc, (xc, wc), gy.cuda())
        assert yc.is_cuda and gxc.is_cuda
        torch.testing.assert_close(yc.cpu(), y)
        torch.testing.assert_close(gxc.cpu(), gx)
        torch.testing.assert_close(gwc.cpu(), gw)
        compared += 1
    assert compared == 4
