"""Torch Wigner D of all degrees (the Ivanic-Ruedenberg recursion up to l = 12, the CG recursion
above): values against the numpy matrices up to L = 20 (both recursions and the switch),
group laws, chunked batches, float32, gradients (the analytic backward) along rotations
against finite differences of the numpy matrices, gradcheck / gradgradcheck across the
switch."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from reptheory.so3 import rot_x, rot_z, wigner_D
from reptheory.so3._torch_sh import _CHUNK_ENTRIES, _IR_MAX_DEGREE
from reptheory.torch import edge_to_pole_rotation, wigner_D_all
from tests._reference import random_rotation


def rotations(rng, n):
    """n random rotations after the special ones: identity, pi about x, y and z, a rotation
    about z (gimbal lock of Euler angles), one taking z to -z, one near the identity."""
    special = [
        np.eye(3),
        rot_x(np.pi),
        np.diag([-1.0, 1.0, -1.0]),
        rot_z(np.pi),
        rot_z(0.7),
        rot_x(np.pi) @ rot_z(-1.1),
        rot_x(1e-7) @ rot_z(2e-7),
    ]
    return np.stack(special + [random_rotation(rng) for _ in range(n)])


def test_switch_degree_is_inside_the_tested_range():
    assert 2 <= _IR_MAX_DEGREE < 20


def test_all_degrees_match_numpy_to_L20():
    rng = np.random.default_rng(11)
    R = rotations(rng, 25)
    Ds = wigner_D_all(20, torch.from_numpy(R))
    assert len(Ds) == 21
    compared = 0
    for l, D in enumerate(Ds):
        assert D.shape == (len(R), 2 * l + 1, 2 * l + 1) and D.dtype == torch.float64
        np.testing.assert_allclose(D.numpy(), wigner_D(l, R), atol=1e-12, rtol=0)
        compared += 1
    assert compared == 21


def test_group_laws_to_L20():
    rng = np.random.default_rng(12)
    R1, R2 = rotations(rng, 6), rotations(rng, 6)[::-1].copy()
    A, B, AB = (wigner_D_all(20, torch.from_numpy(R)) for R in (R1, R2, R1 @ R2))
    compared = 0
    for l in range(21):
        eye = torch.eye(2 * l + 1, dtype=torch.float64).expand(len(R1), -1, -1)
        torch.testing.assert_close(A[l] @ B[l], AB[l], atol=1e-12, rtol=0)
        torch.testing.assert_close(A[l] @ A[l].transpose(1, 2), eye, atol=1e-12, rtol=0)
        compared += 1
    assert compared == 21


def test_chunked_batch_and_autograd_path_match_numpy():
    """More rotations than one CPU chunk (the no-graph path runs in chunks, the autograd path
    in one piece): both against the numpy matrices on both sides of the chunk boundary."""
    L = 12
    chunk = max(64, _CHUNK_ENTRIES // (2 * L + 1) ** 2)
    rng = np.random.default_rng(13)
    B = chunk + 40
    R = np.stack([random_rotation(rng) for _ in range(B)])
    rows = [0, chunk - 1, chunk, B - 1]
    ref = {l: wigner_D(l, R[rows]) for l in (2, 7, 12)}
    plain = wigner_D_all(L, torch.from_numpy(R))
    graph = wigner_D_all(L, torch.tensor(R, requires_grad=True))
    compared = 0
    for Ds in (plain, graph):
        for l, D in ref.items():
            assert Ds[l].shape == (B, 2 * l + 1, 2 * l + 1)
            np.testing.assert_allclose(Ds[l].detach()[rows].numpy(), D, atol=1e-13, rtol=0)
            compared += 1
    assert compared == 6


def test_chunked_gradient_of_some_degrees_matches_numpy_finite_differences():
    """A loss on degrees 2, 7 and 12 only (the others get no gradient), more rotations than
    one CPU chunk: the derivative along exp(t X) R on both sides of the chunk boundary by
    autograd, against central differences of the numpy matrices."""
    L = 12
    chunk = max(64, _CHUNK_ENTRIES // (2 * L + 1) ** 2)
    rng = np.random.default_rng(17)
    B = chunk + 8
    R = np.stack([random_rotation(rng) for _ in range(B)])
    degrees = (2, 7, 12)
    W = {l: rng.normal(size=(B, 2 * l + 1, 2 * l + 1)) for l in degrees}
    Rt = torch.tensor(R, requires_grad=True)
    Ds = wigner_D_all(L, Rt)
    (g,) = torch.autograd.grad(sum((Ds[l] * torch.from_numpy(W[l])).sum() for l in degrees), Rt)
    compared = 0
    for b in (chunk - 1, chunk):
        for a in np.eye(3):
            X = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
            h = 1e-5
            Rp, Rm = (_expm_so3(s * h * a) @ R[b] for s in (1, -1))
            num = sum(((wigner_D(l, Rp) - wigner_D(l, Rm)) * W[l][b]).sum() for l in degrees) / (
                2 * h
            )
            ana = float((g[b].numpy() * (X @ R[b])).sum())
            assert abs(ana - num) < 1e-7 * max(1.0, abs(num))
            compared += 1
    assert compared == 6


def test_float32_against_float64():
    rng = np.random.default_rng(14)
    R = rotations(rng, 20)
    D64 = wigner_D_all(20, torch.from_numpy(R))
    D32 = wigner_D_all(20, torch.from_numpy(R).float())
    compared = 0
    for l in (1, 5, 10, 12, 13, 20):
        assert D32[l].dtype == torch.float32
        assert (D32[l].double() - D64[l]).abs().max() < 3e-6
        compared += 1
    assert compared == 6


@pytest.mark.parametrize("L", [6, 14])
def test_gradient_along_rotations_matches_numpy_finite_differences(L):
    """The directional derivative of sum_l <W_l, D_l(R)> along R(t) = exp(t X) R (X
    antisymmetric) by autograd, against a central difference of the numpy matrices."""
    rng = np.random.default_rng(15 + L)
    R = random_rotation(rng)
    W = [rng.normal(size=(2 * l + 1, 2 * l + 1)) for l in range(L + 1)]
    Rt = torch.tensor(R, requires_grad=True)
    f = sum((D * torch.from_numpy(w)).sum() for D, w in zip(wigner_D_all(L, Rt), W))
    (g,) = torch.autograd.grad(f, Rt)
    compared = 0
    for axis in range(3):
        a = np.zeros(3)
        a[axis] = 1.0
        X = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
        h = 1e-5
        Rp, Rm = (_expm_so3(s * h * a) @ R for s in (1, -1))
        num = sum(((wigner_D(l, Rp) - wigner_D(l, Rm)) * W[l]).sum() for l in range(L + 1)) / (
            2 * h
        )
        ana = float((g.numpy() * (X @ R)).sum())
        assert abs(ana - num) < 1e-7 * max(1.0, abs(num))
        compared += 1
    assert compared == 3


def _expm_so3(w):
    """Rodrigues' formula: exp of the antisymmetric matrix of w."""
    t = np.linalg.norm(w)
    K = np.array([[0, -w[2], w[1]], [w[2], 0, -w[0]], [-w[1], w[0], 0]]) / t
    return np.eye(3) + np.sin(t) * K + (1 - np.cos(t)) * K @ K


def test_gradcheck_and_gradgradcheck_across_the_switch():
    L = _IR_MAX_DEGREE + 2
    rng = np.random.default_rng(16)
    R = torch.tensor(np.stack([random_rotation(rng) for _ in range(2)]), requires_grad=True)
    f = lambda t: torch.cat([D.flatten(1) for D in wigner_D_all(L, t, check=False)], 1)
    assert torch.autograd.gradcheck(f, (R,), fast_mode=True)
    assert torch.autograd.gradgradcheck(f, (R,), fast_mode=True)
    v = rng.normal(size=(3, 3))
    v[1] = [0.2, -0.1, -1.0]  # the r_z < 0 chart of edge_to_pole_rotation
    r = torch.tensor(v, requires_grad=True)
    g = lambda t: torch.cat([D.flatten(1) for D in wigner_D_all(L, edge_to_pole_rotation(t))], 1)
    assert torch.autograd.gradcheck(g, (r,), fast_mode=True)


def test_gradient_through_strided_consumers():
    """The matrices used by a batched matmul of their transposes and by a product along the
    edge axis (both hand the backward gradients in another layout): gradcheck in the edge
    vectors, and both consumers give the same gradient as the plain sum of entries."""
    L = 5
    rng = np.random.default_rng(17)
    v = rng.normal(size=(3, 3))
    v[2] = [0.3, 0.1, -1.0]
    r = torch.tensor(v, requires_grad=True)
    X = [torch.tensor(rng.normal(size=(3, 2 * l + 1, 2))) for l in range(L + 1)]

    def by_bmm(t):
        Ds = wigner_D_all(L, edge_to_pole_rotation(t), check=False)
        return torch.cat([torch.bmm(D.transpose(1, 2), x).flatten(1) for D, x in zip(Ds, X)], 1)

    def by_edges_last(t):
        Ds = wigner_D_all(L, edge_to_pole_rotation(t), check=False)
        outs = [(D.permute(1, 2, 0)[:, :, :, None] * x.permute(1, 0, 2)[:, None]).sum(0)
                for D, x in zip(Ds, X)]  # (2l+1, E, 2) each
        return torch.cat([o.permute(1, 0, 2).flatten(1) for o in outs], 1)

    assert torch.autograd.gradcheck(by_bmm, (r,), fast_mode=True)
    assert torch.autograd.gradcheck(by_edges_last, (r,), fast_mode=True)
    # the same map written twice: equal values and equal gradients of a random functional
    w = torch.tensor(rng.normal(size=by_bmm(r).shape))
    np.testing.assert_allclose(by_bmm(r).detach(), by_edges_last(r).detach(), atol=1e-12)
    (g1,) = torch.autograd.grad((by_bmm(r) * w).sum(), r)
    (g2,) = torch.autograd.grad((by_edges_last(r) * w).sum(), r)
    assert float(g1.abs().max()) > 1e-3
    np.testing.assert_allclose(g1, g2, atol=1e-10)
