"""Benchmark for reptheory.polynomials.

1. Enumeration time of the multigraph basis, degree d = 1..5 (cold caches), every output type,
   general and symmetric X.
2. Evaluation of all edge-valued basis polynomials of degree <= 3 on a batch of 64 random graphs
   with n = 32: the optimised pairwise contraction (numpy.einsum_path order, batched matmul)
   against numpy's unoptimised einsum over all vertex letters, in the same run.  The naive
   einsum costs batch * n**|V| per polynomial, so it is timed only where that is at most
   ``--naive-budget`` (default 2e8); for the rest the ratio of FLOP counts reported by
   ``numpy.einsum_path`` is printed.

Run ``python benchmarks/bench_polynomials.py`` (``--quick`` for a short version).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from reptheory._validate import dense_budget
from reptheory.polynomials import _enumerate as en
from reptheory.polynomials import polynomial_basis
from reptheory.polynomials._contract import BATCH, plan
from reptheory.polynomials._polynomial import _evaluate_numpy, _operand


def clear_caches() -> None:
    en.connected_classes.cache_clear()
    en.rooted_classes.cache_clear()
    en.pair_classes.cache_clear()


def bench_enumeration(max_d: int) -> None:
    print(f"\n== enumeration time (cold caches), degree exactly d = 1..{max_d}")
    print(f"{'output':10s} {'X':9s} " + " ".join(f"{'d=' + str(d):>18s}" for d in range(1, max_d + 1)))
    for output in ("invariant", "node", "edge"):
        for symmetric in (False, True):
            cells = []
            for d in range(1, max_d + 1):
                clear_caches()
                t = time.perf_counter()
                b = polynomial_basis(d, output, symmetric)
                dt = time.perf_counter() - t
                cells.append(f"{len(b):>7d} in {dt:7.3f}s")
            print(f"{output:10s} {'symmetric' if symmetric else 'general':9s} " + " ".join(f"{c:>18s}" for c in cells))


def flops(p, batch: int, n: int) -> tuple[float, float]:
    spec = p.spec
    if not spec.operands:
        return 1.0, 1.0
    subs = [BATCH + o.subs for o in spec.operands]
    dummies = [np.broadcast_to(np.zeros(()), (batch,) + (n,) * len(o.subs)) for o in spec.operands]
    _, info = np.einsum_path(
        f"{','.join(subs)}->{BATCH}{spec.out}", *dummies,
        optimize=("optimal" if len(subs) <= 7 else "greedy", dense_budget()),
    )
    naive = opt = None
    for line in info.splitlines():
        if "Naive FLOP count" in line:
            naive = float(line.split(":")[1])
        if "Optimized FLOP count" in line:
            opt = float(line.split(":")[1])
    return naive, opt


def bench_evaluation(batch: int, n: int, symmetric: bool, naive_budget: float, repeats: int) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(batch, n, n)) / np.sqrt(n)
    if symmetric:
        X = (X + X.transpose(0, 2, 1)) / 2
    basis = list(polynomial_basis(3, "edge", symmetric, exact_degree=False))
    label = "symmetric" if symmetric else "general"
    print(f"\n== evaluation of all {len(basis)} edge-valued polynomials of degree <= 3 ({label} X), "
          f"batch={batch}, n={n}")
    t = time.perf_counter()
    for p in basis:
        plan(p.spec, batch, n, True)
    t_plan = time.perf_counter() - t
    print(f"contraction planning (numpy.einsum_path, once per shape): {t_plan:.3f}s")

    def run_all(polys, optimize):
        cache: dict = {}
        for p in polys:
            _evaluate_numpy(p, X, cache, optimize)

    best = min(_timed(run_all, basis, True) for _ in range(repeats))
    print(f"optimised contraction, all {len(basis)}: {best:.3f}s "
          f"({1e3 * best / len(basis):.2f} ms per polynomial)")

    cheap = [p for p in basis if batch * float(n) ** p.num_vertices <= naive_budget]
    dear = [p for p in basis if p not in set(cheap)]
    # numpy's own optimised einsum (same path search, numpy's executor) on the cheap subset
    for p in cheap:
        plan(p.spec, batch, n, False)
    t_opt = min(_timed(run_all, cheap, True) for _ in range(repeats))
    t_naive = _timed(run_all, cheap, False)
    t_np = _timed(_numpy_optimize_true, cheap, X)
    print(f"subset with batch*n^|V| <= {naive_budget:.0e} ({len(cheap)} polynomials, |V| <= "
          f"{max(p.num_vertices for p in cheap)}):")
    print(f"   optimised (ours)           {t_opt:9.3f}s")
    print(f"   numpy einsum optimize=True {t_np:9.3f}s   ratio {t_np / t_opt:8.1f}x")
    print(f"   numpy einsum unoptimised   {t_naive:9.3f}s   ratio {t_naive / t_opt:8.1f}x")
    if dear:
        fl = [flops(p, batch, n) for p in dear]
        tot_naive = sum(a for a, _ in fl)
        tot_opt = sum(b for _, b in fl)
        est = t_naive / max(sum(flops(p, batch, n)[0] for p in cheap), 1.0) * tot_naive
        print(f"rest ({len(dear)} polynomials, |V| up to {max(p.num_vertices for p in dear)}): "
              f"naive not run; FLOP ratio naive/optimised = {tot_naive / tot_opt:.3g}, "
              f"naive time extrapolated from the subset ~ {est:.3g}s")


def _numpy_optimize_true(polys, X):
    cache: dict = {}
    for p in polys:
        spec = p.spec
        if not spec.operands:
            continue
        ops = [_operand(X, o.kind, o.p, o.q, cache) for o in spec.operands]
        np.einsum(spec.expression, *ops, optimize="optimal")


def _timed(fn, *args) -> float:
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short version (d <= 3, batch 8, n 16)")
    ap.add_argument("--naive-budget", type=float, default=2e8)
    args = ap.parse_args()
    print("contraction order: numpy.einsum_path ('optimal' <= 7 operands, else 'greedy'); "
          "opt_einsum not used (not installed, not needed for <= 8 operands)")
    if args.quick:
        bench_enumeration(3)
        bench_evaluation(8, 16, False, 1e7, 1)
    else:
        bench_enumeration(5)
        bench_evaluation(64, 32, False, args.naive_budget, 3)
        bench_evaluation(64, 32, True, args.naive_budget, 3)


if __name__ == "__main__":
    main()
