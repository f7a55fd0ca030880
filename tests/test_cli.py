"""The command line: output, JSON, drawing, errors, and light imports."""

import json
import subprocess
import sys

import pytest

from reptheory.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_basis_prints_dimension_and_diagrams(capsys):
    code, out, _ = run(capsys, "basis", "S", "5", "--k", "2", "--l", "2")
    assert code == 0
    lines = out.strip().splitlines()
    assert "dimension 15" in lines[0]
    assert len(lines) == 16
    assert "{1,1'} {2,2'}" in out and "y[a,b] = x[a,b]" in out


def test_basis_json_is_a_layerspec(capsys):
    code, out, _ = run(capsys, "basis", "S", "3", "--k", "1", "--l", "2", "--json")
    d = json.loads(out)
    assert code == 0 and d["format"] == "reptheory.LayerSpec" and len(d["basis"]) == 5


def test_basis_draw(tmp_path, capsys):
    f = tmp_path / "b.svg"
    code, _, err = run(capsys, "basis", "S", "3", "--k", "1", "--l", "1", "--draw", str(f))
    assert code == 0 and f.read_text().startswith("<?xml")


def test_dim_all_methods(capsys):
    code, out, _ = run(capsys, "dim", "S", "3", "--k", "3", "--l", "3", "--all-methods")
    assert code == 0
    assert out.split() [-1] == "122" and "McKay quiver : 122" in out


@pytest.mark.parametrize(
    "argv,msg",
    [
        (["basis", "Q", "3"], "group must be one of"),
        (["dim", "S", "0"], "n must be an integer >= 1"),
        (["dim", "S", "3", "--k", "-1"], "k must be an integer >= 0"),
        (["basis", "S", "3", "--kind", "nope"], "kind must be one of"),
        (["basis", "S", "3", "--draw", "x.txt"], "--draw FILE must end in"),
    ],
)
def test_errors_are_one_line_and_nonzero(capsys, argv, msg):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert msg in err and len(err.strip().splitlines()) == 1


def test_no_arguments_prints_help(capsys):
    code, out, _ = run(capsys)
    assert code == 0 and "usage: reptheory" in out


def test_info(capsys):
    code, out, _ = run(capsys, "info")
    assert code == 0 and out.startswith("reptheory ")


def test_python_dash_m_and_light_import():
    r = subprocess.run([sys.executable, "-m", "reptheory", "dim", "S", "4", "--k", "2", "--l", "2"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "15"
    code = ("import sys, reptheory, reptheory.layers, reptheory.kernels, reptheory.cli;"
            "heavy = [m for m in ('torch', 'numba', 'matplotlib', 'jax', 'cupy') if m in sys.modules];"
            "print(','.join(heavy))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == ""


@pytest.mark.parametrize(
    "argv,expect",
    [
        (["so3", "cg", "1", "1", "2"], "<1 -1; 1 -1 | 2 -2> = 1\n"),
        (["algebroids", "cohomology", "--betti-M", "1,0,1", "--betti-Z", "1,1", "-k", "2"], "[1, 2, 3]"),
        (["polynomials", "count", "--degree", "1", "--output", "edge"], "15"),
        (["codegen", "S", "3", "--k", "1", "--l", "1", "--target", "numpy"], "def equivariant_layer"),
        (["so3", "tp-expressivity", "1o", "1o", "1e"], "gaunt loses: 1ox1o->1e"),
        (["pattern", "S", "2", "--k", "1", "--l", "1"], "2 parameters"),
        (["codegen-tp", "gaunt", "1", "1", "2", "--target", "numpy"], "def gaunt_tensor_product"),
    ],
)
def test_every_part_subcommand_runs(capsys, argv, expect):
    # each part's subcommand is wired into the top-level parser and actually runs its handler
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert expect in out
