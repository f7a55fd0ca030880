"""The ``reptheory codegen`` subcommand (wired through a local argparse parser)."""

from __future__ import annotations

import argparse

import numpy as np
import pytest
from codegen_helpers import load_source

import reptheory as rt
from reptheory.codegen import load_json
from reptheory.codegen._cli import add_codegen_command
from reptheory.errors import InvalidParameterError, ReptheoryError


def _run(argv):
    parser = argparse.ArgumentParser(prog="reptheory")
    add_codegen_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.handler(args)


def test_numpy_target_to_file(tmp_path, capsys):
    out = tmp_path / "layer.py"
    assert _run(["codegen", "S", "4", "--k", "2", "--l", "2", "--target", "numpy",
                 "-o", str(out)]) == 0
    assert "wrote numpy code" in capsys.readouterr().err
    mod = load_source(out.read_text(), tmp_path)
    B = rt.layer_basis(rt.S(4), 2, 2)
    rng = np.random.default_rng(11)
    w = rng.standard_normal((2, 1, len(B)))
    x = rng.standard_normal((3, 1, 4, 4))
    np.testing.assert_allclose(mod.equivariant_layer(w, x), B.apply(w, x), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("target", ["torch", "jax"])
def test_other_targets_to_stdout(target, capsys):
    assert _run(["codegen", "S", "3", "--target", target, "--name", "Layer3", "--kind", "orbit",
                 "--no-bias"]) == 0
    src = capsys.readouterr().out
    compile(src, "layer.py", "exec")
    assert "Layer3" in src and "NUM_BIAS = 0" in src and "Basis kind: orbit" in src


def test_json_output(capsys):
    assert _run(["codegen", "S", "5", "--k", "1", "--l", "2", "--json"]) == 0
    spec = load_json(capsys.readouterr().out)
    assert spec == rt.layer_basis(rt.S(5), 1, 2).spec


def test_errors_are_reptheory_errors():
    with pytest.raises(InvalidParameterError, match="plain identifier"):
        _run(["codegen", "S", "3", "--name", "x;import os"])
    with pytest.raises(ReptheoryError):
        _run(["codegen", "NOPE", "3"])
    with pytest.raises(SystemExit):
        _run(["codegen", "S", "3", "--target", "tf"])
