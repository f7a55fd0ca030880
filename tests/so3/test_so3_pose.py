"""S^2 / SO(3) grids, transforms, convolutions, activation and the rotation distribution."""

import numpy as np
import pytest

from reptheory.errors import InvalidParameterError, ShapeError
from reptheory.so3 import (
    axis_angle_to_matrix,
    geodesic_distance,
    healpix_pixel_centres,
    healpix_so3_grid,
    rot_z,
    s2_quadrature,
    so3_fourier_dim,
    so3_fourier_matrix,
    so3_fourier_rep,
    so3_quadrature,
    sphere_rep,
    spherical_harmonics_all,
    wigner_D,
)


def _random_rotations(n, seed):
    rng = np.random.default_rng(seed)
    return axis_angle_to_matrix(rng.normal(size=(n, 3)), rng.uniform(0, np.pi, size=n))


# -- numpy grids -------------------------------------------------------------------------------------
@pytest.mark.parametrize("L", [0, 1, 3, 5])
def test_so3_quadrature_orthogonality_of_wigner_d(L):
    R, w = so3_quadrature(L)
    M = so3_fourier_matrix(L, R)
    gram = M.T @ (w[:, None] * M)
    deg = np.concatenate([np.full((2 * l + 1) ** 2, 2 * l + 1) for l in range(L + 1)])
    np.testing.assert_allclose(gram, np.diag(1.0 / deg), atol=1e-12)
    # and a random band-limit-2L function against its exact integral (constant term)
    rng = np.random.default_rng(L)
    F = rng.normal(size=so3_fourier_dim(2 * L))
    assert abs(w @ (so3_fourier_matrix(2 * L, R) @ F) - F[0]) < 1e-11


def test_so3_quadrature_not_exact_beyond_2L():
    # independent check that the claim is sharp: degree 2L+1 in beta is not integrated
    L = 2
    R, w = so3_quadrature(L)
    D = wigner_D(2 * L + 2, R)[:, 2 * L + 2, 2 * L + 2]  # d_00 = P_{2L+2}(cos b), integral 0
    assert abs(w @ D) > 1e-3


@pytest.mark.parametrize("L", [1, 4])
def test_s2_quadrature_orthonormal_harmonics(L):
    x, w = s2_quadrature(L)
    Y = spherical_harmonics_all(L, x)
    np.testing.assert_allclose(Y.T @ (w[:, None] * Y), np.eye((L + 1) ** 2), atol=1e-12)


def test_so3_fourier_matrix_left_translation():
    # f(g^-1 R) has coefficients so3_fourier_rep(L).matrix(g) F
    L = 3
    rng = np.random.default_rng(0)
    F = rng.normal(size=so3_fourier_dim(L))
    R = _random_rotations(20, 1)
    checked = 0
    for g in _random_rotations(3, 2):
        lhs = so3_fourier_matrix(L, np.einsum("ji,njk->nik", g, R)) @ F
        rhs = so3_fourier_matrix(L, R) @ (so3_fourier_rep(L).matrix(g) @ F)
        np.testing.assert_allclose(lhs, rhs, atol=1e-12)
        checked += 1
    assert checked == 3


@pytest.mark.parametrize("nside", [1, 2, 4])
def test_healpix_pixel_centres(nside):
    theta, phi = healpix_pixel_centres(nside)
    N = 12 * nside * nside
    assert theta.shape == (N,)
    z = np.cos(theta)
    # equal area: the fraction of pixels above each ring boundary matches the area (1 - z)/2
    # to within one ring's share
    for z0 in np.linspace(-0.9, 0.9, 7):
        assert abs((z > z0).mean() - (1 - z0) / 2) <= 4 * nside / N + 1e-12
    # north-south and longitudinal symmetry: sum of z and of the unit vectors vanish
    xyz = np.stack([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), z], 1)
    np.testing.assert_allclose(xyz.sum(0), 0, atol=1e-10)
    assert len({(round(a, 9), round(b, 9)) for a, b in zip(theta, phi)}) == N


def test_healpix_so3_grid_covers_so3():
    prev = np.inf
    Q = _random_rotations(300, 5)
    for level, n in [(0, 72), (1, 576), (2, 4608)]:
        G = healpix_so3_grid(level)
        assert G.shape == (n, 3, 3)
        np.testing.assert_allclose(
            np.einsum("nji,njk->nik", G, G), np.broadcast_to(np.eye(3), G.shape), atol=1e-12
        )
        np.testing.assert_allclose(np.linalg.det(G), 1, atol=1e-12)
        d = geodesic_distance(Q[:, None], G[None]).min(1)
        # covering radius shrinks by about 2 per level
        assert d.max() < prev * 0.7
        prev = d.max()
    assert prev < np.radians(15)


def test_geodesic_distance_matches_axis_angle():
    rng = np.random.default_rng(3)
    ang = rng.uniform(0, np.pi, size=10)
    R = axis_angle_to_matrix(rng.normal(size=(10, 3)), ang)
    G = _random_rotations(10, 4)
    np.testing.assert_allclose(geodesic_distance(G, G @ R), ang, atol=1e-7)


# -- torch layers ----------------------------------------------------------------------------------
torch = pytest.importorskip("torch")
from reptheory.torch import S2Convolution, SO3Activation, SO3Convolution, SO3Distribution


def _t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def test_s2_convolution_equivariant_and_equals_spatial_integral():
    L, Ci, Co = 3, 2, 3
    conv = S2Convolution(Ci, Co, L, dtype=torch.float64, seed=1)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, sphere_rep(L, Ci).dim))
    out = conv(_t(x)).detach().numpy()
    for g in _random_rotations(2, 7):
        rot = conv(_t(x @ sphere_rep(L, Ci).matrix(g).T)).detach().numpy()
        np.testing.assert_allclose(rot, out @ so3_fourier_rep(L, Co).matrix(g).T, atol=1e-12)
    # independent: int_{S^2} f_c(x) psi_{c,o}(R^-1 x) dx by exact quadrature, at random R
    pts, w = s2_quadrature(L)
    Y = spherical_harmonics_all(L, pts)
    k = conv.filter_coefficients().detach().numpy()  # (Ci, Co, (L+1)^2)
    # input coefficients per channel in the plain (l*l + l + m) order
    xc = np.zeros((2, Ci, (L + 1) ** 2))
    off = 0
    for l in range(L + 1):
        d = 2 * l + 1
        xc[:, :, l * l : l * l + d] = x[:, off : off + Ci * d].reshape(2, Ci, d)
        off += Ci * d
    f = xc @ Y.T  # (B, Ci, points)
    R = _random_rotations(4, 8)
    for r, Rm in enumerate(R):
        psi = np.einsum("coj,pj->cop", k, spherical_harmonics_all(L, pts @ Rm))  # psi(R^-1 x)
        want = np.einsum("bcp,cop,p->bo", f, psi, w)
        # the output SO(3) signal of channel o at R
        got = []
        M = so3_fourier_matrix(L, Rm[None])[0]
        for o in range(Co):
            idx, off = [], 0
            for l in range(L + 1):
                dd = (2 * l + 1) ** 2
                idx += list(range(off + o * dd, off + (o + 1) * dd))
                off += Co * dd
            got.append(out[:, idx] @ M)
        np.testing.assert_allclose(np.stack(got, 1), want, atol=1e-10)


def test_so3_convolution_equivariant_and_equals_group_integral():
    L, Ci, Co = 2, 2, 2
    conv = SO3Convolution(Ci, Co, L, dtype=torch.float64, seed=2)
    dim = so3_fourier_dim(L)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, Ci * dim))
    out = conv(_t(x)).detach().numpy()
    for g in _random_rotations(2, 9):
        rot = conv(_t(x @ so3_fourier_rep(L, Ci).matrix(g).T)).detach().numpy()
        np.testing.assert_allclose(rot, out @ so3_fourier_rep(L, Co).matrix(g).T, atol=1e-12)
    # independent: int f_c(Q) psi_{c,o}(R^-1 Q) dQ by exact SO(3) quadrature
    Q, w = so3_quadrature(L)
    K = conv.filter_coefficients().detach().numpy()  # (Ci, Co, dim)

    def per_channel(v, C):
        idx = []
        for c in range(C):
            off, ids = 0, []
            for l in range(L + 1):
                dd = (2 * l + 1) ** 2
                ids += list(range(off + c * dd, off + (c + 1) * dd))
                off += C * dd
            idx.append(ids)
        return np.stack([v[..., i] for i in idx], -2)

    f = per_channel(x, Ci) @ so3_fourier_matrix(L, Q).T  # (B, Ci, nQ)
    for Rm in _random_rotations(3, 10):
        psi = np.einsum("coj,qj->coq", K, so3_fourier_matrix(L, np.einsum("ji,qjk->qik", Rm, Q)))
        want = np.einsum("bcq,coq,q->bo", f, psi, w)
        got = per_channel(out, Co) @ so3_fourier_matrix(L, Rm[None])[0]
        np.testing.assert_allclose(got, want, atol=1e-10)


def test_so3_activation_round_trip_and_grid_symmetry():
    L, C = 3, 2
    dim = so3_fourier_dim(L)
    rng = np.random.default_rng(2)
    x = _t(rng.normal(size=(3, C * dim)))
    ident = SO3Activation(L, C, act=lambda t: t, grid_L=4, dtype=torch.float64)
    assert torch.allclose(ident(x), x, atol=1e-12)
    act = SO3Activation(L, C, dtype=torch.float64)
    # exact for z-rotations by the grid spacing in alpha: R -> Rz(t) R permutes the grid
    t = 2 * np.pi / (2 * L + 1) * 2
    D = _t(so3_fourier_rep(L, C).matrix(rot_z(t)))
    assert torch.allclose(act(x @ D.T), act(x) @ D.T, atol=1e-10)
    # the nonlinearity really acts (not the identity) and is only approximately equivariant
    assert (act(x) - x).abs().max() > 1e-2
    D2 = _t(so3_fourier_rep(L, C).matrix(_random_rotations(1, 3)[0]))
    err = (act(x @ D2.T) - act(x) @ D2.T).norm() / act(x).norm()
    fine = SO3Activation(L, C, grid_L=3 * L, dtype=torch.float64)
    err_fine = (fine(x @ D2.T) - fine(x) @ D2.T).norm() / fine(x).norm()
    assert err_fine < err < 1.0


def test_so3_distribution_logits_loss_and_predict():
    L = 2
    dist = SO3Distribution(L, level=1, dtype=torch.float64)
    rng = np.random.default_rng(3)
    F = rng.normal(size=(2, so3_fourier_dim(L)))
    logits = dist(_t(F))
    G = healpix_so3_grid(1)
    np.testing.assert_allclose(logits.numpy(), F @ so3_fourier_matrix(L, G).T, atol=1e-12)
    R = _random_rotations(5, 6)
    idx = dist.nearest(_t(R)).numpy()
    np.testing.assert_array_equal(idx, geodesic_distance(R[:, None], G[None]).argmin(1))
    # the loss is the cross-entropy at those indices; gradients flow
    lg = torch.randn(5, len(G), dtype=torch.float64, requires_grad=True)
    loss = dist.loss(lg, _t(R))
    ref = -torch.log_softmax(lg, 1)[torch.arange(5), torch.tensor(idx)].mean()
    assert torch.allclose(loss, ref)
    loss.backward()
    assert lg.grad is not None
    assert torch.equal(dist.predict(logits), dist.grid[logits.argmax(1)])


def test_pose_layers_bad_input():
    with pytest.raises(InvalidParameterError, match="level"):
        SO3Distribution(L=4, level=0)  # 72 rotations cannot resolve 165 coefficients
    with pytest.raises(InvalidParameterError, match="grid_L"):
        SO3Activation(4, grid_L=3)
    with pytest.raises(InvalidParameterError, match="max_angle"):
        S2Convolution(1, 1, 2, max_angle=0.0)
    conv = S2Convolution(2, 1, 2)
    with pytest.raises(ShapeError, match="sphere_rep"):
        conv(torch.zeros(1, 17))
    with pytest.raises(ShapeError, match="so3_fourier_rep"):
        SO3Convolution(1, 1, 2)(torch.zeros(1, 34))
    with pytest.raises(InvalidParameterError, match="level"):
        healpix_so3_grid(-1)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_pose_pipeline_cuda():  # pragma: no cover - no GPU on the test machine
    from reptheory.torch import InducedLayer

    L = 2
    head = torch.nn.Sequential(
        InducedLayer("4x0", sphere_rep(L, 2), n_rings=2, image_size=(6, 6)),
        S2Convolution(2, 2, L),
        SO3Activation(L, 2),
        SO3Convolution(2, 1, L),
    )
    dist = SO3Distribution(L, level=1)
    x = torch.randn(3, 4, 6, 6)
    R = torch.tensor(_random_rotations(3, 0), dtype=torch.float32)
    want = dist.loss(dist(head(x)), R)
    head, dist = head.cuda(), dist.cuda()
    got = dist.loss(dist(head(x.cuda())), R)
    assert torch.allclose(got.cpu(), want, atol=1e-4)
