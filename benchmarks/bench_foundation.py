"""Foundation benchmark (issue 2): diagram enumeration, and S_n layers applied with the numpy
executor versus a dense matrix built once. All ratios come from one run.

    python benchmarks/bench_foundation.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

import reptheory as rt  # noqa: E402
from _common import best_time, table  # noqa: E402
from reptheory.diagrams import bell, partition_diagrams  # noqa: E402


def bench_enumeration(sizes):
    rows = []
    for m in sizes:
        k = m // 2
        t0 = time.perf_counter()
        count = sum(1 for _ in partition_diagrams(k, m - k))
        dt = time.perf_counter() - t0
        assert count == bell(m)
        rows.append([m, count, dt, count / dt])
    return table(rows, ["k+l", "diagrams", "seconds", "diagrams/s"])


def bench_layers(cases, batch, channels):
    rows = []
    rng = np.random.default_rng(0)
    for n, k, l in cases:
        t0 = time.perf_counter()
        B = rt.layer_basis(rt.S(n), k, l)
        t_basis = time.perf_counter() - t0
        x = rng.standard_normal((batch, channels) + (n,) * k)
        w = rng.standard_normal((channels, channels, len(B)))
        t_apply = best_time(lambda: B.apply(w, x))
        y = B.apply(w, x)
        # dense: build the (c_out n^l) x (c_in n^k) matrix once, then one matmul
        t0 = time.perf_counter()
        mats = B.dense_matrices(max_entries=2**31)                      # (b, n^l, n^k)
        W = np.einsum("ocb,bij->oicj", w, mats).reshape(channels * n**l, channels * n**k)
        t_dense_build = time.perf_counter() - t0
        xf = x.reshape(batch, -1)
        t_dense_mul = best_time(lambda: xf @ W.T)
        yd = (xf @ W.T).reshape(y.shape)
        err = float(np.abs(y - yd).max())
        rows.append([n, k, l, len(B), t_basis, t_apply, t_dense_build, t_dense_mul,
                     t_dense_mul / t_apply, (t_dense_build + t_dense_mul) / (t_basis + t_apply), err])
        del mats, W
    return table(rows, ["n", "k", "l", "|basis|", "basis s", "apply s", "dense build s",
                        "dense matmul s", "matmul/apply", "dense total/ours", "max |diff|"])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true", help="smaller sizes")
    args = p.parse_args()
    sizes = [8, 9] if args.quick else [8, 9, 10]
    cases = [(8, 2, 2), (16, 2, 2)] if args.quick else \
        [(8, 2, 2), (16, 2, 2), (32, 2, 2), (8, 3, 3), (12, 3, 3)]
    print(f"reptheory {rt.__version__}: foundation benchmark (one run, best of 3)\n")
    print("(a) enumerating all (k, l) partition diagrams")
    print(bench_enumeration(sizes))
    print("\n(b) S_n layer, batch 64, 4 -> 4 channels: numpy executor vs dense matrix")
    print(bench_layers(cases, batch=64, channels=4))
    print("\nmatmul/apply > 1 means our executor is faster than multiplying by a prebuilt dense matrix;"
          "\ndense total/ours compares building + one application on each side.")


if __name__ == "__main__":
    main()
