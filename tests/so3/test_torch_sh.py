"""Torch spherical harmonics and Wigner D: values against the numpy ones, equivariance,
group laws, first and second derivatives (gradcheck / gradgradcheck), bad input."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from reptheory.errors import InvalidParameterError, ReptheoryTypeError, ShapeError
from reptheory.so3 import rot_x, rot_z, spherical_harmonics_all, wigner_D
from reptheory.torch import (
    MAX_L_FLOAT32,
    edge_to_pole_rotation,
    spherical_harmonics,
    wigner_D_all,
)


def rand_rots(rng, n):
    q, r = np.linalg.qr(rng.normal(size=(n, 3, 3)))
    q = q * np.sign(np.diagonal(r, axis1=1, axis2=2))[:, None, :]
    return q * np.linalg.det(q)[:, None, None]


def points(rng, n):
    v = rng.normal(size=(n, 3))
    # poles, the equator and a point next to the south pole
    v[:4] = [[0, 0, 2.0], [0, 0, -1.0], [1.0, -1.0, 0.0], [1e-7, 0.0, -1.0]]
    return v


@pytest.mark.parametrize("L", [0, 1, 2, 7, 25])
def test_sh_matches_numpy(L):
    v = points(np.random.default_rng(L), 60)
    Y = spherical_harmonics(L, torch.from_numpy(v))
    ref = spherical_harmonics_all(L, v)
    assert Y.shape == ref.shape and Y.dtype == torch.float64
    np.testing.assert_allclose(Y.numpy(), ref, atol=1e-13 * max(1, L))


def test_sh_high_degree_float64():
    v = points(np.random.default_rng(5), 40)
    Y = spherical_harmonics(100, torch.from_numpy(v)).numpy()
    ref = spherical_harmonics_all(100, v)
    assert np.isfinite(Y).all()
    for l in (50, 87, 100):  # relative to the largest value of the degree
        s = slice(l * l, (l + 1) ** 2)
        assert np.abs(Y[:, s] - ref[:, s]).max() < 1e-11 * np.abs(ref[:, s]).max()


def test_sh_batched_shape_unnormalised_and_float32():
    rng = np.random.default_rng(3)
    v = rng.normal(size=(2, 5, 3))
    Y = spherical_harmonics(4, torch.from_numpy(v))
    assert Y.shape == (2, 5, 25)
    np.testing.assert_allclose(Y.reshape(10, 25).numpy(), spherical_harmonics_all(4, v.reshape(10, 3)))
    u = v / np.linalg.norm(v, axis=-1, keepdims=True)
    Yu = spherical_harmonics(4, torch.from_numpy(u), normalize=False)
    np.testing.assert_allclose(Yu.numpy(), Y.numpy(), atol=1e-14)
    Y32 = spherical_harmonics(10, torch.from_numpy(v).float())
    assert Y32.dtype == torch.float32
    ref = spherical_harmonics_all(10, v.reshape(10, 3).astype(np.float32).astype(np.float64))
    assert np.abs(Y32.reshape(10, -1).double().numpy() - ref).max() < 1e-5


def test_sh_float32_degree_guard():
    v = torch.randn(3, 3)
    spherical_harmonics(MAX_L_FLOAT32, v)
    with pytest.raises(InvalidParameterError, match="float32"):
        spherical_harmonics(MAX_L_FLOAT32 + 1, v)
    spherical_harmonics(MAX_L_FLOAT32 + 1, v.double())  # float64 has no cap


def test_sh_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(7)
    v = points(rng, 6)
    v[3] = [1e-3, 2e-3, -1.0]  # near the pole (the point of a polar-angle singularity)
    x = torch.tensor(v, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: spherical_harmonics(4, t), (x,))
    assert torch.autograd.gradgradcheck(lambda t: spherical_harmonics(4, t), (x,))


@pytest.mark.parametrize("L", [0, 1, 5, 12])
def test_sh_gradient_matches_numpy_finite_differences(L):
    # an independent check of the analytic gradient: central differences of the numpy harmonics
    rng = np.random.default_rng(11 + L)
    v = rng.normal(size=(5, 3))
    v[0] = [0.0, 0.0, -1.5]  # a pole
    x = torch.tensor(v, requires_grad=True)
    c = torch.tensor(rng.normal(size=(5, (L + 1) ** 2)))
    (spherical_harmonics(L, x) * c).sum().backward()
    h = 1e-6
    fd = np.zeros_like(v)
    for k in range(3):
        e = np.zeros(3)
        e[k] = h
        fp = (spherical_harmonics_all(L, v + e) * c.numpy()).sum(1)
        fm = (spherical_harmonics_all(L, v - e) * c.numpy()).sum(1)
        fd[:, k] = (fp - fm) / (2 * h)
    np.testing.assert_allclose(x.grad.numpy(), fd, atol=1e-6 * (L + 1))
    # the broadcast upstream gradient of a plain sum (read without a copy)
    x2 = torch.tensor(v, requires_grad=True)
    spherical_harmonics(L, x2).sum().backward()
    fd2 = np.zeros_like(v)
    for k in range(3):
        e = np.zeros(3)
        e[k] = h
        fd2[:, k] = (spherical_harmonics_all(L, v + e) - spherical_harmonics_all(L, v - e)).sum(1)
    np.testing.assert_allclose(x2.grad.numpy(), fd2 / (2 * h), atol=1e-6 * (L + 1))
    if L == 0:
        assert not x.grad.any()  # Y_00 is constant
    else:
        assert np.abs(fd).max() > 0.1  # the comparison compared something


@pytest.mark.parametrize("L", [0, 1, 7])
def test_sh_gradcheck_unnormalised_and_batched(L):
    # normalize=False differentiates the polynomial harmonics themselves; leading batch dims
    rng = np.random.default_rng(23)
    x = torch.tensor(rng.normal(size=(2, 3, 3)), requires_grad=True)
    f = lambda t: spherical_harmonics(L, t, normalize=False)
    assert torch.autograd.gradcheck(f, (x,))
    assert torch.autograd.gradgradcheck(f, (x,))


def test_sh_float32_gradient_matches_float64():
    # the analytic float32 gradient against float64 (forces in float32 training)
    rng = np.random.default_rng(5)
    v = points(rng, 300)
    c = rng.normal(size=(300, 121))
    grads = []
    for dt in (torch.float32, torch.float64):
        x = torch.tensor(v, dtype=dt, requires_grad=True)
        (spherical_harmonics(10, x) * torch.tensor(c, dtype=dt)).sum().backward()
        grads.append(x.grad.double().numpy())
    scale = np.abs(grads[1]).max()
    assert scale > 1.0
    np.testing.assert_allclose(grads[0], grads[1], atol=1e-4 * scale)


def test_sh_no_grad_and_grad_paths_agree_with_numpy():
    # values of the differentiable path (requires_grad) and of the plain path (no_grad)
    rng = np.random.default_rng(9)
    v = points(rng, 50)
    ref = spherical_harmonics_all(6, v)
    x = torch.tensor(v, requires_grad=True)
    with torch.no_grad():
        y0 = spherical_harmonics(6, x)
    y1 = spherical_harmonics(6, x)
    assert y1.requires_grad and not y0.requires_grad
    np.testing.assert_allclose(y0.numpy(), ref, atol=1e-13)
    np.testing.assert_allclose(y1.detach().numpy(), ref, atol=1e-13)


@pytest.mark.parametrize(
    "bad, err",
    [
        ([[0.0, 0.0, 0.0]], "zero vector"),
        ([[np.nan, 0.0, 1.0]], "NaN or infinite"),
        ([[np.inf, 0.0, 1.0]], "NaN or infinite"),
    ],
)
def test_sh_bad_vectors(bad, err):
    v = torch.tensor([[1.0, 2.0, 3.0]] + bad, dtype=torch.float64)
    with pytest.raises(InvalidParameterError, match=err):
        spherical_harmonics(2, v)
    with pytest.raises(InvalidParameterError, match=err):
        edge_to_pole_rotation(v)


def test_sh_bad_arguments():
    with pytest.raises(ShapeError):
        spherical_harmonics(2, torch.zeros(4, 2))
    with pytest.raises(ReptheoryTypeError):
        spherical_harmonics(2, torch.ones(4, 3, dtype=torch.int64))
    with pytest.raises(ReptheoryTypeError):
        spherical_harmonics(2, np.ones((4, 3)))
    with pytest.raises(InvalidParameterError):
        spherical_harmonics(-1, torch.ones(4, 3))
    with pytest.raises(InvalidParameterError, match="NaN"):
        spherical_harmonics(2, torch.tensor([[np.nan, 0.0, 1.0]]), normalize=False)


def test_wigner_matches_numpy_and_equivariance():
    rng = np.random.default_rng(1)
    R = rand_rots(rng, 7)
    R[0] = rot_z(0.3)  # gimbal-lock rotations of the Euler-angle method
    R[1] = rot_x(np.pi) @ rot_z(0.2)
    Ds = wigner_D_all(9, torch.from_numpy(R))
    assert len(Ds) == 10
    compared = 0
    for l, D in enumerate(Ds):
        assert D.shape == (7, 2 * l + 1, 2 * l + 1)
        np.testing.assert_allclose(D.numpy(), wigner_D(l, R), atol=1e-13)
        compared += 1
    assert compared == 10
    # Y(R x) = D(R) Y(x), with the torch harmonics
    x = torch.from_numpy(points(rng, 7))
    Rt = torch.from_numpy(R)
    Yrx = spherical_harmonics(9, (Rt @ x[:, :, None])[..., 0])
    Yx = spherical_harmonics(9, x)
    for l, D in enumerate(Ds):
        s = slice(l * l, (l + 1) ** 2)
        torch.testing.assert_close(Yrx[:, s], (D @ Yx[:, s, None])[..., 0], atol=1e-12, rtol=0)


def test_wigner_group_laws_high_degree():
    rng = np.random.default_rng(2)
    R1, R2 = (torch.from_numpy(rand_rots(rng, 3)) for _ in range(2))
    A, B, AB = (wigner_D_all(40, R) for R in (R1, R2, R1 @ R2))
    for l in (1, 13, 40):
        eye = torch.eye(2 * l + 1, dtype=torch.float64)
        torch.testing.assert_close(A[l] @ B[l], AB[l], atol=1e-12, rtol=0)
        torch.testing.assert_close(A[l] @ A[l].transpose(1, 2), eye.expand(3, -1, -1), atol=1e-12, rtol=0)
    np.testing.assert_allclose(A[40].numpy(), wigner_D(40, R1.numpy()), atol=1e-12)


def test_wigner_float32_and_batch_shape():
    rng = np.random.default_rng(4)
    R = rand_rots(rng, 6).reshape(2, 3, 3, 3)
    Ds = wigner_D_all(12, torch.from_numpy(R).float())
    assert Ds[12].shape == (2, 3, 25, 25) and Ds[12].dtype == torch.float32
    ref = wigner_D(12, R.reshape(6, 3, 3).astype(np.float32).astype(np.float64), atol=1e-6)
    assert np.abs(Ds[12].reshape(6, 25, 25).double().numpy() - ref).max() < 1e-5


def test_wigner_chunked_batch_matches_numpy_and_unchunked():
    """460 rotations: values against the numpy matrices, and gradients equal to those of one
    rotation at a time (chunks of rotations: tests/so3/test_torch_wigner.py)."""
    rng = np.random.default_rng(9)
    R = rand_rots(rng, 2 * 230).reshape(2, 230, 3, 3)
    Rt = torch.tensor(R, requires_grad=True)
    Ds = wigner_D_all(10, Rt)
    compared = 0
    for l in (2, 5, 10):
        assert Ds[l].shape == (2, 230, 2 * l + 1, 2 * l + 1)
        np.testing.assert_allclose(
            Ds[l].detach().reshape(-1, 2 * l + 1, 2 * l + 1).numpy(),
            wigner_D(l, R.reshape(-1, 3, 3)),
            atol=1e-12,
        )
        compared += 1
    assert compared == 3
    w = [torch.from_numpy(rng.normal(size=D.shape)) for D in Ds]
    (g,) = torch.autograd.grad(sum((a * b).sum() for a, b in zip(Ds, w)), Rt)
    for i in (0, 229):  # both sides of the chunk boundary in the first row, and the last
        for j in (0, 1):
            Rij = Rt.detach()[j, i].clone().requires_grad_(True)
            Dij = wigner_D_all(10, Rij)
            (gij,) = torch.autograd.grad(sum((a * b[j, i]).sum() for a, b in zip(Dij, w)), Rij)
            torch.testing.assert_close(g[j, i], gij, atol=1e-11, rtol=0)


def test_wigner_gradgradcheck():
    rng = np.random.default_rng(10)
    R = torch.tensor(rand_rots(rng, 2), requires_grad=True)
    f = lambda t: torch.cat([D.flatten(1) for D in wigner_D_all(3, t, check=False)], 1)
    assert torch.autograd.gradgradcheck(f, (R,))


def test_wigner_gradcheck_rotation_and_edge_vector():
    rng = np.random.default_rng(8)
    R = torch.tensor(rand_rots(rng, 2), requires_grad=True)
    f = lambda t: torch.cat([D.flatten(1) for D in wigner_D_all(3, t, check=False)], 1)
    assert torch.autograd.gradcheck(f, (R,))
    v = rng.normal(size=(4, 3))
    v[2] = [0.1, -0.2, -1.0]  # the r_z < 0 chart
    r = torch.tensor(v, requires_grad=True)
    g = lambda t: torch.cat([D.flatten(1) for D in wigner_D_all(3, edge_to_pole_rotation(t))], 1)
    assert torch.autograd.gradcheck(g, (r,))


def test_edge_to_pole_rotation_charts():
    v = torch.tensor(
        [[0, 0, 1.0], [0, 0, -3.0], [1.0, 2.0, -0.5], [0.2, -0.1, 0.9], [1.0, 0.0, 0.0]],
        dtype=torch.float64,
    )
    R = edge_to_pole_rotation(v)
    u = v / v.norm(dim=1, keepdim=True)
    z = torch.tensor([0, 0, 1.0], dtype=torch.float64)
    torch.testing.assert_close((R @ u[:, :, None])[..., 0], z.expand(5, 3), atol=1e-14, rtol=0)
    eye = torch.eye(3, dtype=torch.float64).expand(5, 3, 3)
    torch.testing.assert_close(R @ R.transpose(1, 2), eye, atol=1e-14, rtol=0)
    assert torch.allclose(torch.linalg.det(R), torch.ones(5, dtype=torch.float64))


def test_wigner_bad_input():
    with pytest.raises(InvalidParameterError, match="reflection"):
        wigner_D_all(2, -torch.eye(3, dtype=torch.float64))
    with pytest.raises(InvalidParameterError, match="not a rotation"):
        wigner_D_all(2, 2 * torch.eye(3))
    with pytest.raises(InvalidParameterError, match="NaN"):
        wigner_D_all(2, torch.full((3, 3), float("nan")))
    with pytest.raises(ShapeError):
        wigner_D_all(2, torch.eye(4))
    with pytest.raises(InvalidParameterError):
        wigner_D_all(-1, torch.eye(3))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    rng = np.random.default_rng(9)
    v = torch.from_numpy(points(rng, 50))
    R = torch.from_numpy(rand_rots(rng, 5))
    torch.testing.assert_close(spherical_harmonics(12, v.cuda()).cpu(), spherical_harmonics(12, v))
    for a, b in zip(wigner_D_all(6, R.cuda()), wigner_D_all(6, R)):
        torch.testing.assert_close(a.cpu(), b)
