"""Pointwise-activation check, norm / gated nonlinearities and masked pooling."""

import numpy as np
import pytest

import reptheory as rt
from reptheory.errors import InvalidParameterError, ReptheoryTypeError, ShapeError
from reptheory.groups import tensor_power
from reptheory.numpy import pointwise_activation_equivariant

torch = pytest.importorskip("torch")
from reptheory.torch import (
    GatedActivation,
    InvariantPooling,
    NormActivation,
    invariant_pool,
)

GROUPS = [rt.S(3), rt.A(4), rt.O(1), rt.O(3), rt.SO(2), rt.SO(3), rt.Sp(2), rt.Sp(4), rt.SO(1)]


def _commutes(group, order, f, rng, samples=4):
    """Numerically: f(rho(g) x) == rho(g) f(x) for random g and x."""
    for _ in range(samples):
        R = tensor_power(group.random_element(rng), order)
        x = rng.standard_normal(R.shape[0])
        if not np.allclose(f(R @ x), R @ f(x), atol=1e-9):
            return False
    return True


@pytest.mark.parametrize("group", GROUPS, ids=repr)
@pytest.mark.parametrize("order", [0, 1, 2])
def test_pointwise_verdict_matches_numerics(group, order):
    rng = np.random.default_rng(11)
    check = pointwise_activation_equivariant(group, order)
    relu = lambda v: np.maximum(v, 0.0)
    assert _commutes(group, order, relu, rng) == bool(check), check.reason
    assert _commutes(group, order, np.tanh, rng) == (check.activations in ("any", "odd"))
    assert isinstance(check.reason, str) and check.reason


def test_pointwise_bad_input():
    with pytest.raises(ReptheoryTypeError):
        pointwise_activation_equivariant("S5", 1)
    with pytest.raises(InvalidParameterError):
        pointwise_activation_equivariant(rt.S(3), -1)
    assert bool(pointwise_activation_equivariant(rt.S(), 3))


def _act(g, x, p):
    for a in range(x.dim() - p, x.dim()):
        x = torch.movedim(torch.tensordot(x, g, dims=([a], [1])), -1, a)
    return x


@pytest.mark.parametrize("group,order", [(rt.O(3), 1), (rt.O(3), 2), (rt.SO(3), 2), (rt.Sp(4), 2),
                                         (rt.Sp(2), 2), (rt.S(5), 2)], ids=str)
def test_norm_activation_equivariant(group, order):
    torch.manual_seed(12)
    act = NormActivation(group, order, channels=3, dtype=torch.float64)
    with torch.no_grad():
        act.bias.normal_()
    rng = np.random.default_rng(13)
    x = torch.randn((4, 3) + (group.n,) * order, dtype=torch.float64)
    y = act(x)
    assert not torch.allclose(y, x)   # it is not the identity
    for _ in range(3):
        g = torch.as_tensor(group.random_element(rng))
        assert torch.allclose(act(_act(g, x, order)), _act(g, y, order), atol=1e-8)


def test_norm_activation_formula_and_errors():
    act = NormActivation(rt.O(2), 1, channels=1, dtype=torch.float64)
    x = torch.tensor([[[3.0, 4.0]], [[0.0, 0.0]]], dtype=torch.float64)
    with torch.no_grad():
        act.bias.fill_(-1.0)
    assert torch.allclose(act(x)[0], torch.tensor([[3.0, 4.0]], dtype=torch.float64) * 4 / 5)
    assert (act(x)[1] == 0).all()
    with pytest.raises(InvalidParameterError, match="even"):
        NormActivation(rt.Sp(4), 1, channels=1)
    with pytest.raises(ShapeError):
        act(torch.randn(2, 2, 2, dtype=torch.float64))


@pytest.mark.parametrize("group", [rt.O(3), rt.Sp(4), rt.SO(3)], ids=repr)
def test_gated_activation_equivariant(group):
    torch.manual_seed(14)
    gate = GatedActivation("2x0+2x1+1x2")
    n = group.n
    x = {0: torch.randn(3, 5, dtype=torch.float64), 1: torch.randn(3, 2, n, dtype=torch.float64),
         2: torch.randn(3, 1, n, n, dtype=torch.float64)}
    y = gate(x)
    rng = np.random.default_rng(15)
    g = torch.as_tensor(group.random_element(rng))
    gy = gate({0: x[0], 1: _act(g, x[1], 1), 2: _act(g, x[2], 2)})
    assert torch.allclose(gy[0], y[0])
    for k in (1, 2):
        assert torch.allclose(gy[k], _act(g, y[k], k), atol=1e-9)
    with pytest.raises(ShapeError, match="gate"):
        gate({0: torch.randn(3, 4), 1: x[1], 2: x[2]})


def _pool_alone(x, reduction, to_order):
    dims = tuple(range(2 + to_order, x.dim()))
    if not dims:
        return x
    if reduction == "sum":
        return x.sum(dim=dims)
    if reduction == "mean":
        return x.mean(dim=dims)
    return x.amax(dim=dims)


@pytest.mark.parametrize("reduction", ["sum", "mean", "max"])
@pytest.mark.parametrize("to_order", [0, 1])
@pytest.mark.parametrize("order", [1, 2, 3])
def test_pooling_masked_equals_alone(reduction, to_order, order):
    if to_order > order:
        pytest.skip("pooling lowers the order")
    rng = np.random.default_rng(16)
    sizes, n = [2, 5, 1, 4], 6
    mask = torch.zeros(len(sizes), n, dtype=torch.bool)
    x = torch.full((len(sizes), 2) + (n,) * order, 100.0, dtype=torch.float64)  # junk padding
    alone = []
    for b, m in enumerate(sizes):
        pos = torch.as_tensor(rng.permutation(n)[:m])
        mask[b, pos] = True
        xb = torch.as_tensor(rng.standard_normal((1, 2) + (m,) * order))
        idx = [slice(None)] + [pos.reshape((-1,) + (1,) * (order - 1 - a)) for a in range(order)]
        x[b][tuple(idx)] = xb[0]
        alone.append((pos, xb))
    out = invariant_pool(x, mask, to_order=to_order, reduction=reduction)
    compared = 0
    for b, (pos, xb) in enumerate(alone):
        ref = _pool_alone(xb, reduction, to_order)[0]
        got = out[b] if to_order == 0 else out[b][:, pos]
        assert torch.allclose(got, ref, atol=1e-12)
        if to_order == 1:
            assert (out[b][:, ~mask[b]] == 0).all()
        compared += 1
    assert compared == len(sizes)
    assert torch.equal(InvariantPooling(to_order, reduction)(x, mask), out)


def test_pooling_errors():
    x = torch.randn(2, 1, 3, 3)
    with pytest.raises(InvalidParameterError, match="reduction"):
        invariant_pool(x, reduction="median")
    with pytest.raises(InvalidParameterError, match="to_order"):
        invariant_pool(x, to_order=2)
    with pytest.raises(InvalidParameterError, match="real node"):
        invariant_pool(x, torch.tensor([[True, True, False], [False] * 3]))
    with pytest.raises(ShapeError):
        invariant_pool(torch.randn(2, 3))


@pytest.mark.parametrize("order", [1, 2])
def test_masked_instance_norm_padded_equals_alone(order):
    from reptheory.torch import MaskedInstanceNorm

    torch.manual_seed(30)
    norm = MaskedInstanceNorm(2, order).double()
    with torch.no_grad():
        norm.weight.normal_()
        norm.bias.normal_()
    rng = np.random.default_rng(31)
    sizes, n = [3, 6, 2], 7
    x = torch.full((3, 2) + (n,) * order, -9.0, dtype=torch.float64)
    mask = torch.zeros(3, n, dtype=torch.bool)
    parts = []
    for b, m in enumerate(sizes):
        pos = torch.as_tensor(rng.permutation(n)[:m])
        mask[b, pos] = True
        xb = torch.as_tensor(rng.standard_normal((1, 2) + (m,) * order)) * 5 + 2
        idx = [slice(None)] + [pos.reshape((-1,) + (1,) * (order - 1 - a)) for a in range(order)]
        x[b][tuple(idx)] = xb[0]
        parts.append((idx, xb))
    y = norm(x, mask)
    dims = tuple(range(2, 2 + order))
    shape = (1, 2) + (1,) * order
    compared = 0
    for b, (idx, xb) in enumerate(parts):
        ref = (xb - xb.mean(dim=dims, keepdim=True)) / torch.sqrt(
            xb.var(dim=dims, unbiased=False, keepdim=True) + 1e-5)
        ref = ref * norm.weight.reshape(shape) + norm.bias.reshape(shape)
        assert torch.allclose(y[b][tuple(idx)], ref[0], atol=1e-10)
        assert torch.allclose(norm(xb)[0], ref[0], atol=1e-10)
        compared += 1
    assert compared == 3
    m = mask.double()
    pad = (m[:, None, :] if order == 1 else m[:, None, :, None] * m[:, None, None, :]) == 0
    assert (y.masked_select(pad.expand_as(y)) == 0).all()
