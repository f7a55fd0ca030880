"""DeepSets, 2-IGN and PPGN: padded batches == each graph alone, invariance, any size, DDP."""


import os

import numpy as np
import pytest

from reptheory.errors import InvalidParameterError, ShapeError

torch = pytest.importorskip("torch")
from reptheory.models import IGN2, PPGN, DeepSets


def _random_graphs(rng, sizes):
    graphs = []
    for m in sizes:
        A = np.triu((rng.random((m, m)) < 0.4).astype(float), 1)
        graphs.append(torch.as_tensor(A + A.T).reshape(1, 1, m, m))
    return graphs


def _pad(graphs, n, rng, order=2):
    """Padded batch with real nodes at random positions (random order); junk on padding."""
    batch = len(graphs)
    c = graphs[0].shape[1]
    x = torch.full((batch, c) + (n,) * order, 3.0, dtype=torch.float64)
    mask = torch.zeros(batch, n, dtype=torch.bool)
    positions = []
    for b, g in enumerate(graphs):
        m = g.shape[-1]
        pos = torch.as_tensor(rng.permutation(n)[:m])
        mask[b, pos] = True
        if order == 2:
            x[b][:, pos[:, None], pos[None, :]] = g[0]
        else:
            x[b][:, pos] = g[0]
        positions.append(pos)
    return x, mask, positions


def _models():
    torch.manual_seed(20)
    return [("ign", IGN2(1, 6, 2, num_layers=2).double()),
            ("ppgn", PPGN(1, 6, 2, num_blocks=2).double())]


@pytest.mark.parametrize("name", ["ign", "ppgn"])
def test_graph_model_padded_equals_alone(name):
    model = dict(_models())[name]
    rng = np.random.default_rng(21)
    graphs = _random_graphs(rng, [3, 8, 1, 5])
    x, mask, _ = _pad(graphs, 9, rng)
    out = model(x, mask)
    compared = 0
    for b, g in enumerate(graphs):
        assert torch.allclose(out[b], model(g)[0], atol=1e-10, rtol=1e-10)
        perm = torch.as_tensor(rng.permutation(g.shape[-1]))
        assert torch.allclose(model(g[:, :, perm[:, None], perm[None, :]])[0], out[b], atol=1e-9)
        compared += 1
    assert compared == 4
    # trained on small graphs, runs on 40 nodes
    big = _random_graphs(rng, [40])[0]
    assert model(big, torch.ones(1, 40, dtype=torch.bool)).shape == (1, 2)


def test_deepsets_padded_equals_alone():
    torch.manual_seed(22)
    model = DeepSets(2, 8, 3).double()
    rng = np.random.default_rng(23)
    sets = [torch.as_tensor(rng.standard_normal((1, 2, m))) for m in (2, 6, 1)]
    x, mask, _ = _pad(sets, 7, rng, order=1)
    out = model(x, mask)
    for b, s in enumerate(sets):
        assert torch.allclose(out[b], model(s)[0], atol=1e-10)
        assert torch.allclose(model(s[:, :, torch.as_tensor(rng.permutation(s.shape[-1]))])[0],
                              out[b], atol=1e-10)


def test_ign_node_features_mixed_first_layer():
    torch.manual_seed(24)
    model = IGN2(1, 5, 1, num_layers=2, node_channels=2).double()
    rng = np.random.default_rng(25)
    A = _random_graphs(rng, [6])[0]
    v = torch.as_tensor(rng.standard_normal((1, 2, 6)))
    perm = torch.as_tensor(rng.permutation(6))
    y = model(A, nodes=v)
    assert torch.allclose(model(A[:, :, perm[:, None], perm[None, :]], nodes=v[:, :, perm]), y)


def test_model_bad_input():
    model = IGN2(1, 4, 1, num_layers=1)
    with pytest.raises(InvalidParameterError, match="real node"):
        model(torch.ones(2, 1, 3, 3), torch.tensor([[True, True, True], [False] * 3]))
    with pytest.raises(ShapeError):
        PPGN(1, 4, 1)(torch.ones(2, 1, 3, 3), torch.ones(2, 4, dtype=torch.bool))
    with pytest.raises(InvalidParameterError):
        DeepSets(1, 0, 1)


def _ddp_worker(rank, init, out):
    """One DDP rank (a spawned process: forking a process that already runs torch's or
    numba's threads can deadlock in the child)."""
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=init, rank=rank, world_size=2)
    data = torch.load(out + ".data")
    grads = {}
    for kind in ("ign", "ppgn"):
        model = _ddp_model(kind)
        ddp = torch.nn.parallel.DistributedDataParallel(model)
        half = data["x"].shape[0] // 2
        sl = slice(rank * half, (rank + 1) * half)
        loss = ((ddp(data["x"][sl], data["mask"][sl]) - data["y"][sl]) ** 2).mean()
        loss.backward()
        grads[kind] = {k: p.grad for k, p in model.named_parameters()}
    if rank == 0:
        torch.save(grads, out)
    dist.barrier()
    # leave without running destructors: gloo's process-group destructor joins its worker
    # thread while holding the GIL, and that thread may still need the GIL to free a finished
    # allreduce (a deadlock seen about one run in three at exit)
    os._exit(0)


def _ddp_model(kind):
    torch.manual_seed(0)
    return (IGN2(1, 6, 1, num_layers=2) if kind == "ign" else PPGN(1, 6, 1, num_blocks=2)).double()


@pytest.mark.skipif(not torch.distributed.is_available() or
                    not torch.distributed.is_gloo_available(), reason="no gloo backend")
def test_ddp_gradients_equal_single_process(tmp_path):
    """DistributedDataParallel, gloo, 2 CPU processes: gradients == one process, whole batch."""
    import multiprocessing

    rng = np.random.default_rng(26)
    graphs = _random_graphs(rng, [4, 7, 5, 2, 6, 3])
    x, mask, _ = _pad(graphs, 8, rng)
    y = torch.as_tensor(rng.standard_normal((6, 1)))
    # the single-process gradients first: this also compiles (and caches on disk) the numba
    # kernels the workers run, so that each worker reads them back instead of compiling them
    # (two first-ever compiles side by side on a 2-core machine outlast the join timeout)
    reference = {}
    for kind in ("ign", "ppgn"):
        model = _ddp_model(kind)
        ((model(x, mask) - y) ** 2).mean().backward()
        reference[kind] = {name: p.grad for name, p in model.named_parameters()}
    out = str(tmp_path / "grads.pt")
    torch.save({"x": x, "mask": mask, "y": y}, out + ".data")
    init = f"file://{tmp_path / 'rendezvous'}"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_ddp_worker, args=(r, init, out)) for r in (0, 1)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        if p.is_alive():
            p.terminate()
        assert p.exitcode == 0
    grads = torch.load(out)
    compared = 0
    for kind in ("ign", "ppgn"):
        for name, g in reference[kind].items():
            assert torch.allclose(grads[kind][name], g, atol=1e-12, rtol=1e-10), (kind, name)
            compared += 1
    assert compared > 10


def test_hand_written_ign_layer_of_the_benchmark_matches(monkeypatch):
    """The benchmark's hand-written 15-operation layer computes the same map as
    EquivariantLinear(S(), 2, 2, aggregation='mean') once the weights are matched by evaluating
    both on basis inputs (so the speed comparison compares equal layers)."""
    import importlib.util
    import pathlib
    import sys

    import reptheory as rt
    from reptheory.torch import EquivariantLinear

    pytest.importorskip("networkx")
    bench = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"
    monkeypatch.syspath_prepend(str(bench))
    monkeypatch.setattr(sys, "argv", ["bench_graph_models.py", "--threads", "0"])
    spec = importlib.util.spec_from_file_location("bench_graph_models_under_test",
                                                  bench / "bench_graph_models.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.manual_seed(40)
    hand = module.HandIGNLayer(1, 1).double()

    ours = EquivariantLinear(rt.S(), 2, 2, in_channels=1, out_channels=1, aggregation="mean",
                             dtype=torch.double)
    # fit our 15 weights + 2 biases to the hand layer by least squares on random inputs (n = 5)
    rng = np.random.default_rng(41)
    n = 5
    X = torch.as_tensor(rng.standard_normal((40, 1, n, n)))
    mask = torch.ones(40, n, dtype=torch.bool)
    target = hand(X, mask).detach().reshape(40, -1)
    cols = []
    with torch.no_grad():
        for j in range(15 + 2):
            ours.weight.zero_()
            ours.bias.zero_()
            (ours.weight if j < 15 else ours.bias).view(-1)[j % 15 if j < 15 else j - 15] = 1.0
            cols.append(ours(X).reshape(40, -1).flatten())
    M = torch.stack(cols, 1)
    coef = torch.linalg.lstsq(M, target.flatten()[:, None]).solution
    assert torch.allclose(M @ coef, target.flatten()[:, None], atol=1e-9)
    # and the fitted layer then agrees on padded graphs of other sizes with masks
    with torch.no_grad():
        ours.weight.view(-1).copy_(coef[:15, 0])
        ours.bias.view(-1).copy_(coef[15:, 0])
    x, mask2, _ = _pad(_random_graphs(rng, [3, 7]), 8, rng)
    assert torch.allclose(ours(x, mask=mask2), hand(x, mask2), atol=1e-9)
