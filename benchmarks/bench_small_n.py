"""Benchmark: exact layer bases at small n and large k + l, one fresh process per case.

    PYTHONPATH=. python benchmarks/bench_small_n.py [--quick] [--timeout S]

For O(3), SO(3), Sp(2), Sp(4), S(3) and A(4) and k + l in {8, 10, 12} (k = l, and unbalanced
(k, l) = (2, 6), (4, 6), (4, 8), (8, 4)), it calls ``layer_basis(G, k, l)`` once in a fresh
Python process (so the call pays every first-call cost and its peak memory is its own) and
prints the exact dimension, the number of diagrams the basis is chosen from, n^(k+l) (the
size of one dense basis matrix), the wall and CPU time of the call, and the peak resident
memory of the process (max RSS, which includes the interpreter and the imports: the ``import``
row gives that baseline). A case the package refuses prints the reason (``SizeLimitError``
names the budget, ``max_entries``) and how long the refusal took. On a shared machine the CPU
time is the steadier number. Without ``--quick`` it adds k + l = 14 (which the default budget
refuses for O(3), SO(3) and Sp(4)) and the unbalanced cases (3, 7) and (2, 10).

Where the diagrams are few enough (at most 945) the table also times the route that builds the
diagrams' exact N x N integer Gram matrix (``brauer_gram``) and eliminates it modulo a prime,
in the same process, and says whether both routes chose the same diagrams.

"Modest" (the last column) means a dimension of at most 10^4 and n^(k+l) within the dense
budget, the cases the package aims to build within 10 s and 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from _common import table

WORKER = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import reptheory
from reptheory.errors import SizeLimitError
from reptheory.groups import group_from_name
from reptheory.layers import layer_basis
g, n, k, l, gram = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
out = {"import_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
G = group_from_name(g, n)
t, c = time.perf_counter(), time.process_time()
try:
    B = layer_basis(G, k, l)
    out.update(dim=B.dimension, size=len(B), is_basis=B.is_basis)
except SizeLimitError as exc:
    B = None
    out["refused"] = str(exc)
out.update(wall=time.perf_counter() - t, cpu=time.process_time() - c,
           rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
if B is not None and gram == "1":
    from reptheory.diagrams import brauer_diagrams
    from reptheory.layers import brauer_gram, independent_columns
    ds = list(brauer_diagrams(k, l))
    c = time.process_time()
    cols = independent_columns(brauer_gram(ds, n, "symplectic" if g == "Sp" else "orthogonal"),
                               expected=len(B))
    out["gram_cpu"] = time.process_time() - c
    out["same"] = [ds[i] for i in cols] == list(B.elements)
print(json.dumps(out))
"""

GROUPS = [("O", 3), ("SO", 3), ("Sp", 2), ("Sp", 4), ("S", 3), ("A", 4)]
QUICK_KL = [(4, 4), (2, 6), (5, 5), (4, 6), (6, 6), (4, 8), (8, 4)]
FULL_KL = QUICK_KL[:4] + [(3, 7)] + QUICK_KL[4:] + [(2, 10), (7, 7)]

#: A dimension up to this counts as modest.
MODEST_DIMENSION = 10**4


def cases(quick: bool) -> list[tuple[str, int, int, int]]:
    """(group symbol, n, k, l) in the order printed."""
    kls = QUICK_KL if quick else FULL_KL
    return [(g, n, k, l) for g, n in GROUPS for k, l in kls]


def diagram_count(g: str, n: int, k: int, l: int) -> int:
    """How many diagrams the basis is chosen from (or consists of, for S_n and A_n)."""
    from reptheory.diagrams import (
        count_brauer_diagrams,
        count_jellyfish_diagrams,
        count_levi_civita_diagrams,
        count_partition_diagrams,
    )

    if g in ("O", "Sp"):
        return count_brauer_diagrams(k, l)
    if g == "SO":
        return count_brauer_diagrams(k, l) + count_levi_civita_diagrams(n, k, l)
    count = count_partition_diagrams(k, l, max_blocks=n)
    return count + (count_jellyfish_diagrams(n, k, l) if g == "A" else 0)


def run_case(g: str, n: int, k: int, l: int, gram: bool, timeout: float) -> dict | None:
    """The worker's measurements in a fresh process, or None if it failed or ran too long."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    try:
        r = subprocess.run([sys.executable, "-c", WORKER, g, str(n), str(k), str(l),
                            "1" if gram else "0"], capture_output=True, text=True,
                           check=False, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if r.returncode:
        return {"error": (r.stderr.strip().splitlines() or ["?"])[-1][:80]}
    return json.loads(r.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="k + l in {8, 10, 12} only")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per case")
    args = ap.parse_args(argv)
    from reptheory._validate import dense_budget
    from reptheory.layers import hom_dimension

    budget = dense_budget()
    rows, baseline = [], []
    for g, n, k, l in cases(args.quick):
        name = f"{g}({n})"
        count = diagram_count(g, n, k, l)
        dim = hom_dimension(_group(g, n), k, l)
        modest = "yes" if dim <= MODEST_DIMENSION and n ** (k + l) <= budget else "no"
        res = run_case(g, n, k, l, g in ("O", "Sp") and count <= 945, args.timeout)
        row: list[object] = [name, k, l, dim, count, f"{n}^{k + l}", modest]
        if "timeout" in res or "error" in res:
            row += [f"over {args.timeout:.0f} s" if "timeout" in res else res["error"],
                    "", "", "", ""]
        elif "refused" in res:
            assert "max_entries=" in res["refused"], res["refused"]
            row += ["refused", f"{res['cpu']:.4f}", f"{res['rss_mb']:.0f}", "", ""]
        else:
            assert res["dim"] == dim and res["size"] == dim and res["is_basis"], res
            row += [f"{res['wall']:.2f}", f"{res['cpu']:.2f}", f"{res['rss_mb']:.0f}"]
            if "gram_cpu" in res:
                row += [f"{res['gram_cpu']:.2f}",
                        "yes" if res["same"] else "no (another basis)"]
            else:
                row += ["", ""]
        baseline.append(res.get("import_rss_mb", 0.0))
        rows.append(row)
        print(" ".join(str(c) for c in row[:9]), file=sys.stderr, flush=True)
    print("# layer_basis(G, k, l): one fresh process per case (first call), one BLAS thread")
    print(table(rows, ["group", "k", "l", "dim", "diagrams", "n^(k+l)", "modest", "wall s",
                       "CPU s", "peak MB", "Gram route CPU s", "same choice"]))
    print("\nrefused: SizeLimitError naming the budget (max_entries=...), raised after the CPU "
          "time shown, before any diagram is built")
    if baseline:
        print(f"import: peak RSS after `import reptheory` {min(baseline):.0f}-{max(baseline):.0f} MB "
              f"(included in every peak above); dense budget {budget} entries")
    return 0


def _group(g: str, n: int):
    from reptheory.groups import group_from_name

    return group_from_name(g, n)


if __name__ == "__main__":
    sys.exit(main())
