# ruff: noqa: B023, BLE001
"""Benchmark reptheory.so3 against sympy, wignernj, e3nn and sphericart (when importable).

Run: ``PYTHONPATH=. python benchmarks/bench_so3.py [--quick] [--threads N]``.

1. All Clebsch-Gordan coefficients <l1 m1 l2 m2 | l3 m> for l1, l2 <= L (every l3, m1, m2),
   L in {4, 6, 8, 10}: reptheory exact (``clebsch_gordan_all``, and block by block),
   reptheory float tables (cold, i.e. computed from the exact values and written to an empty
   cache, and warm), sympy (exact), wignernj (exact integer arithmetic, rounded double, one
   call per coefficient) and e3nn (``o3.wigner_3j`` float tables, one call per triple; cold =
   its lru caches cleared, warm = cached).
2. Real spherical harmonics of all degrees <= L at 100,000 points, float64, L in {2, 6, 10}:
   reptheory (numba kernel, warm) vs e3nn and sphericart.

Timings are the best of several repeats in this one process; ratios are other / reptheory.
Threads are limited to ``--threads`` (default 1) for every library.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time


def _setup_threads(n: int) -> None:
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ[var] = str(n)


def best(fn, repeat: int = 3, budget: float = 20.0) -> float:
    times = []
    start = time.perf_counter()
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        if time.perf_counter() - start > budget:
            break
    return min(times)


def triples(L):
    for l1 in range(L + 1):
        for l2 in range(L + 1):
            for l3 in range(abs(l1 - l2), l1 + l2 + 1):
                yield l1, l2, l3


def count_cg(L) -> int:
    n = 0
    for l1, l2, l3 in triples(L):
        for m1 in range(-l1, l1 + 1):
            for m2 in range(-l2, l2 + 1):
                n += abs(m1 + m2) <= l3
    return n


def bench_cg(Ls, quick: bool) -> list[tuple]:
    from reptheory.so3 import _tables, clebsch_gordan_all, clebsch_gordan_table
    from reptheory.so3._exact import _BINOM, _FACT

    rows = []
    for L in Ls:
        n = count_cg(L)
        res = {}

        def rt_exact_all():
            del _FACT[1:]  # cold factorial and binomial tables
            del _BINOM[1:]
            clebsch_gordan_all(L)

        def rt_exact_blocks():
            for t in triples(L):
                clebsch_gordan_table(*t)

        res["reptheory exact clebsch_gordan_all"] = best(rt_exact_all, repeat=5)
        res["reptheory exact, block by block"] = best(rt_exact_blocks)

        def rt_float_cold():
            with tempfile.TemporaryDirectory() as d:
                os.environ["REPTHEORY_CACHE_DIR"] = d
                _tables._cached.cache_clear()
                for t in triples(L):
                    _tables.cg_tensor(*t, basis="complex")
            os.environ.pop("REPTHEORY_CACHE_DIR")

        res["reptheory float cg_tensor (cold)"] = best(rt_float_cold, repeat=2)
        with tempfile.TemporaryDirectory() as d:
            os.environ["REPTHEORY_CACHE_DIR"] = d
            _tables._cached.cache_clear()
            for t in triples(L):
                _tables.cg_tensor(*t, basis="complex")

            def rt_float_disk():
                _tables._cached.cache_clear()
                for t in triples(L):
                    _tables.cg_tensor(*t, basis="complex")

            res["reptheory float (disk cache)"] = best(rt_float_disk)

            def rt_float_warm():
                for t in triples(L):
                    _tables.cg_tensor(*t, basis="complex")

            res["reptheory float (memory cache)"] = best(rt_float_warm)
        os.environ.pop("REPTHEORY_CACHE_DIR", None)

        if not quick or L <= 4:
            try:
                from sympy.physics.wigner import clebsch_gordan as sp_cg

                def sympy_all():
                    for l1, l2, l3 in triples(L):
                        for m1 in range(-l1, l1 + 1):
                            for m2 in range(-l2, l2 + 1):
                                if abs(m1 + m2) <= l3:
                                    sp_cg(l1, l2, l3, m1, m2, m1 + m2)

                res["sympy exact"] = best(sympy_all, repeat=1)
            except ImportError as exc:  # pragma: no cover
                print("sympy skipped:", exc)
        try:
            import wignernj

            def wnj_all():
                cg = wignernj.clebsch_gordan
                for l1, l2, l3 in triples(L):
                    for m1 in range(-l1, l1 + 1):
                        for m2 in range(-l2, l2 + 1):
                            if abs(m1 + m2) <= l3:
                                cg(l1, m1, l2, m2, l3, m1 + m2)

            res["wignernj (exact -> double)"] = best(wnj_all)
        except ImportError as exc:
            res["wignernj"] = f"skipped: {exc}"
        try:
            from e3nn import o3
            from e3nn.o3 import _wigner as e3w

            def e3nn_all():
                for t in triples(L):
                    o3.wigner_3j(*t)

            def e3nn_cold():
                e3w._so3_clebsch_gordan.cache_clear()
                e3w._su2_clebsch_gordan.cache_clear()
                e3nn_all()

            res["e3nn o3.wigner_3j (cold caches)"] = best(e3nn_cold, repeat=2)
            res["e3nn o3.wigner_3j (warm lru cache)"] = best(e3nn_all)
        except (ImportError, AttributeError) as exc:
            res["e3nn"] = f"skipped: {exc}"
        rows.append((L, n, res))
    return rows


def bench_sh(Ls, npts: int) -> list[tuple]:
    import numpy as np

    from reptheory.so3 import spherical_harmonics_all

    rng = np.random.default_rng(0)
    xyz = rng.normal(size=(npts, 3))
    rows = []
    for L in Ls:
        res = {}
        spherical_harmonics_all(L, xyz[:10])  # compile
        res["reptheory (numpy twin)"] = best(
            lambda: spherical_harmonics_all(L, xyz, backend="numpy"), repeat=2
        )
        fast = {"reptheory (numba)": lambda: spherical_harmonics_all(L, xyz)}
        try:
            import sphericart

            sh = sphericart.SphericalHarmonics(L)
            x = np.ascontiguousarray(xyz)
            ref = sh.compute(x)
            ours = spherical_harmonics_all(L, xyz)
            res["(max |sphericart - reptheory|)"] = float(np.abs(ref - ours).max())
            fast["sphericart"] = lambda: sh.compute(x)
        except ImportError as exc:
            res["sphericart"] = f"skipped: {exc}"
        # interleave the two fast ones so machine-load drift hits both alike
        times = {k: float("inf") for k in fast}
        for _ in range(9):
            for k, fn in fast.items():
                t = time.perf_counter()
                fn()
                times[k] = min(times[k], time.perf_counter() - t)
        res.update(times)
        try:
            import torch
            from e3nn import o3

            torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
            xt = torch.tensor(xyz, dtype=torch.float64)
            ls = list(range(L + 1))
            o3.spherical_harmonics(ls, xt, normalize=True, normalization="integral")
            res["e3nn"] = best(
                lambda: o3.spherical_harmonics(ls, xt, normalize=True, normalization="integral"),
                repeat=3,
            )
        except ImportError as exc:
            res["e3nn"] = f"skipped: {exc}"
        except Exception as exc:  # e3nn caps the degree
            res["e3nn"] = f"failed: {type(exc).__name__}: {str(exc)[:60]}"
        rows.append((L, npts, res))
    return rows


def _print(title: str, rows, base_key: str) -> None:
    print(f"\n## {title}")
    for L, n, res in rows:
        base = res[base_key]
        print(f"L = {L} ({n} values)")
        for k, v in res.items():
            if isinstance(v, str):
                print(f"  {k:34s} {v}")
            elif k.startswith("("):
                print(f"  {k:34s} {v:.2e}")
            else:
                print(f"  {k:34s} {v * 1e3:10.2f} ms   x{v / base:8.2f} vs reptheory")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    _setup_threads(args.threads)
    print(f"python {sys.version.split()[0]}; threads = {args.threads}")
    Ls = [4, 6] if args.quick else [4, 6, 8, 10]
    rows = bench_cg(Ls, args.quick)
    _print(
        "Clebsch-Gordan: all coefficients l1, l2 <= L", rows, "reptheory exact clebsch_gordan_all"
    )
    sh_rows = bench_sh([2, 6] if args.quick else [2, 6, 10], 10_000 if args.quick else 100_000)
    _print("Real spherical harmonics, float64, all l <= L", sh_rows, "reptheory (numba)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
