"""Consistency constraint of the induction / restriction layers."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from reptheory.errors import ShapeError
from reptheory.so3 import SO2Rep, Irreps, grid_coordinates, rot_z, so3_fourier_rep, sphere_rep
from reptheory.torch import InducedLayer, RestrictionLayer


def _rotate_points(coords, t):
    c, s = np.cos(t), np.sin(t)
    return coords @ np.array([[c, -s], [s, c]]).T


def _so2_mat(rep, t):
    return torch.tensor(rep.matrix(t), dtype=torch.float64)


@pytest.mark.parametrize(
    "in_rep,out_rep",
    [("2x0+1x1", sphere_rep(3)), ("1x0+1x2+1x3", so3_fourier_rep(2)), ("1x1", Irreps("1x0+2x2"))],
)
def test_induced_layer_points_any_angle(in_rep, out_rep):
    layer = InducedLayer(in_rep, out_rep, n_rings=3, dtype=torch.float64)
    rng = np.random.default_rng(0)
    coords = rng.uniform(-1, 1, size=(50, 2))
    coords[0] = 0.0  # include the centre
    feats = torch.tensor(rng.normal(size=(2, layer.in_rep.dim, 50)))
    for t in (0.3, 2.0, -1.1):
        # rotated signal f'(R r) = psi(t) f(r): sample f' at the rotated points
        out_rot = layer.forward_points(_rotate_points(coords, t), _so2_mat(layer.in_rep, t) @ feats)
        D = torch.tensor(layer.out_rep.matrix(rot_z(t)))
        assert torch.allclose(out_rot, layer.forward_points(coords, feats) @ D.T, atol=1e-10)


@pytest.mark.parametrize("H", [7, 8])
def test_induced_layer_image_quarter_turn(H):
    layer = InducedLayer("1x0+1x1+1x2", sphere_rep(4, 2), n_rings=3, dtype=torch.float64)
    img = torch.randn(3, layer.in_rep.dim, H, H, dtype=torch.float64)
    coords = grid_coordinates(H, H)
    t = np.pi / 2
    # build the rotated image: f'(r) = psi(t) f(R^-1 r), found by coordinate lookup
    src = _rotate_points(coords, -t)
    idx = [int(np.argmin(((coords - p) ** 2).sum(1))) for p in src]
    flat = img.reshape(3, layer.in_rep.dim, -1)
    rotated = (_so2_mat(layer.in_rep, t) @ flat[:, :, idx]).reshape(img.shape)
    D = torch.tensor(layer.out_rep.matrix(rot_z(t)))
    assert torch.allclose(layer(rotated), layer(img) @ D.T, atol=1e-10)


def test_orthographic_image_to_sphere_is_special_case():
    layer = InducedLayer.orthographic(channels=2, L=3, dtype=torch.float64)
    rng = np.random.default_rng(1)
    coords = rng.uniform(-0.7, 0.7, size=(40, 2))
    feats = torch.tensor(rng.normal(size=(1, 2, 40)))
    t = 0.9
    D = torch.tensor(layer.out_rep.matrix(rot_z(t)))
    out_rot = layer.forward_points(_rotate_points(coords, t), feats)
    assert torch.allclose(out_rot, layer.forward_points(coords, feats) @ D.T, atol=1e-10)
    # the kernel has the general form K(rho, phi) = D(phi) K(rho, 0)
    r = np.array([[0.5, 0.0]])
    K0 = layer.kernel(r)[0]
    Kt = layer.kernel(_rotate_points(r, t))[0]
    assert torch.allclose(Kt, D @ K0, atol=1e-12)


def test_restriction_layer_equivariant_and_trainable():
    layer = RestrictionLayer("2x1+1x3", "1x0+2x1+1x3+1x4", dtype=torch.float64)
    x = torch.randn(4, layer.in_rep.dim, dtype=torch.float64, requires_grad=True)
    t = 1.3
    D = torch.tensor(layer.in_rep.matrix(rot_z(t)))
    psi = torch.tensor(layer.out_rep.matrix(t))
    assert torch.allclose(layer(x @ D.T), layer(x) @ psi.T, atol=1e-12)
    layer(x).sum().backward()
    assert layer.weight.grad is not None and x.grad is not None
    # psi_4 cannot be reached from degrees <= 3: its rows vanish
    assert torch.all(layer.matrix()[-2:] == 0)


def test_layer_bad_input():
    from reptheory.errors import ReptheoryError

    with pytest.raises(ReptheoryError):
        InducedLayer(SO2Rep([1], real=False), sphere_rep(1))
    layer = InducedLayer("1x0", sphere_rep(1), dtype=torch.float64)
    with pytest.raises(ReptheoryError):
        layer(torch.zeros(1, 2, 5, 5, dtype=torch.float64))
    with pytest.raises(ShapeError, match="image"):
        layer(torch.zeros(2, 5, 5, dtype=torch.float64))
    with pytest.raises(ReptheoryError, match="image_size"):
        InducedLayer("1x0", sphere_rep(1), image_size=(0, 5))
    with pytest.raises(ReptheoryError, match="n_rings"):
        InducedLayer("1x0", sphere_rep(1), n_rings=-1)
    with pytest.raises(ShapeError, match="x must have last dimension"):
        RestrictionLayer("1x1", "1x0")(torch.zeros(2, 4))


# -- factorised layer against an independent dense construction ---------------------------------
def _dense_reference(layer, coords, feats):
    """sum_p D_out(Rz(phi_p)) W(rho_p) psi_in(-phi_p) f_p / P, per point with rep.matrix."""
    W = layer.weights().detach().numpy()  # (1 + n_rings, O, C): centre intertwiner, rings
    sig = layer.sigma
    out = np.zeros((feats.shape[0], layer.out_rep.dim))
    for p, (x, y) in enumerate(coords):
        rho, phi = np.hypot(x, y), np.arctan2(y, x)
        g = [np.exp(-(rho**2) / (2 * sig**2))]
        g += [
            0.0 if rho < 1e-12 else np.exp(-((rho - r) ** 2) / (2 * sig**2))
            for r in layer.ring_radii
        ]
        Wr = np.tensordot(np.array(g), W, 1)
        K = layer.out_rep.matrix(rot_z(phi)) @ Wr @ layer.in_rep.matrix(-phi)
        out += feats[:, :, p] @ K.T
    return out / len(coords)


@pytest.mark.parametrize(
    "in_rep,out_rep",
    [("2x0+1x1+1x3", sphere_rep(3, 2)), ("1x2", so3_fourier_rep(2)), ("3x0", "1x1+2x4")],
)
def test_induced_layer_equals_dense_reference(in_rep, out_rep):
    layer = InducedLayer(in_rep, out_rep, n_rings=3, dtype=torch.float64, seed=3)
    rng = np.random.default_rng(7)
    coords = np.concatenate([[[0.0, 0.0]], rng.uniform(-1, 1, size=(30, 2))])
    feats = rng.normal(size=(2, layer.in_rep.dim, len(coords)))
    got = layer.forward_points(coords, torch.tensor(feats)).detach().numpy()
    np.testing.assert_allclose(got, _dense_reference(layer, coords, feats), atol=1e-12)
    # the dense kernel agrees too
    K = layer.kernel(coords[:3]).detach().numpy()
    for p in range(3):
        f = np.eye(layer.in_rep.dim)[:, :, None]
        np.testing.assert_allclose(
            K[p].T, _dense_reference(layer, coords[p : p + 1], f), atol=1e-12
        )


@pytest.mark.parametrize(
    "rep_in,rep_out", [("2x0+1x1+1x2", "1x0+1x1+2x2+1x3"), ("1x1+1x3", "2x0+1x2")]
)
def test_centre_projection_spans_hom_basis(rep_in, rep_out):
    from reptheory.so3 import hom_basis, restrict

    layer = InducedLayer(rep_in, rep_out, n_rings=0, dtype=torch.float64)
    res = restrict(layer.out_rep)
    H = np.array([res.change_of_basis.T @ h for h in hom_basis(layer.in_rep, res.rep)])
    H = H.reshape(len(H), -1)
    rng = np.random.default_rng(2)
    proj = lambda M: layer.project_centre(torch.tensor(M)).numpy()
    O, C = layer.out_rep.dim, layer.in_rep.dim
    images = np.array([proj(rng.normal(size=(O, C))).ravel() for _ in range(3 * len(H) + 5)])
    # the projection's image is exactly the span of the hom_basis intertwiners
    assert np.linalg.matrix_rank(images, tol=1e-9) == len(H) > 0
    assert np.linalg.matrix_rank(np.concatenate([images, H]), tol=1e-9) == len(H)
    for h in H:  # and it fixes each of them (a projection)
        np.testing.assert_allclose(proj(h.reshape(O, C)).ravel(), h, atol=1e-12)


def test_induced_layer_float32_any_angle_and_gradients():
    layer = InducedLayer("3x0+2x1+1x2", sphere_rep(6, 2), n_rings=4, seed=1)
    rng = np.random.default_rng(4)
    coords = rng.uniform(-1, 1, size=(200, 2))
    feats = torch.tensor(rng.normal(size=(3, layer.in_rep.dim, 200)), dtype=torch.float32)
    base = layer.forward_points(coords, feats)
    checked = 0
    for t in rng.uniform(-np.pi, np.pi, size=4):
        psi = torch.tensor(layer.in_rep.matrix(t), dtype=torch.float32)
        D = torch.tensor(layer.out_rep.matrix(rot_z(t)), dtype=torch.float32)
        out_rot = layer.forward_points(_rotate_points(coords, t), psi @ feats)
        assert (out_rot - base @ D.T).abs().max() < 1e-5 * max(1.0, base.abs().max())
        checked += 1
    assert checked == 4
    # gradients reach every weight and the input
    img = torch.randn(2, layer.in_rep.dim, 9, 9, requires_grad=True)
    layer(img).square().sum().backward()
    assert img.grad is not None and layer.centre_weight.grad.abs().sum() > 0
    assert layer.ring_weight.grad.abs().sum() > 0
    # the gradient of the centre weight is itself an intertwiner (the projection is linear)
    g = layer.centre_weight.grad
    assert torch.allclose(layer.project_centre(g), g, atol=1e-6)


def test_orthographic_rotating_sphere_points_float32():
    layer = InducedLayer.orthographic(channels=2, L=5)
    from reptheory.so3 import axis_angle_to_matrix

    rng = np.random.default_rng(5)
    pts = rng.normal(size=(100, 3))
    pts /= np.linalg.norm(pts, axis=1, keepdims=True)
    feats = torch.tensor(rng.normal(size=(2, 2, 100)), dtype=torch.float32)
    base = layer.forward_sphere(pts, feats)
    for seed in range(3):
        r = np.random.default_rng(10 + seed)
        R = axis_angle_to_matrix(r.normal(size=3), r.uniform(0, np.pi))
        D = torch.tensor(layer.out_rep.matrix(R), dtype=torch.float32)
        assert (layer.forward_sphere(pts @ R.T, feats) - base @ D.T).abs().max() < 1e-5


def test_orthographic_equals_harmonic_sum():
    # independent: sum_p Y(n_p) f_p with the lifted hemisphere points, reordered by hand
    from reptheory.so3 import spherical_harmonics_all

    L, C, H = 3, 2, 6
    layer = InducedLayer.orthographic(channels=C, L=L, dtype=torch.float64, image_size=(H, H))
    img = torch.randn(2, C, H, H, dtype=torch.float64)
    xy = grid_coordinates(H, H)
    inside = (xy**2).sum(1) < 1
    n = np.concatenate([xy, np.sqrt(np.clip(1 - (xy**2).sum(1), 0, None))[:, None]], 1)
    Y = spherical_harmonics_all(L, n) * inside[:, None]
    coef = np.einsum("bcp,pk->bck", img.reshape(2, C, -1).numpy(), Y) / H / H
    want = np.concatenate(
        [coef[:, :, l * l : (l + 1) ** 2].reshape(2, -1) for l in range(L + 1)], 1
    )
    np.testing.assert_allclose(layer(img).numpy(), want, atol=1e-12)
    with pytest.raises(ShapeError):
        layer(torch.zeros(1, C, H + 1, H, dtype=torch.float64))


def test_image_size_buffers_follow_the_module():
    layer = InducedLayer(
        "2x0+1x1", sphere_rep(2), n_rings=2, dtype=torch.float64, image_size=(5, 5)
    )
    names = {n for n, _ in layer.named_buffers()}
    assert {"geom_table", "geom_cos_in", "geom_sin_in"} <= names
    img = torch.randn(1, 4, 5, 5, dtype=torch.float64)
    free = InducedLayer("2x0+1x1", sphere_rep(2), n_rings=2, dtype=torch.float64)
    assert torch.allclose(layer(img), free(img), atol=1e-13)
    with pytest.raises(ShapeError, match="image_size"):
        layer(torch.randn(1, 4, 6, 6, dtype=torch.float64))
    state = layer.state_dict()
    assert set(state) == {"centre_weight", "ring_weight"}  # derived tables are not saved


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_induced_layer_cuda():  # pragma: no cover - no GPU on the test machine
    layer = InducedLayer("2x0+1x1", sphere_rep(3), n_rings=2, image_size=(7, 7))
    img = torch.randn(2, 4, 7, 7)
    want = layer(img)
    got = layer.cuda()(img.cuda()).cpu()
    assert torch.allclose(got, want, atol=1e-5)


def test_deprecated_alias_module():
    import importlib
    import sys

    sys.modules.pop("reptheory.so3.torch_layers", None)
    with pytest.warns(DeprecationWarning, match="reptheory.torch"):
        mod = importlib.import_module("reptheory.so3.torch_layers")
    assert mod.InducedLayer is InducedLayer
