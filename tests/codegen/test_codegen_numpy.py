"""Generated NumPy layers against reptheory's executors; safety, determinism, formatting."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from codegen_helpers import (
    dense_reference,
    eps_specs,
    group_bases,
    j_spec,
    load_source,
    random_inputs,
)

import reptheory as rt
from reptheory.codegen import TARGETS, generate
from reptheory.errors import InvalidParameterError, ReptheoryError, ReptheoryTypeError
from reptheory.kernels import apply_spec
from reptheory.layers import ConstantTensor, LayerSpec, Operation

GROUP_CASES = group_bases()
HAND_SPECS = [("J", j_spec())] + [(f"eps{i}", s) for i, s in enumerate(eps_specs())]


@pytest.mark.parametrize("case", GROUP_CASES, ids=[c[0] for c in GROUP_CASES])
def test_numpy_matches_executor_for_registered_groups(case, tmp_path):
    _, B = case
    rng = np.random.default_rng(1)
    mod = load_source(generate(B, target="numpy"), tmp_path)
    w, x = random_inputs(B.spec, rng)
    np.testing.assert_allclose(mod.equivariant_layer(w, x), B.apply(w, x), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("kind", ["diagram", "orbit"])
def test_numpy_higher_orders(kind, tmp_path):
    B = rt.layer_basis(rt.S(5), 3, 2, kind=kind)
    mod = load_source(generate(B, target="numpy"), tmp_path)
    w, x = random_inputs(B.spec, np.random.default_rng(12), batch=2, c_in=1, c_out=2)
    np.testing.assert_allclose(mod.equivariant_layer(w, x), B.apply(w, x), rtol=1e-9, atol=1e-9)


def test_huge_constant_is_refused(monkeypatch):
    monkeypatch.setenv("REPTHEORY_MAX_DENSE_ENTRIES", "100")
    c = ConstantTensor("T", (5, 5, 5), (((0, 1, 2), 1),))
    spec = LayerSpec("G", 5, 1, 1, "k", (Operation((1,), (0,), (("T", (0, 1, 2)),)),),
                     (((0, 1),),), (c,))
    with pytest.raises(rt.SizeLimitError, match="constant 'T'"):
        generate(spec, target="numpy")


@pytest.mark.parametrize("case", HAND_SPECS, ids=[c[0] for c in HAND_SPECS])
def test_numpy_constants_match_executor_and_dense_matrices(case, tmp_path):
    _, spec = case
    rng = np.random.default_rng(2)
    mod = load_source(generate(spec, target="numpy", name="layer"), tmp_path)
    w, x = random_inputs(spec, rng)
    y = mod.layer(w, x)
    np.testing.assert_allclose(y, apply_spec(spec, w, x), rtol=1e-10, atol=1e-10)
    # independently: the basis matrices enumerated label assignment by label assignment
    np.testing.assert_allclose(y, dense_reference(spec, w, x), rtol=1e-10, atol=1e-10)


def test_constants_are_exact_literals_and_not_dense(tmp_path):
    spec = j_spec()
    src = generate(spec, target="numpy")
    assert "((0, 1), 1, 1)," in src and "((1, 0), -1, 1)," in src  # J's sparse entries
    assert "((3, 1), -1, 3)," in src and "((5, 9), 5, 7)," in src  # exact coefficients
    mod = load_source(src, tmp_path)
    np.testing.assert_array_equal(mod._CONST_J, spec.constant("J").to_dense())
    C = spec.coefficient_matrix().toarray()
    np.testing.assert_array_equal(mod._COEFFS, C)


def test_bias_is_invariant_and_matches_k0_basis(tmp_path):
    G = rt.S(4)
    B = rt.layer_basis(G, 1, 2)
    E = rt.layer_basis(G, 0, 2)
    mod = load_source(generate(B, target="numpy"), tmp_path)
    assert mod.NUM_BIAS == len(E) == 2
    rng = np.random.default_rng(3)
    w, x = random_inputs(B.spec, rng)
    bias = rng.standard_normal((w.shape[0], len(E)))
    y = mod.equivariant_layer(w, x, bias)
    ones = np.ones((1, 1))
    expected = B.apply(w, x) + E.apply(bias[:, None, :], ones)
    np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-12)
    rt.assert_equivariant(lambda t: mod.equivariant_layer(w, t, bias), G, 1, 2,
                          input_shape=(2, w.shape[1]))


def test_no_bias_option_and_spec_bias(tmp_path):
    B = rt.layer_basis(rt.S(3), 2, 1)
    assert "NUM_BIAS = 0" in generate(B, "numpy", bias=False)
    assert "NUM_BIAS = 0" in generate(B.spec, "numpy")
    src = generate(B.spec, "numpy", bias=rt.layer_basis(rt.S(3), 0, 1).spec)
    assert "NUM_BIAS = 1" in src
    with pytest.raises(InvalidParameterError, match="bias"):
        generate(B.spec, "numpy", bias=True)
    with pytest.raises(InvalidParameterError, match="k=0"):
        generate(B.spec, "numpy", bias=rt.layer_basis(rt.S(3), 1, 1).spec)
    with pytest.raises(ReptheoryTypeError):
        generate(B.spec, "numpy", bias="yes")


def test_generated_code_checks_shapes(tmp_path):
    B = rt.layer_basis(rt.S(3), 2, 2)
    mod = load_source(generate(B, "numpy"), tmp_path)
    w = np.zeros((1, 2, len(B)))
    with pytest.raises(ValueError, match="expected shape"):
        mod.equivariant_layer(w, np.zeros((4, 2, 3)))
    with pytest.raises(ValueError, match="channels"):
        mod.equivariant_layer(w, np.zeros((4, 3, 3, 3)))
    with pytest.raises(ValueError, match="weight"):
        mod.equivariant_layer(np.zeros((1, 2, 3)), np.zeros((4, 2, 3, 3)))


@pytest.mark.parametrize("target", TARGETS)
def test_imports_only_the_framework(target):
    src = generate(j_spec(), target=target)
    tree = ast.parse(src)
    mods = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            mods.add(node.module.split(".")[0])
    allowed = {"torch": {"torch"}, "jax": {"jax", "numpy", "flax"}, "numpy": {"numpy"}}[target]
    assert mods <= allowed, mods
    assert "reptheory" not in src.split('"""', 2)[2]  # only the header mentions reptheory


@pytest.mark.parametrize("target", TARGETS)
def test_header_says_what_it_computes(target):
    src = generate(rt.layer_basis(rt.S(5), 2, 1, kind="orbit"), target=target)
    header = ast.get_docstring(ast.parse(src))
    for needle in ("Group: S(5)", "n = 5, k = 2, l = 1", "Basis kind: orbit",
                   f"reptheory {rt.__version__}"):
        assert needle in header


def test_deterministic_across_processes():
    code = (
        "import sys, reptheory as rt\n"
        "from reptheory.codegen import generate\n"
        "sys.path[:0] = [sys.argv[1], sys.argv[1] + '/..']\n"
        "from codegen_helpers import j_spec\n"
        "B = rt.layer_basis(rt.S(4), 2, 2, kind='orbit')\n"
        "sys.stdout.write(''.join(generate(s, t) for s in (B, j_spec()) "
        "for t in ('torch', 'jax', 'numpy')))\n"
    )
    here = str(Path(__file__).resolve().parent)
    outs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        res = subprocess.run([sys.executable, "-c", code, here], capture_output=True, env=env,
                             check=True)
        outs.append(res.stdout)
    local = "".join(generate(s, t) for s in (rt.layer_basis(rt.S(4), 2, 2, kind="orbit"), j_spec())
                    for t in ("torch", "jax", "numpy"))
    assert outs[0] == outs[1] == local.encode()


def _ruff() -> str | None:
    exe = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    return exe if Path(exe).exists() else None


@pytest.mark.skipif(_ruff() is None, reason="ruff is not installed")
@pytest.mark.parametrize("line_length", [88, 100])
def test_generated_code_is_ruff_format_clean(tmp_path, line_length):
    specs = [j_spec(), *eps_specs()] + [B for _, B in GROUP_CASES[:6]]
    for i, spec in enumerate(specs):
        for target in TARGETS:
            for name in (None, "L" * 64):
                (tmp_path / f"gen_{i}_{target}_{name is None}.py").write_text(
                    generate(spec, target=target, name=name))
    res = subprocess.run([_ruff(), "format", "--isolated", "--check", "--line-length",
                          str(line_length), str(tmp_path)], capture_output=True, text=True,
                         check=False)
    assert res.returncode == 0, res.stdout + res.stderr


HOSTILE = [
    "x; import os",
    "__import__('os').system('true')",
    "Layer\nimport os",
    "class",
    "torch",
    "1abc",
    "_private",
    "a" * 65,
    "Lay\u0435r",  # Cyrillic e
    "",
    'a"""b',
]


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("target", TARGETS)
def test_hostile_names_are_rejected(name, target):
    with pytest.raises(InvalidParameterError, match="plain identifier"):
        generate(rt.layer_basis(rt.S(3), 1, 1), target=target, name=name)


@pytest.mark.parametrize("cname", ["J; import os", "eps\n", "x" * 40, "lambda", "a-b", "N"])
def test_hostile_constant_names_are_rejected(cname):
    c = ConstantTensor(cname, (2, 2), (((0, 1), 1),))
    spec = LayerSpec("G", 2, 1, 1, "k", (Operation((1,), (0,), ((cname, (0, 1)),)),),
                     (((0, 1),),), (c,))
    with pytest.raises(InvalidParameterError, match="constant name"):
        generate(spec, target="numpy")


def test_hostile_free_text_is_neutralised(tmp_path):
    evil = 'G"""\nimport os; os.system("echo pwned")\n"""\\'
    spec = LayerSpec(evil, 2, 1, 1, evil, (Operation((0,), (0,)),), (((0, 1),),),
                     element_names=(evil,))
    for target in TARGETS:
        src = generate(spec, target=target)
        tree = ast.parse(src)
        # the only statements are ours: one docstring, imports, assignments, defs, try/if
        doc = ast.get_docstring(tree)
        assert "import os" in doc and '"' not in doc and "\\" not in doc
        assert src.count('"""\n') >= 1 and "os.system" not in src.split('"""', 2)[2]
    mod = load_source(generate(spec, target="numpy"), tmp_path)
    np.testing.assert_allclose(mod.equivariant_layer(np.ones((1, 1, 1)), np.ones((1, 1, 2))),
                               np.ones((1, 1, 2)))


def test_bad_arguments():
    B = rt.layer_basis(rt.S(3), 1, 1)
    with pytest.raises(InvalidParameterError, match="target"):
        generate(B, target="tensorflow")
    with pytest.raises(ReptheoryTypeError):
        generate("S(3)", target="numpy")
    with pytest.raises(ReptheoryTypeError):
        generate(B, target="numpy", name=3)
    assert issubclass(InvalidParameterError, ReptheoryError)
