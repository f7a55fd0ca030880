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


def test_basis_of_size_free_s_lists_the_same_maps_as_a_large_n(capsys):
    code, out, _ = run(capsys, "basis", "S", "--k", "2", "--l", "2")
    assert code == 0
    _, fixed, _ = run(capsys, "basis", "S", "7", "--k", "2", "--l", "2")
    lines, fixed_lines = out.strip().splitlines(), fixed.strip().splitlines()
    assert lines[0].startswith("S(), k=2, l=2") and "dimension 15" in lines[0]
    assert len(lines) == 16 and lines[1:] == fixed_lines[1:]


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
        (["dim", "S", "0"], "argument n: expected an integer >= 1, got 0"),
        (["dim", "S", "3", "--k", "-1"], "argument --k: expected an integer >= 0, got -1"),
        (["dim", "S", "3", "--k", "x"], "argument --k: expected an integer >= 0, got 'x'"),
        (["basis", "S", "3", "--nope"], "unrecognized arguments: --nope"),
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


# -- one mechanism, help texts, version ----------------------------------------------------------
def _leaf_parsers(parser, path=()):
    import argparse

    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
    for action in subs:
        for name, p in action.choices.items():
            yield from _leaf_parsers(p, path + (name,))


def test_one_mechanism_every_command_has_a_named_handler():
    from reptheory.cli import COMMANDS, build_parser

    leaves = list(_leaf_parsers(build_parser()))
    assert len(leaves) >= 13 and len(COMMANDS) >= 9
    for path, p in leaves:
        handler = p._defaults.get("handler")
        assert handler is not None and handler.__name__.startswith("cmd_"), path
        assert "func" not in p._defaults, path


def test_every_argument_has_help():
    import argparse

    from reptheory.cli import build_parser

    checked = 0
    stack = [build_parser()]
    while stack:
        p = stack.pop()
        for a in p._actions:
            if isinstance(a, (argparse._HelpAction, argparse._VersionAction)):
                continue
            if isinstance(a, argparse._SubParsersAction):
                stack.extend(a.choices.values())
                continue
            assert a.help and a.help != argparse.SUPPRESS, (p.prog, a.dest)
            checked += 1
    assert checked > 40


def test_version(capsys):
    import reptheory

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"reptheory {reptheory.__version__}"


# -- the defects of issue 19, item 7 ---------------------------------------------------------------
def test_draw_thousands_of_diagrams_is_refused_at_once(tmp_path, capsys):
    import time

    f = tmp_path / "big.png"
    t0 = time.perf_counter()
    code, _, err = run(capsys, "basis", "S", "10", "--k", "4", "--l", "4", "--draw", str(f))
    assert time.perf_counter() - t0 < 30  # it built 4140 diagrams, drew none
    assert code == 2 and "drawing 4140 diagrams" in err and "--max-entries N" in err
    assert not f.exists()
    # the same flag raises (or lowers) the budget
    code, _, err = run(capsys, "basis", "S", "3", "--draw", str(f), "--max-entries", "1000")
    assert code == 2 and "drawing 2 diagrams" in err and "budget of 1000" in err


@pytest.mark.parametrize("argv", [
    ["basis", "S", "3", "--draw", "{missing}/b.svg"],
    ["codegen", "S", "3", "-o", "{missing}/layer.py"],
    ["codegen-tp", "cg", "1", "1", "1", "-o", "{missing}/tp.py"],
])
def test_output_in_a_missing_folder(tmp_path, capsys, argv):
    missing = tmp_path / "no" / "such"
    argv = [a.format(missing=missing) for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2 and "does not exist" in err and str(missing) in err
    assert len(err.strip().splitlines()) == 1 and out == ""


def test_output_written_when_the_folder_exists(tmp_path, capsys):
    f = tmp_path / "layer.py"
    code, _, _ = run(capsys, "codegen", "S", "3", "--target", "numpy", "-o", str(f))
    assert code == 0 and "def equivariant_layer" in f.read_text()


def test_so3_cg_forbidden_blocks_say_so(capsys):
    code, out, _ = run(capsys, "so3", "cg", "1", "1", "3")
    assert code == 0 and "is zero" in out and "0 .. 2" in out
    code, out, _ = run(capsys, "so3", "cg", "1/2", "1", "1")
    assert code == 0 and "is zero" in out and "not an integer" in out


@pytest.mark.parametrize("j1, j2, j3", [("1/2", "1/2", "1"), ("1/2", "1", "1/2"),
                                        ("3/2", "1", "5/2"), ("1.5", "0.5", "1"), ("2", "1", "2")])
def test_so3_cg_half_integers_match_sympy(capsys, j1, j2, j3):
    from fractions import Fraction

    import sympy
    from sympy.physics.wigner import clebsch_gordan

    code, out, _ = run(capsys, "so3", "cg", j1, j2, j3, "--float")
    assert code == 0
    got = {}
    for line in out.strip().splitlines():
        lhs, val = line.split(" = ")
        a, b = lhs.strip("<>").split(" | ")
        (_, m1), (_, m2) = (s.split() for s in a.split("; "))
        got[(Fraction(m1), Fraction(m2))] = float(val)
    J1, J2, J3 = (Fraction(j) for j in (Fraction(j1), Fraction(j2), Fraction(j3)))
    R = sympy.Rational
    expected = {}
    for a in range(int(2 * J1) + 1):
        for b in range(int(2 * J2) + 1):
            m1, m2 = a - J1, b - J2
            if abs(m1 + m2) <= J3:
                v = clebsch_gordan(R(J1.numerator, J1.denominator), R(J2.numerator, J2.denominator),
                                   R(J3.numerator, J3.denominator), R(m1.numerator, m1.denominator),
                                   R(m2.numerator, m2.denominator),
                                   R((m1 + m2).numerator, (m1 + m2).denominator))
                if v != 0:
                    expected[(m1, m2)] = float(v)
    assert expected and got.keys() == expected.keys()
    for key, v in expected.items():
        assert got[key] == pytest.approx(v, rel=1e-14, abs=1e-15)


@pytest.mark.parametrize("argv, msg", [
    (["so3", "wigner-check", "5", "--n", "0"], "--n: expected an integer >= 1"),
    (["pattern", "S", "3", "--max-lines", "-1"], "--max-lines: expected an integer >= 0"),
    (["so3", "cg", "1/3", "1", "1"], "half-integer"),
    (["so3", "cg", "-1", "1", "1"], "half-integer >= 0"),
    (["basis", "S", "0"], "n: expected an integer >= 1"),
    (["codegen-tp", "cg", "-1", "1", "1"], "L1: expected an integer >= 0"),
])
def test_bad_arguments_are_usage_errors(capsys, argv, msg):
    code, out, err = run(capsys, *argv)
    assert code == 2 and msg in err and len(err.strip().splitlines()) == 1 and out == ""


def test_wigner_check_one_rotation(capsys):
    code, out, _ = run(capsys, "so3", "wigner-check", "3", "--n", "1")
    assert code == 0 and out.startswith("l = 3:")


def test_pattern_max_lines_counts_the_rest(capsys):
    _, full, _ = run(capsys, "pattern", "S", "3", "--k", "1", "--l", "1")
    entries = [ln for ln in full.splitlines()[3:] if ln and ln[0].isdigit()]
    total = len(entries)
    assert total >= 9 and f"{total} entries" in full
    for limit in (0, 2, total, total + 5):
        _, out, _ = run(capsys, "pattern", "S", "3", "--k", "1", "--l", "1", "--max-lines", str(limit))
        shown = [ln for ln in out.splitlines()[3:] if ln and ln[0].isdigit()]
        assert shown == entries[:limit]
        more = [ln for ln in out.splitlines() if ln.startswith("...")]
        assert more == ([f"... {total - limit} more entries"] if limit < total else [])


def test_error_hints_name_command_line_options(capsys):
    code, _, err = run(capsys, "basis", "S", "12", "--k", "6", "--l", "6")
    assert code == 2 and "4213597 partition diagrams" in err
    assert "--max-entries N" in err and "max_entries=" not in err and "'reptheory dim'" in err
    code, _, err = run(capsys, "codegen-tp", "cg", "30", "30", "30")
    assert code == 2 and "--max-entries" in err and "max_entries" not in err.replace("--max-entries", "")
    code, out, err = run(capsys, "basis", "S", "12", "--k", "2", "--l", "2", "--max-entries", "100000")
    assert code == 0 and "dimension 15" in out
    code, _, err = run(capsys, "polynomials", "count", "--degree", "7")
    assert code == 2 and "--max-degree 7" in err and "max_degree=" not in err
    code, _, err = run(capsys, "so3", "tp-expressivity", "30", "30", "30")
    assert code == 2 and "--no-numerical" in err and "numerical=False" not in err


@pytest.mark.parametrize("argv", [["basis", "S", "3", "--k", "12", "--l", "12"],
                                  ["basis", "Sp", "1000000000", "--k", "2", "--l", "2"],
                                  ["dim", "O", "300", "--k", "300", "--l", "300"],
                                  ["dim", "S", "1000000000", "--all-methods"],
                                  ["dim", "A", "1000000000", "--all-methods"],
                                  ["dim", "O", "3", "--k", "15", "--l", "15", "--all-methods"],
                                  ["so3", "restrict", "100000"],
                                  ["so3", "cg", "2000", "2000", "4000"]])
def test_huge_requests_fail_fast(capsys, argv):
    import time

    t0 = time.perf_counter()
    code, _, err = run(capsys, *argv)
    assert time.perf_counter() - t0 < 5
    assert code == 2 and "over the budget" in err and "--max-entries N" in err


def test_huge_n_dimension(capsys):
    code, out, _ = run(capsys, "dim", "SO", "1000000000", "--k", "2", "--l", "2")
    assert code == 0 and out.strip() == "3"


@pytest.mark.parametrize("argv", [["basis", "O", "3", "--k", "1", "--l", "2"],
                                  ["pattern", "O", "3", "--k", "1", "--l", "2"]])
def test_zero_space_is_said_plainly(capsys, argv):
    code, out, _ = run(capsys, *argv)
    assert code == 0 and "is zero" in out


def test_codegen_of_a_zero_space_notes_it(capsys):
    code, out, err = run(capsys, "codegen", "O", "3", "--k", "1", "--l", "2", "--target", "numpy")
    assert code == 0 and "NUM_BASIS = 0" in out and "is zero" in err


def test_readme_names_the_extras_of_the_commands():
    import os

    from reptheory.cli import build_parser

    readme = open(os.path.join(os.path.dirname(__file__), os.pardir, "README.md"), encoding="utf-8").read()
    assert "`basis ... --draw FILE` | `[plot]`" in readme and "--max-entries N" in readme
    commands = {path[0] for path, _ in _leaf_parsers(build_parser())}
    table = readme[readme.index("| command | extra |"):]
    table = table[:table.index("\n\n")]
    missing = [c for c in commands if f"`{c}" not in table]
    assert not missing, missing  # every command has a row saying what it needs
