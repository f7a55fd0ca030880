"""Checks of ``benchmarks/run_all.py`` and of the committed ``benchmarks/results/``.

No benchmark is run here: the parsers are fed tables written by ``benchmarks/_common.table``
(the helper the scripts print with) and hand-written lines in the format of
``bench_kernels.py``; one test runs ``run_all.py`` on a throw-away script in a temporary folder.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks"
RESULTS = BENCH / "results"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"_docs_test_{name}", BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(BENCH))
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(BENCH))
    return mod


@pytest.fixture(scope="module")
def run_all():
    return _load("run_all")


def test_docs_run_all_lists_every_script(run_all):
    on_disk = sorted(p.stem[len("bench_"):] for p in BENCH.glob("bench_*.py"))
    assert run_all.available_scripts() == on_disk
    assert {"foundation", "kernels"} <= set(on_disk)


def test_docs_parse_table_reads_common_table(run_all):
    common = _load("_common")
    rows = [[8, 2, 0.00123, 15.5], [16, 2, 0.25, 123.0], [32, 3, 12.5, 0.5]]
    text = "(b) some heading\n" + common.table(rows, ["n", "k", "apply s", "ratio"]) + "\n\nmore"
    parsed = run_all.parse_table(text)
    assert [r["n"] for r in parsed] == ["8", "16", "32"]
    assert [float(r["apply s"]) for r in parsed] == pytest.approx([0.00123, 0.25, 12.5])
    assert float(parsed[1]["ratio"]) == pytest.approx(123.0)
    assert run_all.parse_table("no table here") == []


def test_docs_parse_kernels_rows(run_all):
    lines = [
        "S(64) 2->2 4->4 b256: 15 basis elements; x and y 16 MiB each; memory bound 2.17 ms",
        "case                          method                       ms  spread  % bound  vs hand  vs plan",
        "S(64) 2->2 4->4 b256          numpy-plan                25.50      5%     8.5%    1.00x    1.00x",
        "S(64) 2->2 4->4 b256          hand-written numpy        25.51      3%    12.5%    1.00x    1.00x",
        "S(64) 2->2 4->4 b256          fwd+bwd EquivariantLinear            130.90      5%    1.22x",
        "O(64) 2->2 4->4 b256          numba                     19.14      8%    11.3%        -    1.33x",
        "  S(64) 2->2 4->4 b256        numpy-plan 8.5%; numba 11.3%",
    ]
    data = run_all.parse_kernels("\n".join(lines))
    assert data == {
        "S(64) 2->2 4->4 b256": {"numpy-plan": 8.5, "hand-written numpy": 12.5},
        "O(64) 2->2 4->4 b256": {"numba": 11.3},
    }


def test_docs_results_markdown_fences_output(run_all):
    text = run_all.results_markdown("demo", "a\n```\nb\n", 0, 1.0, "python x --quick")
    assert text.startswith("<!-- bench_demo.py --quick")
    assert run_all.MACHINE_NOTE in text
    # the fence around the output is longer than any fence inside it
    fences = re.findall(r"^(`{3,})text$", text, re.MULTILINE)
    assert fences and len(fences[0]) > 3
    assert "exited with code" not in text
    assert "exited with code 3" in run_all.results_markdown("demo", "", 3, 1.0, "x")


def test_docs_run_all_only_and_timeout(run_all, tmp_path, monkeypatch):
    """--only runs one script; a script past its time limit keeps its output and is reported."""
    fake = tmp_path / "benchmarks"
    fake.mkdir()
    (fake / "bench_fast.py").write_text(
        "import sys\nprint('quick' if '--quick' in sys.argv else 'full')\n")
    (fake / "bench_slow.py").write_text(
        "import time\nprint('started', flush=True)\ntime.sleep(30)\n")
    monkeypatch.setattr(run_all, "HERE", fake)
    out_dir = tmp_path / "results"
    assert run_all.main(["--only", "fast", "--results", str(out_dir), "--no-plots"]) == 0
    text = (out_dir / "fast.md").read_text()
    assert "quick" in text and "full" not in text
    assert not (out_dir / "slow.md").exists()
    assert run_all.main(["--only", "slow", "--results", str(out_dir), "--no-plots",
                         "--timeout", "2"]) == 1
    slow = (out_dir / "slow.md").read_text()
    assert "started" in slow and "timeout" in slow and "exited with code 124" in slow


@pytest.mark.parametrize("path", sorted(RESULTS.glob("*.md")), ids=lambda p: p.stem)
def test_docs_committed_results_say_where_measured(path):
    text = path.read_text()
    assert f"bench_{path.stem}.py" in text
    assert "machine:" in text and re.search(r"\d{4}-\d\d-\d\d", text)
    assert (BENCH / f"bench_{path.stem}.py").exists(), "results for a script that is gone"
