"""Benchmark: time to derive exact layer bases for O(n), SO(n), Sp(n), A_n (and EMLP).

    PYTHONPATH=. python benchmarks/bench_brauer.py [--quick] [--emlp-python PATH] [--timeout S]

For each group, n in {3, 5, 8} (Sp: {4, 6, 8}, even n only) and k + l in {4, 6, 8}
(k = l = (k+l)/2; SO(n) also at odd k + l in {5, 7}, where its Levi-Civita elements appear for
odd n), it times ``layer_basis(G, k, l)`` (a cold call: diagrams, exact independence test where
the diagrams are dependent, LayerSpec). If EMLP imports in the interpreter given by
``--emlp-python`` (default /tmp/bench-brauer/bin/python, a separate venv with
``pip install emlp six``), it times EMLP's numerical ``equivariant_basis()`` on the same case in a
subprocess with a time limit, and prints the ratio EMLP / reptheory. EMLP is skipped where
n^(k+l) > 2e6 (its constraint matrices would not fit a small machine).

Bases at small n and large k + l (O(3), SO(3), Sp(2), Sp(4), S(3), A(4) up to k + l = 12,
one fresh process per case) are timed by ``bench_small_n.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

EMLP_WORKER = r"""
import sys, time, json, os
os.environ.setdefault("JAX_PLATFORMS", "cpu")
import numpy as np
import logging
logging.disable(logging.WARNING)
import emlp.groups as eg
from emlp.reps import V
gname, n, k, l = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
if gname == "A":
    class Alt(eg.Group):
        def __init__(self, n):
            gens = []
            for i in range(2, n):
                p = np.eye(n)
                perm = list(range(n)); perm[0], perm[1], perm[i] = 1, i, 0
                gens.append(p[:, perm])
            self.discrete_generators = np.stack(gens) if gens else np.eye(n)[None]
            super().__init__(n)
    G = Alt(n)
elif gname == "Sp":
    G = eg.Sp(n // 2)
else:
    G = getattr(eg, gname)(n)
t = time.perf_counter()
rep = (V(G) ** k) >> (V(G) ** l)
Q = rep.equivariant_basis()
dim = int(Q.shape[-1])
print(json.dumps({"time": time.perf_counter() - t, "dim": dim}))
"""


def _cases(quick: bool):
    ms = (4, 6) if quick else (4, 6, 8)
    out = []
    for g in ("O", "SO", "Sp", "A"):
        ns = (4, 6, 8) if g == "Sp" else (3, 5, 8)
        extra = (5, 7) if g == "SO" and not quick else ((5,) if g == "SO" else ())
        for n in ns:
            for m in ms + extra:
                out.append((g, n, m // 2, m - m // 2))
    return out


def _time_reptheory(g, n, k, l):
    from reptheory.groups import group_from_name
    from reptheory.layers import _brauer_family, layer_basis

    G = group_from_name(g, n)
    # cold: clear the caches of the dimension formulas and of epsilon
    for f in (_brauer_family.orthogonal_hom_dimension, _brauer_family.special_orthogonal_hom_dimension,
              _brauer_family.symplectic_hom_dimension, _brauer_family.levi_civita_constant):
        f.cache_clear()
    t = time.perf_counter()
    B = layer_basis(G, k, l)
    dt = time.perf_counter() - t
    return dt, len(B), len(B.spec.operations)


def _emlp_available(python: str) -> tuple[bool, str]:
    if not os.path.exists(python):
        return False, (f"{python} not found (create it: python3 -m venv /tmp/bench-brauer && "
                       "/tmp/bench-brauer/bin/pip install emlp six)")
    r = subprocess.run([python, "-c", "import emlp"], capture_output=True, text=True, check=False)
    if r.returncode:
        return False, "emlp does not import: " + (r.stderr.strip().splitlines() or ["?"])[-1]
    return True, ""


def _time_emlp(python, g, n, k, l, timeout):
    if n ** (k + l) > 2_000_000:
        return None, "n^(k+l) > 2e6"
    try:
        r = subprocess.run([python, "-c", EMLP_WORKER, g, str(n), str(k), str(l)],
                           capture_output=True, text=True, timeout=timeout, check=False,
                           env={**os.environ, "JAX_PLATFORMS": "cpu", "TQDM_DISABLE": "1"})
    except subprocess.TimeoutExpired:
        return None, f"> {timeout:.0f} s"
    if r.returncode:
        return None, "failed: " + (r.stderr.strip().splitlines() or ["?"])[-1][:60]
    for line in r.stdout.splitlines()[::-1]:
        if line.startswith("{"):
            return json.loads(line), ""
    return None, "no output"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="k+l in {4, 6} only, shorter EMLP limit")
    ap.add_argument("--emlp-python", default="/tmp/bench-brauer/bin/python")
    ap.add_argument("--no-emlp", action="store_true")
    ap.add_argument("--timeout", type=float, default=None, help="EMLP time limit per case (s)")
    args = ap.parse_args(argv)
    timeout = args.timeout or (30.0 if args.quick else 90.0)
    have_emlp, why = (False, "--no-emlp") if args.no_emlp else _emlp_available(args.emlp_python)
    if not have_emlp:
        print(f"# EMLP skipped: {why}")
    hdr = f"{'group':<7}{'k':>3}{'l':>3}  {'dim':>6} {'ops':>6}  {'reptheory s':>12}"
    if have_emlp:
        hdr += f"  {'EMLP s':>10} {'EMLP dim':>9} {'EMLP/rt':>9}"
    print(hdr)
    print("-" * len(hdr))
    for g, n, k, l in _cases(args.quick):
        dt, dim, nops = _time_reptheory(g, n, k, l)
        row = f"{g + '(' + str(n) + ')':<7}{k:>3}{l:>3}  {dim:>6} {nops:>6}  {dt:>12.4f}"
        if have_emlp:
            res, note = _time_emlp(args.emlp_python, g, n, k, l, timeout)
            if res is None:
                row += f"  {note:>10}"
            else:
                flag = "" if res["dim"] == dim else " (dim differs!)"
                row += f"  {res['time']:>10.3f} {res['dim']:>9} {res['time'] / dt:>9.1f}{flag}"
        print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
