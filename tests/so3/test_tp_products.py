"""CG and Gaunt tensor products: equivariance, parity, agreement, exact change of basis, errors."""

import math

import numpy as np
import pytest
import sympy as sp
from _reference import block_wigner_D as block_D
from scipy.special import sph_harm_y

from reptheory.errors import InvalidParameterError, ShapeError, SizeLimitError
from reptheory.so3 import spherical_harmonics_all
from reptheory.so3._tables import cg_tensor
from reptheory.so3._tp_cg import cg_sparsity, cg_tensor_product, tp_paths
from reptheory.so3._tp_gaunt_fourier import (
    fourier_projection_exact,
    fourier_to_sh,
    sh_to_fourier,
    sh_to_fourier_exact,
)
from reptheory.so3._tp_gaunt_grid import gaunt_path_weights, gaunt_tensor_product
from reptheory.so3._tp_util import parse_irreps

# method="fourier" is deprecated but stays an exact cross-check of method="grid"
pytestmark = pytest.mark.filterwarnings(
    r"ignore:.*\(method='fourier'\) is deprecated:DeprecationWarning"
)


def random_rotation(rng):
    q = rng.normal(size=4)
    q /= np.linalg.norm(q)
    a, b, c, d = q
    return np.array(
        [
            [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
            [2 * (b * c + a * d), a * a - b * b + c * c - d * d, 2 * (c * d - a * b)],
            [2 * (b * d - a * c), 2 * (c * d + a * b), a * a - b * b - c * c + d * d],
        ]
    )


def parity_vec(L):
    return np.concatenate([np.full(2 * l + 1, (-1.0) ** l) for l in range(L + 1)])


def brute_cg(x1, x2, L_out, weights):
    L1 = math.isqrt(x1.shape[1]) - 1
    L2 = math.isqrt(x2.shape[1]) - 1
    out = np.zeros((x1.shape[0], (L_out + 1) ** 2))
    for (l1, l2, l3), w in weights.items():
        C = cg_tensor(l1, l2, l3)
        out[:, l3 * l3 : (l3 + 1) ** 2] += w * np.einsum(
            "bi,bj,ijk->bk", x1[:, l1 * l1 : (l1 + 1) ** 2], x2[:, l2 * l2 : (l2 + 1) ** 2], C
        )
    assert L1 >= 0 and L2 >= 0
    return out


CASES = [(1, 1, 2), (2, 3, 4), (3, 2, 1), (0, 2, 2), (4, 4, 8)]


@pytest.mark.parametrize("L1,L2,Lo", CASES)
@pytest.mark.parametrize("method", ["dense", "sparse"])
def test_cg_equivariant_and_matches_brute_force(L1, L2, Lo, method):
    rng = np.random.default_rng(L1 * 100 + L2 * 10 + Lo)
    paths = tp_paths(L1, L2, Lo)
    w = rng.normal(size=len(paths))
    x1, x2 = rng.normal(size=(3, (L1 + 1) ** 2)), rng.normal(size=(3, (L2 + 1) ** 2))
    z = cg_tensor_product(x1, x2, Lo, w, method=method)
    np.testing.assert_allclose(z, brute_cg(x1, x2, Lo, dict(zip(paths, w))), atol=1e-12)
    R = random_rotation(rng)
    zr = cg_tensor_product(x1 @ block_D(L1, R).T, x2 @ block_D(L2, R).T, Lo, w, method=method)
    np.testing.assert_allclose(zr, z @ block_D(Lo, R).T, atol=1e-11)


def test_cg_parity_even_and_odd_paths():
    rng = np.random.default_rng(3)
    L1, L2, Lo = 2, 2, 3
    x1, x2 = rng.normal(size=(2, 9)), rng.normal(size=(2, 9))
    p1, p2, po = parity_vec(L1), parity_vec(L2), parity_vec(Lo)
    for parity, sign in (("even", 1.0), ("odd", -1.0)):
        paths = tp_paths(L1, L2, Lo, parity=parity)
        z = cg_tensor_product(x1, x2, Lo, paths=paths)
        zi = cg_tensor_product(x1 * p1, x2 * p2, Lo, paths=paths)
        np.testing.assert_allclose(zi, sign * z * po, atol=1e-13)


def test_cross_product_path():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    x1 = np.concatenate([np.zeros((5, 1)), a[:, [1, 2, 0]]], 1)
    x2 = np.concatenate([np.zeros((5, 1)), b[:, [1, 2, 0]]], 1)
    z = cg_tensor_product(x1, x2, 1, paths=[(1, 1, 1)], method="sparse")
    np.testing.assert_allclose(z[:, 1:][:, [2, 0, 1]], -np.cross(a, b) / np.sqrt(2), atol=1e-14)


def test_channelwise_and_fully_connected():
    rng = np.random.default_rng(5)
    L1, L2, Lo = 2, 1, 2
    paths = tp_paths(L1, L2, Lo)
    x1, x2 = rng.normal(size=(4, 3, 9)), rng.normal(size=(4, 3, 4))
    wc = rng.normal(size=(len(paths), 3))
    z = cg_tensor_product(x1, x2, Lo, wc, method="sparse")
    zd = cg_tensor_product(x1, x2, Lo, wc, method="dense")
    for c in range(3):
        ref = brute_cg(x1[:, c], x2[:, c], Lo, dict(zip(paths, wc[:, c])))
        np.testing.assert_allclose(z[:, c], ref, atol=1e-12)
        np.testing.assert_allclose(zd[:, c], ref, atol=1e-12)
    y1, y2 = rng.normal(size=(4, 2, 9)), rng.normal(size=(4, 3, 4))
    W = rng.normal(size=(len(paths), 2, 3, 5))
    zf = cg_tensor_product(y1, y2, Lo, W, mode="fully_connected")
    ref = np.zeros((4, 5, 9))
    for p, path in enumerate(paths):
        for u in range(2):
            for v in range(3):
                t = brute_cg(y1[:, u], y2[:, v], Lo, {path: 1.0})
                ref += W[p, u, v][None, :, None] * t[:, None, :]
    np.testing.assert_allclose(zf, ref, atol=1e-12)


def test_float32_kept_and_sparsity():
    x = np.ones((2, 9), dtype=np.float32)
    assert cg_tensor_product(x, x, 2).dtype == np.float32
    assert gaunt_tensor_product(x, x, 2, "grid").dtype == np.float32
    assert gaunt_tensor_product(x, x, 2, "fourier").dtype == np.float32
    nnz, dense = cg_sparsity(3, 3, 6)
    brute = sum(int(np.count_nonzero(np.abs(cg_tensor(*p)) > 1e-15)) for p in tp_paths(3, 3, 6))
    assert nnz == brute and dense == 16 * 16 * 49


GAUNT_CASES = [(1, 1, 2), (2, 3, 4), (3, 2, 1), (0, 2, 2), (3, 3, 6), (4, 2, 3), (5, 5, 10)]


@pytest.mark.parametrize("L1,L2,Lo", GAUNT_CASES)
@pytest.mark.parametrize("method", ["fourier", "grid"])
def test_gaunt_equals_cg_with_gaunt_weights(L1, L2, Lo, method):
    rng = np.random.default_rng(7 + L1 + 3 * L2 + 11 * Lo)
    x1, x2 = rng.normal(size=(3, (L1 + 1) ** 2)), rng.normal(size=(3, (L2 + 1) ** 2))
    z = gaunt_tensor_product(x1, x2, Lo, method=method)
    ref = cg_tensor_product(x1, x2, Lo, weights=gaunt_path_weights(L1, L2, Lo))
    np.testing.assert_allclose(z, ref, atol=1e-13)
    R = random_rotation(rng)
    zr = gaunt_tensor_product(x1 @ block_D(L1, R).T, x2 @ block_D(L2, R).T, Lo, method=method)
    np.testing.assert_allclose(zr, z @ block_D(Lo, R).T, atol=1e-12)
    zi = gaunt_tensor_product(x1 * parity_vec(L1), x2 * parity_vec(L2), Lo, method=method)
    np.testing.assert_allclose(zi, z * parity_vec(Lo), atol=1e-12)


def test_gaunt_weights_match_gaunt_tables():
    from reptheory.so3 import gaunt_tensor

    for (l1, l2, l3), w in gaunt_path_weights(3, 3, 6).items():
        np.testing.assert_allclose(gaunt_tensor(l1, l2, l3), w * cg_tensor(l1, l2, l3), atol=1e-15)


@pytest.mark.parametrize("method", ["fourier", "grid"])
def test_gaunt_is_pointwise_product(method):
    """Independent of every table: with L_out >= L1+L2 nothing is truncated, so the output
    function equals the product of the input functions at arbitrary points; with a smaller
    L_out it equals the L2 projection computed by a fine independent quadrature."""
    rng = np.random.default_rng(11)
    L1, L2 = 3, 4
    x1, x2 = rng.normal(size=(2, 16)), rng.normal(size=(2, 25))
    pts = rng.normal(size=(50, 3))
    z = gaunt_tensor_product(x1, x2, 7, method=method)
    f = lambda x, L: x @ spherical_harmonics_all(L, pts).T
    np.testing.assert_allclose(f(z, 7), f(x1, L1) * f(x2, L2), atol=1e-12)
    # truncated: projection by a 40 x 80 Gauss-Legendre x trapezoid grid
    zt, wt = np.polynomial.legendre.leggauss(40)
    ph = np.arange(80) * 2 * np.pi / 80
    Z, P = np.meshgrid(zt, ph, indexing="ij")
    grid = np.stack([np.sqrt(1 - Z**2) * np.cos(P), np.sqrt(1 - Z**2) * np.sin(P), Z], -1).reshape(
        -1, 3
    )
    wq = (wt[:, None] * np.full(80, 2 * np.pi / 80)).reshape(-1)
    Yg = spherical_harmonics_all(7, grid)
    prod = (x1 @ Yg[:, :16].T) * (x2 @ Yg[:, :25].T)
    ref = (prod * wq) @ Yg[:, :16]
    np.testing.assert_allclose(gaunt_tensor_product(x1, x2, 3, method=method), ref, atol=1e-12)


def test_per_degree_weights_as_cg_path_weights():
    rng = np.random.default_rng(12)
    L1, L2, Lo = 3, 2, 4
    w1, w2, wo = rng.normal(size=L1 + 1), rng.normal(size=L2 + 1), rng.normal(size=Lo + 1)
    x1, x2 = rng.normal(size=(2, 16)), rng.normal(size=(2, 9))
    g = {p: w1[p[0]] * w2[p[1]] * wo[p[2]] * v for p, v in gaunt_path_weights(L1, L2, Lo).items()}
    ref = cg_tensor_product(x1, x2, Lo, weights=g)
    for method in ("fourier", "grid"):
        z = gaunt_tensor_product(x1, x2, Lo, method, weights1=w1, weights2=w2, weights_out=wo)
        np.testing.assert_allclose(z, ref, atol=1e-13)


def _real_sh_scipy(l, m, theta, phi):
    Y = sph_harm_y(l, abs(m), theta, phi)  # Condon-Shortley phase
    s = (-1) ** abs(m)
    if m > 0:
        return np.sqrt(2) * s * Y.real
    if m < 0:
        return np.sqrt(2) * s * Y.imag
    return Y.real


def test_fourier_exact_coefficients_reproduce_harmonics():
    rng = np.random.default_rng(13)
    th, ph = rng.uniform(0, np.pi, 20), rng.uniform(0, 2 * np.pi, 20)
    for l in range(4):
        for m in range(-l, l + 1):
            coef = sh_to_fourier_exact(l, m)
            for c in coef.values():  # sqrt(rational) / sqrt(pi) times a power of i
                r = sp.nsimplify(sp.expand(c * sp.sqrt(sp.pi)) ** 2)
                assert r.is_rational
            val = sum(complex(c) * np.exp(1j * (u * th + v * ph)) for (u, v), c in coef.items())
            np.testing.assert_allclose(val, _real_sh_scipy(l, m, th, ph), atol=1e-13)


def _phi_integral(v, mp):
    """int_0^{2 pi} exp(i v p) * (cos(mp p) | sin(|mp| p) | 1) dp, exactly."""
    if mp == 0:
        return 2 * sp.pi if v == 0 else 0
    a = abs(mp)
    if mp > 0:
        return sp.pi * ((v == a) + (v == -a))
    return sp.I * sp.pi * ((v == a) - (v == -a))


def test_fourier_change_of_basis_exact_round_trip():
    """sum_uv c^{l,m}_{uv} * (exact phi integral) * (exact theta projection) == delta, in sympy."""
    proj = {}
    for l in range(3):
        for m in range(-l, l + 1):
            coef = sh_to_fourier_exact(l, m)
            for lp in range(3):
                for mp in range(-lp, lp + 1):
                    total = 0
                    for (u, v), c in coef.items():
                        iphi = _phi_integral(v, mp)
                        if iphi != 0:
                            key = (lp, abs(mp), u)
                            if key not in proj:
                                proj[key] = fourier_projection_exact(*key)
                            total += c * iphi * proj[key]
                    assert sp.simplify(total) == (1 if (l, m) == (lp, mp) else 0), (l, m, lp, mp)
    # spot check of the closed-form phi integral against sympy's integrate
    phi = sp.symbols("phi", real=True)
    assert (
        sp.simplify(
            sp.integrate(sp.exp(2 * sp.I * phi) * sp.sin(2 * phi), (phi, 0, 2 * sp.pi))
            - _phi_integral(2, -2)
        )
        == 0
    )


def test_fourier_float_round_trip_and_values():
    rng = np.random.default_rng(14)
    x = rng.normal(size=(4, 49))
    np.testing.assert_allclose(fourier_to_sh(sh_to_fourier(x), 6), x, atol=1e-13)
    F = sh_to_fourier(x)  # half spectrum, |u| <= 6, v = 0..6
    th, ph = rng.uniform(0, np.pi, 10), rng.uniform(0, 2 * np.pi, 10)
    u = np.arange(-6, 7)
    E = np.exp(1j * np.outer(th, u))  # (pts, u)
    vals = np.einsum("pu,buv,pv->bp", E, F, np.exp(1j * np.outer(ph, np.arange(7)))).real * 2
    vals -= np.einsum("pu,bu->bp", E, F[:, :, 0]).real  # v = 0 counted once
    pts = np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], 1)
    np.testing.assert_allclose(vals, x @ spherical_harmonics_all(6, pts).T, atol=1e-12)


def test_bad_input_messages():
    with pytest.raises(InvalidParameterError, match=r"'1z' at position 5"):
        parse_irreps("2x0e+1z")
    with pytest.raises(ShapeError, match="x1 has leading .* but x2"):
        cg_tensor_product(np.ones((3, 4)), np.ones((2, 4)), 1)
    with pytest.raises(ShapeError, match="x2 has last dimension 5"):
        gaunt_tensor_product(np.ones((3, 4)), np.ones((3, 5)), 1)
    with pytest.raises(InvalidParameterError, match="method must be"):
        gaunt_tensor_product(np.ones((3, 4)), np.ones((3, 4)), 1, method="fft")
    with pytest.raises(InvalidParameterError, match="triangle"):
        cg_tensor_product(np.ones((3, 4)), np.ones((3, 4)), 2, paths=[(0, 0, 1)])
    with pytest.raises(ShapeError, match="weights must have shape"):
        cg_tensor_product(np.ones((3, 4)), np.ones((3, 4)), 1, weights=np.ones(2))
    with pytest.raises(ShapeError, match="weights1"):
        gaunt_tensor_product(np.ones((3, 4)), np.ones((3, 4)), 1, weights1=np.ones(3))


def test_size_limits(monkeypatch):
    monkeypatch.setenv("REPTHEORY_MAX_DENSE_ENTRIES", "1000")
    x = np.ones((1, 121))
    with pytest.raises(SizeLimitError, match="grid"):
        gaunt_tensor_product(x, x, 20, "grid")
    with pytest.raises(SizeLimitError, match="Fourier grid"):
        gaunt_tensor_product(x, x, 20, "fourier")
    with pytest.raises(SizeLimitError, match="dense CG"):
        cg_tensor_product(x, x, 20)


def test_sparse_numba_kernel_matches_numpy_twin():
    from reptheory.so3._tp_cg import _sparse

    rng = np.random.default_rng(21)
    paths = tp_paths(3, 2, 4)
    w = rng.normal(size=len(paths))
    for dtype in (np.float64, np.float32):
        a = rng.normal(size=(7, 16)).astype(dtype)
        b = rng.normal(size=(7, 9)).astype(dtype)
        z1 = _sparse(a, b, 3, 2, 4, paths, w, dtype, backend="auto")
        z2 = _sparse(a, b, 3, 2, 4, paths, w, dtype, backend="numpy")
        assert z1.dtype == dtype
        np.testing.assert_allclose(z1, z2, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-5)
