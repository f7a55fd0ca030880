"""Float CG / Gaunt tables: agree with the exact values, intertwine, cached read-only."""

import importlib

import numpy as np
import pytest
import sympy
from scipy.spatial.transform import Rotation

from reptheory.so3 import (
    cg_tensor,
    clebsch_gordan,
    gaunt,
    gaunt_tensor,
    real_gaunt,
    spherical_harmonics,
    wigner_D,
    wigner_D_complex,
)

R = Rotation.random(1, random_state=11).as_matrix()[0]


def _triples(L):
    for l1 in range(L + 1):
        for l2 in range(L + 1):
            for l3 in range(abs(l1 - l2), l1 + l2 + 1):
                yield l1, l2, l3


@pytest.mark.parametrize("basis", ["real", "complex"])
def test_cg_tensor_intertwines_and_is_orthonormal(basis):
    Df = wigner_D if basis == "real" else wigner_D_complex
    for l1, l2, l3 in _triples(4):
        C = cg_tensor(l1, l2, l3, basis)
        D1, D2, D3 = Df(l1, R), Df(l2, R), Df(l3, R)
        lhs = np.einsum("ia,jb,abk->ijk", D1, D2, C)
        assert np.allclose(lhs, np.einsum("ijc,ck->ijk", C, D3), atol=1e-12)
        assert np.allclose(np.einsum("abk,abq->kq", C, C), np.eye(2 * l3 + 1), atol=1e-12)


def test_complex_cg_tensor_equals_exact_values():
    for l1, l2, l3 in [(2, 3, 4), (3, 3, 1), (4, 2, 6)]:
        C = cg_tensor(l1, l2, l3, "complex")
        for m1 in range(-l1, l1 + 1):
            for m2 in range(-l2, l2 + 1):
                for m3 in range(-l3, l3 + 1):
                    assert C[m1 + l1, m2 + l2, m3 + l3] == pytest.approx(
                        float(clebsch_gordan(l1, m1, l2, m2, l3, m3)), abs=1e-15
                    )


def test_gaunt_tables_equal_exact_and_quadrature():
    L = 3
    x, w = np.polynomial.legendre.leggauss(3 * L)
    phi = 2 * np.pi * np.arange(6 * L) / (6 * L)
    ct, ph = np.meshgrid(x, phi, indexing="ij")
    st = np.sqrt(1 - ct**2)
    P = np.stack([st * np.cos(ph), st * np.sin(ph), ct], -1).reshape(-1, 3)
    wt = (w[:, None] * np.full(phi.shape, 2 * np.pi / len(phi))[None, :]).ravel()
    for l1, l2, l3 in _triples(L):
        G = gaunt_tensor(l1, l2, l3, "real")
        Y1, Y2, Y3 = (spherical_harmonics(l, P) for l in (l1, l2, l3))
        quad = np.einsum("n,na,nb,nc->abc", wt, Y1, Y2, Y3)
        assert np.allclose(G, quad, atol=1e-13)
        for m1, m2, m3 in [(0, 0, 0), (-l1, l2, 0), (l1, -l2, min(l3, l1 + l2))]:
            if abs(m3) <= l3:
                assert G[m1 + l1, m2 + l2, m3 + l3] == pytest.approx(
                    float(real_gaunt(l1, l2, l3, m1, m2, m3)), abs=1e-15
                )
                Gc = gaunt_tensor(l1, l2, l3, "complex")
                assert Gc[m1 + l1, m2 + l2, m3 + l3] == pytest.approx(
                    float(gaunt(l1, l2, l3, m1, m2, m3)), abs=1e-15
                )


def test_real_gaunt_is_proportional_to_real_cg():
    for l1, l2, l3 in _triples(4):
        if (l1 + l2 + l3) % 2:
            continue
        G, C = gaunt_tensor(l1, l2, l3), cg_tensor(l1, l2, l3)
        c = np.sqrt((2 * l1 + 1) * (2 * l2 + 1) / (4 * np.pi * (2 * l3 + 1))) * float(
            clebsch_gordan(l1, 0, l2, 0, l3, 0)
        )
        assert np.allclose(G, c * C, atol=1e-14)


def test_tables_read_only_and_cached_on_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("REPTHEORY_CACHE_DIR", str(tmp_path))
    tables = importlib.import_module("reptheory.so3._tables")
    tables._cached.cache_clear()
    C = cg_tensor(8, 8, 9)
    assert not C.flags.writeable
    with pytest.raises(ValueError):
        C[0, 0, 0] = 1.0
    files = list((tmp_path / "so3").glob("cg_real_8_8_9_v*.npy"))
    assert len(files) == 1
    tables._cached.cache_clear()
    C2 = cg_tensor(8, 8, 9)
    assert np.array_equal(C, C2)
    tables._cached.cache_clear()


def test_table_bad_input():
    from reptheory.errors import InvalidParameterError, ReptheoryError, SizeLimitError

    with pytest.raises(InvalidParameterError):
        cg_tensor(1, 1, 1, basis="spherical")
    with pytest.raises(ReptheoryError):
        cg_tensor(-1, 1, 1)
    with pytest.raises(SizeLimitError):
        cg_tensor(1000, 1000, 2000)
    assert sympy.Integer(0) == clebsch_gordan(1, 0, 1, 0, 1, 0)
