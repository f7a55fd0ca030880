"""Benchmark of the equivariant-layer executors against dense matrix multiplication.

Run:  python benchmarks/bench_kernels.py [--quick] [--threads N] [--dtype float32|float64]

For batch 256 and 4 -> 4 channels it times, on one machine in one run:
(a) dense matmul with the materialised layer matrix (numpy and torch),
(b) the numpy executors (reference: one einsum per operation; planned: shared work),
(c) the numba executor, (d) the torch executor — (c) and (d) with and without sharing work
between basis elements. It prints the speed-up over dense numpy and the time relative to the
memory-traffic bound ``len(basis) * (bytes of x + bytes of y) / measured copy bandwidth``
(the issue's minimum: x read and y written once per basis element). Where the dense matrix
exceeds the dense budget (REPTHEORY_MAX_DENSE_ENTRIES, default 2^27 entries) it says so.
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes only")
    p.add_argument("--threads", type=int, default=1,
                   help="threads for BLAS / numba / torch (default 1: the development machine "
                        "is shared; pass 0 to leave the libraries' defaults)")
    p.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--channels", type=int, default=4)
    p.add_argument("--repeat", type=int, default=3)
    return p.parse_args()


ARGS = _parse()
if ARGS.threads > 0:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import reptheory as rt
from reptheory._validate import dense_budget
from reptheory.kernels import get_backend, plan_traffic

try:
    import torch

    if ARGS.threads > 0:
        torch.set_num_threads(ARGS.threads)
except ImportError:  # pragma: no cover
    torch = None


def best_time(f, repeat: int) -> float:
    f()
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def bandwidth() -> float:
    """Copy bandwidth in bytes/s (read + write counted), best of 5 on 64 MiB."""
    a = np.ones(8 * 2**20)
    b = np.empty_like(a)
    t = best_time(lambda: np.copyto(b, a), 5)
    return 2 * a.nbytes / t


def cases(quick: bool):
    S = rt.S
    out = [("S", S, 2, 2, n) for n in ((16, 32) if quick else (16, 32, 64))]
    out += [("S", S, 3, 3, n) for n in ((8,) if quick else (8, 16))]
    try:
        from reptheory.groups import O
    except ImportError:
        O = None
    if O is None:
        out.append(("O", None, 2, 2, None))
    else:
        out += [("O", O, 2, 2, n) for n in ((16,) if quick else (16, 32))]
    return out


def main() -> int:
    dtype = np.dtype(ARGS.dtype)
    batch, c = ARGS.batch, ARGS.channels
    bw = bandwidth()
    print(f"reptheory {rt.__version__}; batch {batch}, {c} -> {c} channels, {dtype}, "
          f"threads {ARGS.threads or 'default'}; copy bandwidth {bw / 1e9:.1f} GB/s")
    if torch is None:
        print("torch: skipped (not installed)")
    header = (f"{'case':<16}{'method':<22}{'time ms':>10}{'vs dense':>10}{'vs bound':>10}")
    rng = np.random.default_rng(0)
    summary = []
    for name, G, k, l, n in cases(ARGS.quick):
        if G is None:
            print(f"\n{name}(n) k={k} l={l}: skipped: O(n) not available")
            continue
        B = rt.layer_basis(G(n), k, l)
        spec = B.spec
        nb = len(B)
        x = rng.standard_normal((batch, c) + (n,) * k).astype(dtype)
        w = (rng.standard_normal((c, c, nb)) / np.sqrt(nb)).astype(dtype)
        y_bytes = batch * c * n**l * dtype.itemsize
        bound = nb * (x.nbytes + y_bytes) / bw
        case = f"{name}({n}) {k}->{l}"
        plan = spec.plan()
        tr = plan_traffic(spec, plan, batch, c, c)
        min_entries = nb * (x.size + batch * c * n**l)
        print(f"\n{case}: {nb} basis elements; plan: {plan.summary()}")
        print(f"  modelled traffic of the shared plan: {tr['total'] / min_entries:.2f} x the "
              f"minimum ({tr['total'] * dtype.itemsize / 1e6:.0f} MB vs "
              f"{min_entries * dtype.itemsize / 1e6:.0f} MB)")
        print(header)
        results = {}
        ref = get_backend("numba")(spec, w, x)
        dense_entries = (c * n**l) * (c * n**k)
        t_dense = None
        if dense_entries > dense_budget():
            gib = dense_entries * dtype.itemsize / 2**30
            print(f"{case:<16}{'dense':<22}  does not fit: the layer matrix has {dense_entries:.2e} "
                  f"entries ({gib:.1f} GiB), over the dense budget")
        else:
            M = B.layer_matrix(w, backend="numba", sparse=False).astype(dtype)
            X2 = x.reshape(batch, -1)
            results["dense numpy"] = best_time(lambda X2=X2, M=M: X2 @ M.T, ARGS.repeat)
            t_dense = results["dense numpy"]
            err = np.abs((X2 @ M.T).reshape(ref.shape) - ref).max() / (np.abs(ref).max() + 1e-30)
            assert err < 1e-3, err
            if torch is not None:
                Mt, Xt = torch.from_numpy(M), torch.from_numpy(X2)
                results["dense torch"] = best_time(lambda Xt=Xt, Mt=Mt: Xt @ Mt.T, ARGS.repeat)
            del M
        big = n ** k >= 4096
        methods = [("numpy reference", "numpy", {}), ("numpy planned", "numpy-plan", {}),
                   ("numba", "numba", {}), ("numba (no sharing)", "numba", {"share": False})]
        if torch is not None:
            methods += [("torch", "torch", {}), ("torch (no sharing)", "torch", {"share": False})]
        xt = torch.from_numpy(x) if torch is not None else None
        wt = torch.from_numpy(w) if torch is not None else None
        for label, backend, kw in methods:
            if ARGS.quick and big and "no sharing" in label:
                continue
            f = get_backend(backend)
            args = (spec, wt, xt) if backend == "torch" else (spec, w, x)
            rep = 1 if (big and backend == "numpy") else ARGS.repeat
            out = f(*args, **kw)
            out = out.numpy() if hasattr(out, "numpy") else out
            err = np.abs(out - ref).max() / (np.abs(ref).max() + 1e-30)
            assert err < 1e-3, (label, err)
            results[label] = best_time(lambda f=f, args=args, kw=kw: f(*args, **kw), rep)
        for label, t in results.items():
            vs_dense = f"{t_dense / t:.1f}x" if t_dense else "-"
            print(f"{case:<16}{label:<22}{t * 1e3:>10.2f}{vs_dense:>10}{t / bound:>10.2f}")
        for be in ("numba", "torch"):
            if f"{be} (no sharing)" in results:
                print(f"  sharing saves {results[f'{be} (no sharing)'] / results[be]:.2f}x "
                      f"for {be}")
        summary.append((case, results, t_dense, bound))
    print("\nsummary (speed-up over dense numpy; time / memory bound):")
    for case, results, t_dense, bound in summary:
        parts = []
        for label in ("numba", "torch", "numpy planned"):
            if label in results:
                t = results[label]
                parts.append(f"{label} " + (f"{t_dense / t:.1f}x" if t_dense else "dense n/a")
                             + f" ({t / bound:.2f} of bound)")
        print(f"  {case:<16}" + "; ".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
