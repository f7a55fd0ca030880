"""Spherical harmonics and Wigner D checked against scipy, sympy and group laws."""

import numpy as np
import pytest
import sympy
from scipy.spatial.transform import Rotation

try:
    from scipy.special import sph_harm_y
except ImportError:  # scipy < 1.15
    from scipy.special import sph_harm

    def sph_harm_y(l, m, theta, phi):
        return sph_harm(m, l, phi, theta)


from sympy.physics.wigner import wigner_d, wigner_d_small

from reptheory.errors import InvalidParameterError, ReptheoryError, ShapeError
from reptheory.so3 import (
    complex_to_real_matrix,
    euler_to_matrix,
    matrix_to_euler,
    rot_x,
    rot_y,
    rot_z,
    spherical_harmonics,
    spherical_harmonics_all,
    wigner_D,
    wigner_D_axis_angle,
    wigner_D_complex,
    wigner_D_euler,
    wigner_d_half_pi,
)
from reptheory.so3._sh import _sh_numpy

RNG = np.random.default_rng(12345)
PTS = RNG.normal(size=(40, 3))
UNIT = PTS / np.linalg.norm(PTS, axis=1, keepdims=True)
ROTS = Rotation.random(6, random_state=7).as_matrix()


def _scipy_real(l, P):
    th, ph = np.arccos(np.clip(P[:, 2], -1, 1)), np.arctan2(P[:, 1], P[:, 0])
    out = np.empty((len(P), 2 * l + 1))
    for m in range(-l, l + 1):
        y = sph_harm_y(l, abs(m), th, ph) * (-1) ** abs(m)  # remove Condon-Shortley
        if m == 0:
            out[:, l] = y.real
        elif m > 0:
            out[:, l + m] = np.sqrt(2) * y.real
        else:
            out[:, l + m] = np.sqrt(2) * y.imag
    return out


@pytest.mark.parametrize("l", [0, 1, 2, 5, 12, 30])
def test_real_sh_matches_scipy(l):
    assert np.allclose(spherical_harmonics(l, PTS), _scipy_real(l, UNIT), atol=1e-12)


def test_complex_sh_matches_scipy():
    th, ph = np.arccos(UNIT[:, 2]), np.arctan2(UNIT[:, 1], UNIT[:, 0])
    for l in range(6):
        ref = np.stack([sph_harm_y(l, m, th, ph) for m in range(-l, l + 1)], 1)
        assert np.allclose(spherical_harmonics(l, UNIT, basis="complex"), ref, atol=1e-12)
        U = complex_to_real_matrix(l)
        assert np.allclose(U @ U.conj().T, np.eye(2 * l + 1))


def test_numba_equals_numpy_twin_and_degree_one():
    L = 15
    assert np.allclose(
        spherical_harmonics_all(L, UNIT, backend="numba"), _sh_numpy(UNIT, L), atol=1e-13, rtol=0
    )
    Y1 = spherical_harmonics(1, UNIT)
    assert np.allclose(Y1, np.sqrt(3 / (4 * np.pi)) * UNIT[:, [1, 2, 0]])


def test_sh_orthonormal_by_quadrature():
    # Gauss-Legendre in cos(theta) x uniform phi: exact for degree <= 2 * 9
    L = 9
    x, w = np.polynomial.legendre.leggauss(L + 1)
    phi = 2 * np.pi * np.arange(2 * L + 2) / (2 * L + 2)
    ct, ph = np.meshgrid(x, phi, indexing="ij")
    st = np.sqrt(1 - ct**2)
    P = np.stack([st * np.cos(ph), st * np.sin(ph), ct], -1).reshape(-1, 3)
    wt = (w[:, None] * np.full(phi.shape, 2 * np.pi / len(phi))[None, :]).ravel()
    Y = spherical_harmonics_all(L, P)
    assert np.allclose(Y.T @ (wt[:, None] * Y), np.eye((L + 1) ** 2), atol=1e-12)


def test_d_half_pi_matches_sympy():
    for l in range(5):
        ref = np.array(wigner_d_small(l, sympy.pi / 2).evalf(), dtype=float)
        assert np.allclose(wigner_d_half_pi(l), ref, atol=1e-15)


@pytest.mark.parametrize("l", range(13))
def test_wigner_D_laws(l):
    D = wigner_D(l, ROTS)
    d = 2 * l + 1
    assert np.allclose(D @ np.swapaxes(D, 1, 2), np.eye(d), atol=1e-13)
    assert np.allclose(wigner_D(l, ROTS[0] @ ROTS[1]), D[0] @ D[1], atol=1e-13)
    Yx = spherical_harmonics(l, UNIT)
    for R, DR in zip(ROTS[:3], D[:3]):
        assert np.allclose(spherical_harmonics(l, UNIT @ R.T), Yx @ DR.T, atol=1e-12)


def test_wigner_D_complex_matches_sympy_conjugate():
    a, b, g = 0.3, 1.1, -0.7
    for l in range(4):
        ref = np.array(
            wigner_d(l, sympy.Float(a), sympy.Float(b), sympy.Float(g)).evalf(), dtype=complex
        )
        assert np.allclose(wigner_D_complex(l, euler_to_matrix(a, b, g)), ref.conj(), atol=1e-12)
    th, ph = np.arccos(UNIT[:, 2]), np.arctan2(UNIT[:, 1], UNIT[:, 0])
    R = ROTS[0]
    Q = R.T @ UNIT.T
    Qn = Q.T
    l = 3
    Yc = np.stack([sph_harm_y(l, m, th, ph) for m in range(-l, l + 1)], 1)
    thq, phq = np.arccos(np.clip(Qn[:, 2], -1, 1)), np.arctan2(Qn[:, 1], Qn[:, 0])
    Ycq = np.stack([sph_harm_y(l, m, thq, phq) for m in range(-l, l + 1)], 1)
    # Y^c(R^-1 x) = D^c(R^-1) Y^c(x)
    assert np.allclose(Ycq, Yc @ wigner_D_complex(l, R.T).T, atol=1e-12)


def test_high_degree_orthogonality_and_homomorphism():
    l = 100
    D = wigner_D(l, ROTS[:3])
    err = np.abs(D @ np.swapaxes(D, 1, 2) - np.eye(2 * l + 1)).max()
    assert err < 1e-10
    assert np.abs(wigner_D(l, ROTS[0] @ ROTS[1]) - D[0] @ D[1]).max() < 1e-10
    Y = spherical_harmonics(l, UNIT[:5])
    assert np.abs(spherical_harmonics(l, UNIT[:5] @ ROTS[2].T) - Y @ D[2].T).max() < 1e-10


@pytest.mark.parametrize(
    "R",
    [
        np.eye(3),
        rot_y(np.pi),
        rot_y(1e-10) @ rot_z(0.4),
        rot_x(np.pi) @ rot_z(0.2),
        rot_y(np.pi - 1e-9),
        rot_z(-2.0),
    ],
)
def test_gimbal_lock_rotations(R):
    l = 6
    assert np.allclose(
        spherical_harmonics(l, UNIT @ R.T),
        spherical_harmonics(l, UNIT) @ wigner_D(l, R).T,
        atol=1e-12,
    )


def test_euler_and_axis_angle_entry_points():
    a, b, g = RNG.uniform(-3, 3, size=(3, 4))
    R = euler_to_matrix(a, b, g)
    assert np.allclose(wigner_D_euler(4, a, b, g), wigner_D(4, R), atol=1e-13)
    assert np.allclose(euler_to_matrix(*matrix_to_euler(R)), R)
    rv = Rotation.from_matrix(ROTS[0]).as_rotvec()
    ang = np.linalg.norm(rv)
    assert np.allclose(wigner_D_axis_angle(5, rv / ang, ang), wigner_D(5, ROTS[0]), atol=1e-13)


def test_bad_inputs():
    with pytest.raises(InvalidParameterError, match=r"max \|R\^T R - I\| = 0.21"):
        wigner_D(2, np.diag([1.1, 1.0, 1.0]))
    with pytest.raises(InvalidParameterError, match="reflection"):
        wigner_D(2, -np.eye(3))
    with pytest.raises(ShapeError):
        wigner_D(2, np.eye(2))
    with pytest.raises(ReptheoryError):
        wigner_D(-1, np.eye(3))
    with pytest.raises(ReptheoryError):
        wigner_D(1.5, np.eye(3))
    with pytest.raises(ShapeError):
        spherical_harmonics(2, np.ones((4, 2)))
    with pytest.raises(InvalidParameterError, match="zero vector"):
        spherical_harmonics(2, np.zeros((1, 3)))
    with pytest.raises(ReptheoryError):
        spherical_harmonics_all(10**6, np.ones((10**4, 3)))  # SizeLimitError
