"""Benchmark: the generated torch layer against reptheory's torch executor and a dense matrix.

S_n, k = l = 2, n = 32, batch 256 (``--quick``: n = 12, batch 64). Forward time (no grad) and
backward time (the loss.backward() call) are measured in the same run; ratios are
relative to the generated layer (> 1 means the other is slower); forward is timed without
autograd, backward is the ``loss.backward()`` call alone; best of interleaved rounds.

    PYTHONPATH=. python benchmarks/bench_codegen.py [--quick] [--channels C] [--compile]

Rows:
* generated      : the module from ``reptheory.codegen.generate(basis, target="torch")``
* generated+compile (``--compile``): the same under ``torch.compile`` (inductor)
* torch executor : ``reptheory.kernels.get_backend("torch")`` if registered, else skipped
* dense (W/step) : y = W x with W = sum_b w_b M_b rebuilt from the dense basis every step
* dense (fixed W): the matmul with a precomputed W only (a lower bound, not trainable as is)
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _load(source: str, name: str):
    path = Path(tempfile.mkdtemp()) / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (n=12, batch 64)")
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--batch", type=int, default=None)
    ap.add_argument("--channels", type=int, default=4, help="in = out channels (default 4)")
    ap.add_argument("--repeat", type=int, default=10, help="timed rounds (best is reported)")
    ap.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    ap.add_argument("--compile", action="store_true", help="also time torch.compile (slow to build)")
    args = ap.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("skipped: torch is not installed")
        return 0
    import reptheory as rt
    from reptheory.codegen import generate

    if args.threads:
        torch.set_num_threads(args.threads)

    n = args.n or (12 if args.quick else 32)
    batch = args.batch or (64 if args.quick else 256)
    c = args.channels
    repeat = 5 if args.quick else args.repeat
    B = rt.layer_basis(rt.S(n), 2, 2)
    t0 = time.perf_counter()
    src = generate(B, target="torch")
    t_gen = time.perf_counter() - t0
    mod = _load(src, "bench_generated_layer")
    layer = mod.EquivariantLayer(c, c, bias=False)
    torch.manual_seed(0)
    x = torch.randn(batch, c, n, n)
    g = torch.randn(batch, c, n, n)
    print(f"S({n}), k = l = 2, {len(B)} basis elements, batch {batch}, channels {c}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"generation {t_gen * 1e3:.1f} ms, {len(src.splitlines())} lines")

    methods: list = []  # (label, forward, params) or (label, None, note)

    def measure(label, forward, params):
        methods.append((label, forward, params))

    measure("generated", layer, [layer.weight])
    y_ref = layer(x).detach()

    if args.compile:
        t = time.perf_counter()
        compiled = torch.compile(layer)
        (compiled(x) * g).sum().backward()
        print(f"torch.compile (inductor) build: {time.perf_counter() - t:.1f} s")
        measure("generated+compile", compiled, [layer.weight])

    try:
        from reptheory.kernels import get_backend

        apply_torch = get_backend("torch")
    except Exception as exc:  # noqa: BLE001 - any failure means the row is skipped
        methods.append(("torch executor", None, f"skipped ({type(exc).__name__}: {exc})"[:100]))
    else:
        w_ex = layer.weight.detach().clone().requires_grad_(True)
        measure("torch executor", lambda t: apply_torch(B.spec, w_ex, t), [w_ex])

    size = len(B) * n**4
    if size * 4 > 2 * 1024**3:
        methods.append(("dense (W/step)", None, "skipped (basis too large)"))
    else:
        mats = torch.as_tensor(np.stack([m.toarray() for m in B.matrices()]), dtype=torch.float32)
        w = layer.weight.detach().clone().requires_grad_(True)

        def dense(t):
            W = torch.einsum("oim,mpq->opiq", w, mats).reshape(c * n * n, c * n * n)
            return (t.reshape(batch, -1) @ W.T).reshape(batch, c, n, n)

        measure("dense (W/step)", dense, [w])
        W_fixed = torch.einsum("oim,mpq->opiq", w.detach(), mats).reshape(c * n * n, c * n * n)
        W_fixed.requires_grad_(True)
        measure("dense (fixed W)",
                lambda t: (t.reshape(batch, -1) @ W_fixed.T).reshape(batch, c, n, n), [W_fixed])
        err = (dense(x) - y_ref).abs().max().item()
        print(f"max |generated - dense| = {err:.2e}")

    # interleaved rounds (the machine may be shared): best forward and best forward+backward
    times = {label: ([], []) for label, f, _ in methods if f is not None}
    for _ in range(repeat + 1):
        for label, forward, params in methods:
            if forward is None:
                continue
            with torch.no_grad():
                t = time.perf_counter()
                forward(x)
                times[label][0].append(time.perf_counter() - t)
            for p in params:
                p.grad = None
            loss = (forward(x) * g).sum()
            t = time.perf_counter()
            loss.backward()
            times[label][1].append(time.perf_counter() - t)
    rows = []
    for label, forward, extra in methods:
        if forward is None:
            rows.append((label, None, None, extra))
        else:
            rows.append((label, min(times[label][0][1:]), min(times[label][1][1:]), ""))

    base_f, base_b = rows[0][1], rows[0][2]
    print(f"{'method':<20}{'forward ms':>12}{'backward ms':>13}{'fwd ratio':>11}{'bwd ratio':>11}")
    for label, tf, tb, note in rows:
        if tf is None:
            print(f"{label:<20}{note}")
            continue
        print(f"{label:<20}{tf * 1e3:>12.2f}{tb * 1e3:>13.2f}{tf / base_f:>11.2f}"
              f"{(tb / base_b if base_b else float('nan')):>11.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
