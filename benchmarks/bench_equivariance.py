"""Equivariance for any model: soft equivariance under mixed symmetries, frames, canonicalisation.

(a) Soft equivariance (Kim et al. style). A function of 5 points in R^3, exactly invariant to
    permutations of the points and approximately invariant to rotations (a rotation-breaking
    term of size eps). Three models with the same MLP body, trained on the same data:
    unconstrained (MLP), fully invariant (a DeepSet averaged over PCA frames: S_5 x SO(3)
    invariant: SO(3) frames) and soft (MLP + SoftEquivariance with one regulariser per symmetry type; its
    weights are fitted on 80% of the training set and its strengths tuned on the other 20%,
    while the two baselines fit on all of it).
    Reported: test MSE (mean and spread over 3 seeds) and the learnt level of each type next to
    the true relative violation of the target function.

(b) Point-cloud classification on synthetic shapes in a canonical pose, trained without
    augmentation; tested on the same shapes unrotated and randomly rotated. Models: a
    PointNet-style classifier alone, wrapped by PCA canonicalisation, by frame averaging (SO(3),
    4 frames) and by a learnt canonicaliser (with the prior-alignment loss). Also the cost of
    one forward pass, best of several interleaved rounds, with its spread.

    PYTHONPATH=. python benchmarks/bench_equivariance.py --quick
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import table


def _torch():
    try:
        import torch
    except ImportError:  # pragma: no cover
        print("torch is not installed: this benchmark needs the 'torch' extra")
        sys.exit(0)
    torch.set_num_threads(1)
    return torch


# ----------------------------------------------------------------------------- (a) soft
N_POINTS = 5


def target(x, eps):
    """Exactly S_N x O(3)-invariant part + eps * a rotation-breaking (S_N-invariant) part."""
    torch = _torch()
    r2 = (x * x).sum(-1)                                   # (B, N)
    gram = x @ x.transpose(1, 2)                           # (B, N, N)
    inv = torch.tanh(r2).mean(-1) + 0.5 * (gram.sum((1, 2)) / N_POINTS**2) \
        - 0.3 * torch.sin(gram).mean((1, 2))
    brk = (x[..., 2] + 0.5 * x[..., 0] * x[..., 1]).mean(-1)
    return inv + eps * brk


def _mlp(torch, d_in, width, d_out):
    return torch.nn.Sequential(torch.nn.Flatten(-2), torch.nn.Linear(d_in, width),
                               torch.nn.SiLU(), torch.nn.Linear(width, width), torch.nn.SiLU(),
                               torch.nn.Linear(width, d_out))


def _deepset(torch, width):
    class _DS(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.phi = torch.nn.Sequential(torch.nn.Linear(3, width), torch.nn.SiLU(),
                                           torch.nn.Linear(width, width), torch.nn.SiLU())
            self.rho = torch.nn.Sequential(torch.nn.Linear(width, width), torch.nn.SiLU(),
                                           torch.nn.Linear(width, 1))

        def forward(self, x):
            return self.rho(self.phi(x).mean(-2))

    return _DS()


def run_soft(quick: bool) -> None:
    torch = _torch()
    import reptheory as rt
    from reptheory.testing import TrivialGroup
    from reptheory.torch import FrameAveraging, SoftEquivariance, equivariance_loss

    n_train, n_test = (256, 1000) if quick else (512, 5000)
    steps = 800 if quick else 3000
    width = 64
    eps_values = (0.3, 0.6)
    seeds = (0, 1, 2)
    perm = ((rt.S(N_POINTS), TrivialGroup(3)), (1, 1), (0, 0))
    rot = (rt.SO(3), 1, 0)
    rows, level_rows = [], []
    t_start = time.perf_counter()
    for eps in eps_values:
        results: dict[str, list[float]] = {"unconstrained MLP": [], "invariant (FA DeepSet)": [],
                                           "soft (MLP + SoftEquivariance)": []}
        levels: dict[str, list[float]] = {"perm": [], "rot": []}
        strengths: dict[str, list[float]] = {"perm": [], "rot": []}
        # the true relative violation of the target (what the levels should recover)
        gtest = torch.Generator().manual_seed(1000)
        xt = torch.randn(n_test, N_POINTS, 3, generator=gtest, dtype=torch.float64)
        f_true = lambda z, e=eps: target(z, e).unsqueeze(-1)
        true_rot = float(np.sqrt(np.mean([float(equivariance_loss(f_true, *rot, xt, n_samples=1,
                                                                  rng=s)) for s in range(20)])))
        true_perm = float(np.sqrt(float(equivariance_loss(f_true, *perm, xt, n_samples=4, rng=0))))
        xt32, yt = xt.float(), target(xt, eps).float()
        for seed in seeds:
            g = torch.Generator().manual_seed(seed)
            x = torch.randn(n_train, N_POINTS, 3, generator=g)
            y = target(x.double(), eps).float()
            n_fit = int(0.8 * n_train)     # soft: weights on 80%, strengths tuned on 20%
            for name in results:
                torch.manual_seed(seed)
                if name.startswith("invariant"):
                    model = FrameAveraging(_deepset(torch, width), rt.SO(3))
                else:
                    model = _mlp(torch, 3 * N_POINTS, width, 1)
                soft = SoftEquivariance({"perm": perm, "rot": rot}, n_samples=1, rng=seed) \
                    if name.startswith("soft") else None
                opt = torch.optim.Adam(model.parameters(), lr=3e-3)
                sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
                for _ in range(steps):
                    opt.zero_grad()
                    if soft is None:
                        loss = ((model(x).squeeze(-1) - y) ** 2).mean()
                    else:
                        fx = model(x[:n_fit])
                        data = ((fx.squeeze(-1) - y[:n_fit]) ** 2).mean()
                        val = ((model(x[n_fit:]).squeeze(-1) - y[n_fit:]) ** 2).mean()
                        loss = soft(model, x[:n_fit], data, val_loss=val, fx=fx)
                    loss.backward()
                    opt.step()
                    sched.step()
                with torch.no_grad():
                    results[name].append(float(((model(xt32).squeeze(-1) - yt) ** 2).mean()))
                if soft:
                    for key in levels:
                        levels[key].append(soft.levels()[key])
                        strengths[key].append(soft.strengths()[key])
        best = min(results, key=lambda k: np.mean(results[k]))
        for name, errs in results.items():
            rows.append([eps, name, float(np.mean(errs)), float(np.std(errs)),
                         " ".join(f"{e:.3g}" for e in errs), "yes" if name == best else ""])
        ranked = all(p < r for p, r in zip(levels["perm"], levels["rot"]))
        for key, label, true in (("perm", "perm (S_5)", true_perm), ("rot", "rot (SO(3))", true_rot)):
            level_rows.append([eps, label, true, float(np.mean(levels[key])),
                               " ".join(f"{v:.3g}" for v in levels[key]),
                               float(np.exp(np.mean(np.log(strengths[key])))),
                               ("yes" if ranked else "NO") if key == "rot" else ""])
    print("(a) soft equivariance under mixed symmetries: 5 points in R^3, target exactly "
          "S_5-invariant,")
    print(f"    rotation-breaking term of size eps; {n_train} training samples, {steps} full-batch "
          f"Adam steps, test MSE on {n_test} samples, seeds {seeds}")
    print()
    print(table(rows, ["eps", "model", "test MSE mean", "std", "per seed", "lowest"]))
    print()
    print("learnt level per symmetry type next to the true violation of the target")
    print(table(level_rows, ["eps", "type", "true level", "learnt (mean)", "per seed",
                             "strength (geo. mean)", "ranked right (all seeds)"]))
    print("(levels: relative RMS equivariance violation of the trained soft model; true level: "
          "the same for the target function)")
    print(f"\n(a) took {time.perf_counter() - t_start:.0f} s")


# ----------------------------------------------------------------------------- (b) shapes
N_CLOUD = 64
CLASSES = ("box", "ellipsoid", "elliptic cylinder", "elliptic cone")


def make_shapes(n_per_class: int, seed: int):
    """Point clouds on 4 surfaces in a canonical pose, random size jitter and noise."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for label in range(len(CLASSES)):
        for _ in range(n_per_class):
            s = np.array([3.0, 2.0, 1.0]) * rng.uniform(0.85, 1.15, 3)
            if label == 0:    # box surface: pick a face, uniform on it
                p = rng.uniform(-1, 1, (N_CLOUD, 3))
                ax = rng.integers(0, 3, N_CLOUD)
                p[np.arange(N_CLOUD), ax] = rng.choice([-1.0, 1.0], N_CLOUD)
                pts = p * s / 2
            elif label == 1:  # ellipsoid surface
                v = rng.standard_normal((N_CLOUD, 3))
                pts = v / np.linalg.norm(v, axis=1, keepdims=True) * s / 2
            elif label == 2:  # elliptic cylinder along x
                t = rng.uniform(0, 2 * np.pi, N_CLOUD)
                pts = np.stack([rng.uniform(-1, 1, N_CLOUD) * s[0] / 2, np.cos(t) * s[1] / 2,
                                np.sin(t) * s[2] / 2], 1)
            else:             # elliptic cone along x (apex at +x)
                t = rng.uniform(0, 2 * np.pi, N_CLOUD)
                h = np.sqrt(rng.uniform(0, 1, N_CLOUD))
                pts = np.stack([(0.5 - h) * s[0], h * np.cos(t) * s[1] / 2,
                                h * np.sin(t) * s[2] / 2], 1)
            xs.append(pts + 0.02 * rng.standard_normal(pts.shape))
            ys.append(label)
    return np.array(xs, dtype=np.float32), np.array(ys)


def _pointnet(torch, width=64):
    class PointNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.phi = torch.nn.Sequential(torch.nn.Linear(3, width), torch.nn.ReLU(),
                                           torch.nn.Linear(width, width), torch.nn.ReLU())
            self.rho = torch.nn.Sequential(torch.nn.Linear(width, width), torch.nn.ReLU(),
                                           torch.nn.Linear(width, len(CLASSES)))

        def forward(self, x):
            x = x - x.mean(dim=1, keepdim=True)
            return self.rho(self.phi(x).max(dim=1).values)

    return PointNet()


def run_shapes(quick: bool) -> None:
    torch = _torch()
    import reptheory as rt
    from reptheory.torch import (
        Canonicalization,
        FrameAveraging,
        LearnedCanonicalizer,
        PCACanonicalizer,
    )

    n_train, n_test = (100, 100) if quick else (300, 300)
    epochs = 25 if quick else 60
    seeds = (0,) if quick else (0, 1, 2)
    t_start = time.perf_counter()
    G = rt.SO(3)
    builders = {
        "plain PointNet": lambda: _pointnet(torch),
        "PCA canonicalisation": lambda: Canonicalization(
            _pointnet(torch), PCACanonicalizer(G, degenerate="ignore")),
        "frame averaging (4 frames)": lambda: FrameAveraging(_pointnet(torch), G,
                                                             degenerate="ignore"),
        "learnt canonicaliser + prior": lambda: Canonicalization(
            _pointnet(torch), LearnedCanonicalizer(G, hidden=16)),
    }
    acc: dict[str, list[tuple[float, float]]] = {k: [] for k in builders}
    models = {}
    for seed in seeds:
        xtr, ytr = make_shapes(n_train, seed)
        xte, yte = make_shapes(n_test, 100 + seed)
        rng = np.random.default_rng(200 + seed)
        R = np.stack([G.random_element(rng) for _ in range(len(xte))]).astype(np.float32)
        xrot = np.einsum("bij,bnj->bni", R, xte)
        Xtr, Ytr = torch.as_tensor(xtr), torch.as_tensor(ytr)
        Xte, Xrot, Yte = torch.as_tensor(xte), torch.as_tensor(xrot), torch.as_tensor(yte)
        for name, build in builders.items():
            torch.manual_seed(seed)
            model = build()
            opt = torch.optim.Adam(model.parameters(), lr=2e-3)
            gen = torch.Generator().manual_seed(seed)
            for _ in range(epochs):
                order = torch.randperm(len(Xtr), generator=gen)
                for i in range(0, len(Xtr), 64):
                    idx = order[i:i + 64]
                    opt.zero_grad()
                    loss = torch.nn.functional.cross_entropy(model(Xtr[idx]), Ytr[idx])
                    if name.startswith("learnt"):
                        loss = loss + 0.5 * model.prior_loss(Xtr[idx])
                    loss.backward()
                    opt.step()
            with torch.no_grad():
                a0 = float((model(Xte).argmax(1) == Yte).float().mean())
                a1 = float((model(Xrot).argmax(1) == Yte).float().mean())
            acc[name].append((a0, a1))
            models[name] = model
    # cost per forward: interleaved rounds, best and spread
    xb = torch.as_tensor(make_shapes(64, 7)[0])
    times: dict[str, list[float]] = {k: [] for k in models}
    with torch.no_grad():
        for _ in range(7 if quick else 15):
            for name, model in models.items():
                t = time.perf_counter()
                model(xb)
                times[name].append(time.perf_counter() - t)
    base = min(times["plain PointNet"])
    rows = []
    for name in builders:
        a0 = 100 * np.mean([a for a, _ in acc[name]])
        a1 = 100 * np.mean([b for _, b in acc[name]])
        best = min(times[name])
        spread = (np.median(times[name]) - best) / best
        rows.append([name, a0, a1, a0 - a1, 1e3 * best, f"{100 * spread:.0f}%", best / base])
    print(f"(b) point-cloud classification: {len(CLASSES)} synthetic shapes ({', '.join(CLASSES)}),"
          f" {N_CLOUD} points,")
    print(f"    {n_train}/class training clouds in the canonical pose (no augmentation), {epochs} "
          f"epochs, {n_test}/class test clouds; seeds {seeds}")
    print(f"    forward cost: batch of {len(xb)} clouds, best of interleaved rounds; spread = "
          "(median - best) / best")
    print()
    print(table(rows, ["model", "acc % upright", "acc % rotated", "drop (points)",
                       "forward ms", "spread", "cost vs plain"]))
    print(f"\n(b) took {time.perf_counter() - t_start:.0f} s")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (a few minutes)")
    ap.add_argument("--only", choices=("soft", "shapes"), help="run one part")
    args = ap.parse_args(argv)
    _torch()
    if args.only in (None, "soft"):
        run_soft(args.quick)
        print()
    if args.only in (None, "shapes"):
        run_shapes(args.quick)


if __name__ == "__main__":
    main()
