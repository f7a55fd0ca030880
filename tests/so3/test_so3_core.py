"""Robustness of the numpy SO(3) core and the documented relations to other libraries.

Every relation stated in docs/conventions.md and the so3 docstrings that can be checked is
checked here against an independent computation (sympy, mpmath, exact integers, scipy).
"""

import math
import os
import subprocess
import sys
import warnings
from fractions import Fraction
from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy
from scipy.spatial.transform import Rotation

import reptheory
from reptheory.errors import InvalidParameterError, ShapeError, SizeLimitError
from reptheory.groups import SO2, SO3
from reptheory.so3 import (
    Irreps,
    SO2Irrep,
    SO2Rep,
    axis_angle_to_matrix,
    check_rotation,
    clebsch_gordan_exact,
    clebsch_gordan_float,
    clebsch_gordan_table,
    euler_to_matrix,
    induce,
    matrix_to_euler,
    restrict,
    rot_x,
    rot_y,
    rot_z,
    sh_index,
    spherical_harmonics,
    spherical_harmonics_all,
    wigner_D,
    wigner_D_axis_angle,
    wigner_D_complex,
    wigner_D_euler,
    wigner_d_half_pi,
)
from reptheory.so3._sh import _sh_numpy

ROTS = Rotation.random(4, random_state=21).as_matrix()
RNG = np.random.default_rng(2024)


# ---------------------------------------------------------------------------------------------
# correctly rounded Clebsch-Gordan floats
# ---------------------------------------------------------------------------------------------
def _is_correctly_rounded(f: float, sign: int, num: int, den: int) -> bool:
    """|f| is the float nearest sqrt(num/den): the exact square lies between the squares of
    the midpoints to the neighbouring floats (exact rational arithmetic)."""
    if sign == 0:
        return f == 0.0
    if (f > 0) != (sign > 0):
        return False
    a = abs(f)
    lo = (Fraction(a) + Fraction(np.nextafter(a, 0.0))) / 2
    hi = (Fraction(a) + Fraction(np.nextafter(a, math.inf))) / 2
    q = Fraction(num, den)
    return lo * lo <= q <= hi * hi


def test_clebsch_gordan_float_is_correctly_rounded():
    x = clebsch_gordan_exact(6, 4, 7, -4, 3, 0)
    assert (x.sign, x.num, x.den) == (1, 32, 1105)
    # the known case where sqrt(num / den) (two roundings) is one ulp off
    assert math.sqrt(32 / 1105) != clebsch_gordan_float(6, 4, 7, -4, 3, 0)
    assert clebsch_gordan_float(6, 4, 7, -4, 3, 0) == 0.1701742519246068
    checked = off_by_two_roundings = 0
    for l1 in range(6):
        for l2 in range(6):
            for l3 in range(abs(l1 - l2), l1 + l2 + 1):
                block = clebsch_gordan_table(l1, l2, l3)
                flo = block.to_float()
                for (m1, m2), v in block.items():
                    f = clebsch_gordan_float(l1, m1, l2, m2, l3, m1 + m2)
                    assert f == flo[m1 + l1, m2 + l2] == float(v)
                    assert _is_correctly_rounded(f, v.sign, v.num, v.den), (l1, m1, l2, m2, l3)
                    off_by_two_roundings += v.sign * math.sqrt(v.num / v.den) != f
                    checked += 1
    assert checked > 5_000 and off_by_two_roundings > 0


def test_real_cg_tables_are_correctly_rounded():
    """cg_tensor(..., "real") equals the exact real CG entries (Fractions, in codegen) rounded
    once, and has no other non-zero entry."""
    from reptheory.codegen._tp_data import real_cg_entries
    from reptheory.so3 import cg_tensor

    checked = 0
    for l1 in range(5):
        for l2 in range(5):
            for l3 in range(abs(l1 - l2), l1 + l2 + 1):
                C = cg_tensor(l1, l2, l3)
                entries = real_cg_entries(l1, l2, l3)
                for m1, m2, m3, sn, den in entries:
                    v = C[m1 + l1, m2 + l2, m3 + l3]
                    assert _is_correctly_rounded(v, 1 if sn > 0 else -1, abs(sn), den)
                    checked += 1
                assert len(entries) == np.count_nonzero(C)
    assert checked > 3000


def test_clebsch_gordan_float_high_degree_matches_mpmath():
    mpmath.mp.dps = 80
    checked = 0
    for args in [(100, 3, 120, -50, 150, -47), (200, 0, 200, 0, 200, 0), (57, 20, 61, -3, 40, 17)]:
        x = clebsch_gordan_exact(*args)
        ref = float(x.sign * mpmath.sqrt(mpmath.mpf(x.num) / x.den))
        assert clebsch_gordan_float(*args) == ref
        assert _is_correctly_rounded(clebsch_gordan_float(*args), x.sign, x.num, x.den)
        checked += 1
    assert checked == 3


# ---------------------------------------------------------------------------------------------
# documented relations to sympy
# ---------------------------------------------------------------------------------------------
def test_real_harmonics_vs_sympy_znm():
    """Y = (-1)^m Znm for m >= 0 and Y = -Znm for m < 0 (docs/conventions.md)."""
    th, ph = 1.1, -0.7
    x = np.array([[np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)]])
    checked = 0
    for l in range(4):
        Y = spherical_harmonics(l, x)[0]
        for m in range(-l, l + 1):
            z = sympy.Znm(l, m, sympy.Float(th), sympy.Float(ph)).expand(func=True).evalf(30)
            z = complex(z)
            assert abs(z.imag) < 1e-14
            factor = (-1) ** m if m >= 0 else -1
            assert abs(Y[l + m] - factor * z.real) < 1e-13
            checked += 1
    assert checked == 16


def _d_wikipedia(l, mp, m, beta):
    """Wigner's formula for the standard small d^l_{m' m}(beta)."""
    c, s = math.cos(beta / 2), math.sin(beta / 2)
    f = math.factorial
    total = 0.0
    for k in range(max(0, m - mp), min(l + m, l - mp) + 1):
        num = math.sqrt(f(l + mp) * f(l - mp) * f(l + m) * f(l - m))
        den = f(l + m - k) * f(k) * f(mp - m + k) * f(l - mp - k)
        total += (
            (-1) ** (mp - m + k) * num / den * c ** (2 * l + m - mp - 2 * k) * s ** (mp - m + 2 * k)
        )
    return total


def test_complex_wigner_D_vs_sympy():
    """D^c[m', m] = wigner_d(l, a, -b, g)[l-m', l-m] = conj(Rotation.D(l, m', m, a, b, g)) =
    conj of the standard exp(-i m' a) d_{m'm}(b) exp(-i m g)."""
    from sympy.physics.quantum.spin import Rotation as SymRotation
    from sympy.physics.wigner import wigner_d

    a, b, g = 0.3, 1.1, -0.7
    checked = 0
    for l in range(3):
        Dc = wigner_D_complex(l, euler_to_matrix(a, b, g))
        wd = np.array(
            wigner_d(l, sympy.Float(a), sympy.Float(-b), sympy.Float(g)).evalf(), dtype=complex
        )
        assert np.allclose(Dc, wd[::-1, ::-1], atol=1e-12)  # sympy's documented index order
        for mp in range(-l, l + 1):
            for m in range(-l, l + 1):
                rd = complex(SymRotation.D(l, mp, m, a, b, g).doit().evalf())
                std = np.exp(-1j * mp * a) * _d_wikipedia(l, mp, m, b) * np.exp(-1j * m * g)
                assert abs(Dc[mp + l, m + l] - np.conj(rd)) < 1e-12
                assert abs(Dc[mp + l, m + l] - np.conj(std)) < 1e-12
                checked += 1
    assert checked == sum((2 * l + 1) ** 2 for l in range(3))
    wd = np.array(
        wigner_d(4, sympy.Float(a), sympy.Float(-b), sympy.Float(g)).evalf(), dtype=complex
    )
    assert np.allclose(wigner_D_complex(4, euler_to_matrix(a, b, g)), wd[::-1, ::-1], atol=1e-12)


# ---------------------------------------------------------------------------------------------
# Wigner D: recurrence for d(pi/2), high degree, caches, float32
# ---------------------------------------------------------------------------------------------
def _d_half_pi_exact(l):
    """d^l(pi/2) from exact integers (coefficients of (1-t)^(l+m) (1+t)^(l-m)), rounded once."""
    F = [math.factorial(k) for k in range(2 * l + 1)]
    out = np.zeros((2 * l + 1, 2 * l + 1))
    for m in range(-l, l + 1):
        poly = [0] * (2 * l + 1)
        for i in range(l + m + 1):
            for j in range(l - m + 1):
                poly[i + j] += (-1) ** i * math.comb(l + m, i) * math.comb(l - m, j)
        for mp in range(-l, l + 1):
            K = poly[l - mp]
            if K:
                val = math.sqrt(Fraction(K * K * F[l + mp] * F[l - mp], F[l + m] * F[l - m] * 4**l))
                out[mp + l, m + l] = (1 if K > 0 else -1) * (-1) ** ((mp - m) % 2) * val
    return out


@pytest.mark.parametrize("l", [0, 1, 2, 5, 16, 41, 60])
def test_d_half_pi_recurrence_matches_exact(l):
    assert np.abs(wigner_d_half_pi(l) - _d_half_pi_exact(l)).max() < 2e-15
    assert not wigner_d_half_pi(l).flags.writeable


def test_d_half_pi_beyond_the_float_range_of_2_to_minus_l():
    """At l = 1100, 2^-l underflows: the columns that start below the float range must still
    reach their O(1) values (d[m', +-l] = +-2^-l sqrt(binom(2l, l+m'))) and rows stay unit."""
    l = 1100
    d = wigner_d_half_pi(l)
    assert np.all(np.isfinite(d))
    checked = 0
    mpmath.mp.dps = 30
    for mp in (0, 5, 300, -700, 1000):
        ref = float(mpmath.sqrt(mpmath.mpf(math.comb(2 * l, l + mp)) / mpmath.mpf(4) ** l))
        assert abs(abs(d[mp + l, 2 * l]) - ref) <= 1e-13 * ref
        assert abs(abs(d[mp + l, 0]) - ref) <= 1e-13 * ref
        checked += 1
    assert checked == 5
    assert d[l, 2 * l] != 0.0 and d[2 * l, 2 * l] == 0.0  # 2^-1100 is below the float range
    norms = np.einsum("ij,ij->i", d, d)
    assert np.abs(norms - 1).max() < 1e-12
    rows = RNG.choice(2 * l + 1, size=20, replace=False)
    G = d[rows] @ d[rows].T
    assert np.abs(G - np.eye(20)).max() < 1e-12


def test_wigner_D_degree_300_is_equivariant_and_orthogonal(tmp_path, monkeypatch):
    """Past DISK_MIN_DEGREE: Y_l(R x) = D Y_l(x), D orthogonal; the Q table is cached on disk
    (read-only) and read back."""
    from reptheory.so3 import _wigner

    monkeypatch.setenv("REPTHEORY_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_wigner, "_Q", _wigner.MemoryCache(2**30))
    l = 300
    x = RNG.normal(size=(6, 3))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    R = ROTS[0]
    D = wigner_D(l, R)
    assert np.abs(D @ D.T - np.eye(2 * l + 1)).max() < 1e-13
    err = np.abs(spherical_harmonics(l, x @ R.T) - spherical_harmonics(l, x) @ D.T).max()
    assert err < 1e-11
    files = list((tmp_path / "so3").glob("wigner_q_300_v*.npy"))
    assert len(files) == 1
    monkeypatch.setattr(_wigner, "_Q", _wigner.MemoryCache(2**30))
    Q = _wigner._q_matrix(l)
    assert not Q.flags.writeable and np.array_equal(Q, np.load(files[0]))
    files[0].write_bytes(b"not a numpy file")  # corrupt: recomputed, not trusted
    monkeypatch.setattr(_wigner, "_Q", _wigner.MemoryCache(2**30))
    assert np.allclose(_wigner._q_matrix(l), Q, atol=0)


def test_wigner_D_orthogonality_at_degree_100():
    """The docstring's figure: max |D D^T - I| about 1e-15 at l = 100."""
    D = wigner_D(100, ROTS)
    err = np.abs(D @ np.swapaxes(D, 1, 2) - np.eye(201)).max()
    assert err < 1e-14


@pytest.mark.skipif(not os.environ.get("REPTHEORY_SLOW_TESTS"), reason="slow: l = 1000")
def test_wigner_D_degree_1000():
    l = 1000
    D1, D2 = wigner_D(l, ROTS[:2])
    assert np.abs(D1 @ D1.T - np.eye(2 * l + 1)).max() < 1e-13
    assert np.abs(wigner_D(l, ROTS[0] @ ROTS[1]) - D1 @ D2).max() < 1e-12


def test_float32_rotations_follow_the_dtype_tolerance():
    R64 = ROTS[1]
    R32 = R64.astype(np.float32)
    assert np.abs(R32.T.astype(float) @ R32 - np.eye(3)).max() > 1e-8  # fails float64 atol
    D32 = wigner_D(3, R32)
    assert D32.dtype == np.float32
    assert np.abs(D32 - wigner_D(3, R32.astype(np.float64), atol=1e-5)).max() < 1e-6
    assert wigner_D_complex(2, R32).shape == (5, 5)
    assert check_rotation(R32).dtype == np.float32
    with pytest.raises(InvalidParameterError, match="atol = 1.19"):
        wigner_D(1, (R64 * 1.001).astype(np.float32))
    with pytest.raises(InvalidParameterError, match="atol = 1e-08"):
        wigner_D(1, R64.astype(np.float32).astype(np.float64))


# ---------------------------------------------------------------------------------------------
# spherical harmonics at high degree
# ---------------------------------------------------------------------------------------------
def _mp_real_sh(l, m, x, y, z):
    x, y, z = (mpmath.mpf(float(t)) for t in (x, y, z))
    th = mpmath.atan2(mpmath.sqrt(x * x + y * y), z)  # acos(z) is ill-conditioned at the poles
    ph = mpmath.atan2(mpmath.mpf(y), mpmath.mpf(x))
    Yc = mpmath.spherharm(l, abs(m), th, ph) * (-1) ** abs(m)  # remove Condon-Shortley
    if m == 0:
        return Yc.real
    return mpmath.sqrt(2) * (Yc.real if m > 0 else Yc.imag)


def test_spherical_harmonics_degree_2000_no_nan_near_the_poles():
    pts = np.array(
        [
            [0, 0, 1.0],
            [0, 0, -1.0],
            [1e-9, 0, 1.0],
            [0, 1e-3, 1.0],
            [3e-2, -2e-2, -1.0],
            [0.3, 0.4, 0.5],
            [1.0, 0, 0],
        ]
    )
    pts /= np.linalg.norm(pts, axis=1, keepdims=True)
    L = 2000
    Y = spherical_harmonics(L, pts)
    assert np.all(np.isfinite(Y))
    # addition theorem: sum_m Y_lm^2 = (2l+1)/(4 pi) at every point
    assert np.abs((Y**2).sum(1) * 4 * np.pi / (2 * L + 1) - 1).max() < 1e-9
    assert abs(Y[0, L] / math.sqrt((2 * L + 1) / (4 * math.pi)) - 1) < 1e-12
    assert not Y[0, :L].any() and not Y[0, L + 1 :].any()
    mpmath.mp.dps = 30
    checked = 0
    for i, m in [(5, 0), (5, 1500), (5, -1999), (3, 40), (4, -7), (2, 1)]:
        ref = _mp_real_sh(L, m, *pts[i])
        assert abs(Y[i, L + m] - float(ref)) <= 1e-11 * abs(float(ref))
        checked += 1
    assert checked == 6


def test_numba_kernel_equals_numpy_twin_at_high_degree():
    pts = np.vstack([RNG.normal(size=(6, 3)), [[0, 0, 1.0], [1e-7, 2e-7, -1.0], [0, 1e-2, 1]]])
    pts /= np.linalg.norm(pts, axis=1, keepdims=True)
    a = spherical_harmonics_all(150, pts, backend="numba")
    b = _sh_numpy(pts, 150)
    assert np.abs(a - b).max() < 1e-12


def test_numba_warning_once_per_process(monkeypatch):
    from reptheory.so3 import _sh

    monkeypatch.setattr(_sh, "_numba_kernel", lambda: None)
    monkeypatch.setattr(_sh, "_NUMBA_WARNED", False)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        a = spherical_harmonics_all(3, [[0, 0, 1.0]])
        b = spherical_harmonics_all(3, [[0, 1.0, 0]])
    assert len([w for w in rec if "numba is not installed" in str(w.message)]) == 1
    assert a.shape == b.shape == (1, 16)


def test_numba_warning_once_per_process_sparse_cg(monkeypatch):
    from reptheory.so3 import _sh, _tp_cg
    from reptheory.so3._tp_cg import cg_tensor_product

    monkeypatch.setattr(_tp_cg, "_numba_sparse", lambda: None)
    monkeypatch.setattr(_sh, "_NUMBA_WARNED", False)
    rng = np.random.default_rng(5)
    x1, x2 = rng.normal(size=(3, 4)), rng.normal(size=(3, 9))
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        z = [cg_tensor_product(x1, x2, 2, method="sparse") for _ in range(3)]
    msgs = [w for w in rec if "numba is not installed" in str(w.message)]
    assert len(msgs) == 1 and msgs[0].filename == __file__
    np.testing.assert_allclose(z[0], cg_tensor_product(x1, x2, 2, method="dense"), atol=1e-12)


def test_numba_kernel_cached_outside_the_package_and_read_back(tmp_path):
    """A fresh process compiles the SO(3) kernels (harmonics, sparse CG) into
    $REPTHEORY_CACHE_DIR/numba; a second one reads them back; nothing lands in the package."""
    pkg = Path(reptheory.__file__).parent
    before = {p for p in pkg.rglob("*") if p.suffix in (".nbi", ".nbc")}
    code = (
        "import sys\n"
        "import numpy as np\n"
        "from reptheory.so3 import cg_tensor_product, spherical_harmonics_all\n"
        "assert 'numba' not in sys.modules\n"  # the sparse CG product is the first to compile
        "cg_tensor_product(np.ones((2, 4)), np.ones((2, 4)), 1, method='sparse')\n"
        "spherical_harmonics_all(3, np.ones((2, 3)))\n"
        "from reptheory.so3._sh_numba import sh_kernel\n"
        "from reptheory.so3._tp_cg_numba import cg_sparse_kernel\n"
        "for k in (sh_kernel, cg_sparse_kernel):\n"
        "    print(sum(k.stats.cache_hits.values()), sum(k.stats.cache_misses.values()))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["REPTHEORY_CACHE_DIR"] = str(tmp_path)
    env["PYTHONPATH"] = str(pkg.parent) + os.pathsep + env.get("PYTHONPATH", "")
    outs = []
    for _ in range(2):
        r = subprocess.run(
            [sys.executable, "-c", code],
            check=False,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert r.returncode == 0, r.stderr
        outs.append([tuple(int(t) for t in line.split()) for line in r.stdout.splitlines()])
    files = list((tmp_path / "numba").rglob("*.nbi"))
    assert {f.name.split(".")[0] for f in files} >= {"_sh_numba", "_tp_cg_numba"}, files
    assert len(outs[0]) == len(outs[1]) == 2
    for first, second in zip(outs[0], outs[1]):
        assert first[1] >= 1 and second == (1, 0)  # compiled once, then read back
    after = {p for p in pkg.rglob("*") if p.suffix in (".nbi", ".nbc")}
    assert after == before


# ---------------------------------------------------------------------------------------------
# bad input: NaN / inf at every boundary, index checks, size errors
# ---------------------------------------------------------------------------------------------
NAN_CALLS = [
    ("t", lambda v: rot_z(v)),
    ("t", lambda v: rot_y([0.1, v])),
    ("t", lambda v: rot_x(v)),
    ("t", lambda v: euler_to_matrix(0.1, v, 0.2)),
    ("R", lambda v: matrix_to_euler(np.full((3, 3), v))),
    ("axis", lambda v: axis_angle_to_matrix([v, 0, 1], 0.3)),
    ("angle", lambda v: axis_angle_to_matrix([0, 0, 1], v)),
    ("alpha", lambda v: wigner_D_euler(1, v, 0.0, 0.0)),
    ("beta", lambda v: wigner_D_euler(2, 0.0, [0.1, v], 0.0)),
    ("gamma", lambda v: wigner_D_euler(1, 0.0, 0.0, v)),
    ("R", lambda v: wigner_D(1, np.where(np.eye(3) > 0, v, 0.0))),
    ("R", lambda v: wigner_D_complex(1, np.full((3, 3), v))),
    ("R", lambda v: check_rotation(np.full((3, 3), v))),
    ("angle", lambda v: wigner_D_axis_angle(2, [1, 0, 0], v)),
    ("xyz", lambda v: spherical_harmonics(2, [[0, 0, 1.0], [v, 0, 1]])),
    ("xyz", lambda v: spherical_harmonics_all(2, [[v, 0, 1]], backend="numpy")),
    ("xyz", lambda v: spherical_harmonics_all(2, [[v, 0, 1]], normalize=False)),
    ("axis", lambda v: restrict(1, axis=[0, v, 1])),
    ("t", lambda v: SO2Irrep(2, real=True).matrix(v)),
    ("t", lambda v: SO2Rep("1x0+1x1").matrix(v)),
    ("t", lambda v: SO2().element(v)),
    ("R", lambda v: induce(1, 2).basis_functions(np.full((3, 3), v))),
    ("R", lambda v: Irreps("1x1o+1x2e").matrix(np.full((3, 3), v))),
    ("R", lambda v: SO3().wigner_D(1, np.full((3, 3), v))),
]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(
    "name,call", NAN_CALLS, ids=[f"{i}-{n}" for i, (n, _) in enumerate(NAN_CALLS)]
)
def test_nan_and_inf_rejected_naming_the_parameter(name, call, bad):
    with pytest.raises(InvalidParameterError, match=rf"\b{name}\b"):
        call(bad)


def test_sh_index_checks_the_order():
    assert [sh_index(l, m) for l in range(3) for m in range(-l, l + 1)] == list(range(9))
    with pytest.raises(InvalidParameterError, match=r"m must be .* \[-1, 1\], got 5"):
        sh_index(1, 5)
    with pytest.raises(InvalidParameterError):
        sh_index(-1, 0)


def test_size_errors_name_a_keyword_the_function_accepts():
    with pytest.raises(SizeLimitError, match="max_entries="):
        spherical_harmonics(100, np.ones((2000, 3)), max_entries=1000)
    assert spherical_harmonics(2, np.ones((3, 3)), max_entries=27).shape == (3, 5)
    with pytest.raises(SizeLimitError, match="max_entries="):
        wigner_D(30, ROTS, max_entries=100)
    assert wigner_D(1, ROTS, max_entries=36).shape == (4, 3, 3)
    with pytest.raises(SizeLimitError):
        wigner_D_euler(5, np.zeros(10), 0.0, 0.0, max_entries=100)


def test_shape_errors():
    with pytest.raises(ShapeError):
        matrix_to_euler(np.eye(2))
    with pytest.raises(ShapeError):
        axis_angle_to_matrix([1.0, 0.0], 0.3)


def test_progress_bar_for_long_wigner_batches(monkeypatch):
    """Long batches go through reptheory._progress with the bar enabled (on a terminal)."""
    from reptheory.so3 import _wigner

    seen = []

    def fake_progress(it, total=None, desc="", enabled=None):
        seen.append((total, desc, enabled))
        return it

    monkeypatch.setattr(_wigner, "progress", fake_progress)
    monkeypatch.setattr(_wigner, "PROGRESS_WORK", 0)
    monkeypatch.setattr(_wigner.sys.stderr, "isatty", lambda: True, raising=False)
    D = wigner_D(2, ROTS)
    assert D.shape == (4, 5, 5) and seen and seen[-1][2] is True and "l=2" in seen[-1][1]
    monkeypatch.setattr(_wigner, "PROGRESS_WORK", 10**18)
    wigner_D(2, ROTS)
    assert seen[-1][2] is False
