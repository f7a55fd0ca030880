"""Benchmark for reptheory.algebroids.

1. Time to verify the Jacobi identity (and the Leibniz/anchor checks) for Scott's b^k-tangent
   bundle of R^n, n = 2..5, k = 1..4: on the frame (``check_jacobi``) and on three random
   polynomial sections (the bracket extended by the Leibniz rule; the harder test).
2. Time to compute b^k cohomology on the digest's worked examples: the exact direct
   computation (``algebroid_cohomology``) vs Scott's formula, and vs a float truncated-Taylor
   computation in the style of the digest's reference script (numpy ranks).

Run: ``PYTHONPATH=. python benchmarks/bench_algebroids.py [--quick]``.
"""

from __future__ import annotations

import argparse
import random
import time
from functools import partial

import numpy as np
import sympy as sp

from reptheory.algebroids import (
    algebroid_cohomology,
    bk_cohomology,
    bk_tangent_bundle,
    random_polynomial,
    twisted_bk_algebroid,
)


def _time(fn, repeat=1):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def bench_jacobi(ns, ks):
    print("## Jacobi / Leibniz for the b^k-tangent bundle of R^n")
    print(f"{'n':>2} {'k':>2} | {'frame Jacobi':>13} {'Leibniz+anchor':>15} {'random sections':>16} "
          f"{'random/frame':>13}")
    for n in ns:
        for k in ks:
            A = bk_tangent_bundle(n, k)
            tj, ok1 = _time(A.check_jacobi)
            tl, ok2 = _time(A.check_leibniz)
            rng = random.Random(n * 10 + k)
            secs = [tuple(random_polynomial(A.coords, 2, rng) for _ in range(n)) for _ in range(3)]
            tr, J = _time(partial(A.jacobiator, *secs))
            assert ok1 and ok2 and all(v == 0 for v in J)
            ratio = f"{tr / tj:>13.1f}" if n >= 3 else f"{'(no triple)':>13}"
            print(f"{n:>2} {k:>2} | {tj * 1e3:>10.1f} ms {tl * 1e3:>12.1f} ms {tr * 1e3:>13.1f} ms "
                  f"{ratio}")


def _numeric_twisted(cval, modes=3, P=8):
    tot = np.zeros(3, int)
    for j in range(-modes, modes + 1):
        D0 = np.zeros((2 * P + 1, P), complex)
        for p in range(P):
            D0[p, p] += 1j * j + cval * p
            if p >= 1:
                D0[P + p + 1, p] += p
        D1 = np.zeros((P + 1, 2 * P + 1), complex)
        for p in range(P + 1):
            D1[p, P + p] += 1j * j + cval * p - cval
        for p in range(1, P):
            D1[p + 1, p] -= p
        r0, r1 = np.linalg.matrix_rank(D0), np.linalg.matrix_rank(D1)
        tot += [P - r0, (2 * P + 1 - r1) - r0, (P + 1) - r1]
    return [int(v) for v in tot]


def bench_cohomology(quick):
    print("\n## b^k cohomology on the worked examples")
    x, th, a, b = sp.symbols("x theta a b")
    c = sp.Rational(37, 100)
    cases = [(f"(R,0) k={k}", bk_tangent_bundle(1, k), (), [1], [1], k, None) for k in (1, 2, 3, 4)]
    cases += [(f"S1xR k={k}", bk_tangent_bundle(2, k, coords=(x, th)), (th,), [1, 1], [1, 1], k,
               0.0 if k == 2 else None) for k in (1, 2, 3, 4)]
    A = twisted_bk_algebroid(2, c)
    cases.append(("twisted b^2, c=0.37", A, A.coords[:1], [1, 1], [1, 1], 2, float(c)))
    if not quick:
        cases.append(("T2xR k=2", bk_tangent_bundle(3, 2, coords=(x, a, b)), (a, b), [1, 2, 1],
                      [1, 2, 1], 2, None))
    print(f"{'example':<20} | {'direct':<12} {'Scott':<12} {'agree':<5} | {'direct':>9} {'formula':>9} "
          f"{'float trunc.':>12} {'direct/float':>12}")
    for name, alg, angles, bm, bz, k, cnum in cases:
        td, direct = _time(partial(algebroid_cohomology, alg, angles=angles),
                           repeat=1 if quick else 3)
        tf, formula = _time(partial(bk_cohomology, bm, bz, k), repeat=5)
        if cnum is not None:
            tn, num = _time(partial(_numeric_twisted, cnum), repeat=3)
            assert num == direct
            tn_s, ratio = f"{tn * 1e3:9.1f} ms", f"{td / tn:12.1f}"
        else:
            tn_s, ratio = f"{'-':>12}", f"{'-':>12}"
        print(f"{name:<20} | {direct!s:<12} {formula!s:<12} {direct == formula!s:<5} | "
              f"{td * 1e3:6.1f} ms {tf * 1e6:6.1f} us {tn_s} {ratio}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="n = 2..3, k = 1..2 and fewer repeats")
    args = ap.parse_args()
    if args.quick:
        bench_jacobi((2, 3), (1, 2))
    else:
        bench_jacobi((2, 3, 4, 5), (1, 2, 3, 4))
    bench_cohomology(args.quick)


if __name__ == "__main__":
    main()
