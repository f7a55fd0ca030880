"""A small equivariant interatomic potential trained on energies and forces, reptheory vs e3nn.

Data: random Cu clusters (8-16 atoms cut from a perturbed fcc lattice) labelled with ASE's EMT
calculator (generated here; nothing is downloaded).  Model (the same architecture twice):

* node features: C channels of every degree 0..L (first layer: a learned scalar embedding);
* message along each edge: the source features, each (degree, channel) scaled by a radial MLP
  of the edge length (Bessel basis, smooth cutoff), then an SO(3)-equivariant bilinear map
  with the edge direction, summed at the target;
  - reptheory: :class:`reptheory.torch.ESCNGraphConv` (rotate to the edge frame with the torch
    Wigner matrices, computed once per forward and shared by the layers, SO(2) linear map,
    rotate back);
  - e3nn: the equivalent CG convolution, ``o3.TensorProduct(x, Y(edge), "uvw")`` with the
    spherical harmonics of degrees 0..2L (same function class, same number of weights);
* self-interaction (a per-degree channel mixing), gated nonlinearity (SiLU on scalars,
  ``x_l * sigmoid(x_0)`` on the other degrees), energy = sum of an MLP of the scalars of each
  atom, forces = -dE/dpositions by autograd (training differentiates through them).

Loss: ``30 * MSE(energy per atom) + MSE(force components)`` (eV, A), Adam (``foreach=True``,
both models) with a cosine schedule.  Reported: energy MAE (meV/atom) and force MAE (meV/A) on held-out clusters, and time
per training step (forward, forces, backward, optimizer), for three seeds.  The two models are
trained side by side: each step runs both on the same batch, one right after the other (order
alternating), so both see the same machine load; reported are the median and quartiles of
the step times and of the per-step time ratio.

    python benchmarks/bench_potential.py --quick
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import numpy as np

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from _common import table


# ----------------------------------------------------------------------------- data
def make_data(n_configs: int, seed: int, min_atoms: int = 8, max_atoms: int = 16):
    from ase import Atoms
    from ase.build import bulk
    from ase.calculators.emt import EMT

    rng = np.random.default_rng(seed)
    base = bulk("Cu", "fcc", a=3.61, cubic=True).repeat((3, 3, 3)).get_positions()
    base = base - base.mean(0)
    data = []
    for _ in range(n_configs):
        n = int(rng.integers(min_atoms, max_atoms + 1))
        centre = rng.normal(size=3)
        idx = np.argsort(np.linalg.norm(base - centre, axis=1))[:n]
        pos = base[idx] + rng.normal(scale=0.12, size=(n, 3))
        atoms = Atoms("Cu" * n, positions=pos)
        atoms.calc = EMT()
        data.append((pos, atoms.get_potential_energy(), atoms.get_forces()))
    return data


def batch_graph(torch, configs, cutoff, dtype):
    pos, ei, batch, E, F, off = [], [], [], [], [], 0
    for g, (p, e, f) in enumerate(configs):
        n = len(p)
        d = np.linalg.norm(p[:, None] - p[None], axis=-1)
        src, dst = np.nonzero((d < cutoff) & ~np.eye(n, dtype=bool))
        ei.append(np.stack([src, dst]) + off)
        pos.append(p)
        batch.append(np.full(n, g))
        E.append(e)
        F.append(f)
        off += n
    return {
        "pos": torch.tensor(np.concatenate(pos), dtype=dtype),
        "edge_index": torch.tensor(np.concatenate(ei, 1)),
        "batch": torch.tensor(np.concatenate(batch)),
        "n_graphs": len(configs),
        "n_atoms": torch.tensor([len(c[0]) for c in configs], dtype=dtype),
        "energy": torch.tensor(E, dtype=dtype),
        "forces": torch.tensor(np.concatenate(F), dtype=dtype),
    }


# ----------------------------------------------------------------------------- models
def build_models(torch, L, C, layers, cutoff, avg_neighbors):
    from torch import nn

    from reptheory.torch import ESCNGraphConv, RadialBasis, edge_to_pole_rotation, wigner_D_all

    def gate(h):  # h (N, C, d): SiLU on scalars, x_l * sigmoid(x_0) on degrees >= 1
        s = h[:, :, :1]
        return torch.cat([nn.functional.silu(s), h[:, :, 1:] * torch.sigmoid(s)], 2)

    class Ours(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Parameter(torch.randn(C))
            self.convs = nn.ModuleList(
                ESCNGraphConv(0 if i == 0 else L, L, C, C, cutoff=cutoff, avg_neighbors=avg_neighbors)
                for i in range(layers)
            )
            self.self_w = nn.ParameterList(
                nn.Parameter(torch.randn(1 if i == 0 else L + 1, C, C) / math.sqrt(C))
                for i in range(layers)
            )
            self.readout = nn.Sequential(nn.Linear(C, C), nn.SiLU(), nn.Linear(C, 1))
            self.register_buffer("deg", torch.repeat_interleave(
                torch.arange(L + 1), 2 * torch.arange(L + 1) + 1))

        def forward(self, pos, edge_index, batch, n_graphs):
            ev = pos[edge_index[0]] - pos[edge_index[1]]
            wig = wigner_D_all(L, edge_to_pole_rotation(ev), check=False)  # shared by the layers
            h = self.embed[None, :, None].expand(pos.shape[0], C, 1)
            for conv, W in zip(self.convs, self.self_w):
                m = conv(h, edge_index, ev, wigner=wig)
                s = torch.einsum("lcd,nck->ndk", W, h) if W.shape[0] == 1 else \
                    torch.einsum("kcd,nck->ndk", W[self.deg], h)
                if s.shape[2] < m.shape[2]:
                    s = torch.cat([s, s.new_zeros(s.shape[:2] + (m.shape[2] - s.shape[2],))], 2)
                h = gate(m + s)
            e = self.readout(h[:, :, 0])[:, 0]
            return e.new_zeros(n_graphs).index_add(0, batch, e)

    class E3nn(nn.Module):
        def __init__(self):
            super().__init__()
            from e3nn import o3

            self.o3 = o3
            self.embed = nn.Parameter(torch.randn(C))
            self.sh_l = list(range(2 * L + 1))
            irr_sh = o3.Irreps("+".join(f"1x{l}e" for l in self.sh_l))
            irr_h = o3.Irreps("+".join(f"{C}x{l}e" for l in range(L + 1)))
            irr_0 = o3.Irreps(f"{C}x0e")
            self.tps, self.lins, self.mlps = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
            self.radial = RadialBasis(8, cutoff)
            for i in range(layers):
                irr_in = irr_0 if i == 0 else irr_h
                ins = [(a, b, c, "uvw", True)
                       for a, (_, ia) in enumerate(irr_in) for b, (_, ib) in enumerate(irr_sh)
                       for c, (_, ic) in enumerate(irr_h) if abs(ia.l - ib.l) <= ic.l <= ia.l + ib.l]
                self.tps.append(o3.TensorProduct(irr_in, irr_sh, irr_h, ins))
                self.lins.append(o3.Linear(irr_in, irr_h))
                lin_in = 1 if i == 0 else L + 1
                self.mlps.append(nn.Sequential(nn.Linear(8, 16), nn.SiLU(), nn.Linear(16, lin_in * C)))
            self.readout = nn.Sequential(nn.Linear(C, C), nn.SiLU(), nn.Linear(C, 1))

        def _scale(self, x, w, Lin):  # x in e3nn layout (E, sum C (2l+1)), w (E, Lin+1, C)
            parts, off = [], 0
            for l in range(Lin + 1):
                d = 2 * l + 1
                parts.append((x[:, off : off + C * d].view(-1, C, d) * w[:, l, :, None]).reshape(-1, C * d))
                off += C * d
            return torch.cat(parts, 1)

        def _gate(self, h):
            s = h[:, :C]
            parts, off = [nn.functional.silu(s)], C
            for l in range(1, L + 1):
                d = 2 * l + 1
                parts.append((h[:, off : off + C * d].view(-1, C, d) * torch.sigmoid(s)[:, :, None]).reshape(-1, C * d))
                off += C * d
            return torch.cat(parts, 1)

        def forward(self, pos, edge_index, batch, n_graphs):
            ev = pos[edge_index[0]] - pos[edge_index[1]]
            Y = self.o3.spherical_harmonics(self.sh_l, ev, normalize=True, normalization="component")
            rb = self.radial(ev.norm(dim=1))
            h = self.embed[None].expand(pos.shape[0], C)
            for i, (tp, lin, mlp) in enumerate(zip(self.tps, self.lins, self.mlps)):
                Lin = 0 if i == 0 else L
                w = mlp(rb).view(-1, Lin + 1, C)
                x = self._scale(h[edge_index[0]], w, Lin)
                m = tp(x, Y)
                m = m.new_zeros(h.shape[0], m.shape[1]).index_add(0, edge_index[1], m) / avg_neighbors
                h = self._gate(m + lin(h))
            e = self.readout(h[:, :C])[:, 0]
            return e.new_zeros(n_graphs).index_add(0, batch, e)

    return Ours, E3nn


# ----------------------------------------------------------------------------- training
def energy_forces(torch, model, g, create_graph):
    pos = g["pos"].clone().requires_grad_(True)
    E = model(pos, g["edge_index"], g["batch"], g["n_graphs"])
    (dE,) = torch.autograd.grad(E.sum(), pos, create_graph=create_graph)
    return E, -dE


def train_interleaved(torch, models, seed, train, test, steps, lr, e_ref):
    """Train the models side by side on the same batches, timing their steps interleaved.

    Every step runs once for each model on the same batch, in alternating order (so neither
    model always runs right after the other), and each step's wall time (forward, forces with
    ``create_graph=True``, backward, optimizer) is recorded.  Returns, per model, the energy
    and force MAE on the test clusters and the list of step times.
    """
    state = {}
    for name, Model in models:
        torch.manual_seed(seed)
        model = Model()
        opt = torch.optim.Adam(model.parameters(), lr=lr, foreach=True)  # one update for all tensors
        state[name] = (model, opt, torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps), [])
    names = list(state)
    for step in range(steps):
        g = train[step % len(train)]
        for name in names if step % 2 == 0 else names[::-1]:
            model, opt, sched, times = state[name]
            t = time.perf_counter()
            E, F = energy_forces(torch, model, g, create_graph=True)
            le = (((E + e_ref * g["n_atoms"] - g["energy"]) / g["n_atoms"]) ** 2).mean()
            lf = ((F - g["forces"]) ** 2).mean()
            loss = 30.0 * le + lf  # eV^2 per atom and (eV/A)^2: weight energies up
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            times.append(time.perf_counter() - t)
    out = {}
    for name, (model, _opt, _sched, times) in state.items():
        e_err, f_err, n_at, n_f = 0.0, 0.0, 0, 0
        for g in test:
            E, F = energy_forces(torch, model, g, create_graph=False)
            e_err += float(((E.detach() + e_ref * g["n_atoms"] - g["energy"]) / g["n_atoms"]).abs().sum())
            n_at += g["n_graphs"]
            f_err += float((F.detach() - g["forces"]).abs().sum())
            n_f += F.numel()
        out[name] = (1000 * e_err / n_at, 1000 * f_err / n_f, np.array(times))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (a few minutes on 2 cores)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=None, help="training steps (default 300 quick, 1000)")
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    quick = args.quick
    L, C, layers, cutoff = 2, 8, 2, 4.0
    n_train, n_test, bs = (48, 16, 4) if quick else (160, 40, 4)
    steps = args.steps or (300 if quick else 1000)
    seeds = tuple(range(args.seeds))
    lr = 1e-2
    print(f"python {sys.version.split()[0]}; torch {torch.__version__}; threads = {args.threads}")
    t0 = time.perf_counter()
    data = make_data(n_train + n_test, seed=123)
    dtype = torch.float32
    train = [batch_graph(torch, data[i : i + bs], cutoff, dtype) for i in range(0, n_train, bs)]
    test = [batch_graph(torch, data[n_train + i : n_train + i + bs], cutoff, dtype)
            for i in range(0, n_test, bs)]
    avg_nb = float(np.mean([g["edge_index"].shape[1] / g["pos"].shape[0] for g in train]))
    e_ref = float(np.mean([d[1] / len(d[0]) for d in data[:n_train]]))
    spread_e = float(np.mean([abs(d[1] / len(d[0]) - e_ref) for d in data[n_train:]])) * 1000
    print(f"data: {n_train} + {n_test} Cu clusters (8-16 atoms, EMT), {time.perf_counter() - t0:.1f} s; "
          f"avg neighbours {avg_nb:.1f}; batch {bs} clusters; L = {L}, C = {C}, {layers} layers, "
          f"cutoff {cutoff} A; {steps} Adam steps, float32")
    print(f"baseline (predict the mean energy per atom, zero forces): energy MAE {spread_e:.1f} "
          f"meV/atom, force MAE "
          f"{1000 * float(np.mean([np.abs(d[2]).mean() for d in data[n_train:]])):.1f} meV/A")
    Ours, E3 = build_models(torch, L, C, layers, cutoff, avg_nb)
    try:
        import e3nn  # noqa: F401

        models = [("reptheory eSCN", Ours), ("e3nn CG conv", E3)]
    except ImportError as exc:
        print(f"e3nn skipped: {exc}")
        models = [("reptheory eSCN", Ours)]
    rows, res, ratios = [], {}, []
    skip = 3  # the first steps include one-time set-up
    for seed in seeds:
        out = train_interleaved(torch, models, seed, train, test, steps, lr, e_ref)
        for name, M in models:
            e, f, t = out[name]
            res.setdefault(name, []).append((e, f, t[skip:]))
            n_par = sum(p.numel() for p in M().parameters())
            q25, q50, q75 = np.percentile(1000 * t[skip:], [25, 50, 75])
            rows.append([name, seed, n_par, e, f, q50, f"{q25:.1f}-{q75:.1f}"])
        if len(models) == 2:  # per step: our time over e3nn's on the same batch, same moment
            ratios.append(out[models[0][0]][2][skip:] / out[models[1][0]][2][skip:])
    print()
    print(table(rows, ["model", "seed", "params", "E MAE meV/atom", "F MAE meV/A",
                       "median ms/step", "ms/step q25-q75"]))
    print()
    summary = []
    base = models[0][0]
    base_t = float(np.median(np.concatenate([r[2] for r in res[base]])))
    for name, rs in res.items():
        a = np.array([r[:2] for r in rs])
        t = float(np.median(np.concatenate([r[2] for r in rs])))
        summary.append([name, f"{a[:, 0].mean():.1f} +- {a[:, 0].std():.1f}",
                        f"{a[:, 1].mean():.1f} +- {a[:, 1].std():.1f}", 1000 * t, t / base_t])
    print(table(summary, ["model (mean +- std over seeds)", "E MAE meV/atom", "F MAE meV/A",
                          "median ms/step", "x time vs reptheory"]))
    if ratios:
        per_seed = [float(np.median(r)) for r in ratios]
        allr = np.concatenate(ratios)
        q25, q50, q75 = np.percentile(allr, [25, 50, 75])
        print(f"\nstep time {base} / {models[1][0]}, per step on the same batch (steps interleaved, "
              f"{allr.size} pairs): median {q50:.2f} (q25-q75 {q25:.2f}-{q75:.2f}); per-seed medians "
              + ", ".join(f"{r:.2f}" for r in per_seed))
        f_ours = np.array([r[1] for r in res[base]])
        f_e3 = np.array([r[1] for r in res[models[1][0]]])
        print(f"force MAE {base} {f_ours.mean():.1f} against {f_e3.mean():.1f} "
              f"(seed spread, min-max: {f_ours.min():.1f}-{f_ours.max():.1f} and "
              f"{f_e3.min():.1f}-{f_e3.max():.1f})")


if __name__ == "__main__":
    main()
