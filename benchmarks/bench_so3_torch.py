"""SO(3) in torch: spherical harmonics, all-degree Wigner D, CG tensor product, eSCN vs CG
convolution, each side by side with the tools people use (one thread, float32 unless said).

* harmonics forward + backward, L = 10, 100k points: reptheory.torch vs sphericart-torch vs e3nn
* Wigner D of all degrees l <= 10: reptheory.torch (one CG recursion, batched) vs the
  ``spherical`` package (complex D, numba) vs reptheory.so3.wigner_D (numpy, per degree)
* CG tensor product forward + backward, batch 10k, L = 2, 4, 6: reptheory.torch
  CGTensorProduct (dense / sparse) vs e3nn TensorProduct (one weight per path)
* Gaunt tensor product forward + backward, batch 20k, L1 = L2 = L_out = 2, 4 (and 8 without
  --quick): reptheory.torch GauntTensorProduct, sphere grid vs the deprecated 2-D Fourier method
* eSCN convolution vs the equivalent CG convolution (x (x) Y(edge), filter degrees 0..2L),
  L = 8, 2000 edges, forward + backward including the harmonics / Wigner matrices

    python benchmarks/bench_so3_torch.py --quick
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import table


def interleaved(fns: dict, rounds: int) -> dict:
    """Best time (s) of each function over ``rounds`` interleaved rounds, and the spread."""
    import time

    times = {k: [] for k in fns}
    for _ in range(rounds):
        for k, f in fns.items():
            t = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t)
    return {k: (min(v), (max(v) - min(v)) / min(v)) for k, v in times.items()}


def report(title: str, res: dict, base: str) -> None:
    print(f"\n## {title}")
    b = res[base][0]
    rows = [[k, 1000 * t, f"{100 * s:.0f}%", t / b] for k, (t, s) in res.items()]
    print(table(rows, ["method", "best ms", "spread", f"x time vs {base}"]))


def bench_sh(torch, N, L, rounds):
    from reptheory.torch import spherical_harmonics

    v = torch.randn(N, 3, generator=torch.Generator().manual_seed(0))

    def fb(f):
        def run():
            x = v.clone().requires_grad_(True)
            f(x).sum().backward()

        return run

    fns = {"reptheory": fb(lambda x: spherical_harmonics(L, x))}
    try:
        import sphericart.torch as sct

        sc = sct.SphericalHarmonics(L)
        fns["sphericart-torch"] = fb(sc)
    except ImportError as exc:
        print(f"sphericart-torch skipped: {exc}")
    try:
        from e3nn import o3

        fns["e3nn"] = fb(lambda x: o3.spherical_harmonics(list(range(L + 1)), x, normalize=True))
    except ImportError as exc:
        print(f"e3nn skipped: {exc}")
    # a dense upstream gradient (as in training), against the broadcast one of .sum() above
    w = torch.randn(N, (L + 1) ** 2, generator=torch.Generator().manual_seed(1))

    def fbw(f):
        def run():
            x = v.clone().requires_grad_(True)
            (f(x) * w).sum().backward()

        return run

    fns["reptheory, dense upstream gradient"] = fbw(lambda x: spherical_harmonics(L, x))
    if "sphericart-torch" in fns:
        fns["sphericart-torch, dense upstream gradient"] = fbw(sc)

    def nograd(f):
        def run():
            with torch.no_grad():
                f(v)

        return run

    fns["reptheory, forward only"] = nograd(lambda x: spherical_harmonics(L, x))
    if "sphericart-torch" in fns:
        fns["sphericart-torch, forward only"] = nograd(sc)
    for f in fns.values():
        f()  # warm up
    report(f"spherical harmonics forward + backward, L = {L}, {N} points, float32",
           interleaved(fns, rounds), "reptheory")


def bench_wigner(torch, B, L, rounds):
    from reptheory.so3 import wigner_D
    from reptheory.torch import wigner_D_all

    rng = np.random.default_rng(1)
    q = rng.normal(size=(B, 4))
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    w, x, y, z = q.T
    R = np.stack([
        np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
        np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
        np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
    ], -2)
    R64 = torch.from_numpy(R)
    R32 = R64.float()
    fns = {
        "reptheory.torch wigner_D_all float64": lambda: wigner_D_all(L, R64),
        "reptheory.torch wigner_D_all float32": lambda: wigner_D_all(L, R32),
        "reptheory.so3 wigner_D per degree (numpy)": lambda: [wigner_D(l, R) for l in range(L + 1)],
    }
    try:
        import quaternionic
        import spherical

        wig = spherical.Wigner(L)
        qa = quaternionic.array(q)
        fns["spherical Wigner.D (complex, float64)"] = lambda: wig.D(qa)
    except ImportError as exc:
        print(f"spherical skipped: {exc}")
    for f in fns.values():
        f()  # warm up (numba compilation of spherical)
    report(f"Wigner D of all degrees l <= {L}, {B} rotations", interleaved(fns, rounds),
           "reptheory.torch wigner_D_all float64")


def bench_cg(torch, B, Ls, rounds):
    from reptheory.so3 import tp_paths
    from reptheory.torch import CGTensorProduct

    try:
        from e3nn import o3
    except ImportError as exc:
        o3 = None
        print(f"e3nn skipped: {exc}")
    for L in Ls:
        d = (L + 1) ** 2
        g = torch.Generator().manual_seed(L)
        x1, x2 = torch.randn(B, d, generator=g), torch.randn(B, d, generator=g)
        mods = {"reptheory sparse": CGTensorProduct(L, L, L, method="sparse"),
                "reptheory dense": CGTensorProduct(L, L, L, method="dense")}
        if o3 is not None:
            irr = o3.Irreps("+".join(f"1x{l}e" for l in range(L + 1)))
            ins = [(a, b, c, "uuu", True) for a, b, c in tp_paths(L, L, L)]
            mods["e3nn TensorProduct"] = o3.TensorProduct(irr, irr, irr, ins)

        def fb(m, x1=x1, x2=x2):
            def run():
                a, b = x1.clone().requires_grad_(True), x2.clone().requires_grad_(True)
                m(a, b).pow(2).sum().backward()

            return run

        fns = {k: fb(m) for k, m in mods.items()}
        for f in fns.values():
            f()
        report(f"CG tensor product forward + backward, L1 = L2 = L_out = {L}, batch {B}, "
               f"{len(tp_paths(L, L, L))} paths, float32", interleaved(fns, rounds), "reptheory sparse")


def bench_gaunt(torch, B, Ls, rounds):
    import warnings

    from reptheory.torch import GauntTensorProduct

    for L in Ls:
        d = (L + 1) ** 2
        g = torch.Generator().manual_seed(10 + L)
        x1, x2 = torch.randn(B, d, generator=g), torch.randn(B, d, generator=g)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # the Fourier method
            mods = {"grid": GauntTensorProduct(L, L, L, method="grid"),
                    "2-D Fourier (deprecated)": GauntTensorProduct(L, L, L, method="fourier")}

        def fb(m, x1=x1, x2=x2):
            def run():
                a, b = x1.clone().requires_grad_(True), x2.clone().requires_grad_(True)
                m(a, b).pow(2).sum().backward()

            return run

        fns = {k: fb(m) for k, m in mods.items()}
        for f in fns.values():
            f()
        report(f"Gaunt tensor product forward + backward, L1 = L2 = L_out = {L}, batch {B}, "
               "float32", interleaved(fns, rounds), "grid")


def bench_escn(torch, E, L, rounds):
    from reptheory.so3 import cg_convolution_paths
    from reptheory.torch import CGTensorProduct, ESCNConvolution, spherical_harmonics

    g = torch.Generator().manual_seed(2)
    x = torch.randn(E, (L + 1) ** 2, generator=g)
    r = torch.randn(E, 3, generator=g)
    escn = ESCNConvolution(L, L)

    def run_escn():
        a, rv = x.clone().requires_grad_(True), r.clone().requires_grad_(True)
        escn(a, rv).pow(2).sum().backward()

    def cg_conv(method):
        cg = CGTensorProduct(L, 2 * L, L, paths=cg_convolution_paths(L, L), method=method)

        def run():
            a, rv = x.clone().requires_grad_(True), r.clone().requires_grad_(True)
            cg(a, spherical_harmonics(2 * L, rv)).pow(2).sum().backward()

        return run

    fns = {"reptheory eSCN (Wigner D in torch)": run_escn,
           "reptheory CG convolution (sparse)": cg_conv("sparse"),
           "reptheory CG convolution (dense)": cg_conv("dense")}
    for f in fns.values():
        f()
    report(f"eSCN vs CG convolution, L = {L}, {E} edges, one channel, forward + backward "
           "(gradients to features and edge vectors)", interleaved(fns, rounds),
           "reptheory eSCN (Wigner D in torch)")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    rounds = 3 if args.quick else 7
    print(f"python {sys.version.split()[0]}; torch {torch.__version__}; threads = 1; "
          f"best of {rounds} interleaved rounds; spread = (worst - best) / best")
    bench_sh(torch, 100_000, 10, rounds)
    bench_wigner(torch, 10_000 if not args.quick else 2_000, 10, rounds)
    bench_cg(torch, 10_000, (2, 4, 6), rounds)
    bench_gaunt(torch, 20_000, (2, 4) if args.quick else (2, 4, 8), rounds)
    bench_escn(torch, 2000, 8, rounds)


if __name__ == "__main__":
    main()
