"""Consistency constraint of the induction / restriction layers."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from reptheory.so3 import SO2Rep, SO3Rep, rot_z
from reptheory.so3.torch_layers import (
    InducedLayer,
    RestrictionLayer,
    grid_coordinates,
    so3_fourier_rep,
    sphere_rep,
)


def _rotate_points(coords, t):
    c, s = np.cos(t), np.sin(t)
    return coords @ np.array([[c, -s], [s, c]]).T


def _so2_mat(rep, t):
    return torch.tensor(rep.matrix(t), dtype=torch.float64)


@pytest.mark.parametrize(
    "in_rep,out_rep",
    [("2x0+1x1", sphere_rep(3)), ("1x0+1x2+1x3", so3_fourier_rep(2)), ("1x1", SO3Rep("1x0+2x2"))],
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
