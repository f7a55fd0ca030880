"""Single-view pose prediction: induced-layer sizes, and an end-to-end synthetic pose task.

Part 1 (layer sizes, float32, one thread): build time, memory and forward/backward time of
``reptheory.torch.InducedLayer`` at the SYMSOL size of Howell et al. (768 input channels, 7 x 7
map, 42 output dimensions, batch 32) and at a 64 x 64 map with 64 channels to 4 copies of
degrees <= 6 (batch 4), side by side with the per-pixel dense construction the layer used
before (``D_out(Rz(phi)) W(rho) psi(-phi)`` formed for every pixel), measured in the same run.

Part 2 (the pose task): an orthographic ray caster for convex polyhedra (numpy) renders a few
coloured 3-D objects under uniformly random rotations into 64 x 64 images (Lambert shading):

* ``cube6``: a cube with six differently coloured faces (no rotational symmetry);
* ``ell``: an L-shaped union of two boxes, faces coloured by their direction (no symmetry);
* ``box2``: a 1.4 x 1.0 x 0.6 box, opposite faces of equal colour (symmetry D2, 4 rotations);
* ``tetra``: a regular tetrahedron of one colour (symmetry T, 12 rotations).

Both models share the CNN encoder (3 stride-2 convolutions, 64 -> 8 x 8 x 32).  Equivariant
head: ``InducedLayer`` -> ``S2Convolution`` -> ``SO3Activation`` -> ``SO3Convolution`` ->
``SO3Distribution`` (Image2Sphere's pipeline with the learnable induction layer).  Baseline:
the same encoder, an MLP to the same HEALPix grid.  Both train with the cross-entropy to the
grid rotation nearest the truth, the same optimiser, steps and batches; we report the median
geodesic error on a held-out set (the least error over each object's symmetries) and the
time per training step.  A plot for ``box2`` shows the predicted distribution with one mode
per symmetry (``benchmarks/results/pose_modes.png``, where matplotlib is installed).

Run:  PYTHONPATH=. python benchmarks/bench_pose.py [--quick] [--steps N] [--no-plot]
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import math
import resource
import time
from pathlib import Path

import numpy as np

from reptheory.so3 import (
    SO2Rep,
    SO3Rep,
    axis_angle_to_matrix,
    geodesic_distance,
    grid_coordinates,
    rot_x,
    rot_y,
    rot_z,
    sphere_rep,
)

RESULTS = Path(__file__).resolve().parent / "results"


# =============================================================================================
# Part 1: layer sizes
# =============================================================================================
def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def dense_reference_forward(layer, image):
    """The per-pixel dense construction: K(r) = D_out(Rz(phi)) W(rho) psi_in(-phi) for every
    pixel (P x out x in), then sum_r K(r) f(r) / P.  Same weights as ``layer``."""
    import torch

    B, C, H, W = image.shape
    xy = grid_coordinates(H, W)
    rho = np.hypot(xy[:, 0], xy[:, 1])
    phi = np.where(rho < 1e-12, 0.0, np.arctan2(xy[:, 1], xy[:, 0]))
    D = torch.tensor(np.stack([layer.out_rep.matrix(rot_z(p)) for p in phi]), dtype=image.dtype)
    Pinv = torch.tensor(np.stack([layer.in_rep.matrix(-p) for p in phi]), dtype=image.dtype)
    sig = layer.sigma
    g = [np.exp(-(rho**2) / (2 * sig**2))]
    g += [
        np.where(rho < 1e-12, 0.0, np.exp(-((rho - r) ** 2) / (2 * sig**2)))
        for r in layer.ring_radii
    ]
    g = torch.tensor(np.stack(g, 1), dtype=image.dtype)
    Wr = torch.einsum("pj,joi->poi", g, layer.weights())
    K = D @ Wr @ Pinv
    return torch.einsum("poi,bip->bo", K, image.reshape(B, C, -1)) / (H * W)


def layer_sizes(quick: bool) -> None:
    import torch

    from reptheory.torch import InducedLayer

    torch.set_num_threads(1)
    print("## Induced layer: build, memory, forward (float32, 1 thread, best of 3)")
    cases = [
        ("SYMSOL size: 768x0 -> 6x3 (42 dims), 7x7", "768x0", SO3Rep("6x3"), 7, 32),
        ("64x64, 64x0 -> 4 x (degrees <= 6) (196 dims)", "64x0", sphere_rep(6, 4), 64, 4),
    ]
    hw3 = 32 if quick else 64
    cases.append(
        (f"{hw3}x{hw3}, 16x0+8x1 -> degrees <= 6 (49 dims)", "16x0+8x1", sphere_rep(6), hw3, 4)
    )
    if not quick:
        cases.append(
            ("7x7, 256x0 -> 16 x (degrees <= 6) (784 dims)", "256x0", sphere_rep(6, 16), 7, 32)
        )
    for name, rin, rout, hw, batch in cases:
        rss0 = _rss_mb()
        t0 = time.perf_counter()
        layer = InducedLayer(rin, rout, n_rings=4, image_size=(hw, hw))
        build = time.perf_counter() - t0
        rss = _rss_mb() - rss0
        nbytes = sum(
            t.numel() * t.element_size() for t in list(layer.parameters()) + list(layer.buffers())
        )
        x = torch.randn(batch, SO2Rep(rin).dim, hw, hw, generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            layer(x)
            fwd = min(_timed(lambda: layer(x)) for _ in range(3))  # noqa: B023
        xg = x.clone().requires_grad_(True)

        def fb(layer=layer, xg=xg):
            layer(xg).square().sum().backward()

        fb()
        fwdbwd = min(_timed(fb) for _ in range(3))
        print(f"{name}: batch {batch}")
        print(
            f"  factorised: build {build * 1e3:8.1f} ms  tensors {nbytes / 2**20:7.2f} MB  "
            f"RSS +{rss:6.1f} MB  forward {fwd * 1e3:8.2f} ms  forward+backward {fwdbwd * 1e3:8.2f} ms"
        )
        # the dense construction at the same size, if it fits a few seconds and a few GB
        P, O, C = hw * hw, layer.out_rep.dim, layer.in_rep.dim
        dense_entries = P * (O * O + O * C + C * C)
        if dense_entries * 4 > (0.4 if quick else 2.5) * 2**30:
            print(
                f"  dense per-pixel construction: skipped ({dense_entries * 4 / 2**30:.1f} GB of kernels)"
            )
            continue
        with torch.no_grad():
            ref = dense_reference_forward(layer, x)
            err = (ref - layer(x)).abs().max().item() / ref.abs().max().item()
            td = min(
                _timed(lambda: dense_reference_forward(layer, x))  # noqa: B023
                for _ in range(2 if quick else 3)
            )
        print(
            f"  dense per-pixel construction: forward {td * 1e3:8.1f} ms  "
            f"x {td / fwd:7.1f} the factorised time; relative difference {err:.1e}"
        )


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


# =============================================================================================
# Part 2: the synthetic pose task
# =============================================================================================
def _box(lo, hi):
    """Half-spaces n.p <= d of an axis-aligned box, faces +x, -x, +y, -y, +z, -z."""
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    n = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], float)
    d = np.array([hi[0], -lo[0], hi[1], -lo[1], hi[2], -lo[2]])
    return n, d


FACE_COLOURS = np.array(
    [
        [0.9, 0.1, 0.1],
        [0.1, 0.8, 0.8],
        [0.1, 0.8, 0.1],
        [0.8, 0.1, 0.8],
        [0.15, 0.3, 0.95],
        [0.95, 0.85, 0.1],
    ]
)
PAIR_COLOURS = np.repeat(np.array([[0.9, 0.15, 0.1], [0.1, 0.8, 0.15], [0.15, 0.3, 0.95]]), 2, 0)


def make_objects() -> dict[str, dict]:
    """Each object: convex parts (normals, offsets, face colours) and its rotation symmetries."""
    objs = {}
    n, d = _box([-0.5] * 3, [0.5] * 3)
    objs["cube6"] = {"parts": [(n, d, FACE_COLOURS)], "sym": np.eye(3)[None]}
    n1, d1 = _box([-0.55, -0.35, -0.25], [0.55, 0.05, 0.25])
    n2, d2 = _box([-0.55, 0.05, -0.25], [-0.15, 0.6, 0.25])
    objs["ell"] = {
        "parts": [(n1, d1, FACE_COLOURS), (n2, d2, FACE_COLOURS)],
        "sym": np.eye(3)[None],
    }
    n, d = _box([-0.7, -0.5, -0.3], [0.7, 0.5, 0.3])
    d2sym = np.stack([np.eye(3), rot_x(np.pi), rot_y(np.pi), rot_z(np.pi)])
    objs["box2"] = {"parts": [(n, d, PAIR_COLOURS)], "sym": d2sym}
    v = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], float) / math.sqrt(3) * 0.8
    nt = -v / np.linalg.norm(v, axis=1, keepdims=True)  # face opposite vertex i
    dt = np.full(4, 0.8 / 3)
    objs["tetra"] = {
        "parts": [(nt, dt, np.tile([[0.85, 0.75, 0.3]], (4, 1)))],
        "sym": _tetra_group(),
    }
    return objs


def _tetra_group() -> np.ndarray:
    axes3 = [[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]]
    mats = [np.eye(3), rot_x(np.pi), rot_y(np.pi), rot_z(np.pi)]
    for a in axes3:
        for t in (2 * np.pi / 3, 4 * np.pi / 3):
            mats.append(axis_angle_to_matrix(a, t))
    return np.round(np.stack(mats), 12)


def render(obj: dict, R: np.ndarray, size: int) -> np.ndarray:
    """Orthographic image (3, size, size) of ``obj`` rotated by R, viewed along -z.

    Pixel (row i, column j) sees the world point with (x, y) = grid_coordinates (x along the
    columns, y along the rows), scaled by 1.05; the ray casts exactly through convex parts.
    """
    xy = grid_coordinates(size, size) * 1.05
    best_z = np.full(len(xy), -np.inf)
    colour = np.zeros((len(xy), 3))
    light = np.array([0.3, -0.4, 0.87])
    light /= np.linalg.norm(light)
    for n, d, cols in obj["parts"]:
        nr = n @ R.T  # rotated normals; offsets unchanged (rotation about the origin)
        rhs = d[None, :] - xy @ nr[:, :2].T  # nr_z z <= rhs
        nz = nr[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = rhs / nz
        upper = np.where(nz > 1e-12, bound, np.inf)
        lower = np.where(nz < -1e-12, bound, -np.inf)
        flat_ok = np.all(np.where(np.abs(nz) <= 1e-12, rhs >= 0, True), 1)
        z_top = upper.min(1)
        hit = flat_ok & (z_top >= lower.max(1)) & np.isfinite(z_top) & (z_top > best_z)
        face = upper.argmin(1)
        shade = 0.35 + 0.65 * np.clip(nr[face] @ light, 0, 1)
        colour[hit] = cols[face[hit]] * shade[hit, None]
        best_z[hit] = z_top[hit]
    return colour.T.reshape(3, size, size)


def random_rotations(n: int, rng) -> np.ndarray:
    q = rng.normal(size=(n, 4))
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    w, x, y, z = q.T
    return np.stack(
        [
            np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
            np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
            np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
        ],
        -2,
    )


def make_dataset(objs, names, n: int, size: int, seed: int):
    rng = np.random.default_rng(seed)
    which = rng.integers(len(names), size=n)
    Rs = random_rotations(n, rng)
    imgs = np.stack([render(objs[names[k]], R, size) for k, R in zip(which, Rs)]).astype(np.float32)
    return imgs, Rs, which


def symmetric_error(R_pred, R_true, sym) -> np.ndarray:
    """Least geodesic distance from R_pred to the equivalent poses R_true S (degrees)."""
    eq = np.einsum("bij,sjk->bsik", R_true, sym)
    return np.degrees(geodesic_distance(R_pred[:, None], eq).min(1))


def build_models(L: int, level: int, size: int, seed: int):
    import torch
    from torch import nn

    from reptheory.torch import (
        InducedLayer,
        S2Convolution,
        SO3Activation,
        SO3Convolution,
        SO3Distribution,
    )

    def encoder():
        return nn.Sequential(
            nn.Conv2d(3, 16, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 32, 3, stride=2, padding=1),
            nn.ReLU(),
        )

    fm = size // 8
    C2, C3 = 8, 8

    class Equivariant(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = encoder()
            self.induce = InducedLayer("32x0", sphere_rep(L, C2), n_rings=4, image_size=(fm, fm))
            self.s2 = S2Convolution(C2, C3, L)
            self.act = SO3Activation(L, C3)
            self.so3 = SO3Convolution(C3, 1, L)
            self.dist = SO3Distribution(L, level)

        def forward(self, x):
            h = self.induce(self.enc(x)) * 10.0
            return self.dist(self.so3(self.act(self.s2(h))))

    class Baseline(nn.Module):
        def __init__(self, n_grid):
            super().__init__()
            self.enc = encoder()
            self.mlp = nn.Sequential(
                nn.Flatten(), nn.Linear(32 * fm * fm, 512), nn.ReLU(), nn.Linear(512, n_grid)
            )

        def forward(self, x):
            return self.mlp(self.enc(x))

    torch.manual_seed(seed)
    eq = Equivariant()
    torch.manual_seed(seed)
    base = Baseline(eq.dist.grid.shape[0])
    return eq, base


def train_and_eval(model, dist, data, test, steps: int, batch: int, seed: int):
    import torch

    imgs, Rs, _ = data
    X, R = torch.tensor(imgs), torch.tensor(Rs, dtype=torch.float32)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(seed)
    times, losses = [], []
    model.train()
    for _ in range(steps):
        idx = torch.randint(len(X), (batch,), generator=g)
        t0 = time.perf_counter()
        loss = dist.loss(model(X[idx]), R[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t0)
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        logits = torch.cat(
            [model(torch.tensor(test[0][i : i + 128])) for i in range(0, len(test[0]), 128)]
        )
    return logits, float(np.median(times)), float(np.mean(losses[-50:]))


def pose_task(quick: bool, steps: int | None, plot: bool) -> None:
    import torch

    torch.set_num_threads(1)
    size, L, level = 64, (4 if quick else 6), 2
    n_train, n_test = (3000, 400) if quick else (12000, 1000)
    steps = steps or (600 if quick else 3000)
    batch = 32
    objs = make_objects()
    names = list(objs)
    t0 = time.perf_counter()
    train = make_dataset(objs, names, n_train, size, seed=1)
    test = make_dataset(objs, names, n_test, size, seed=2)
    print(
        f"\n## Synthetic pose task: {size}x{size} images, objects {names}, "
        f"{n_train} train / {n_test} test images (rendered in {time.perf_counter() - t0:.1f} s)"
    )
    print(
        f"L = {L}, HEALPix grid level {level}, {steps} steps of batch {batch}, Adam 1e-3, 1 thread"
    )
    eq, base = build_models(L, level, size, seed=0)
    dist = eq.dist
    n_par = {k: sum(p.numel() for p in m.parameters()) for k, m in (("eq", eq), ("base", base))}
    res = {}
    for key, model in (("eq", eq), ("base", base)):
        logits, t_step, last_loss = train_and_eval(model, dist, train, test, steps, batch, seed=3)
        pred = dist.predict(logits).numpy().astype(float)
        per_obj = {}
        for k, nm in enumerate(names):
            sel = test[2] == k
            per_obj[nm] = float(
                np.median(symmetric_error(pred[sel], test[1][sel], objs[nm]["sym"]))
            )
        allerr = np.concatenate(
            [
                symmetric_error(pred[test[2] == k], test[1][test[2] == k], objs[nm]["sym"])
                for k, nm in enumerate(names)
            ]
        )
        res[key] = (float(np.median(allerr)), per_obj, t_step, last_loss, logits)
    header = (
        ["model", "params", "median err (deg)"]
        + [f"{n}" for n in names]
        + ["ms / step", "final loss"]
    )
    rows = []
    for key, label in (
        ("eq", "encoder + induced + S2/SO3 conv"),
        ("base", "encoder + MLP (baseline)"),
    ):
        med, per, t, ls, _ = res[key]
        rows.append(
            [label, n_par[key], f"{med:.1f}"]
            + [f"{per[n]:.1f}" for n in names]
            + [f"{t * 1e3:.1f}", f"{ls:.2f}"]
        )
    from _common import table

    print(table(rows, header))
    print(
        f"median error ratio baseline / equivariant: {res['base'][0] / res['eq'][0]:.2f}; "
        f"time per step ratio equivariant / baseline: {res['eq'][2] / res['base'][2]:.2f}"
    )
    print("(chance level: a uniformly random rotation has median error ~126 deg without symmetry)")
    modes(objs, names, dist, res["eq"][4], test, plot)


def modes(objs, names, dist, logits, test, plot: bool) -> None:
    """For box2 (4 symmetries): probability mass near each equivalent pose."""
    import torch

    k = names.index("box2")
    sel = np.flatnonzero(test[2] == k)
    probs = torch.softmax(logits[sel], 1).numpy()
    grid = dist.grid.numpy().astype(float)
    sym = objs["box2"]["sym"]
    mass = np.zeros((len(sel), len(sym)))
    for i, j in enumerate(sel):
        eq = np.einsum("ij,sjk->sik", test[1][j], sym)
        d = np.degrees(geodesic_distance(grid[:, None], eq[None]))  # (N, |G|)
        near = d.min(1) < 25
        owner = d.argmin(1)
        for s in range(len(sym)):
            mass[i, s] = probs[i, near & (owner == s)].sum()
    print(f"\n## Modes for box2 (symmetry D2, 4 equivalent poses), {len(sel)} test images")
    print(f"probability mass within 25 deg of an equivalent pose: {mass.sum(1).mean():.2f} (mean)")
    srt = np.sort(mass, 1)[:, ::-1]
    print(
        "mean mass at the 1st..4th most probable equivalent pose: "
        + ", ".join(f"{v:.2f}" for v in srt.mean(0))
    )
    print(f"images with >= 5% of the mass at each of the 4 poses: {(srt[:, 3] >= 0.05).mean():.0%}")
    if plot:
        _plot_modes(grid, probs[0], test[1][sel[0]], sym)


def _plot_modes(grid, p, R_true, sym) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot")
        return
    from reptheory.so3 import matrix_to_euler

    a, b, g = matrix_to_euler(grid)
    keep = p > p.max() * 0.02
    fig, ax = plt.subplots(figsize=(8, 4))
    sc = ax.scatter(
        np.degrees(a[keep]) % 360,
        np.degrees(b[keep]),
        s=800 * p[keep] / p.max(),
        c=np.degrees(g[keep]) % 360,
        cmap="hsv",
        vmin=0,
        vmax=360,
        alpha=0.7,
    )
    ea, eb, eg = matrix_to_euler(np.einsum("ij,sjk->sik", R_true, sym))
    # poses sharing R e_z (S and S Rz(pi)) are drawn 5 degrees apart in alpha so both show
    shift = np.where(np.arange(len(sym)) < len(sym) // 2, -5.0, 5.0)
    ax.scatter(
        np.degrees(ea) % 360 + shift,
        np.degrees(eb),
        s=160,
        marker="*",
        c=np.degrees(eg) % 360,
        cmap="hsv",
        vmin=0,
        vmax=360,
        edgecolors="k",
        linewidths=1.0,
        label="the 4 equivalent true poses (colour: gamma)",
    )
    ax.set_xlim(0, 360)
    ax.set_ylim(180, 0)
    ax.set_xlabel("alpha (deg): azimuth of R e_z")
    ax.set_ylabel("beta (deg): polar angle of R e_z")
    fig.colorbar(sc, ax=ax, label="gamma (deg)")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(
        "box2 (D2 symmetry), first test image: predicted distribution\n"
        "(disc area ~ probability; pairs of poses share R e_z and differ in gamma;"
        " stars shifted by 5 deg to show both)",
        fontsize=9,
    )
    fig.tight_layout()
    RESULTS.mkdir(exist_ok=True)
    fig.savefig(RESULTS / "pose_modes.png", dpi=110)
    print("plot written to benchmarks/results/pose_modes.png")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer steps and images, L = 4")
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--no-plot", action="store_true")
    ap.add_argument("--only", choices=["layers", "task"], default=None)
    args = ap.parse_args()
    try:
        import torch
    except ImportError:
        print("torch not installed: nothing to measure")
        return
    print(
        f"torch {torch.__version__}; threads = 1; peak RSS so far "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    if args.only in (None, "layers"):
        layer_sizes(args.quick)
    if args.only in (None, "task"):
        pose_task(args.quick, args.steps, not args.no_plot)


if __name__ == "__main__":
    main()
