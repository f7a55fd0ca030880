"""Benchmark for reptheory.polynomials.

1. Enumeration time of the multigraph basis, degree d = 1..5 (cold caches), every output type,
   general and symmetric X.
2. Evaluation of all edge-valued basis polynomials of degree <= 3 on a batch of 64 random graphs
   with n = 32: the optimised pairwise contraction (numpy.einsum_path order, batched matmul)
   against numpy's unoptimised einsum over all vertex letters, in the same run.  The naive
   einsum costs batch * n**|V| per polynomial, so it is timed only where that is at most
   ``--naive-budget`` (default 2e8); for the rest the ratio of FLOP counts reported by
   ``numpy.einsum_path`` is printed.

3. Whole basis and single polynomials against the usual tools: all edge-valued polynomials of
   degree <= 4 (symmetric X), n = 50, batch 8, evaluated by reptheory (numpy and torch;
   programs compiled once, sub-contractions shared across the basis; with a new output array
   and with ``out=`` a reused buffer) against one prebuilt opt_einsum expression per
   polynomial (numpy, on the same merged operands, precomputed outside the timing) and one
   ``torch.einsum`` call per polynomial (torch, same operands).  Then single polynomials (a
   fixed random sample plus K4 minus an edge marked at its two non-adjacent vertices), each
   alone after a first call, against two baselines: (m) the same merged operands prepared
   outside the timing, and (x) the polynomial's own einsum string on X (one operand per edge,
   what a user would write).  Rounds are interleaved; best of the rounds and the spread
   (max / min) are printed.
4. End to end: PPGN++ (reptheory.models.PPGNPlusPlus, polynomial features of degree <= 6 that
   PPGN cannot compute, with the default 'log' scaling and with the paper's normalisation)
   against PPGN and against PPGN++ without the polynomial features (transposes and identity
   channels only; not in the medium mode) on substructure counting (the generator of
   bench_graph_models.py, plus 4-cliques), test MAE / std over seeds; and the two
   SRG(16, 6, 2, 2) graphs (4 x 4 rook's graph, Shrikhande graph): the output difference of
   randomly initialised models.  Sizes: quick 256 / 128 graphs, 15 epochs; medium 500 / 200,
   30 epochs; full 1000 / 300, 60 epochs.

Run ``python benchmarks/bench_polynomials.py`` (``--quick`` for a short version, ``--medium``
for the quick sections 1-3 with the medium end-to-end run; ``--only basis`` or ``--only single``
for just that part of section 3, with the sizes of the chosen mode).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from reptheory._validate import dense_budget
from reptheory.polynomials import _enumerate as en
from reptheory.polynomials import polynomial_basis
from reptheory.polynomials._contract import BATCH, plan
from reptheory.polynomials._polynomial import _np_operand


def _operand(X, kind, p, q, cache: dict):
    """A merged operand of X (contiguous), computed once per cache."""
    key = (kind, p, q)
    if key not in cache:
        cache[key] = np.ascontiguousarray(_np_operand(X, kind, p, q))
    return cache[key]


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

    from reptheory.polynomials import evaluate_basis

    def run_all(polys, optimize):
        evaluate_basis(polys, X, optimize=optimize)

    basis = tuple(basis)
    run_all(basis, True)  # compiles the program once
    best = min(_timed(run_all, basis, True) for _ in range(repeats))
    print(f"optimised contraction, all {len(basis)}: {best:.3f}s "
          f"({1e3 * best / len(basis):.2f} ms per polynomial)")

    cheap = tuple(p for p in basis if batch * float(n) ** p.num_vertices <= naive_budget)
    dear = [p for p in basis if p not in set(cheap)]
    # numpy's own optimised einsum (same path search, numpy's executor) on the cheap subset
    run_all(cheap, True)
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


def bench_vs_einsum(degree: int, n: int, batch: int, rounds: int, sample: int,
                    only: str = "") -> None:
    try:
        import opt_einsum as oe
        import torch
    except ImportError as exc:  # pragma: no cover
        print(f"\n== section 3 skipped: {exc.name} is not installed (pip install 'reptheory[bench]')")
        return
    from reptheory.polynomials import (
        Polynomial,
        evaluate_basis,
        evaluate_basis_torch,
        evaluate_torch,
    )
    from reptheory.polynomials._torch_layers import _operand as _top

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(batch, n, n)) / np.sqrt(n)
    X = (X + X.transpose(0, 2, 1)) / 2
    Xt = torch.from_numpy(X)
    basis = tuple(polynomial_basis(degree, "edge", True, exact_degree=False))
    print(f"\n== whole basis: {len(basis)} edge-valued polynomials of degree <= {degree} "
          f"(symmetric X), n={n}, batch={batch}; torch threads 1")
    ops_np: dict = {}
    ops_t: dict = {}

    def top(kind, p, q):
        if (kind, p, q) not in ops_t:
            ops_t[kind, p, q] = _top(Xt, kind, p, q).contiguous()
        return ops_t[kind, p, q]

    t = time.perf_counter()
    exprs = []
    for p in basis:
        spec = p.spec
        if not spec.operands:
            exprs.append(None)
            continue
        ops = [_operand(X, o.kind, o.p, o.q, ops_np) for o in spec.operands]
        exprs.append((oe.contract_expression(spec.expression, *[a.shape for a in ops]), ops,
                      spec.expression.replace("Z", "z")))
    t_build = time.perf_counter() - t
    tops = [None if e is None else [top(o.kind, o.p, o.q) for o in p.spec.operands]
            for p, e in zip(basis, exprs)]
    if only != "single":
        t = time.perf_counter()
        evaluate_basis(basis, X)
        t_first = time.perf_counter() - t
        t = time.perf_counter()
        evaluate_basis_torch(basis, Xt)
        t_first_t = time.perf_counter() - t
        print(f"first call (plans {len(basis)} contractions with numpy.einsum_path, compiles them into "
              f"one program, runs): numpy {t_first:.2f}s, torch {t_first_t:.2f}s; building the "
              f"{len(basis)} opt_einsum expressions: {t_build:.2f}s")
        buf = np.empty((batch, len(basis), n, n))
        buf_t = torch.empty((batch, len(basis), n, n), dtype=Xt.dtype)

        def oe_all():
            for e in exprs:
                if e is not None:
                    e[0](*e[1])

        def te_all():
            for e, o in zip(exprs, tops):
                if e is not None:
                    torch.einsum(e[2], *o)

        cases = {"reptheory numpy (evaluate_basis)": lambda: evaluate_basis(basis, X),
                 "reptheory numpy, out= reused buffer": lambda: evaluate_basis(basis, X, out=buf),
                 "opt_einsum, one prebuilt expression each": oe_all,
                 "reptheory torch (evaluate_basis_torch)": lambda: evaluate_basis_torch(basis, Xt),
                 "reptheory torch, out= reused buffer": lambda: evaluate_basis_torch(basis, Xt,
                                                                                    out=buf_t),
                 "torch.einsum, one call each": te_all}
        times: dict = {k: [] for k in cases}
        for _ in range(rounds):
            for k, f in cases.items():
                times[k].append(_timed(f))
        best = {k: min(v) for k, v in times.items()}
        spread = max(max(v) / min(v) for v in times.values())
        keys = list(cases)
        for k in keys:
            print(f"   {k:42s} {best[k]:8.3f}s")
        print(f"   ratio opt_einsum / reptheory numpy     {best[keys[2]] / best[keys[0]]:6.1f}x "
              f"(out= buffer: {best[keys[2]] / best[keys[1]]:.1f}x)")
        print(f"   ratio torch.einsum / reptheory torch   {best[keys[5]] / best[keys[3]]:6.1f}x "
              f"(out= buffer: {best[keys[5]] / best[keys[4]]:.1f}x)")
        print(f"   (best of {rounds} interleaved rounds, largest spread max/min over rounds "
              f"{spread:.2f}; the baselines return one small array per polynomial, reptheory "
              f"writes all {len(basis)} into one {batch * len(basis) * n * n * 8 / 2**20:.0f} MiB "
              f"array)")
        RESULTS["basis"] = (f"{len(basis)} edge polynomials, degree <= {degree}, n={n}, batch={batch}",
                            best)

    if only == "basis":
        return
    k4m = Polynomial.from_edges([("a", "c"), ("a", "d"), ("b", "c"), ("b", "d"), ("c", "d")],
                                marked=("a", "b"), symmetric=True)
    with_ops = [i for i, e in enumerate(exprs) if e is not None]
    pick = sorted(rng.choice(with_ops, size=min(sample, len(with_ops)), replace=False).tolist())
    singles = [k4m] + [basis[i] for i in pick if basis[i] != k4m]
    rows = []
    for p in singles:
        spec = p.spec
        ops = [_operand(X, o.kind, o.p, o.q, ops_np) for o in spec.operands]
        ex = oe.contract_expression(spec.expression, *[a.shape for a in ops])
        es = spec.expression.replace("Z", "z")
        o_t = [top(o.kind, o.p, o.q) for o in spec.operands]
        # the polynomial's own einsum on X (one operand per edge), as a user would call it
        # (output letters in no operand dropped: the result is constant along them)
        ins, outs = p.einsum.split("->")
        outs = "".join(c for c in outs if c in ins)
        own = ",".join("z" + t for t in ins.split(",")) + "->z" + outs
        nx_ = own.count(",") + 1
        ex_own = oe.contract_expression(own, *[X.shape] * nx_)
        fs = [lambda p=p: p.evaluate(X), lambda ex=ex, ops=ops: ex(*ops),
              lambda ex=ex_own, k=nx_: ex(*[X] * k),
              lambda p=p: evaluate_torch(p, Xt), lambda es=es, o_t=o_t: torch.einsum(es, *o_t),
              lambda s=own, k=nx_: torch.einsum(s, *[Xt] * k)]
        for f in fs:
            f()
        # calls under 1 ms: mean over 20 per round (each function by its own time, so that a
        # fast call is never timed alone beside a slow baseline)
        reps = [20 if _timed(f) < 1e-3 else 1 for f in fs]
        ts = [[] for _ in fs]
        for _ in range(5):
            for j, f in enumerate(fs):
                ts[j].append(_timed_n(f, reps[j]))
        rows.append((p, [min(v) for v in ts]))
    r_np = np.array([b[0] / b[1] for _, b in rows])
    r_np_own = np.array([b[0] / b[2] for _, b in rows])
    r_t = np.array([b[3] / b[4] for _, b in rows])
    r_t_own = np.array([b[3] / b[5] for _, b in rows])
    print(f"\n== single polynomials ({len(rows)}: K4 minus an edge + a random sample), each "
          f"alone after a first call, best of 5 interleaved rounds (calls under 1 ms: mean of 20 "
          f"per round)")
    print("   baselines: (m) one call on the merged operands (X**p, diag(X)**p) prepared outside "
          "the timing; (x) the polynomial's own einsum on X, one operand per edge")
    p, b = rows[0]
    print(f"   K4 minus an edge {p.einsum}: numpy {1e3 * b[0]:.2f} ms vs opt_einsum (m) "
          f"{1e3 * b[1]:.2f} ms, (x) {1e3 * b[2]:.2f} ms; torch {1e3 * b[3]:.2f} ms vs "
          f"torch.einsum (m) {1e3 * b[4]:.2f} ms, (x) {1e3 * b[5]:.2f} ms")
    for name, r in (("numpy / opt_einsum (m)", r_np), ("numpy / opt_einsum (x)", r_np_own),
                    ("torch / torch.einsum (m)", r_t), ("torch / torch.einsum (x)", r_t_own)):
        print(f"   time ratio reptheory {name:25s}: median {np.median(r):.2f}, worst "
              f"{r.max():.2f}; reptheory at least as fast in {int((r <= 1.0).sum())}/{len(r)}")
    print("   every polynomial, times in ms (ratio reptheory / baseline in brackets):")
    print(f"   {'polynomial':28s} {'numpy':>7s} {'oe (m)':>14s} {'oe (x)':>14s} {'torch':>7s} "
          f"{'einsum (m)':>14s} {'einsum (x)':>14s}")
    for p, b in rows:
        print(f"   {p.einsum:28s} {1e3 * b[0]:7.3f} {1e3 * b[1]:7.3f} ({b[0] / b[1]:4.2f}) "
              f"{1e3 * b[2]:7.3f} ({b[0] / b[2]:4.2f}) {1e3 * b[3]:7.3f} "
              f"{1e3 * b[4]:7.3f} ({b[3] / b[4]:4.2f}) {1e3 * b[5]:7.3f} ({b[3] / b[5]:4.2f})")


def _timed_n(fn, reps: int) -> float:
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t) / reps


RESULTS: dict = {}


def plot(path: str) -> None:
    """Bars: test MAE of PPGN and PPGN++ per target; whole-basis evaluation times."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no picture")
        return
    panels = [k for k in ("mae", "basis") if k in RESULTS]
    if not panels:
        return
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 3.6), squeeze=False)
    for ax, k in zip(axes[0], panels):
        if k == "mae":
            names, mae, seeds = RESULTS["mae"]
            x = np.arange(len(names))
            w = 0.8 / len(mae)
            for j, (model, M) in enumerate(mae.items()):
                mean = M.mean(0)
                err = np.stack([mean - M.min(0), M.max(0) - mean])
                ax.bar(x + w * (j - (len(mae) - 1) / 2), mean, w, yerr=err, capsize=3, label=model)
            ax.set_xticks(x, names)
            ax.set_ylabel("test MAE / std")
            ax.set_title(f"substructure counting ({seeds} seeds, min-max)")
            ax.legend(fontsize=8)
        else:
            label, best = RESULTS["basis"]
            ax.barh(range(len(best)), list(best.values()))
            ax.set_yticks(range(len(best)), [s.split(" (")[0].replace(", out= reused buffer",
                                                                      " (out= buffer)")
                                             .split(",")[0] for s in best], fontsize=8)
            ax.set_xlabel("seconds (best of rounds)")
            ax.set_title(label, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {Path(path).name}")


def _graph_models_module():
    """bench_graph_models.py (its data generator), imported without its command line."""
    import os
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    saved = sys.argv
    sys.argv = [saved[0]]
    try:
        import bench_graph_models as gm
    finally:
        sys.argv = saved
    return gm


def srg_pair() -> tuple[np.ndarray, np.ndarray]:
    """The 4 x 4 rook's graph and the Shrikhande graph (Cayley graphs of Z4 x Z4)."""
    import itertools

    def cayley(gens):
        A = np.zeros((16, 16))
        for (x1, y1), (x2, y2) in itertools.product(itertools.product(range(4), repeat=2), repeat=2):
            A[4 * x1 + y1, 4 * x2 + y2] = ((x2 - x1) % 4, (y2 - y1) % 4) in gens
        return A

    return (cayley({(i, 0) for i in (1, 2, 3)} | {(0, i) for i in (1, 2, 3)}),
            cayley({(1, 0), (3, 0), (0, 1), (0, 3), (1, 1), (3, 3)}))


def bench_end_to_end(mode: str, seeds: int) -> None:
    try:
        import networkx as nx
        import torch
    except ImportError as exc:  # pragma: no cover
        print(f"\n== section 4 skipped: {exc.name} is not installed")
        return
    from reptheory.models import PPGN, PPGNPlusPlus, normalize_polynomial_features

    gm = _graph_models_module()
    torch.set_num_threads(1)
    n_train, n_test, epochs = {"quick": (256, 128, 15), "medium": (500, 200, 30),
                               "full": (1000, 300, 60)}[mode]
    hidden, bs = 16, 32
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    data = []
    for A, cnt in gm.make_graphs(n_train + n_test, 10, 20, rng):
        k4 = sum(1 for c in nx.enumerate_all_cliques(nx.from_numpy_array(A)) if len(c) == 4)
        data.append((A, np.array(list(cnt) + [k4], dtype=np.float32)))
    t_data = time.perf_counter() - t0
    names = ("triangles", "4-cycles", "tailed triangles", "4-cliques")
    proto = PPGNPlusPlus(1, hidden, 4, num_blocks=3, poly_degree=6, feature_scaling="none")
    t0 = time.perf_counter()
    with torch.no_grad():
        raw = [proto.polynomial_features(torch.as_tensor(A, dtype=torch.float32)[None, None])[0]
               for A, _ in data]
    t_feat = time.perf_counter() - t0
    scaled = {"log": [torch.sign(f) * torch.log1p(f.abs()) for f in raw],
              "paper": [normalize_polynomial_features(f[None])[0] for f in raw]}
    print(f"\n== end to end ({mode} mode): counting {', '.join(names)}; {n_train} train / {n_test} "
          f"test random graphs, 10-20 nodes (bench_graph_models generator, {t_data:.1f}s incl. "
          f"exact counts)")
    print(f"   PPGN++ features: {len(proto.polynomials)} edge-valued polynomials of degree 5-6 PPGN "
          f"cannot compute, precomputed per graph in {t_feat:.1f}s, then scaled: 'log' = "
          f"sign(f) log(1 + |f|) entrywise (the default), 'paper' = Puny et al.'s normalisation "
          f"(unit feature vector per entry, then unit Frobenius norm per feature and graph); "
          f"{epochs} epochs, hidden {hidden}, 3 blocks, Adam 2e-3, MSE on standardised targets")
    train = data[:n_train]
    ys = torch.as_tensor(np.array([y for _, y in train]))
    mu, sd = ys.mean(0), ys.std(0).clamp_min(1e-6)

    def batches(idx, feats):
        for st in range(0, len(idx), bs):
            part = [idx[i] for i in range(st, min(st + bs, len(idx)))]
            n = max(data[i][0].shape[0] for i in part)
            x = torch.zeros(len(part), 1, n, n)
            f = torch.zeros(len(part), len(proto.polynomials), n, n)
            mask = torch.zeros(len(part), n, dtype=torch.bool)
            for b, i in enumerate(part):
                m = data[i][0].shape[0]
                x[b, 0, :m, :m] = torch.as_tensor(data[i][0])
                if feats is not None:
                    f[b, :, :m, :m] = feats[i]
                mask[b, :m] = True
            yield x, f, mask, torch.as_tensor(np.array([data[i][1] for i in part]))

    # (builder, scaled features or None)
    builders = {"PPGN": (lambda: PPGN(1, hidden, 4, num_blocks=3), None),
                "PPGN++ without polynomials": (
                    lambda: PPGNPlusPlus(1, hidden, 4, num_blocks=3, poly_degree=0), None),
                "PPGN++ deg <= 6, 'paper' scaling": (
                    lambda: PPGNPlusPlus(1, hidden, 4, num_blocks=3, poly_degree=6,
                                         feature_scaling="paper"), scaled["paper"]),
                "PPGN++ deg <= 6, 'log' scaling": (
                    lambda: PPGNPlusPlus(1, hidden, 4, num_blocks=3, poly_degree=6,
                                         feature_scaling="log"), scaled["log"])}
    if mode == "medium":  # the ablation without polynomials only in the quick and full modes
        del builders["PPGN++ without polynomials"]
    mae = {k: [] for k in builders}
    ep_t = {k: [] for k in builders}
    for seed in range(seeds):
        for name, (build, feats) in builders.items():
            torch.manual_seed(seed)
            model = build()
            opt = torch.optim.Adam(model.parameters(), lr=2e-3)
            for ep in range(epochs):
                order = np.random.default_rng(1000 * seed + ep).permutation(n_train).tolist()
                t0 = time.perf_counter()
                for x, f, mask, y in batches(order, feats):
                    opt.zero_grad()
                    out = model(x, mask) if feats is None else model(x, mask, features=f)
                    ((out - (y - mu) / sd) ** 2).mean().backward()
                    opt.step()
                ep_t[name].append(time.perf_counter() - t0)
            preds, yt = [], []
            with torch.no_grad():
                for x, f, mask, y in batches(list(range(n_train, n_train + n_test)), feats):
                    out = model(x, mask) if feats is None else model(x, mask, features=f)
                    preds.append(out * sd + mu)
                    yt.append(y)
            P, Y = torch.cat(preds), torch.cat(yt)
            mae[name].append(((P - Y).abs().mean(0) / Y.std(0).clamp_min(1e-6)).numpy())
            print(f"   (seed {seed} {name}: done)", flush=True)
    RESULTS["mae"] = (names, {k: np.array(v) for k, v in mae.items()}, seeds)
    print(f"   test MAE / std of the test targets, mean (min-max) over {seeds} seed(s):")
    print(f"   {'model':32s} " + " ".join(f"{t:>20s}" for t in names) + f" {'s/epoch':>8s}")
    for name in builders:
        M = np.array(mae[name])
        cells = [f"{M[:, j].mean():.3f} ({M[:, j].min():.3f}-{M[:, j].max():.3f})"
                 for j in range(len(names))]
        print(f"   {name:32s} " + " ".join(f"{c:>20s}" for c in cells)
              + f" {np.median(ep_t[name]):8.2f}")
    # strongly regular pair
    rook, shri = srg_pair()
    x = torch.as_tensor(np.stack([rook, shri])[:, None])
    mask = torch.ones(2, 16, dtype=torch.bool)
    print("\n== SRG(16, 6, 2, 2): 4 x 4 rook's graph vs Shrikhande graph, randomly initialised "
          "models (float64), |out(rook) - out(shrikhande)| / |out|")
    rows = {name: [] for name in builders}
    with torch.no_grad():
        for seed in range(10):
            for name, (build, _) in builders.items():
                torch.manual_seed(seed)
                out = build().double()(x, mask)
                rows[name].append(float((out[0] - out[1]).abs().max() / out.abs().max()))
    for name, r in rows.items():
        print(f"   {name:32s} min {min(r):.2e}  max {max(r):.2e}  over 10 initialisations")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short version (d <= 3, batch 8, n 16)")
    ap.add_argument("--medium", action="store_true",
                    help="sections 1-3 as --quick, end to end on 500 / 200 graphs, 30 epochs")
    ap.add_argument("--naive-budget", type=float, default=2e8)
    ap.add_argument("--seeds", type=int, default=3, help="seeds of the end-to-end comparison")
    ap.add_argument("--plot", default=str(Path(__file__).resolve().parent / "results" / "polynomials.png"),
                    help="where to draw the picture (needs matplotlib; '' for none)")
    ap.add_argument("--only", choices=("basis", "single"), default="",
                    help="section 3 only: the whole basis or the single polynomials (with the "
                         "sizes of --quick / --medium / the full run)")
    args = ap.parse_args()
    if args.only:
        quick = args.quick or args.medium
        bench_vs_einsum(4, 50, 8, 3, 30 if quick else 100, only=args.only)
        return
    print("contraction order: numpy.einsum_path ('optimal' <= 7 operands, else 'greedy')")
    if args.quick or args.medium:
        bench_enumeration(3)
        bench_evaluation(8, 16, False, 1e7, 1)
        bench_vs_einsum(4, 50, 8, 3, 30)
        bench_end_to_end("medium" if args.medium else "quick", args.seeds)
    else:
        bench_enumeration(5)
        bench_evaluation(64, 32, False, args.naive_budget, 3)
        bench_evaluation(64, 32, True, args.naive_budget, 3)
        bench_vs_einsum(4, 50, 8, 3, 100)
        bench_end_to_end("full", args.seeds)
    if args.plot:
        plot(args.plot)


if __name__ == "__main__":
    main()
