"""The torch executor's numba route: CPU tensors run the compiled numba program.

Checked against independent computations: the numpy reference executor (one einsum per
operation), the pure-torch route (numba switched off), torch's numerical gradcheck and
gradgradcheck. Every test counts the numba calls, so it checks the route it names.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("numba")

import reptheory as rt
import reptheory.kernels._torch as kt
import reptheory.kernels._torch_numba as tn
from reptheory.kernels._numpy import apply_spec as reference_apply
from reptheory.kernels._torch import apply_plan, spec_tensors, torch_plan

GROUPS = [rt.S(3), rt.A(4), rt.O(3), rt.SO(3), rt.Sp(4)]
ORDERS = [(1, 2), (2, 2), (2, 1), (3, 3)]
ODD = [(1, 3), (3, 1)]        # O(n) and Sp(n) have no maps of odd total order: these instead
CASES = [(G, k, l) for G in GROUPS
         for k, l in (ORDERS if G.symbol in ("S", "A", "SO") else ORDERS[1::2] + ODD)]


@pytest.fixture
def numba_calls(monkeypatch):
    """Counts the calls of the numba executor made by the torch executor."""
    calls = []
    real = kt.run_numba

    def counted(*args):
        calls.append(args[0])
        return real(*args)

    monkeypatch.setattr(kt, "run_numba", counted)
    return calls


@pytest.fixture
def permuted_calls(monkeypatch):
    """Counts the compiled passes of the full-size weight-gradient terms."""
    calls = []
    real = kt.permuted_inner

    def counted(*args):
        calls.append(len(args[2]))
        return real(*args)

    monkeypatch.setattr(kt, "permuted_inner", counted)
    return calls


def _torch_only(monkeypatch):
    monkeypatch.setattr(tn, "_have_numba", lambda: False)


def _run(spec, w, x):
    C, consts = spec_tensors(spec, x.dtype, x.device)
    return apply_plan(torch_plan(spec), w, x, C, consts)


def _inputs(spec, dtype, seed, batch=3, c_in=2, c_out=3):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn((batch, c_in) + (spec.n,) * spec.k, dtype=dtype, generator=g)
    w = torch.randn(c_out, c_in, len(spec), dtype=dtype, generator=g)
    gy = torch.randn((batch, c_out) + (spec.n,) * spec.l, dtype=dtype, generator=g)
    return w, x, gy


def _grads(spec, w, x, gy):
    w = w.detach().clone().requires_grad_(True)
    x = x.detach().clone().requires_grad_(True)
    y = _run(spec, w, x)
    gw, gx = torch.autograd.grad(y, (w, x), gy)
    return y.detach(), gw, gx


def test_cases_cover_groups_and_orders():
    specs = [rt.layer_basis(G, k, l).spec for G, k, l in CASES]
    assert {s.group.split("(")[0] for s in specs} == {"S", "A", "O", "SO", "Sp"}
    assert all(len(s) > 0 for s in specs) and len(specs) == 20
    assert any(s.constants for s in specs)        # SO(3)'s Levi-Civita, Sp(4)'s J


@pytest.mark.parametrize("dtype, tol", [(torch.float32, 1e-5), (torch.float64, 1e-12)])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_forward_and_gradients_equal_numpy_reference(case, dtype, tol, numba_calls):
    """y and both gradients equal the numpy reference executor."""
    G, k, l = CASES[case]
    spec = rt.layer_basis(G, k, l).spec
    w, x, gy = _inputs(spec, dtype, 10 + case)
    y, gw, gx = _grads(spec, w, x, gy)
    wd, xd, gyd = (t.double().numpy() for t in (w, x, gy))
    y_ref = reference_apply(spec, wd, xd)
    # the x-gradient is <gy, y(x)> differentiated: the transposed layer, read off column by
    # column of the reference applied to unit inputs (brute force, independent of the plan)
    eye = np.eye(xd[0].size).reshape((-1,) + xd.shape[1:])
    cols = reference_apply(spec, wd, eye).reshape(len(eye), -1)         # (in entries, out)
    gx_ref = (gyd.reshape(len(gyd), -1) @ cols.T).reshape(xd.shape)
    # the weight gradient: every basis element applied alone (one output channel each)
    nb = len(spec)
    per_element = reference_apply(spec, np.eye(nb).reshape(nb, 1, nb),
                                  xd.reshape((-1, 1) + xd.shape[2:]))
    per_element = per_element.reshape(xd.shape[:2] + (nb, -1))            # (b, c, j, out)
    gw_ref = np.einsum("boq,bcjq->ocj", gyd.reshape(len(gyd), gyd.shape[1], -1), per_element)
    wscale = max(1.0, float(np.abs(gw_ref).max()))
    np.testing.assert_allclose(gw.double().numpy(), gw_ref, rtol=tol, atol=tol * wscale)
    scale = max(1.0, float(np.abs(y_ref).max()))
    np.testing.assert_allclose(y.double().numpy(), y_ref, rtol=tol, atol=tol * scale)
    gscale = max(1.0, float(np.abs(gx_ref).max()))
    np.testing.assert_allclose(gx.double().numpy(), gx_ref, rtol=tol, atol=tol * gscale)
    assert len(numba_calls) == 2      # forward and x-gradient both ran on numba


@pytest.mark.parametrize("case", range(len(CASES)))
def test_gradients_equal_torch_route(case, numba_calls, monkeypatch):
    G, k, l = CASES[case]
    spec = rt.layer_basis(G, k, l).spec
    w, x, gy = _inputs(spec, torch.float64, 40 + case)
    fast = _grads(spec, w, x, gy)
    assert len(numba_calls) == 2
    _torch_only(monkeypatch)
    slow = _grads(spec, w, x, gy)
    assert len(numba_calls) == 2      # the torch route did not call numba
    for a, b in zip(fast, slow):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("G, k, l", [(rt.S(3), 2, 2), (rt.O(3), 2, 1), (rt.Sp(4), 2, 2),
                                     (rt.SO(3), 2, 1)])
def test_gradcheck_through_numba(G, k, l, numba_calls):
    spec = rt.layer_basis(G, k, l).spec
    w, x, _ = _inputs(spec, torch.float64, 3, batch=2, c_in=2, c_out=2)
    w.requires_grad_(True)
    x.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda w, x: _run(spec, w, x), (w, x))
    assert numba_calls


@pytest.mark.parametrize("k, l", [(0, 0), (0, 2), (2, 0), (1, 1)])
def test_invariant_and_vector_orders(k, l, numba_calls, monkeypatch):
    """Orders 0 and 1 (scalars in or out, k = l = 0 a plain channel mixing) equal the torch route
    and the numpy reference."""
    spec = rt.layer_basis(rt.S(3), k, l).spec
    w, x, gy = _inputs(spec, torch.float64, 30 + 3 * k + l)
    fast = _grads(spec, w, x, gy)
    assert len(numba_calls) == 2
    np.testing.assert_allclose(fast[0].numpy(), reference_apply(spec, w.numpy(), x.numpy()),
                               rtol=1e-12, atol=1e-12)
    _torch_only(monkeypatch)
    slow = _grads(spec, w, x, gy)
    assert float(slow[1].abs().sum()) > 0
    for a, b in zip(fast, slow):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


def test_double_backward_takes_the_torch_route(numba_calls):
    """create_graph=True: the backward pass is differentiable (gradgradcheck), not numba."""
    spec = rt.layer_basis(rt.S(3), 2, 2).spec
    w, x, _ = _inputs(spec, torch.float64, 5, batch=2, c_in=1, c_out=2)
    w.requires_grad_(True)
    x.requires_grad_(True)
    assert torch.autograd.gradgradcheck(lambda w, x: _run(spec, w, x), (w, x))
    numba_calls.clear()
    y = _run(spec, w, x)
    (gx,) = torch.autograd.grad(y.square().sum(), (x,), create_graph=True)
    assert gx.requires_grad and len(numba_calls) == 1    # forward only


def test_empty_batch(numba_calls):
    spec = rt.layer_basis(rt.S(4), 2, 2).spec
    w, x, _ = _inputs(spec, torch.float32, 6, batch=0)
    w.requires_grad_(True)
    x.requires_grad_(True)
    y = _run(spec, w, x)
    assert y.shape == (0, 3, 4, 4) and numba_calls
    gw, gx = torch.autograd.grad(y.sum(), (w, x))
    assert gx.shape == x.shape and gw.shape == w.shape
    assert float(gw.abs().sum()) == 0.0


def test_non_contiguous_inputs(numba_calls, monkeypatch):
    """Strided x, weights and output gradient (views read through numpy) give the same."""
    spec = rt.layer_basis(rt.O(4), 2, 2).spec
    g = torch.Generator().manual_seed(8)
    xb = torch.randn(2, 5, 4, 4, dtype=torch.float64, generator=g)
    x = xb.transpose(0, 1)[:, ::2].transpose(2, 3)          # (5, 1, 4, 4), strided
    wb = torch.randn(len(spec), 1, 2, dtype=torch.float64, generator=g)
    w = wb.permute(2, 1, 0)                                  # (2, 1, nb), strided
    gy = torch.randn(4, 4, 2, 5, dtype=torch.float64, generator=g).permute(3, 2, 1, 0)
    assert not (x.is_contiguous() or w.is_contiguous() or gy.is_contiguous())
    fast = _grads(spec, w, x, gy)
    assert len(numba_calls) == 2
    ref = _grads(spec, w.contiguous(), x.contiguous(), gy.contiguous())
    _torch_only(monkeypatch)
    slow = _grads(spec, w, x, gy)
    for a, b, c in zip(fast, ref, slow):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(a, c, rtol=1e-12, atol=1e-12)


def test_expanded_output_gradient(numba_calls):
    """y.sum() backpropagates an expanded (stride 0) gradient of ones."""
    spec = rt.layer_basis(rt.S(3), 2, 1).spec
    w, x, _ = _inputs(spec, torch.float64, 9)
    x.requires_grad_(True)
    (gx,) = torch.autograd.grad(_run(spec, w, x).sum(), (x,))
    _, _, gx_ref = _grads(spec, w, x, torch.ones(3, 3, 3, dtype=torch.float64))
    torch.testing.assert_close(gx, gx_ref, rtol=1e-12, atol=1e-12)
    assert len(numba_calls) >= 3


def test_fallback_without_numba(numba_calls, monkeypatch):
    """Without numba the torch plan runs: the same y and gradients, no numba call."""
    spec = rt.layer_basis(rt.S(3), 2, 2).spec
    w, x, gy = _inputs(spec, torch.float64, 11)
    fast = _grads(spec, w, x, gy)
    assert len(numba_calls) == 2
    _torch_only(monkeypatch)
    assert not tn.numba_route(w, x)
    y, gw, gx = _grads(spec, w, x, gy)
    assert len(numba_calls) == 2
    np.testing.assert_allclose(y.numpy(), reference_apply(spec, w.numpy(), x.numpy()),
                               rtol=1e-12, atol=1e-12)
    for a, b in zip(fast, (y, gw, gx)):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


def test_route_conditions():
    w32, w64 = torch.ones(3, 2, 4), torch.ones(3, 2, 4, dtype=torch.float64)
    assert tn.numba_route(w32, torch.ones(2, dtype=torch.float32), torch.ones(3))
    assert tn.numba_route(w64, torch.ones(2, dtype=torch.float64))
    assert not tn.numba_route(w32, torch.ones(2, dtype=torch.float64))
    assert not tn.numba_route(w32.half(), torch.ones(2, dtype=torch.float16))
    assert not tn.numba_route(w64, torch._neg_view(torch.ones(2, dtype=torch.float64)))
    assert tn.numba_route(torch.ones(32, 32, 1), torch.ones(2))
    assert not tn.numba_route(torch.ones(32, 33, 1), torch.ones(2))


def test_many_channels_take_the_torch_plan(numba_calls):
    """Above MAX_CHANNEL_PAIRS channel pairs the torch plan runs (forward and backward)."""
    spec = rt.layer_basis(rt.S(3), 2, 2).spec
    c = int(np.sqrt(tn.MAX_CHANNEL_PAIRS)) + 1
    w, x, gy = _inputs(spec, torch.float64, 14, batch=2, c_in=c, c_out=c)
    y, gw, gx = _grads(spec, w, x, gy)
    assert not numba_calls
    np.testing.assert_allclose(y.numpy(), reference_apply(spec, w.numpy(), x.numpy()),
                               rtol=1e-12, atol=1e-12)
    assert gw.shape == w.shape and gx.shape == x.shape


def test_masked_layer_uses_numba(numba_calls, monkeypatch):
    """EquivariantLinear with a node mask (fixed n) goes through the same function."""
    from reptheory.torch import EquivariantLinear

    torch.manual_seed(12)
    layer = EquivariantLinear(rt.S(5), 2, 2, 3, 2, dtype=torch.float64)
    x = torch.randn(4, 3, 5, 5, dtype=torch.float64, requires_grad=True)
    mask = torch.tensor([[True] * 5, [True] * 3 + [False] * 2, [True] * 4 + [False],
                         [True, False, True, True, True]])
    gy = torch.randn(4, 2, 5, 5, dtype=torch.float64)

    def run():
        y = layer(x, mask=mask)
        return (y.detach(), *torch.autograd.grad(y, (x, layer.weight, layer.bias), gy))

    fast = run()
    assert len(numba_calls) == 2
    _torch_only(monkeypatch)
    slow = run()
    for a, b in zip(fast, slow):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype, tol", [(torch.float32, 1e-5), (torch.float64, 1e-12)])
def test_permuted_inner_equals_numpy(dtype, tol):
    """The compiled pass of the full-size terms against numpy's transpose and einsum."""
    import itertools

    rng = np.random.default_rng(13)
    batch, c_in, c_out, n = 3, 2, 6, 4         # six output channels: a block of 4, then 2
    x = torch.as_tensor(rng.standard_normal((batch, c_in, n, n, n)), dtype=dtype)
    gy = torch.as_tensor(rng.standard_normal((batch, c_out, n, n, n)), dtype=dtype)
    perms = list(itertools.permutations(range(3)))
    # y axis p reads x axis perm[p]: the stride of x's axis perm[p]
    strides = np.array([[n ** (2 - a) for a in perm] for perm in perms], dtype=np.int64)
    identity = np.array([perm == (0, 1, 2) for perm in perms])
    out, _, _ = tn.permuted_inner(x, gy, strides, identity)
    xd, gd = x.double().numpy(), gy.double().numpy()
    ref = np.stack([np.einsum("boijk,bcijk->oc", gd, xd.transpose((0, 1) + tuple(2 + a for a in perm)))
                    for perm in perms])
    assert out.dtype == dtype and out.shape == (6, c_out, c_in) and identity.sum() == 1
    np.testing.assert_allclose(out.double().numpy(), ref, rtol=tol, atol=tol * np.abs(ref).max())


@pytest.mark.parametrize("G, k", [(rt.S(3), 3), (rt.O(3), 2), (rt.Sp(4), 2), (rt.SO(3), 3)])
def test_permutation_terms_weight_gradient(G, k, numba_calls, permuted_calls, monkeypatch):
    """Identity / transpose / 3-cycle terms (the compiled pass) with 4 + 1 output channels."""
    spec = rt.layer_basis(G, k, k).spec
    tp = torch_plan(spec)
    assert tp.permutation_ops and tp.permutation_identity.any()
    if k == 3:
        assert len(tp.permutation_ops) == 6       # every permutation of three axes
    w, x, gy = _inputs(spec, torch.float64, 21, batch=2, c_in=2, c_out=5)
    fast = _grads(spec, w, x, gy)
    assert len(numba_calls) == 2 and permuted_calls == [len(tp.permutation_ops)]
    _torch_only(monkeypatch)
    slow = _grads(spec, w, x, gy)
    assert permuted_calls == [len(tp.permutation_ops)]
    for a, b in zip(fast, slow):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


def test_permuted_inner_threads_split_the_batch(monkeypatch):
    """Three threads over a batch of 5 give the one-thread sums and reductions (each with
    and without reductions of the other tensor)."""
    rng = np.random.default_rng(17)
    x = torch.as_tensor(rng.standard_normal((5, 2, 3, 3)))
    gy = torch.as_tensor(rng.standard_normal((5, 4, 3, 3)))
    strides = np.array([[3, 1], [1, 3]], dtype=np.int64)
    identity = np.array([True, False])
    sums = [((0, 1), (0,)), ((0, 1), (1,)), ((0, 1), ())]
    fx, fg = tn.FusedReductions(sums, 3, 2), tn.FusedReductions(sums[1:], 3, 2)
    monkeypatch.setattr(tn, "_num_threads", lambda: 1)
    one = tn.permuted_inner(x, gy, strides, identity, fx, fg)
    monkeypatch.setattr(tn, "_num_threads", lambda: 3)
    three = tn.permuted_inner(x, gy, strides, identity, fx, fg)
    ref = (torch.stack([torch.einsum("boij,bcij->oc", gy, x),
                        torch.einsum("boij,bcji->oc", gy, x)]),
           [x.sum(3), x.sum(2), x.sum((2, 3)).unsqueeze(-1)],
           [gy.sum(2), gy.sum((2, 3)).unsqueeze(-1)])
    for got in (one, three):
        torch.testing.assert_close(got[0], ref[0], rtol=1e-12, atol=1e-12)
        assert len(got[1]) == 3 and len(got[2]) == 2
        for a, b in zip(got[1] + got[2], ref[1] + ref[2]):
            torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
    for threads in (1, 3):
        monkeypatch.setattr(tn, "_num_threads", lambda t=threads: t)
        out, xs, gs = tn.permuted_inner(x, gy, strides, identity, None, fg)
        torch.testing.assert_close(out, ref[0], rtol=1e-12, atol=1e-12)
        assert xs == [] and len(gs) == 2
        torch.testing.assert_close(gs[0], ref[2][0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype, tol", [(torch.float32, 1e-5), (torch.float64, 1e-12)])
def test_fused_reductions_equal_einsum(dtype, tol):
    """Diagonals and sums over axes of a 3-axis tensor in one pass, against numpy's einsum."""
    patterns = [((0, 1, 2), (2, 0)), ((0, 1, 2), ()), ((0, 0, 1), (1,)), ((0, 1, 0), (0,)),
                ((0, 0, 0), ()), ((0, 1, 1), (1, 0)), ((0, 1, 2), (1,)), ((0, 0, 1), (0, 1))]
    n = 4
    rng = np.random.default_rng(19)
    x = torch.as_tensor(rng.standard_normal((3, 2, n, n, n)), dtype=dtype)
    out = tn.FusedReductions(patterns, n, 3)(x)
    assert len(out) == len(patterns)
    letters = "abc"
    for (labels, kept), got in zip(patterns, out):
        expr = "YZ" + "".join(letters[a] for a in labels) + "->YZ" + "".join(letters[a] for a in kept)
        ref = np.einsum(expr, x.double().numpy()).reshape(3, 2, -1)
        assert got.dtype == dtype and got.is_contiguous() and got.shape == ref.shape
        np.testing.assert_allclose(got.double().numpy(), ref, rtol=tol, atol=tol * 10)


def test_fused_reductions_of_vectors_and_empty_batch():
    f = tn.FusedReductions([((0,), ()), ((0,), (0,))], 5, 1)
    x = torch.arange(10.0, dtype=torch.float64).reshape(1, 2, 5)
    total, same = f(x)
    torch.testing.assert_close(total.reshape(2), x.sum(-1).reshape(2))
    torch.testing.assert_close(same, x)
    empty = f(torch.zeros(0, 2, 5, dtype=torch.float64))
    assert [tuple(t.shape) for t in empty] == [(0, 2, 1), (0, 2, 5)]
