"""Generated code for S() layers: n taken from the input, masks for padded batches."""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from codegen_helpers import load_source

import reptheory as rt
from reptheory.codegen import generate
from reptheory.errors import InvalidParameterError

torch = pytest.importorskip("torch")

ORDERS = [(2, 2), (1, 2), (2, 1), (1, 1), (0, 2), (2, 0), (0, 1)]
JAX_ORDERS = [(2, 2), (1, 2), (0, 1)]
SIZES = (3, 6)


_TMP = tempfile.mkdtemp(prefix="rt-sizefree-")


def _load(k, l, target, bias=None):
    """The generated module's namespace."""
    src = generate(rt.layer_basis(rt.S(), k, l), target=target, bias=bias)
    return vars(load_source(src, Path(_TMP), f"sizefree_{target}"))


def _run(ns, target, weight, x, bias=None, mask=None, n=None):
    """Call a generated layer of any target with numpy arrays; returns a float64 array."""
    if target == "numpy":
        return ns["equivariant_layer"](weight, x, bias=bias, mask=mask, n=n)
    if target == "jax":
        import jax.numpy as jnp

        params = {"weight": jnp.asarray(weight)}
        if bias is not None:
            params["bias"] = jnp.asarray(bias)
        m = None if mask is None else jnp.asarray(mask)
        return np.asarray(ns["equivariant_layer"](params, jnp.asarray(x), mask=m, n=n))
    layer = ns["EquivariantLayer"](weight.shape[1], weight.shape[0], bias=bias is not None)
    layer = layer.double()
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(weight))
        if bias is not None:
            layer.bias.copy_(torch.from_numpy(bias))
    m = None if mask is None else torch.from_numpy(mask)
    return layer(torch.from_numpy(x), mask=m, n=n).detach().numpy()


def _reference(k, l, weight, x, bias, n):
    """SizeFreeLayerBasis.apply (numpy backend) plus the k = 0 bias basis applied to ones."""
    y = rt.layer_basis(rt.S(), k, l).apply(weight, x, n=n)
    if bias is not None:
        Bb = rt.layer_basis(rt.S(), 0, l)
        y = y + Bb.apply(bias[:, None, :], np.ones((1, 1)), n=n)
    return y


@pytest.fixture(scope="module", params=["numpy", "torch", "jax"])
def target(request):
    if request.param == "jax":
        pytest.importorskip("jax")
    return request.param


def _tol(target):
    # JAX computes in float32 by default (the global x64 switch is left alone)
    return {"rtol": 1e-4, "atol": 1e-4} if target == "jax" else {"rtol": 1e-10, "atol": 1e-10}


def test_generated_equals_size_free_apply_at_two_sizes(target):
    rng = np.random.default_rng(2020)
    compared = 0
    orders = ORDERS if target != "jax" else JAX_ORDERS  # eager JAX compiles per shape: slow
    for k, l in orders:
        ns = _load(k, l, target)
        nb, nbias = ns["NUM_BASIS"], ns["NUM_BIAS"]
        assert nb == len(rt.layer_basis(rt.S(), k, l))
        w = rng.standard_normal((3, 2, nb))
        b = rng.standard_normal((3, nbias)) if nbias else None
        for n in SIZES:
            x = rng.standard_normal((4, 2) + (n,) * k)
            got = _run(ns, target, w, x, bias=b, n=None if k else n)
            want = _reference(k, l, w, x, b, n)
            assert got.shape == (4, 3) + (n,) * l
            np.testing.assert_allclose(got, want, **_tol(target))
            compared += 1
    assert compared == len(orders) * len(SIZES)


def test_padded_batch_with_mask_equals_each_graph_alone(target):
    rng = np.random.default_rng(7)
    compared = 0
    n_max = 7
    orders = [(2, 2), (1, 2), (2, 0), (0, 2)] if target != "jax" else [(2, 2), (0, 2)]
    for k, l in orders:
        ns = _load(k, l, target)
        w = rng.standard_normal((3, 2, ns["NUM_BASIS"]))
        b = rng.standard_normal((3, ns["NUM_BIAS"])) if ns["NUM_BIAS"] else None
        sizes = [2, 5, 7, 4] if target != "jax" else [2, 5]
        x = rng.standard_normal((len(sizes), 2) + (n_max,) * k)
        mask = np.zeros((len(sizes), n_max), dtype=bool)
        nodes = []
        for i, m in enumerate(sizes):
            real = np.sort(rng.permutation(n_max)[:m])  # real nodes anywhere, not only first
            mask[i, real] = True
            nodes.append(real)
        y = _run(ns, target, w, x, bias=b, mask=mask)
        for i, real in enumerate(nodes):
            alone_x = x[i : i + 1][(slice(None), slice(None)) + np.ix_(*[real] * k)] if k else x[i : i + 1]
            alone = _run(ns, target, w, alone_x, bias=b, n=None if k else len(real))
            got = y[i][(slice(None),) + np.ix_(*[real] * l)] if l else y[i]
            np.testing.assert_allclose(got, alone[0], **_tol(target))
            if l:
                pad = np.ones((n_max,) * l, dtype=bool)
                pad[np.ix_(*[real] * l)] = False
                assert np.all(y[i][:, pad] == 0)
            compared += 1
    assert compared == len(orders) * len(sizes)


def test_bad_mask_and_missing_n(target):
    ns = _load(1, 1, target)
    w = np.ones((1, 1, ns["NUM_BASIS"]))
    x = np.ones((2, 1, 4))
    with pytest.raises(ValueError, match="mask"):
        _run(ns, target, w, x, mask=np.ones((2, 4), dtype=np.float64))
    with pytest.raises(ValueError, match="mask"):
        _run(ns, target, w, x, mask=np.ones((2, 3), dtype=bool))
    ns0 = _load(0, 1, target)
    with pytest.raises(ValueError, match="n is required"):
        _run(ns0, target, np.ones((1, 1, ns0["NUM_BASIS"])), np.ones((2, 1)))


def test_torch_generated_layer_has_gradients_and_no_fixed_n():
    ns = _load(2, 2, "torch")
    layer = ns["EquivariantLayer"](2, 3)
    for n in (4, 9):
        x = torch.randn(2, 2, n, n, requires_grad=True)
        layer(x).sum().backward()
        assert x.grad.shape == x.shape and layer.weight.grad is not None
    assert ns["N"] is None


def test_generated_torch_equals_equivariant_linear_with_mask():
    from reptheory.torch import EquivariantLinear

    torch.manual_seed(20)
    compared = 0
    for k, l in [(2, 2), (1, 2), (2, 1)]:
        ours = EquivariantLinear(rt.S(), k, l, in_channels=2, out_channels=3).double()
        with torch.no_grad():
            ours.bias.normal_()
        gen = _load(k, l, "torch")["EquivariantLayer"](2, 3).double()
        gen.load_state_dict(ours.state_dict())   # same weight (out, in, basis), bias layout
        for n in (4, 7):
            x = torch.randn(3, 2, *([n] * k), dtype=torch.float64)
            mask = torch.rand(3, n) < 0.7
            mask[:, 1] = True
            for m in (None, mask):
                torch.testing.assert_close(gen(x, mask=m), ours(x, mask=m), rtol=1e-12,
                                           atol=1e-12)
                compared += 1
    assert compared == 12


def test_jax_jit_with_mask():
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp

    ns = _load(2, 2, "jax")
    params = ns["equivariant_layer_init"](jax.random.PRNGKey(0), 2, 3)
    f = jax.jit(ns["equivariant_layer"])
    rng = np.random.default_rng(3)
    x = jnp.asarray(rng.standard_normal((2, 2, 5, 5)), jnp.float32)
    mask = jnp.asarray([[True] * 5, [True, False, True, True, False]])
    np.testing.assert_allclose(np.asarray(f(params, x, mask)),
                               np.asarray(ns["equivariant_layer"](params, x, mask)), rtol=1e-5,
                               atol=1e-5)


def test_fixed_n_generation_unchanged_and_deterministic():
    B = rt.layer_basis(rt.S(), 2, 2)
    assert generate(B, "jax") == generate(B, "jax")
    fixed = generate(rt.layer_basis(rt.S(5), 2, 2), "numpy")
    assert "N = 5\n" in fixed and "_flat_index(strides)" in fixed


def test_size_free_bias_spec_rejected():
    B = rt.layer_basis(rt.S(), 1, 1)
    with pytest.raises(InvalidParameterError, match="bias"):
        generate(B, bias=rt.layer_basis(rt.S(4), 0, 1).spec)


def test_cli_codegen_without_n(tmp_path):
    out = tmp_path / "layer.py"
    res = subprocess.run([sys.executable, "-m", "reptheory", "codegen", "S", "--k", "2", "--l", "2",
                          "--target", "numpy", "-o", str(out)], check=False, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert out.read_text() == generate(rt.layer_basis(rt.S(), 2, 2), target="numpy")
    res = subprocess.run([sys.executable, "-m", "reptheory", "codegen", "O", "--k", "1", "--l", "1"],
                         check=False, capture_output=True, text=True)
    assert res.returncode != 0 and "n is required" in res.stderr


@pytest.mark.skipif(shutil.which("ruff") is None and not Path(sys.executable).with_name("ruff")
                    .exists(), reason="ruff is not installed")
def test_generated_size_free_code_is_ruff_format_clean(tmp_path):
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    for k, l in ORDERS:
        for target in ("torch", "jax", "numpy"):
            for name in (None, "L" * 64):
                (tmp_path / f"gen_{k}{l}_{target}_{name is None}.py").write_text(
                    generate(rt.layer_basis(rt.S(), k, l), target=target, name=name))
    for line_length in ("88", "100"):
        res = subprocess.run([ruff, "format", "--isolated", "--check", "--line-length",
                              line_length, str(tmp_path)], check=False, capture_output=True,
                             text=True)
        assert res.returncode == 0, res.stdout + res.stderr
