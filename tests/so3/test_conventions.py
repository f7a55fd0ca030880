"""Conversions to e3nn and sphericart, checked against the libraries (skipped when missing)."""

import math

import numpy as np
import pytest
from _reference import random_rotation as rand_rot

from reptheory.errors import InvalidParameterError, ShapeError
from reptheory.so3 import cg_tensor, spherical_harmonics_all, wigner_D
from reptheory.so3.conventions import (
    cg_to_e3nn,
    e3nn_cg_sign,
    e3nn_change_of_basis,
    e3nn_path_weight,
    from_e3nn,
    to_e3nn,
)


def test_basis_is_orthogonal_and_intertwines_wigner_D():
    # without e3nn: A_l = D_l(P) must map Y_l(v) to Y_l(P v)
    rng = np.random.default_rng(0)
    v = rng.normal(size=(20, 3))
    P = np.array([[0.0, 0, 1], [1, 0, 0], [0, 1, 0]])
    for l in range(6):
        A = e3nn_change_of_basis(l)
        np.testing.assert_allclose(A @ A.T, np.eye(2 * l + 1), atol=1e-14)
        Y = spherical_harmonics_all(l, v)[:, l * l :]
        YP = spherical_harmonics_all(l, v @ P.T)[:, l * l :]
        np.testing.assert_allclose(Y @ A.T, YP, atol=1e-13)
    x = rng.normal(size=(3, 25))
    np.testing.assert_allclose(from_e3nn(to_e3nn(x, 4), 4), x, atol=1e-14)


def test_cg_sign_rule_and_invariance():
    # the converted tensor is invariant under e3nn's Wigner matrices A D A^T
    rng = np.random.default_rng(1)
    R = rand_rot(rng)
    checked = 0
    for l1, l2, l3 in [(1, 1, 0), (2, 3, 4), (3, 3, 3), (4, 2, 5)]:
        W = cg_to_e3nn(l1, l2, l3)
        De = [e3nn_change_of_basis(l) @ wigner_D(l, R) @ e3nn_change_of_basis(l).T for l in (l1, l2, l3)]
        np.testing.assert_allclose(np.einsum("ia,jb,kc,abc->ijk", *De, W), W, atol=1e-12)
        assert math.isclose(np.linalg.norm(W), 1.0, rel_tol=1e-12)
        checked += 1
    assert checked == 4
    assert [e3nn_cg_sign(3, 3, l3) for l3 in range(7)] == [-1, -1, 1, 1, -1, -1, 1]
    with pytest.raises(InvalidParameterError):
        e3nn_cg_sign(1, 1, 3)
    with pytest.raises(InvalidParameterError):
        e3nn_change_of_basis(1, "unit")
    with pytest.raises(ShapeError):
        to_e3nn(np.zeros((2, 8)), 2)


def test_against_e3nn_harmonics_and_wigner_3j():
    torch = pytest.importorskip("torch")
    o3 = pytest.importorskip("e3nn.o3")
    rng = np.random.default_rng(2)
    v = rng.normal(size=(30, 3))
    for norm in ("integral", "component", "norm"):
        for l in range(7):
            Ye = o3.spherical_harmonics(l, torch.from_numpy(v), normalize=True, normalization=norm)
            Y = spherical_harmonics_all(l, v)[:, l * l :]
            np.testing.assert_allclose(Ye.numpy(), Y @ e3nn_change_of_basis(l, norm).T, atol=1e-12)
    n = 0
    for l1 in range(4):
        for l2 in range(4):
            for l3 in range(abs(l1 - l2), l1 + l2 + 1):
                We = o3.wigner_3j(l1, l2, l3, dtype=torch.float64).numpy()
                np.testing.assert_allclose(cg_to_e3nn(l1, l2, l3), We, atol=1e-10)
                n += 1
    assert n > 40
    R = rand_rot(rng)
    De = o3.Irrep(3, 1).D_from_matrix(torch.from_numpy(R)).numpy()
    A = e3nn_change_of_basis(3)
    # e3nn goes through float32 Euler angles here: compare to float32 accuracy
    np.testing.assert_allclose(De, A @ wigner_D(3, R) @ A.T, atol=1e-5)


def test_port_e3nn_tensor_product_weights():
    torch = pytest.importorskip("torch")
    o3 = pytest.importorskip("e3nn.o3")
    from reptheory.torch import CGTensorProduct

    L = 2
    irr = o3.Irreps("+".join(f"1x{l}e" for l in range(L + 1)))
    paths = [(l1, l2, l3) for l1 in range(L + 1) for l2 in range(L + 1)
             for l3 in range(abs(l1 - l2), min(l1 + l2, L) + 1)]
    tp_e = o3.TensorProduct(irr, irr, irr, [(a, b, c, "uuu", True) for a, b, c in paths]).double()
    torch.manual_seed(0)
    w_e = torch.randn(tp_e.weight_numel, dtype=torch.float64)
    ours = CGTensorProduct(L, L, L, paths=paths).double()
    with torch.no_grad():
        for i, (ins, p) in enumerate(zip(tp_e.instructions, paths)):
            ours.weight[i] = e3nn_path_weight(*p, weight=float(w_e[i]), path_weight=ins.path_weight)
    rng = np.random.default_rng(3)
    x1, x2 = rng.normal(size=(5, 9)), rng.normal(size=(5, 9))
    z_e = tp_e(torch.from_numpy(to_e3nn(x1, L)), torch.from_numpy(to_e3nn(x2, L)), w_e).detach().numpy()
    z = ours(torch.from_numpy(x1), torch.from_numpy(x2)).detach().numpy()
    # e3nn keeps its wigner_3j buffers at float32 precision
    np.testing.assert_allclose(from_e3nn(z_e, L), z, atol=1e-6)


def test_sphericart_is_the_same_convention():
    sphericart = pytest.importorskip("sphericart")
    rng = np.random.default_rng(4)
    v = rng.normal(size=(40, 3))
    Ys = sphericart.SphericalHarmonics(8).compute(v)
    np.testing.assert_allclose(Ys, spherical_harmonics_all(8, v), atol=1e-12)
    Zs = sphericart.SolidHarmonics(8).compute(v)
    r = np.linalg.norm(v, axis=1)
    degree = np.repeat(np.arange(9), 2 * np.arange(9) + 1)
    np.testing.assert_allclose(Zs, spherical_harmonics_all(8, v) * r[:, None] ** degree, atol=1e-10)


def test_cg_tensor_reference_is_orthonormal():
    C = cg_tensor(2, 2, 3, "real")
    np.testing.assert_allclose(np.einsum("abm,abn->mn", C, C), np.eye(7), atol=1e-14)
