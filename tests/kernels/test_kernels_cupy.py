"""CuPy backend: real GPU tests (skipped without CuPy / CUDA) and a numpy stand-in that runs
the CuPy module's code path on any machine."""

from __future__ import annotations

import importlib
import sys
import types

import numpy as np
import pytest
from kernels_helpers import brute_spec_matrices, dense_apply, j_spec

import reptheory as rt


def _fake_cupy():
    """A module exposing the few CuPy names the backend uses, implemented with numpy."""
    from numpy.lib import stride_tricks

    class _ND(np.ndarray):
        pass

    cp = types.ModuleType("cupy")
    for name in ("asarray", "zeros", "einsum", "matmul", "moveaxis", "transpose", "add",
                 "float64", "float32"):
        setattr(cp, name, getattr(np, name))
    cp.ndarray = _ND
    cp.asnumpy = np.asarray
    cp.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=lambda: 1))
    lib = types.ModuleType("cupy.lib")
    st = types.ModuleType("cupy.lib.stride_tricks")
    st.as_strided = stride_tricks.as_strided
    lib.stride_tricks = st
    cp.lib = lib
    return cp, {"cupy": cp, "cupy.lib": lib, "cupy.lib.stride_tricks": st}


def test_cupy_code_path_with_numpy_stand_in(monkeypatch):
    _, mods = _fake_cupy()
    for name, mod in mods.items():
        monkeypatch.setitem(sys.modules, name, mod)
    monkeypatch.delitem(sys.modules, "reptheory.kernels._cupy", raising=False)
    backend = importlib.import_module("reptheory.kernels._cupy")
    try:
        rng = np.random.default_rng(0)
        for spec in (rt.layer_basis(rt.S(3), 2, 2).spec, j_spec(4)):
            x = rng.standard_normal((3, 2) + (spec.n,) * spec.k)
            w = rng.standard_normal((2, 2, len(spec)))
            ref = dense_apply(brute_spec_matrices(spec), w, x)
            np.testing.assert_allclose(backend.apply_spec(spec, w, x).reshape(ref.shape), ref,
                                       atol=1e-10)
        B = rt.layer_basis(rt.S(3), 1, 2, kind="orbit")
        w = rng.standard_normal((2, 3, len(B)))
        np.testing.assert_allclose(backend.cupy_layer_matrix(B.sharing_pattern(), w),
                                   B.layer_matrix(w, sparse=False), atol=1e-12)
    finally:
        sys.modules.pop("reptheory.kernels._cupy", None)


def test_cupy_backend_missing_names_the_extra():
    try:
        import cupy  # noqa: F401
        pytest.skip("cupy is installed")
    except ImportError:
        pass
    B = rt.layer_basis(rt.S(3), 1, 1)
    with pytest.raises(rt.BackendUnavailableError, match=r"reptheory\[cupy\]"):
        B.apply(np.ones((1, 1, 2)), np.ones((1, 1, 3)), backend="cupy")


def test_cupy_on_gpu():  # pragma: no cover - needs CuPy and a GPU
    cupy = pytest.importorskip("cupy")
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            pytest.skip("no CUDA device")
    except Exception:
        pytest.skip("no CUDA device")
    rng = np.random.default_rng(1)
    B = rt.layer_basis(rt.S(4), 2, 2)
    x = rng.standard_normal((5, 3, 4, 4))
    w = rng.standard_normal((2, 3, len(B)))
    y = B.apply(cupy.asarray(w), cupy.asarray(x), backend="cupy")
    assert isinstance(y, cupy.ndarray)
    np.testing.assert_allclose(cupy.asnumpy(y), B.apply(w, x), atol=1e-10)
    M = B.layer_matrix(w, backend="cupy")
    np.testing.assert_allclose(cupy.asnumpy(M), B.layer_matrix(w, sparse=False), atol=1e-12)
