"""Generated SO(3) tensor products: exact data, NumPy target, equivariance, format, errors, CLI."""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from codegen_helpers import load_source

from reptheory import so3
from reptheory.codegen import generate_tensor_product
from reptheory.codegen._cli import add_codegen_command, add_codegen_tp_command
from reptheory.codegen._tp_data import real_cg_entries
from reptheory.errors import InvalidParameterError, ReptheoryTypeError, SizeLimitError

DEGREES = [(0, 0, 0), (1, 1, 2), (2, 1, 2), (1, 3, 2), (3, 2, 4), (2, 2, 1)]


def random_rotation(rng):
    q, r = np.linalg.qr(rng.standard_normal((3, 3)))
    q = q * np.sign(np.diag(r))
    return q if np.linalg.det(q) > 0 else -q


def block_D(L, R):
    d = (L + 1) ** 2
    D = np.zeros((d, d))
    for l in range(L + 1):
        D[l * l : (l + 1) ** 2, l * l : (l + 1) ** 2] = so3.wigner_D(l, R)
    return D


def test_exact_entries_match_float_tables():
    """The exact (s*num, den) data equals reptheory's float CG tables entrywise, and the exact
    squares are those of the sympy Clebsch-Gordan coefficients for the m3 = m1 + m2 = 0 entries
    that are unchanged by the real basis (m1 = m2 = m3 = 0)."""
    for l1, l2, l3 in so3.tp_paths(3, 3, 4):
        C = so3.cg_tensor(l1, l2, l3, "real")
        D = np.zeros_like(C)
        for m1, m2, m3, num, den in real_cg_entries(l1, l2, l3):
            assert den > 0 and math.gcd(abs(num), den) == 1
            D[m1 + l1, m2 + l2, m3 + l3] = math.copysign(math.sqrt(abs(num) / den), num)
        np.testing.assert_allclose(D, C, rtol=0, atol=4e-16)
        if (l1 + l2 + l3) % 2 == 0 and l3 <= l1 + l2:
            exact = so3.clebsch_gordan(l1, 0, l2, 0, l3, 0)
            got = {(e[0], e[1], e[2]): e for e in real_cg_entries(l1, l2, l3)}.get((0, 0, 0))
            if exact == 0:
                assert got is None
            else:
                assert got[3] * float(exact) > 0
                assert Fraction(abs(got[3]), got[4]) == Fraction(str(exact**2))  # exact


def _load(tmp_path, kind, L1, L2, L_out, **kw):
    return load_source(generate_tensor_product(kind, L1, L2, L_out, target="numpy", **kw),
                       tmp_path)


@pytest.mark.parametrize("degrees", DEGREES, ids=str)
def test_cg_numpy_matches_reptheory(degrees, tmp_path):
    L1, L2, L_out = degrees
    mod = _load(tmp_path, "cg", L1, L2, L_out)
    rng = np.random.default_rng(sum(degrees))
    x1 = rng.standard_normal((4, 3, (L1 + 1) ** 2))
    x2 = rng.standard_normal((4, 3, (L2 + 1) ** 2))
    P = len(so3.tp_paths(L1, L2, L_out))
    assert mod.NUM_PATHS == P and mod.PATHS == so3.tp_paths(L1, L2, L_out)
    for w in (None, rng.standard_normal(P), rng.standard_normal((P, 3))):
        z = mod.cg_tensor_product(x1, x2, w)
        ref = so3.cg_tensor_product(x1, x2, L_out, weights=w)
        np.testing.assert_allclose(z, ref, rtol=1e-12, atol=1e-12)
    z32 = mod.cg_tensor_product(x1.astype(np.float32), x2.astype(np.float32))
    assert z32.dtype == np.float32
    np.testing.assert_allclose(z32, so3.cg_tensor_product(x1, x2, L_out), rtol=1e-4, atol=1e-4)


def test_cg_selected_paths(tmp_path):
    paths = [(1, 1, 1), (2, 1, 2), (1, 1, 0)]
    mod = _load(tmp_path, "cg", 2, 1, 2, paths=paths)
    rng = np.random.default_rng(3)
    x1, x2 = rng.standard_normal((5, 9)), rng.standard_normal((5, 4))
    w = rng.standard_normal(3)
    np.testing.assert_allclose(mod.cg_tensor_product(x1, x2, w),
                               so3.cg_tensor_product(x1, x2, 2, weights=w, paths=paths),
                               rtol=1e-12, atol=1e-12)
    # the cross product: path (1,1,1) on vectors stored as (y, z, x)
    cross = _load(tmp_path, "cg", 1, 1, 1, paths=[(1, 1, 1)])
    a, b = rng.standard_normal(3), rng.standard_normal(3)
    z = cross.cg_tensor_product(np.r_[0.0, a[[1, 2, 0]]], np.r_[0.0, b[[1, 2, 0]]])
    np.testing.assert_allclose(z[1:][[2, 0, 1]], -np.cross(a, b) / np.sqrt(2), atol=1e-14)


@pytest.mark.parametrize("degrees", DEGREES, ids=str)
def test_gaunt_numpy_matches_reptheory(degrees, tmp_path):
    L1, L2, L_out = degrees
    mod = _load(tmp_path, "gaunt", L1, L2, L_out)
    rng = np.random.default_rng(10 + sum(degrees))
    x1 = rng.standard_normal((4, 2, (L1 + 1) ** 2))
    x2 = rng.standard_normal((4, 2, (L2 + 1) ** 2))
    w1, w2, wo = (rng.standard_normal(L + 1) for L in (L1, L2, L_out))
    for method in ("grid", "fourier"):
        ref = so3.gaunt_tensor_product(x1, x2, L_out, method=method, weights1=w1, weights2=w2,
                                       weights_out=wo)
        np.testing.assert_allclose(mod.gaunt_tensor_product(x1, x2, w1, w2, wo), ref,
                                   rtol=1e-11, atol=1e-11)
    # = CG product with the Gaunt path weights
    pw = so3.gaunt_path_weights(L1, L2, L_out)
    np.testing.assert_allclose(mod.gaunt_tensor_product(x1, x2),
                               so3.cg_tensor_product(x1, x2, L_out, weights=pw),
                               rtol=1e-11, atol=1e-11)


def test_gaunt_high_degree(tmp_path):
    """Grid nodes and harmonic recurrences stay accurate at higher degree."""
    mod = _load(tmp_path, "gaunt", 10, 8, 16)
    rng = np.random.default_rng(12)
    x1, x2 = rng.standard_normal((3, 121)), rng.standard_normal((3, 81))
    np.testing.assert_allclose(mod.gaunt_tensor_product(x1, x2),
                               so3.gaunt_tensor_product(x1, x2, 16, method="fourier"),
                               rtol=1e-10, atol=1e-10)


def test_cg_degree_above_forty(tmp_path):
    """No fixed degree cap: degree 41 paths with a small factor stay within the entry guard."""
    L1, L2, L_out = 41, 1, 41
    paths = [(41, 1, 40), (41, 1, 41)]
    mod = _load(tmp_path, "cg", L1, L2, L_out, paths=paths)
    assert mod.PATHS == tuple(paths)
    rng = np.random.default_rng(41)
    x1, x2 = rng.standard_normal((2, (L1 + 1) ** 2)), rng.standard_normal((2, (L2 + 1) ** 2))
    w = rng.standard_normal(2)
    np.testing.assert_allclose(mod.cg_tensor_product(x1, x2, w),
                               so3.cg_tensor_product(x1, x2, L_out, weights=w, paths=paths),
                               rtol=1e-11, atol=1e-11)


def test_gaunt_is_pointwise_product(tmp_path):
    """Independent check: with L_out = L1 + L2 nothing is truncated, so the output function is
    the product of the input functions at any point of the sphere."""
    L1, L2 = 3, 2
    mod = _load(tmp_path, "gaunt", L1, L2, L1 + L2)
    rng = np.random.default_rng(5)
    x1, x2 = rng.standard_normal((1, 16)), rng.standard_normal((1, 9))
    z = mod.gaunt_tensor_product(x1, x2)
    pts = rng.standard_normal((20, 3))
    pts /= np.linalg.norm(pts, axis=1, keepdims=True)
    f = lambda c, L: so3.spherical_harmonics_all(L, pts) @ c[0]
    np.testing.assert_allclose(f(z, L1 + L2), f(x1, L1) * f(x2, L2), rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("kind", ["cg", "gaunt"])
def test_numpy_equivariance(kind, tmp_path):
    L1, L2, L_out = 2, 3, 3
    mod = _load(tmp_path, kind, L1, L2, L_out)
    fn = mod.cg_tensor_product if kind == "cg" else mod.gaunt_tensor_product
    rng = np.random.default_rng(7)
    x1 = rng.standard_normal((6, (L1 + 1) ** 2))
    x2 = rng.standard_normal((6, (L2 + 1) ** 2))
    args = (rng.standard_normal(len(mod.PATHS)),) if kind == "cg" else ()
    for _ in range(3):
        R = random_rotation(rng)
        lhs = fn(x1 @ block_D(L1, R).T, x2 @ block_D(L2, R).T, *args)
        rhs = fn(x1, x2, *args) @ block_D(L_out, R).T
        np.testing.assert_allclose(lhs, rhs, rtol=1e-11, atol=1e-11)


def test_shape_errors(tmp_path):
    mod = _load(tmp_path, "cg", 1, 1, 1)
    with pytest.raises(ValueError, match="x1 must have shape"):
        mod.cg_tensor_product(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="same leading shape"):
        mod.cg_tensor_product(np.ones((2, 4)), np.ones((3, 4)))
    with pytest.raises(ValueError, match="weight must have shape"):
        mod.cg_tensor_product(np.ones((2, 4)), np.ones((2, 4)), np.ones(2))
    g = _load(tmp_path, "gaunt", 1, 1, 1)
    with pytest.raises(ValueError, match="weights2 must have shape"):
        g.gaunt_tensor_product(np.ones((2, 4)), np.ones((2, 4)), None, np.ones(3))


def test_generator_errors():
    with pytest.raises(InvalidParameterError, match="kind"):
        generate_tensor_product("escn", 1, 1, 1)
    with pytest.raises(InvalidParameterError, match="target"):
        generate_tensor_product("cg", 1, 1, 1, target="tf")
    with pytest.raises(InvalidParameterError, match="method"):
        generate_tensor_product("gaunt", 1, 1, 1, method="fourier")
    with pytest.raises(InvalidParameterError, match="L1"):
        generate_tensor_product("cg", -1, 1, 1)
    with pytest.raises(SizeLimitError, match="max_entries"):   # no degree cap: the size guard
        generate_tensor_product("gaunt", 1, 1, 10**6)
    with pytest.raises(SizeLimitError, match="max_entries"):   # raised before listing paths
        generate_tensor_product("cg", 10**6, 10**6, 10**6)
    with pytest.raises(ReptheoryTypeError):
        generate_tensor_product("cg", 1.5, 1, 1)
    for bad in ("x; import os", "class", "torch", "_x", "a" * 65, "math", "PATHS", "D_OUT"):
        with pytest.raises(InvalidParameterError, match="name"):
            generate_tensor_product("cg", 1, 1, 1, name=bad)
    with pytest.raises(InvalidParameterError, match="triangle"):
        generate_tensor_product("cg", 2, 2, 2, paths=[(2, 0, 1)])
    with pytest.raises(InvalidParameterError, match="out of range"):
        generate_tensor_product("cg", 1, 1, 1, paths=[(2, 1, 1)])
    with pytest.raises(InvalidParameterError, match="repeated"):
        generate_tensor_product("cg", 1, 1, 1, paths=[(1, 1, 1), (1, 1, 1)])
    with pytest.raises(SizeLimitError, match="max_entries"):
        generate_tensor_product("cg", 12, 12, 24)
    with pytest.raises(SizeLimitError, match="max_entries"):
        generate_tensor_product("cg", 2, 2, 4, max_entries=10)
    with pytest.raises(SizeLimitError, match="max_entries"):
        generate_tensor_product("gaunt", 40, 40, 40)


def test_deterministic_and_header():
    for kind in ("cg", "gaunt"):
        for target in ("torch", "jax", "numpy"):
            a = generate_tensor_product(kind, 2, 3, 4, target=target)
            assert a == generate_tensor_product(kind, 2, 3, 4, target=target)
            head = a.split('"""')[1]
            for needle in ("no Condon-Shortley phase", "m = -l..l", "l*l + l + m",
                           "orthonormal", "Generated by reptheory", "does not import reptheory"):
                assert needle in head
            imports = [ln for ln in a.splitlines() if ln.lstrip().startswith(("import", "from"))]
            assert imports and not any("reptheory" in ln for ln in imports)


def _ruff() -> str | None:
    exe = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    return exe if Path(exe).exists() else None


@pytest.mark.skipif(_ruff() is None, reason="ruff is not installed")
def test_ruff_format_clean(tmp_path):
    for kind in ("cg", "gaunt"):
        for target in ("torch", "jax", "numpy"):
            for name in (None, "L" * 64):
                for L in ((0, 0, 0), (2, 1, 3)):
                    (tmp_path / f"{kind}_{target}_{name is None}_{L[1]}.py").write_text(
                        generate_tensor_product(kind, *L, target=target, name=name))
    (tmp_path / "one_path.py").write_text(
        generate_tensor_product("cg", 1, 1, 1, target="numpy", paths=[(1, 1, 1)]))
    for line_length in (88, 100):
        res = subprocess.run([_ruff(), "format", "--isolated", "--check", "--line-length",
                              str(line_length), str(tmp_path)], capture_output=True, text=True,
                             check=False)
        assert res.returncode == 0, res.stdout + res.stderr
    res = subprocess.run([_ruff(), "check", "--isolated", str(tmp_path)], capture_output=True,
                         text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr


def _run(argv):
    parser = argparse.ArgumentParser(prog="reptheory")
    sub = parser.add_subparsers(dest="command")
    add_codegen_command(sub)
    add_codegen_tp_command(sub)
    args = parser.parse_args(argv)
    return args.handler(args)


def test_cli(tmp_path, capsys):
    out = tmp_path / "tp.py"
    assert _run(["codegen-tp", "cg", "2", "1", "2", "--target", "numpy", "--name", "tp",
                 "-o", str(out)]) == 0
    assert "wrote numpy code" in capsys.readouterr().err
    mod = load_source(out.read_text(), tmp_path)
    rng = np.random.default_rng(1)
    x1, x2 = rng.standard_normal((3, 9)), rng.standard_normal((3, 4))
    np.testing.assert_allclose(mod.tp(x1, x2), so3.cg_tensor_product(x1, x2, 2), atol=1e-12)
    assert _run(["codegen-tp", "gaunt", "1", "1", "2", "--target", "jax"]) == 0
    assert capsys.readouterr().out == generate_tensor_product("gaunt", 1, 1, 2, target="jax")
    with pytest.raises(SizeLimitError):
        _run(["codegen-tp", "cg", "3", "3", "6", "--max-entries", "5"])
    assert _run(["codegen", "S", "3", "--target", "numpy"]) == 0  # existing command still works
