"""Benchmark of the tensor products of reptheory.so3 (and e3nn's FullTensorProduct if importable).

Batch 10,000 (``--batch``), inputs with all degrees 0..L, outputs 0..2L (``--lout L`` for
0..L), float32 and float64, L in {1, 2, 4, 6, 8, 10}.  Methods: our CG product (numpy dense and
sparse, and the torch module ``CGTensorProduct``), Gaunt 2-D Fourier, Gaunt sphere grid,
e3nn ``FullTensorProduct`` (all paths, same work as our full CG).  One thread everywhere.
Prints times, ratios measured in the same run, and the fitted exponent p in time ~ L^p
(least squares over L >= 4).

Run:  PYTHONPATH=. python benchmarks/bench_tp.py [--quick] [--lout L|2L] [--batch N]
(e3nn lives in its own venv, see /work/shared/COMPARE.md: run this script with that venv's
python and PYTHONPATH pointing at the repository).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import math
import time

import numpy as np

from reptheory.so3 import cg_tensor_product, gaunt_tensor_product


def best_time(fn, repeats: int) -> float:
    fn()  # warm-up (tables, compilation)
    best = math.inf
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def e3nn_setup(L: int, dtype):
    try:
        import torch
        from e3nn import o3
    except ImportError as exc:  # pragma: no cover - depends on the environment
        return None, f"e3nn not importable ({type(exc).__name__}: {exc})"
    torch.set_num_threads(1)
    irreps = o3.Irreps("+".join(f"1x{l}{'e' if l % 2 == 0 else 'o'}" for l in range(L + 1)))
    tp = o3.FullTensorProduct(irreps, irreps)
    tdt = torch.float32 if dtype == np.float32 else torch.float64
    return (tp.to(tdt), tdt), None


def torch_cg_setup(L: int, L_out: int, dtype):
    try:
        import torch

        from reptheory.torch import CGTensorProduct
    except ImportError as exc:  # pragma: no cover
        return None, f"torch not importable ({exc})"
    torch.set_num_threads(1)
    tdt = torch.float32 if dtype == np.float32 else torch.float64
    return (CGTensorProduct(L, L, L_out, method="dense").to(tdt), tdt), None


def fit_exponent(Ls, ts) -> float:
    pts = [(math.log(L), math.log(t)) for L, t in zip(Ls, ts) if L >= 4 and not math.isnan(t)]
    if len(pts) < 2:
        return float("nan")
    x, y = np.array(pts).T
    return float(np.polyfit(x, y, 1)[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="batch 1000, L in {1, 2, 4, 6}, float32")
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--lout", choices=["L", "2L"], default="2L")
    ap.add_argument("--no-e3nn", action="store_true")
    ap.add_argument("--e3nn-max-L", type=int, default=8, help="e3nn compiles slowly at large L")
    args = ap.parse_args()
    Ls = [1, 2, 4, 6] if args.quick else [1, 2, 4, 6, 8, 10]
    dtypes = [np.float32] if args.quick else [np.float32, np.float64]
    B = 1000 if args.quick else args.batch
    rng = np.random.default_rng(0)
    methods = ["cg_dense", "cg_sparse", "cg_torch", "gaunt_fourier", "gaunt_grid", "e3nn_full"]
    notes = []
    for dtype in dtypes:
        print(f"\n=== {np.dtype(dtype).name}, batch {B}, inputs 0..L, outputs 0..{args.lout} ===")
        print(
            f"{'L':>3} " + " ".join(f"{m:>14}" for m in methods) + "   (seconds, best of repeats)"
        )
        table = {m: [] for m in methods}
        for L in Ls:
            L_out = 2 * L if args.lout == "2L" else L
            d = (L + 1) ** 2
            x1 = rng.normal(size=(B, d)).astype(dtype)
            x2 = rng.normal(size=(B, d)).astype(dtype)
            reps = 3 if L <= 6 else 1
            row = {}
            args_ = (x1, x2, L_out)
            row["cg_dense"] = best_time(lambda a=args_: cg_tensor_product(*a), reps)
            row["cg_sparse"] = best_time(
                lambda a=args_: cg_tensor_product(*a, method="sparse"), reps
            )
            setup, why = torch_cg_setup(L, L_out, dtype)
            if setup is None:
                row["cg_torch"] = float("nan")
                notes.append(why)
            else:
                import torch

                mod, _ = setup
                t1, t2 = torch.from_numpy(x1), torch.from_numpy(x2)

                def run_torch(mod=mod, t1=t1, t2=t2):
                    with torch.no_grad():
                        mod(t1, t2)

                row["cg_torch"] = best_time(run_torch, reps)
            row["gaunt_fourier"] = best_time(
                lambda a=args_: gaunt_tensor_product(*a, method="fourier"), reps
            )
            row["gaunt_grid"] = best_time(
                lambda a=args_: gaunt_tensor_product(*a, method="grid"), reps
            )
            row["e3nn_full"] = float("nan")
            if not args.no_e3nn and L <= args.e3nn_max_L:
                setup, why = e3nn_setup(L, dtype)
                if setup is None:
                    if why not in notes:
                        notes.append(why)
                else:
                    import torch

                    tp, _ = setup
                    t1, t2 = torch.from_numpy(x1), torch.from_numpy(x2)

                    def run_e3nn(tp=tp, t1=t1, t2=t2):
                        with torch.no_grad():
                            tp(t1, t2)

                    row["e3nn_full"] = best_time(run_e3nn, reps)
            for m in methods:
                table[m].append(row[m])
            print(f"{L:>3} " + " ".join(f"{row[m]:>14.4f}" for m in methods), flush=True)
        print(
            "fitted exponent p (time ~ L^p, L >= 4): "
            + ", ".join(f"{m} {fit_exponent(Ls, table[m]):.2f}" for m in methods)
        )
        i_last = len(Ls) - 1
        dense = table["cg_dense"]
        print(
            f"ratios at L = {Ls[i_last]}: dense CG / grid Gaunt = "
            f"{dense[i_last] / table['gaunt_grid'][i_last]:.1f}x, dense CG / Fourier Gaunt = "
            f"{dense[i_last] / table['gaunt_fourier'][i_last]:.1f}x, dense / sparse CG = "
            f"{dense[i_last] / table['cg_sparse'][i_last]:.2f}x"
        )
        if 6 in Ls:
            i6 = Ls.index(6)
            e = table["e3nn_full"][i6]
            if not math.isnan(e):
                print(
                    f"ratios at L = 6: e3nn / our CG dense = {e / dense[i6]:.2f}x, "
                    f"e3nn / our CG torch = {e / table['cg_torch'][i6]:.2f}x, "
                    f"e3nn / our CG sparse = {e / table['cg_sparse'][i6]:.2f}x"
                )
    for n in sorted(set(notes)):
        print("skipped:", n)


if __name__ == "__main__":
    main()
