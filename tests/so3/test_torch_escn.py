"""Multi-channel eSCN convolution and graph layer: agreement with the numpy eSCN convolution,
m truncation, radial edge weights, equivariance, gradients to edge vectors (forces)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from _reference import block_wigner_D as block_D
from _reference import random_rotation as rand_rot

from reptheory.errors import InvalidParameterError, ShapeError
from reptheory.so3 import escn_convolution
from reptheory.torch import (
    ESCNConvolution,
    ESCNGraphConv,
    RadialBasis,
    edge_to_pole_rotation,
    wigner_D_all,
)


def pair_weights(conv, co, ci, L_in, L_out):
    """numpy weight dict of one (output channel, input channel) pair; dropped orders are 0."""
    W = {0: conv.w0.detach()[:, co, :, ci].double().numpy()}
    for m in range(1, min(L_in, L_out) + 1):
        W[m] = np.zeros((2, L_out + 1, L_in + 1))
        if m <= conv.m_max:
            W[m][:, m:, m:] = conv.wm[m - 1].detach()[:, :, co, :, ci].double().numpy()
    return W


@pytest.mark.parametrize(
    "L_in, L_out, m_max, ci, co",
    [
        (2, 3, None, 2, 3), (3, 2, 1, 2, 3), (4, 4, 2, 2, 3), (1, 2, 0, 2, 3), (0, 2, None, 2, 3),
        (2, 0, None, 2, 3), (7, 6, None, 1, 1), (6, 7, 3, 4, 1), (5, 3, None, 8, 8),  # edges last
        (2, 3, 1, 2, 17), (0, 2, None, 17, 1), (5, 4, 2, 3, 17),  # one matmul per degree, order
        (2, 3, None, 8, 9), (3, 2, 1, 9, 8), (0, 2, None, 8, 8), (2, 0, None, 8, 8),  # fused
    ],
)
def test_multichannel_matches_numpy(L_in, L_out, m_max, ci, co):
    torch.manual_seed(0)
    rng = np.random.default_rng(1)
    E = 6
    conv = ESCNConvolution(L_in, L_out, ci, co, m_max=m_max).double()
    assert conv.fused == (max(L_in, L_out) <= 4 and min(ci, co) >= 8)
    assert conv.edges_last == (not conv.fused and max(ci, co) <= 16)
    x = rng.normal(size=(E, ci, (L_in + 1) ** 2))
    r = rng.normal(size=(E, 3))
    r[0] = [0.0, 0.0, -2.0]  # the south-pole chart
    ew = rng.normal(size=(E, L_in + 1, ci))
    y = conv(torch.from_numpy(x), torch.from_numpy(r), torch.from_numpy(ew)).detach()
    assert y.is_contiguous()  # callers may view() it
    y = y.numpy()
    assert y.shape == (E, co, (L_out + 1) ** 2)
    # the edge weights scale each degree of each channel: they commute with the rotation
    xs = x * np.repeat(ew, 2 * np.arange(L_in + 1) + 1, axis=1).transpose(0, 2, 1)
    compared = 0
    for o in range(co):
        ref = sum(
            escn_convolution(xs[:, i], r, pair_weights(conv, o, i, L_in, L_out), L_out)
            for i in range(ci)
        )
        np.testing.assert_allclose(y[:, o], ref, atol=1e-12)
        compared += 1
    assert compared == co


def test_truncation_drops_high_orders_in_edge_frame():
    # an edge along z: the rotated frame is the identity up to a z-rotation, so outputs of
    # order |m| > m_max vanish
    conv = ESCNConvolution(3, 3, 1, 1, m_max=1).double()
    x = torch.randn(1, 1, 16, dtype=torch.float64)
    y = conv(x, torch.tensor([[0.0, 0.0, 1.5]], dtype=torch.float64)).detach()
    for l in range(4):
        for m in range(-l, l + 1):
            if abs(m) > 1:
                assert abs(float(y[0, 0, l * l + l + m])) < 1e-14
    assert len(conv.wm) == 1
    # parameter count: sum over (l_in, l_out) of 2 min(l_in, l_out, m_max) + 1
    full = ESCNConvolution(3, 2, 2, 5)
    from reptheory.so3 import escn_parameter_count

    assert sum(p.numel() for p in full.parameters()) == escn_parameter_count(3, 2) * 2 * 5


def test_graph_layer_scatter_equivariance_and_forces():
    torch.manual_seed(3)
    rng = np.random.default_rng(3)
    N, L, C = 6, 2, 3
    conv = ESCNGraphConv(L, L, C, C, cutoff=4.0, avg_neighbors=2.0).double()
    pos = rng.normal(size=(N, 3))
    src, dst = np.nonzero(~np.eye(N, dtype=bool))
    ei = torch.tensor(np.stack([src, dst]))
    x = rng.normal(size=(N, C, (L + 1) ** 2))

    def run(p, xx):
        p = torch.tensor(p, requires_grad=True)
        out = conv(torch.from_numpy(xx), ei, p[ei[0]] - p[ei[1]])
        energy = (out[:, :, 0] ** 2).sum() + out[:, :, 0].sum()  # invariant
        (g,) = torch.autograd.grad(energy, p)
        return out.detach().numpy(), -g.numpy()

    out, F = run(pos, x)
    # shared Wigner matrices give the same output
    p_t = torch.from_numpy(pos)
    ev = p_t[ei[0]] - p_t[ei[1]]
    from reptheory.torch import edge_to_pole_rotation, wigner_D_all

    Ws = wigner_D_all(L, edge_to_pole_rotation(ev))
    shared = conv(torch.from_numpy(x), ei, ev, wigner=Ws).detach().numpy()
    np.testing.assert_allclose(shared, out, atol=1e-13)
    # scatter-sum: node 0 receives the messages of all edges with target 0
    sel = torch.from_numpy(np.nonzero(dst == 0)[0])
    p_t = torch.from_numpy(pos)
    r = p_t[ei[0, sel]] - p_t[ei[1, sel]]
    w = conv.mlp(conv.radial(r.norm(dim=1))).view(-1, L + 1, C)
    manual = conv.conv(torch.from_numpy(x)[ei[0, sel]], r, w).sum(0) / 2.0
    np.testing.assert_allclose(out[0], manual.detach().numpy(), atol=1e-12)
    # rotation and translation: features rotate with D, forces with R
    R = rand_rot(rng)
    D = block_D(L, R)
    out_r, F_r = run(pos @ R.T + 0.7, np.einsum("ij,ncj->nci", D, x))
    np.testing.assert_allclose(out_r, np.einsum("ij,ncj->nci", D, out), atol=1e-10)
    np.testing.assert_allclose(F_r, F @ R.T, atol=1e-10)
    assert np.abs(F).max() > 1e-3  # the forces are not trivially zero
    np.testing.assert_allclose(F.sum(0), 0, atol=1e-10)  # translation invariance


@pytest.mark.parametrize("ci, co, L_out", [(2, 2, 2), (1, 17, 1), (8, 8, 2)])  # edges last /
def test_gradcheck_edge_vectors_and_features(ci, co, L_out):  # per degree / fused
    torch.manual_seed(5)
    conv = ESCNConvolution(2, L_out, ci, co, m_max=1).double()
    assert conv.fused == (ci >= 8)
    assert conv.edges_last == (co <= 16 and not conv.fused)
    E = 3 if co < 8 else 2  # both charts of the edge frame (the second edge points down)
    x = torch.randn(E, ci, 9, dtype=torch.float64, requires_grad=True)
    r = torch.tensor([[0.3, -1.0, 0.5], [0.0, 0.1, -1.0], [1.0, 0.2, 0.3]], dtype=torch.float64)
    r = r[:E].clone().requires_grad_(True)
    assert torch.autograd.gradcheck(lambda a, b: conv(a, b), (x, r))
    # training on forces differentiates the gradient with respect to the edge vectors again
    assert torch.autograd.gradgradcheck(lambda b: conv(x.detach(), b), (r,))


@pytest.mark.parametrize("ci, co", [(2, 3), (2, 17), (8, 9)])  # edges last / per order / fused
def test_no_edges(ci, co):
    conv = ESCNConvolution(3, 2, ci, co)
    x = torch.randn(0, ci, 16, requires_grad=True)
    y = conv(x, torch.randn(0, 3))
    assert y.shape == (0, co, 9)
    y.sum().backward()
    assert x.grad.shape == x.shape


def test_gradcheck_one_channel_edges_last():
    torch.manual_seed(7)
    conv = ESCNConvolution(4, 3).double()
    assert conv.edges_last and not conv.has_channels
    x = torch.randn(2, 25, dtype=torch.float64, requires_grad=True)
    r = torch.tensor([[0.3, -1.0, 0.5], [0.2, 0.1, -1.0]], dtype=torch.float64, requires_grad=True)
    w = torch.randn(2, 5, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b, c: conv(a, b, c), (x, r, w))


def test_radial_basis_cutoff_and_smoothness():
    rb = RadialBasis(5, cutoff=2.0).double()
    r = torch.tensor([0.5, 1.0, 1.999, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    b = rb(r).detach()
    assert float(b[3:].abs().max()) == 0.0
    assert float(b[2].abs().max()) < 1e-6
    # the basis at r: sqrt(2/c) sin(n pi r / c) / r times the envelope, computed by hand
    t = 0.25
    env = 1 - 28 * t**6 + 48 * t**7 - 21 * t**8
    ref = np.sqrt(2 / 2.0) * np.sin(np.arange(1, 6) * np.pi * 0.5 / 2.0) / 0.5 * env
    np.testing.assert_allclose(b[0].detach().numpy(), ref, rtol=1e-12)


def test_bad_input():
    conv = ESCNConvolution(2, 2, 3, 4)
    with pytest.raises(ShapeError):
        conv(torch.randn(5, 2, 9), torch.randn(5, 3))
    with pytest.raises(ShapeError):
        conv(torch.randn(5, 3, 9), torch.randn(4, 3))
    with pytest.raises(ShapeError):
        conv(torch.randn(5, 3, 9), torch.randn(5, 3), torch.randn(5, 2, 3))
    with pytest.raises(InvalidParameterError, match="zero vector"):
        conv(torch.randn(2, 3, 9), torch.tensor([[1.0, 0, 0], [0, 0, 0]]))
    with pytest.raises(ShapeError, match="wigner must hold D_0 .. D_2"):  # too few degrees
        r = torch.randn(5, 3)
        conv(torch.randn(5, 3, 9), r, wigner=wigner_D_all(1, edge_to_pole_rotation(r)))
    with pytest.raises(InvalidParameterError):
        ESCNConvolution(2, 2, channels_out=3)
    with pytest.raises(InvalidParameterError):
        RadialBasis(3, cutoff=0.0)
    g = ESCNGraphConv(1, 1, 2, 2)
    with pytest.raises(ShapeError):
        g(torch.randn(3, 2, 4), torch.tensor([0, 1]), torch.randn(2, 3))


@pytest.mark.parametrize("ci, co", [(2, 3), (2, 17), (8, 9)])  # edges last / per order / fused
def test_weight_gradients_by_finite_differences(ci, co):
    """Weight gradients (order 0, and both the A and the sign-flipped B part of orders 1 and
    2) against central differences."""
    torch.manual_seed(6)
    conv = ESCNConvolution(2, 2, ci, co).double()
    assert conv.fused == (ci >= 8)
    assert conv.edges_last == (co <= 16 and not conv.fused)
    x = torch.randn(4, ci, 9, dtype=torch.float64)
    r = torch.randn(4, 3, dtype=torch.float64)
    target = torch.randn(4, co, 9, dtype=torch.float64)

    def loss():
        return ((conv(x, r) - target) ** 2).sum()

    loss().backward()
    h, compared = 1e-6, 0
    for p, idx in [(conv.w0, (1, 2, 0, 1)), (conv.wm[0], (0, 1, 0, 0, 1)),
                   (conv.wm[0], (1, 0, 2, 1, 0)), (conv.wm[1], (1, 0, 1, 0, 1))]:
        with torch.no_grad():
            p[idx] += h
            fp = float(loss())
            p[idx] -= 2 * h
            fm = float(loss())
            p[idx] += h
        fd = (fp - fm) / (2 * h)
        assert abs(fd) > 1e-3
        assert abs(float(p.grad[idx]) - fd) < 1e-6 * max(1.0, abs(fd))
        compared += 1
    assert compared == 4
