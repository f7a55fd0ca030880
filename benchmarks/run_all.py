"""Run every benchmark script's quick mode and write the results shown in the documentation.

For each ``benchmarks/bench_<name>.py`` this runs ``python bench_<name>.py --quick`` in a
subprocess (``PYTHONPATH`` set to the repository root, a per-script timeout) and writes
``benchmarks/results/<name>.md``: the date, the command, a note on the machine and the versions,
and the script's output in a fenced block. (The documentation build puts each file under a
heading ``<name>``, so the file itself starts with a comment, not a second heading.) Where a picture helps it also writes ``benchmarks/results/<name>.png``
(made with matplotlib from the numbers the script printed, or from a small extra measurement
with the script's own functions). The documentation build shows all of them on the
*Benchmarks* page.

    python benchmarks/run_all.py                  # all scripts, quick mode
    python benchmarks/run_all.py --only kernels   # one script (repeatable)
    python benchmarks/run_all.py --no-plots --timeout 120

Timings depend on the machine and its load; the ratios in each table are measured in one run
of one script, so they compare like with like.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"

#: The machine note written into every results file (edit when measuring elsewhere).
MACHINE_NOTE = "2 shared CPU cores; ratios measured in one run"


#: Extra arguments per script. EMLP is compared with only where it imports in the interpreter
#: running this script (bench_brauer otherwise looks for a separate venv, where each EMLP case
#: may take its whole time limit).
EXTRA_ARGS: dict[str, list[str]] = {
    "brauer": ["--emlp-python", sys.executable, "--timeout", "20"],
    # the PPGN++ vs PPGN comparison needs more than the quick size (500 graphs, 30 epochs)
    "polynomials": ["--medium"],
}


def available_scripts() -> list[str]:
    """Names ``<name>`` of the scripts ``benchmarks/bench_<name>.py``, sorted."""
    return sorted(p.stem[len("bench_"):] for p in HERE.glob("bench_*.py"))


def run_script(name: str, timeout: float,
               extra_args: list[str] | None = None) -> tuple[str, int, float, str]:
    """Run ``bench_<name>.py --quick``; return (output, return code, seconds, command shown).

    A script that runs past ``timeout`` is stopped; its output so far is kept and the return
    code is reported as 124.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("MPLBACKEND", "Agg")
    cmd = [sys.executable, str(HERE / f"bench_{name}.py"), "--quick", *(extra_args or [])]
    shown = " ".join(["python", f"benchmarks/bench_{name}.py", "--quick",
                      *[a if a != sys.executable else "<this python>" for a in extra_args or []]])
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout, check=False)
        out, rc = proc.stdout, proc.returncode
        if rc != 0 and proc.stderr.strip():
            out += "\n[stderr]\n" + proc.stderr.strip()[-4000:] + "\n"
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        out += f"\n[stopped after the {timeout:.0f} s timeout of run_all.py]\n"
        rc = 124
    return out, rc, time.perf_counter() - t0, shown


def results_markdown(name: str, output: str, rc: int, seconds: float, command: str) -> str:
    """The text of ``benchmarks/results/<name>.md``."""
    today = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    import numpy

    versions = f"Python {platform.python_version()}, numpy {numpy.__version__}"
    status = "" if rc == 0 else f" **The script exited with code {rc}.**"
    fence = "```"
    while fence in output:  # never let the output close the block early
        fence += "`"
    return "\n".join([
        f"<!-- bench_{name}.py --quick: written by benchmarks/run_all.py -->",
        "",
        (f"*Measured {today} with `{command}` "
         f"({seconds:.0f} s); machine: {MACHINE_NOTE}; {versions}.*{status}"),
        "",
        fence + "text",
        output.rstrip(),
        fence,
        "",
    ])


# ------------------------------------------------------------------------------------------------
# pictures
# ------------------------------------------------------------------------------------------------

_KERNEL_ROW = re.compile(
    r"^(?P<case>\S+\(\d+\) \d+->\d+ \d+->\d+ b\d+)\s+(?P<method>.+?)\s+(?P<ms>[\d.]+)\s+"
    r"(?P<spread>\d+)%\s+(?P<bound>[\d.]+)%")


def parse_kernels(output: str) -> dict[str, dict[str, float]]:
    """``{case: {method: % of the memory bound}}`` from bench_kernels' forward tables."""
    out: dict[str, dict[str, float]] = {}
    for line in output.splitlines():
        m = _KERNEL_ROW.match(line)
        if m:
            out.setdefault(m["case"], {})[m["method"].strip()] = float(m["bound"])
    return out


def plot_kernels(output: str, path: Path) -> bool:
    """Grouped bars: % of the memory bound per method, one group per layer."""
    data = parse_kernels(output)
    if not data:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    cases = list(data)
    methods = list(dict.fromkeys(m for c in cases for m in data[c]))
    width = 0.84 / max(1, len(methods))
    fig, ax = plt.subplots(figsize=(10, 4.8))
    colours = plt.get_cmap("tab10")
    for j, meth in enumerate(methods):
        vals = [data[c].get(meth, np.nan) for c in cases]
        xs = np.arange(len(cases)) + (j - (len(methods) - 1) / 2) * width
        ax.bar(xs, vals, width, label=meth, color=colours(j % 10),
               hatch="//" if meth.startswith("hand") else None, edgecolor="white")
    ax.set_yscale("log")
    ax.set_xticks(np.arange(len(cases)), [c.replace(" b", "\nbatch ") for c in cases],
                  fontsize=7)
    ax.set_ylabel("% of the memory bound (higher is faster)")
    ax.set_title("Forward pass, float32, one thread: time of one read of x and one write of y "
                 "at copy bandwidth / time", fontsize=9)
    ax.legend(fontsize=8, ncol=4, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.16))
    ax.grid(axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def parse_table(text: str) -> list[dict[str, str]]:
    """Rows of a table printed by ``_common.table`` (header, dashes, rows) as dicts."""
    lines = text.splitlines()
    for i in range(1, len(lines)):
        if lines[i] and set(lines[i].replace(" ", "")) == {"-"}:
            spans = [(m.start(), m.end()) for m in re.finditer(r"-+", lines[i])]
            header_line = lines[i - 1]
            header, starts = [], []
            prev_end = 0
            for s, e in spans:
                header.append(header_line[prev_end:e].strip())
                starts.append(prev_end)
                prev_end = e
            rows = []
            for line in lines[i + 1:]:
                if not line.strip():
                    break
                cells = [line[a:e].strip() for a, (_, e) in zip(starts, spans)]
                rows.append(dict(zip(header, cells)))
            return rows
    return []


def plot_foundation(path: Path) -> bool:
    """Apply time versus n: numpy executor versus one matmul with the prebuilt dense matrix.

    Uses ``bench_foundation.bench_layers`` on more sizes than its quick mode (S_n, k = l = 2,
    batch 64, 4 -> 4 channels), three times, keeping the fastest time of each kind; about ten
    seconds. It runs in a subprocess with one BLAS thread: on a busy shared machine a
    multithreaded matmul of a small matrix stalls for milliseconds waiting for its threads,
    and the executor's numpy calls are single-threaded too.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = [4, 6, 8, 12, 16, 24, 32]
    code = ("import bench_foundation\n"
            f"for _ in range(3):\n"
            f"    print(bench_foundation.bench_layers({[(n, 2, 2) for n in ns]!r}, batch=64, "
            f"channels=4))\n    print('=====')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(HERE)]))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    if proc.returncode != 0:
        print(proc.stderr[-2000:])
        return False
    runs = [parse_table(part) for part in proc.stdout.split("=====") if part.strip()]
    if not all(runs):
        return False
    n = [int(r["n"]) for r in runs[0]]

    def fastest(column: str) -> list[float]:
        return [1e3 * min(float(run[i][column]) for run in runs) for i in range(len(n))]

    apply_ms, matmul_ms, build_ms = fastest("apply s"), fastest("dense matmul s"), \
        fastest("dense build s")
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.loglog(n, apply_ms, "o-", label="reptheory apply (numpy executor)")
    ax.loglog(n, matmul_ms, "s-", label="dense: one matmul with the prebuilt matrix")
    ax.loglog(n, build_ms, "^--", label="dense: building the matrix", alpha=0.7)
    ref = [apply_ms[-1] * (m / n[-1]) ** 2 for m in n]
    ax.loglog(n, ref, ":", color="grey", label=r"$\propto n^2$ (input size)")
    ref4 = [matmul_ms[-1] * (m / n[-1]) ** 4 for m in n]
    ax.loglog(n, ref4, ":", color="black", label=r"$\propto n^4$ (matrix size)")
    ax.set_xticks(n, [str(m) for m in n])
    ax.minorticks_off()
    ax.set_xlabel("n (nodes)")
    ax.set_ylabel("time (ms)")
    ax.set_title(r"$S_n$ layer $k = l = 2$, batch 64, 4 $\to$ 4 channels (1 thread, best of 3 runs)")
    ax.legend(fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


PLOTS = {"kernels": plot_kernels}
EXTRA_PLOTS = {"foundation": plot_foundation}


def main(argv: list[str] | None = None) -> int:
    names = available_scripts()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", action="append", metavar="NAME", choices=names,
                   help=f"run only this script (repeatable); one of {', '.join(names)}")
    p.add_argument("--timeout", type=float, default=300.0,
                   help="seconds allowed per script (default 300)")
    p.add_argument("--no-plots", action="store_true", help="write the tables only")
    p.add_argument("--results", type=Path, default=RESULTS, help="output folder")
    args = p.parse_args(argv)
    args.results.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in args.only or names:
        print(f"bench_{name}.py --quick ...", end=" ", flush=True)
        output, rc, seconds, shown = run_script(name, args.timeout, EXTRA_ARGS.get(name))
        (args.results / f"{name}.md").write_text(results_markdown(name, output, rc, seconds, shown))
        print(f"{seconds:.0f} s" + ("" if rc == 0 else f" (exit code {rc})"), flush=True)
        if rc != 0:
            failed.append(name)
        if args.no_plots:
            continue
        png = args.results / f"{name}.png"
        if name in PLOTS and rc == 0:
            if PLOTS[name](output, png):
                print(f"  wrote {png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}")
        elif name in EXTRA_PLOTS and rc == 0 and EXTRA_PLOTS[name](png):
            print(f"  wrote {png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}")
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
