"""End to end: substructure counting with reptheory's 2-IGN and PPGN against hand-written ones.

Run:  python benchmarks/bench_graph_models.py [--quick] [--threads N] [--seeds 3] [--plot PATH]

Data: random graphs, Erdős–Rényi (p uniform in [0.1, 0.4]) and random regular (degree 3-6,
networkx), 10-20 nodes for training and testing, and a second test set of 40-node graphs.
Targets per graph, exact: triangles (networkx), 4-cycles and tailed triangles (brute force
over node pairs / triangles, checked against trace formulas of powers of A).

Models, trained on the same data with the same seeds and optimiser (Adam, MSE on standardised
targets, padded masked batches): reptheory's ``IGN2`` and ``PPGN`` (reptheory.models) and the
same architectures written by hand below in plain torch (the 2-IGN layer as Maron et al.'s 15
operations stacked and mixed by one einsum, sums over nodes taken as means over the real
nodes in both; PPGN with the same blocks). Reported: test MAE
divided by the test targets' standard deviation (mean and spread over seeds), the same on the
40-node graphs, and time per training epoch (epochs of the four models interleaved, median
over epochs, ratio reptheory / hand-written measured in the same run).

A second table times single layers (forward + backward): the size-free 2->2 layer against the
hand-written 15-operation layer, and the mixed layer "8x0+16x1+16x2" -> same against its
largest block 2->2 alone. With matplotlib installed it draws the MAE and epoch-time bars to
``benchmarks/results/graph_models.png`` (``--plot ''`` to skip).
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small data, few epochs")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--hidden", type=int, default=16)
    p.add_argument("--plot", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "results", "graph_models.png"),
                   help="where to draw the picture (needs matplotlib; '' for none)")
    return p.parse_args()


ARGS = _parse()
if ARGS.threads > 0:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from _common import best_time, table

try:
    import torch
    from torch import nn
except ImportError:  # pragma: no cover
    print("torch is not installed: pip install 'reptheory[torch]'")
    sys.exit(0)
try:
    import networkx as nx
except ImportError:  # pragma: no cover
    print("networkx is not installed: pip install networkx (the targets need it)")
    sys.exit(0)

import reptheory as rt
from reptheory.models import IGN2, PPGN
from reptheory.torch import EquivariantLinear

if ARGS.threads > 0:
    torch.set_num_threads(ARGS.threads)
TARGETS = ("triangles", "4-cycles", "tailed triangles")


# -- data ------------------------------------------------------------------------------------
def counts(G) -> tuple[int, int, int]:
    """(triangles, 4-cycles, tailed triangles) of a simple graph, exactly."""
    A = nx.to_numpy_array(G, dtype=np.int64)
    deg = A.sum(1)
    tri_v = np.array([nx.triangles(G, v) for v in G.nodes()])
    tri = int(tri_v.sum() // 3)
    common = A @ A                                    # common neighbours of every pair
    iu = np.triu_indices(len(A), 1)
    c = common[iu]
    c4 = int((c * (c - 1) // 2).sum() // 2)           # each 4-cycle has two diagonals
    tailed = int((tri_v * (deg - 2)).sum())           # a triangle at v, plus an edge at v
    # independent checks: closed walks
    A3, A4 = np.linalg.matrix_power(A, 3), np.linalg.matrix_power(A, 4)
    assert np.trace(A3) == 6 * tri
    m = deg.sum() // 2
    assert np.trace(A4) == 8 * c4 + 2 * m + 2 * int((deg * (deg - 1)).sum())
    assert tailed == sum(int(deg[v] - 2) for T in _triangles(G) for v in T)
    return tri, c4, tailed


def _triangles(G):
    for u, v in G.edges():
        for w in set(G[u]) & set(G[v]):
            if w > max(u, v):
                yield (u, v, w)


def make_graphs(num: int, n_lo: int, n_hi: int, rng) -> list:
    graphs = []
    while len(graphs) < num:
        n = int(rng.integers(n_lo, n_hi + 1))
        if rng.random() < 0.5:
            G = nx.gnp_random_graph(n, float(rng.uniform(0.1, 0.4)), seed=int(rng.integers(2**31)))
        else:
            d = int(rng.integers(3, 7))
            if (n * d) % 2:
                d -= 1
            G = nx.random_regular_graph(d, n, seed=int(rng.integers(2**31)))
        graphs.append((nx.to_numpy_array(G, dtype=np.float32), counts(G)))
    return graphs


def batches(data, batch_size: int, rng=None):
    """Padded (x, mask, y) batches; shuffled when rng is given."""
    idx = np.arange(len(data)) if rng is None else rng.permutation(len(data))
    for s in range(0, len(idx), batch_size):
        part = [data[i] for i in idx[s:s + batch_size]]
        n = max(a.shape[0] for a, _ in part)
        x = torch.zeros(len(part), 1, n, n)
        mask = torch.zeros(len(part), n, dtype=torch.bool)
        for b, (a, _) in enumerate(part):
            m = a.shape[0]
            x[b, 0, :m, :m] = torch.as_tensor(a)
            mask[b, :m] = True
        y = torch.as_tensor(np.array([t for _, t in part], dtype=np.float32))
        yield x, mask, y


# -- hand-written baselines (plain torch) ---------------------------------------------------------
def _std(c_in: int, n_ref: int, blocks: list[int], l: int, summed=None) -> float:
    """The same variance-preserving initial std as reptheory's layers (n_ref = 16)."""
    summed = summed or [0] * len(blocks)
    return (n_ref**l / (c_in * sum(n_ref**(b - 2 * s) for b, s in zip(blocks, summed)))) ** 0.5


class HandIGNLayer(nn.Module):
    """Maron et al.'s 2 -> 2 layer: 15 operations stacked, mixed by one einsum, masked; sums
    over nodes divided by the number of real nodes (their normalised layer)."""

    BLOCKS = (1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 4)   # blocks of each operation's diagram
    SUMMED = (0, 1, 1, 1, 2, 1, 1, 1, 1, 1, 0, 0, 0, 0, 2)   # indices each operation sums over

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(c_in, c_out, 15)
                                   * _std(c_in, 16, self.BLOCKS, 2, self.SUMMED))
        self.bias_all = nn.Parameter(torch.zeros(c_out))
        self.bias_diag = nn.Parameter(torch.zeros(c_out))

    def forward(self, x, mask):
        m2 = (mask[:, None, :, None] & mask[:, None, None, :]).to(x.dtype)
        x = x * m2
        n = x.shape[-1]
        m = mask.sum(1).to(x.dtype)[:, None]                     # real nodes (B, 1)
        diag = torch.diagonal(x, dim1=2, dim2=3)                 # (B, c, n)
        sum_diag = diag.sum(2) / m
        rows, cols = x.sum(3) / m[..., None], x.sum(2) / m[..., None]
        total = rows.sum(2) / m
        e = lambda t: t[..., None, None].expand(-1, -1, n, n)
        ops = [torch.diag_embed(diag), torch.diag_embed(sum_diag[..., None].expand(-1, -1, n)),
               torch.diag_embed(rows), torch.diag_embed(cols),
               torch.diag_embed(total[..., None].expand(-1, -1, n)),
               cols[..., None, :].expand(-1, -1, n, n), rows[..., None, :].expand(-1, -1, n, n),
               cols[..., :, None].expand(-1, -1, n, n), rows[..., :, None].expand(-1, -1, n, n),
               e(sum_diag), x, x.transpose(2, 3), diag[..., None, :].expand(-1, -1, n, n),
               diag[..., :, None].expand(-1, -1, n, n), e(total)]
        y = torch.einsum("bcsij,cos->boij", torch.stack(ops, 2), self.weight)
        eye = torch.eye(n, dtype=x.dtype)
        y = y + self.bias_all[None, :, None, None] + self.bias_diag[None, :, None, None] * eye
        return y * m2


class HandInvariant(nn.Module):
    """2 -> 0: sum of the diagonal and sum of all entries, then a linear map."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(c_in, c_out, 2) * _std(c_in, 16, [1, 2], 0))
        self.bias = nn.Parameter(torch.zeros(c_out))

    def forward(self, x, mask):
        m2 = (mask[:, None, :, None] & mask[:, None, None, :]).to(x.dtype)
        x = x * m2
        f = torch.stack([torch.diagonal(x, dim1=2, dim2=3).sum(2), x.sum((2, 3))], 2)
        return torch.einsum("bcs,cos->bo", f, self.weight) + self.bias


def _head(hidden: int, out: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, out))


class HandIGN2(nn.Module):
    def __init__(self, c_in: int, hidden: int, out: int, num_layers: int = 3) -> None:
        super().__init__()
        self.layers = nn.ModuleList(HandIGNLayer(c_in if i == 0 else hidden, hidden)
                                    for i in range(num_layers))
        self.invariant = HandInvariant(hidden, hidden)
        self.readout = _head(hidden, out)

    def forward(self, x, mask):
        for layer in self.layers:
            x = torch.relu(layer(x, mask))
        return self.readout(torch.relu(self.invariant(x, mask)))


class HandPPGN(nn.Module):
    def __init__(self, c_in: int, hidden: int, out: int, num_blocks: int = 3, depth: int = 2) -> None:
        super().__init__()

        def pmlp(a, b):
            layers = []
            for _ in range(depth):
                layers += [nn.Conv2d(a, b, 1), nn.ReLU()]
                a = b
            return nn.Sequential(*layers)

        self.blocks = nn.ModuleList()
        self.readouts = nn.ModuleList()
        c = c_in
        for _ in range(num_blocks):
            self.blocks.append(nn.ModuleList([pmlp(c, hidden), pmlp(c, hidden), pmlp(c + hidden, hidden)]))
            self.readouts.append(HandInvariant(hidden, hidden))
            c = hidden
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, out))

    def forward(self, x, mask):
        m2 = (mask[:, None, :, None] & mask[:, None, None, :]).to(x.dtype)
        x = x * m2
        out = 0
        for (m1, mm2, m3), readout in zip(self.blocks, self.readouts):
            a, b = m1(x) * m2, mm2(x) * m2
            x = m3(torch.cat([x, torch.matmul(a, b)], 1)) * m2
            out = out + readout(x, mask)
        return self.head(out)


# -- training --------------------------------------------------------------------------------
def build(name: str, seed: int, hidden: int) -> nn.Module:
    torch.manual_seed(seed)
    return {"reptheory 2-IGN": lambda: IGN2(1, hidden, 3, num_layers=3),
            "hand 2-IGN": lambda: HandIGN2(1, hidden, 3, num_layers=3),
            "reptheory PPGN": lambda: PPGN(1, hidden, 3, num_blocks=3),
            "hand PPGN": lambda: HandPPGN(1, hidden, 3, num_blocks=3)}[name]()


def evaluate(model, data, mu, sd) -> np.ndarray:
    """MAE per target / std of the targets of ``data``."""
    preds, ys = [], []
    with torch.no_grad():
        for x, mask, y in batches(data, 64):
            preds.append(model(x, mask) * sd + mu)
            ys.append(y)
    p, y = torch.cat(preds), torch.cat(ys)
    return ((p - y).abs().mean(0) / y.std(0)).numpy()


def train_all(names, seed, train, tests, epochs, hidden, batch_size=32):
    ys = torch.as_tensor(np.array([t for _, t in train], dtype=np.float32))
    mu, sd = ys.mean(0), ys.std(0)
    models = {nm: build(nm, seed, hidden) for nm in names}
    opts = {nm: torch.optim.Adam(m.parameters(), lr=2e-3) for nm, m in models.items()}
    times = {nm: [] for nm in names}
    for epoch in range(epochs):
        order = np.random.default_rng(seed * 1000 + epoch).permutation(len(names))
        for i in order:   # interleave the models, epoch by epoch
            nm = names[i]
            model, opt = models[nm], opts[nm]
            rng = np.random.default_rng(seed * 1000 + epoch)   # same batches for every model
            t0 = time.perf_counter()
            for x, mask, y in batches(train, batch_size, rng):
                opt.zero_grad()
                loss = ((model(x, mask) - (y - mu) / sd) ** 2).mean()
                loss.backward()
                opt.step()
            times[nm].append(time.perf_counter() - t0)
    res = {nm: [evaluate(models[nm], d, mu, sd) for d in tests] for nm in names}
    return res, times


def layer_timings(n: int, batch: int, repeat: int):
    torch.manual_seed(0)
    rows = []
    mask = torch.ones(batch, n, dtype=torch.bool)
    ours = EquivariantLinear(rt.S(), 2, 2, in_channels=16, out_channels=16, aggregation="mean")
    hand = HandIGNLayer(16, 16)
    mixed = EquivariantLinear(rt.S(), "8x0+16x1+16x2", "8x0+16x1+16x2", aggregation="mean")
    x = torch.randn(batch, 16, n, n)
    xs = {0: torch.randn(batch, 8), 1: torch.randn(batch, 16, n), 2: x}

    def fb(f):
        def run():
            out = f()
            s = sum(o.sum() for o in out.values()) if isinstance(out, dict) else out.sum()
            s.backward()
        return run

    cases = {"S() 2->2": fb(lambda: ours(x, mask=mask)), "hand 15-op 2->2": fb(lambda: hand(x, mask)),
             "mixed 8x0+16x1+16x2": fb(lambda: mixed(xs, mask=mask)),
             "S() 2->2 forward": lambda: ours(x, mask=mask),
             "mixed forward": lambda: mixed(xs, mask=mask)}
    best = {k: [] for k in cases}
    for _ in range(repeat):          # interleaved rounds
        for k, f in cases.items():
            f()
            best[k].append(best_time(f, 3))
    b = {k: min(v) for k, v in best.items()}
    spread = {k: max(v) / min(v) for k, v in best.items()}
    rows.append([n, batch, 1e3 * b["S() 2->2"], 1e3 * b["hand 15-op 2->2"],
                 b["S() 2->2"] / b["hand 15-op 2->2"], 1e3 * b["mixed forward"],
                 1e3 * b["S() 2->2 forward"], b["mixed forward"] / b["S() 2->2 forward"],
                 b["mixed 8x0+16x1+16x2"] / b["S() 2->2"], max(spread.values())])
    return rows


def main() -> None:
    quick = ARGS.quick
    epochs = ARGS.epochs or (12 if quick else 60)
    n_train, n_test, n_big = (256, 128, 32) if quick else (2000, 500, 200)
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    train = make_graphs(n_train, 10, 20, rng)
    test = make_graphs(n_test, 10, 20, rng)
    big = make_graphs(n_big, 40, 40, rng)
    print(f"data: {n_train} train / {n_test} test graphs (10-20 nodes, half Erdős–Rényi, half "
          f"random regular), {n_big} test graphs of 40 nodes; targets checked against trace "
          f"formulas ({time.perf_counter() - t0:.1f} s)")
    print(f"training: {epochs} epochs, Adam lr 2e-3, batch 32, hidden {ARGS.hidden}, "
          f"3 layers / blocks, {ARGS.seeds} seeds, torch threads {torch.get_num_threads()}\n")
    names = ["reptheory 2-IGN", "hand 2-IGN", "reptheory PPGN", "hand PPGN"]
    mae = {nm: [] for nm in names}
    mae_big = {nm: [] for nm in names}
    epoch_t = {nm: [] for nm in names}
    for seed in range(ARGS.seeds):
        res, times = train_all(names, seed, train, [test, big], epochs, ARGS.hidden)
        for nm in names:
            mae[nm].append(res[nm][0])
            mae_big[nm].append(res[nm][1])
            epoch_t[nm] += times[nm]
    rows = []
    for nm in names:
        a, b = np.array(mae[nm]), np.array(mae_big[nm])
        rows.append([nm] + [f"{a[:, j].mean():.3f} ± {a[:, j].std():.3f}" for j in range(3)]
                    + [f"{b.mean(1).mean():.2f}", 1e3 * float(np.median(epoch_t[nm]))])
    print("test MAE / std(target), mean ± std over seeds (10-20 nodes), mean over targets on "
          "40-node graphs, median epoch time")
    print(table(rows, ["model"] + list(TARGETS) + ["40 nodes (mean)", "ms / epoch"]))
    ratio = []
    for ours, hand in (("reptheory 2-IGN", "hand 2-IGN"), ("reptheory PPGN", "hand PPGN")):
        r = np.array(epoch_t[ours]) / np.array(epoch_t[hand])
        ratio.append([ours.split()[1], float(np.median(r)), float(r.min()), float(r.max())])
    print("\nepoch time reptheory / hand-written (per interleaved epoch: median, min, max)")
    print(table(ratio, ["model", "median", "min", "max"]))
    if ARGS.plot:
        plot(names, mae, epoch_t, ARGS.plot)
    print("\nsingle layers, forward + backward unless noted (best of interleaved rounds, ms; "
          "spread = worst/best round over all cases)")
    lrows = []
    for n in ((20,) if quick else (20, 40)):
        lrows += layer_timings(n, 32, 5 if quick else 10)
    print(table(lrows, ["n", "batch", "S() 2->2", "hand 15-op", "ratio", "mixed fwd",
                        "2->2 fwd", "mixed/2->2 fwd", "mixed/2->2 f+b", "spread"]))


def plot(names, mae, epoch_t, path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib is not installed: no picture)")
        return
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.6), gridspec_kw={"width_ratios": [3, 1.3]})
    width = 0.8 / len(names)
    colors = ["#1f77b4", "#aec7e8", "#d62728", "#ff9896"]
    for i, nm in enumerate(names):
        a = np.array(mae[nm])
        a1.bar(np.arange(3) + i * width, a.mean(0), width, yerr=a.std(0), label=nm,
               color=colors[i], capsize=2)
        a2.bar(i, 1e3 * float(np.median(epoch_t[nm])), color=colors[i])
    a1.set_xticks(np.arange(3) + 0.4 - width / 2, TARGETS)
    a1.set_ylabel("test MAE / std(target)")
    a1.legend(fontsize=8, ncol=2)
    a2.set_xticks(range(len(names)), [nm.replace(" ", "\n", 1) for nm in names], fontsize=7)
    a2.set_ylabel("ms per epoch (median)")
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110)
    print(f"(picture: {os.path.basename(path)})")


if __name__ == "__main__":
    main()
