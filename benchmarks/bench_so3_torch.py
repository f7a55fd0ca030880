"""SO(3) in torch: spherical harmonics, all-degree Wigner D, CG tensor product, eSCN vs CG
convolution, each side by side with the tools people use (one thread, float32 unless said).

* harmonics forward + backward, L = 10, 100k points: reptheory.torch vs sphericart-torch vs e3nn
* Wigner D of all degrees l <= 10, 2000 and 20000 rotations, float64 and float32:
  reptheory.torch (Ivanic-Ruedenberg recursion, batched) vs the ``spherical`` package (complex
  D from quaternions, numba) vs reptheory.so3.wigner_D (numpy, per degree); median, best and
  spread over interleaved rounds
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
    return {k: (min(v), (max(v) - min(v)) / min(v)) for k, v in _rounds(fns, rounds).items()}


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


def _rounds(fns: dict, rounds: int) -> dict:
    """Times (s) of each function in each of ``rounds`` interleaved rounds."""
    import time

    times = {k: [] for k in fns}
    for _ in range(rounds):
        for k, f in fns.items():
            t = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t)
    return times


def _report_rounds(title: str, times: dict, base: str) -> None:
    """Best and median time, spread, and the speed-up over ``base``: the ratio of the
    medians and the median [min - max] of the ratios measured within one round."""
    print(f"\n## {title}")
    b = np.array(times[base])
    rows = []
    for k, v in times.items():
        v = np.array(v)
        r = b / v  # > 1: faster than base, in the same round
        rows.append([k, 1000 * v.min(), 1000 * float(np.median(v)),
                     f"{100 * (v.max() - v.min()) / v.min():.0f}%",
                     float(np.median(b)) / float(np.median(v)),
                     f"{np.median(r):.2f} [{r.min():.2f}-{r.max():.2f}]"])
    print(table(rows, ["method", "best ms", "median ms", "spread",
                       f"x faster than {base} (medians)", "per-round ratio median [min-max]"]))


def bench_wigner(torch, Bs, L, rounds):
    """Real D_0..D_L (reptheory) against spherical's complex D^l_{m'm}, l <= L, of the same
    rotations: unit quaternions q, R = quaternionic's rotation matrix of q.  reptheory returns
    L + 1 tensors (B, 2l+1, 2l+1) (views of storage with the rotations along the last axis; one
    row also makes them contiguous); spherical returns one complex128 array (B, sum (2l+1)^2)
    from a Python loop over the rotations calling its numba kernels (Wigner H recursion).
    Checked: U^H D U (reptheory's complex D, U = complex_to_real_matrix) equals spherical's D."""
    from reptheory.so3 import complex_to_real_matrix, wigner_D
    from reptheory.torch import edge_to_pole_rotation, wigner_D_all

    try:
        import quaternionic
        import spherical
    except ImportError as exc:
        spherical = None
        print(f"spherical skipped: {exc}")
    for B in Bs:
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
        fns = {}
        if spherical is not None:
            qa = quaternionic.array(q)
            assert np.allclose(qa.to_rotation_matrix, R, atol=1e-14)
            wig = spherical.Wigner(L)
            fns["spherical Wigner.D (complex128)"] = lambda wig=wig, qa=qa: wig.D(qa)
            # the same matrices: spherical's D^l = U^H D_l U for a few rotations
            Dsph, Ds = wig.D(qa[:4]), wigner_D_all(L, R64[:4])
            err, o = 0.0, 0
            for l in range(L + 1):
                U = complex_to_real_matrix(l)
                d = 2 * l + 1
                Dc = U.conj().T @ Ds[l].numpy() @ U
                err = max(err, np.abs(Dsph[:, o : o + d * d].reshape(-1, d, d) - Dc).max())
                o += d * d
            print(f"max |spherical D - U^H D U| over l <= {L}, 4 rotations: {err:.1e}")
        fns["reptheory.torch float64"] = lambda R64=R64: wigner_D_all(L, R64)
        fns["reptheory.torch float32"] = lambda R32=R32: wigner_D_all(L, R32)
        fns["reptheory.torch float64, contiguous"] = lambda R64=R64: [
            D.contiguous() for D in wigner_D_all(L, R64)]
        if B <= 2000:
            fns["reptheory.so3 wigner_D per degree (numpy, float64)"] = lambda R=R: [
                wigner_D(l, R) for l in range(L + 1)]
            ev = torch.from_numpy(rng.normal(size=(B, 3))).float()

            def fwd_bwd(ev=ev):
                e = ev.clone().requires_grad_(True)
                Ds = wigner_D_all(L, edge_to_pole_rotation(e), check=False)
                sum(D.sum() for D in Ds).backward()

            fns["reptheory.torch float32, forward + backward to edge vectors"] = fwd_bwd
        for f in fns.values():
            f()  # warm up (numba compilation of spherical)
        base = next(iter(fns))
        _report_rounds(f"Wigner D of all degrees l <= {L}, {B} rotations, forward, "
                       f"{rounds} interleaved rounds", _rounds(fns, rounds), base)


def _product_fwd_bwd(mods: dict, x1, x2) -> dict:
    """One warmed-up forward + backward closure per tensor-product module, on copies of x1, x2."""

    def fb(m):
        def run():
            a, b = x1.clone().requires_grad_(True), x2.clone().requires_grad_(True)
            m(a, b).pow(2).sum().backward()

        return run

    fns = {k: fb(m) for k, m in mods.items()}
    for f in fns.values():
        f()
    return fns


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

        fns = _product_fwd_bwd(mods, x1, x2)
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

        fns = _product_fwd_bwd(mods, x1, x2)
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
    bench_wigner(torch, (2_000, 20_000), 10, max(rounds, 5))
    bench_cg(torch, 10_000, (2, 4, 6), rounds)
    bench_gaunt(torch, 20_000, (2, 4) if args.quick else (2, 4, 8), rounds)
    bench_escn(torch, 2000, 8, rounds)


if __name__ == "__main__":
    main()
