"""Every executor equals the dense reference, for S_n and for specs with J / epsilon constants."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from kernels_helpers import available_backends, brute_spec_matrices, dense_apply, eps_specs, j_spec

import reptheory as rt
from reptheory.errors import (
    BackendUnavailableError,
    InvalidParameterError,
    ReptheoryTypeError,
    ShapeError,
)
from reptheory.kernels import build_plan, get_backend

BACKENDS = available_backends()
BACKEND_SEEDS = {"numpy": 11, "numpy-plan": 12, "numba": 13, "torch": 14, "cupy": 15}


def _check(spec, mats, backend, rng, batch=3, c_in=2, c_out=3, dtype=np.float64, share=True):
    n, k = spec.n, spec.k
    x = rng.standard_normal((batch, c_in) + (n,) * k).astype(dtype)
    w = rng.standard_normal((c_out, c_in, len(spec))).astype(dtype)
    ref = dense_apply(mats, w.astype(float), x.astype(float))
    kw = {} if backend == "numpy" else {"share": share}
    y = np.asarray(get_backend(backend)(spec, w, x, **kw))
    assert y.shape == (batch, c_out) + (n,) * spec.l
    assert y.dtype == dtype
    tol = 1e-10 if dtype == np.float64 else 2e-4
    np.testing.assert_allclose(y.reshape(ref.shape), ref, rtol=tol, atol=tol * (1 + np.abs(ref).max()))


@pytest.mark.parametrize("backend", BACKENDS)
def test_sn_random_layers_match_dense(backend):
    rng = np.random.default_rng(BACKEND_SEEDS[backend])
    cases = [(n, k, l) for n in range(1, 6) for k in range(4) for l in range(4) if k + l <= 6]
    picks = rng.choice(len(cases), size=14, replace=False)
    compared = 0
    for i in picks:
        n, k, l = cases[i]
        if n ** (k + l) > 4000:
            continue
        kind = ["diagram", "orbit"][int(rng.integers(2))]
        B = rt.layer_basis(rt.S(n), k, l, kind=kind)
        mats = [m.toarray() for m in B.matrices()]
        _check(B.spec, mats, backend, rng, batch=int(rng.integers(1, 4)),
               c_in=int(rng.integers(1, 4)), c_out=int(rng.integers(1, 4)),
               share=bool(rng.integers(2)))
        compared += 1
    assert compared >= 5


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("nkl", [(2, 2, 2), (3, 3, 3), (5, 2, 2), (4, 3, 2), (2, 0, 3), (3, 2, 0)])
def test_sn_fixed_cases_both_plans(backend, nkl):
    n, k, l = nkl
    rng = np.random.default_rng(7)
    B = rt.layer_basis(rt.S(n), k, l)
    mats = brute_spec_matrices(B.spec)
    for share in (True, False):
        _check(B.spec, mats, backend, rng, share=share)
    _check(B.spec, mats, backend, rng, dtype=np.float32)


@pytest.mark.parametrize("backend", BACKENDS)
def test_constant_specs(backend):
    rng = np.random.default_rng(3)
    specs = [j_spec(4), j_spec(2), *eps_specs()]
    for spec in specs:
        mats = brute_spec_matrices(spec)
        for share in (True, False):
            _check(spec, mats, backend, rng, share=share)
    assert len(specs) >= 8  # J at two sizes and every epsilon spec were compared


def test_diagram_matrices_independent_of_spec():
    """The spec's matrices agree with D_pi[I, J] = 1 iff indices agree on every block."""
    import itertools

    for n, k, l in [(2, 2, 2), (3, 1, 2)]:
        B = rt.layer_basis(rt.S(n), k, l)
        for d, m in zip(B, B.matrices()):
            D = np.zeros((n**l, n**k))
            for idx in itertools.product(range(n), repeat=k + l):
                if all(len({idx[v] for v in b}) == 1 for b in d.blocks):
                    D[np.ravel_multi_index(idx[:l], (n,) * l) if l else 0,
                      np.ravel_multi_index(idx[l:], (n,) * k) if k else 0] = 1
            np.testing.assert_array_equal(m.toarray(), D)


def test_numba_kernel_matches_numpy_twin():
    from reptheory.kernels._numba import run_plan_numba, run_plan_steps

    rng = np.random.default_rng(0)
    for spec in [rt.layer_basis(rt.S(3), 2, 2).spec, j_spec(4), *eps_specs()[:3]]:
        x = rng.standard_normal((2, 2) + (spec.n,) * spec.k)
        w = rng.standard_normal((2, 2, len(spec)))
        a = run_plan_numba(spec, spec.plan(), w, x, np.dtype(np.float64))
        b = run_plan_steps(spec, spec.plan(), w, x, np.dtype(np.float64))
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_numba_program_cases():
    """Specs with and without a full-size group in y's own layout, l = 0, k = 0, many channels."""
    rng = np.random.default_rng(2)
    specs = [rt.layer_basis(rt.S(3), 2, 2).spec, rt.layer_basis(rt.S(2), 1, 0).spec,
             rt.layer_basis(rt.S(3), 0, 2).spec, rt.layer_basis(rt.S(3), 3, 1).spec,
             j_spec(4), eps_specs()[1]]
    for spec in specs:
        _check(spec, brute_spec_matrices(spec), "numba", rng, batch=5, c_in=6, c_out=5)
    assert len(specs) == 6


def test_numba_missing_falls_back_with_warning(monkeypatch):
    from reptheory.kernels import _numba

    def boom():
        raise ImportError("no numba")

    monkeypatch.setattr(_numba, "_load", boom)
    B = rt.layer_basis(rt.S(3), 1, 1)
    x = np.ones((1, 1, 3))
    with pytest.warns(RuntimeWarning, match=r"reptheory\[fast\]"):
        y = _numba.apply_spec(B.spec, np.ones((1, 1, 2)), x)
    np.testing.assert_allclose(y, 4 * np.ones((1, 1, 3)))


def test_plan_shares_work():
    spec = rt.layer_basis(rt.S(6), 3, 3).spec
    shared, plain = build_plan(spec, True), build_plan(spec, False)
    assert len(plain.nodes) == len(spec.operations) == len(plain.groups)
    assert len(shared.nodes) < len(plain.nodes) and len(shared.groups) < len(plain.groups)
    assert any(nd.src >= 0 for nd in shared.nodes)
    assert spec.plan() is spec.plan()          # cached on the spec


@pytest.mark.parametrize("backend", ["numpy", "numpy-plan", "numba", "torch"])
def test_bad_inputs(backend):
    B = rt.layer_basis(rt.S(3), 2, 1)
    f = get_backend(backend)
    w = np.ones((2, 1, len(B)))
    with pytest.raises(ShapeError, match=r"\(batch, c_in, 3, 3\)"):
        f(B.spec, w, np.ones((4, 1, 3)))
    with pytest.raises(ShapeError, match="one weight per basis element"):
        f(B.spec, np.ones((2, 1, len(B) + 1)), np.ones((4, 1, 3, 3)))
    with pytest.raises(ShapeError, match="c_in"):
        f(B.spec, np.ones((2, 3, len(B))), np.ones((4, 1, 3, 3)))
    with pytest.raises(ReptheoryTypeError):
        f(B.spec, w, np.ones((4, 1, 3, 3), dtype=complex) if backend == "torch"
          else np.array([["a"]]).repeat(9).reshape(1, 1, 3, 3))


def test_unknown_and_missing_backends(monkeypatch):
    with pytest.raises(InvalidParameterError, match="backend must be one of"):
        get_backend("tensorflow")
    from reptheory import kernels

    kernels.register_backend("fake", "reptheory_no_such_module:f", "fake")
    try:
        with pytest.raises(BackendUnavailableError, match=r"reptheory\[fake\]"):
            get_backend("fake")
    finally:
        kernels.unregister_backend("fake")
    assert "fake" not in kernels.backend_names()


def test_cuda_without_gpu_is_an_error():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    B = rt.layer_basis(rt.S(3), 1, 1)
    with pytest.raises(BackendUnavailableError, match="CUDA is not available"):
        B.apply(np.ones((1, 1, 2)), np.ones((1, 1, 3)), backend="torch", device="cuda")


def test_import_reptheory_is_light():
    import subprocess
    import sys

    code = ("import sys, reptheory, reptheory.kernels, reptheory.numpy, reptheory.diagrams; "
            "bad = [m for m in ('torch', 'numba', 'cupy') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_numpy_layer_runs_without_warnings():
    from reptheory.numpy import EquivariantLinear

    layer = EquivariantLinear(rt.S(3), 2, 2, 2, 3, rng=1)
    x = np.random.default_rng(0).standard_normal((4, 2, 3, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = layer(x)
    M = layer.basis.layer_matrix(layer.weight, sparse=False)
    ref = (x.reshape(4, -1) @ M.T).reshape(y.shape)
    np.testing.assert_allclose(y, ref, atol=1e-12)        # bias starts at zero
    with pytest.raises(ShapeError, match=r"\(batch, 2, 3, 3\)"):
        layer(np.ones((4, 3, 3, 3)))
