"""The block-sparse CG tensor product against the numpy product (dense CG tables)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from reptheory.so3 import cg_tensor_product, tp_paths
from reptheory.so3._torch_tp import _sign_blocks
from reptheory.so3._tp_cg import _coo
from reptheory.torch import CGTensorProduct

# method="fourier" is deprecated but stays an exact cross-check of method="grid"
pytestmark = pytest.mark.filterwarnings(
    r"ignore:.*\(method='fourier'\) is deprecated:DeprecationWarning"
)


@pytest.mark.parametrize(
    "L1, L2, L_out, paths",
    [
        (2, 3, 4, None),
        (3, 1, 6, None),  # L_out > L1 + L2: outputs no path reaches
        (4, 4, 4, [(1, 1, 1), (4, 2, 3), (2, 2, 0), (3, 4, 4)]),  # a few paths only
        (0, 2, 2, None),
    ],
)
def test_sparse_matches_numpy(L1, L2, L_out, paths):
    rng = np.random.default_rng(L1 + 10 * L2)
    tp = CGTensorProduct(L1, L2, L_out, paths=paths, method="sparse").double()
    w = rng.normal(size=len(tp.paths))
    with torch.no_grad():
        tp.weight.copy_(torch.from_numpy(w))
    x1 = rng.normal(size=(2, 3, (L1 + 1) ** 2))
    x2 = rng.normal(size=(2, 3, (L2 + 1) ** 2))
    z = tp(torch.from_numpy(x1), torch.from_numpy(x2)).detach().numpy()
    ref = cg_tensor_product(x1, x2, L_out, weights=w, paths=tp.paths, method="dense")
    assert z.shape == ref.shape
    np.testing.assert_allclose(z, ref, atol=1e-12)


def test_sparse_per_channel_weights_and_float32():
    rng = np.random.default_rng(1)
    tp = CGTensorProduct(2, 2, 3, channels=4, method="sparse")
    w = rng.normal(size=(len(tp.paths), 4))
    with torch.no_grad():
        tp.weight.copy_(torch.from_numpy(w))
    x1, x2 = rng.normal(size=(5, 4, 9)), rng.normal(size=(5, 4, 9))
    z = tp(torch.from_numpy(x1).float(), torch.from_numpy(x2).float())
    assert z.dtype == torch.float32 and z.shape == (5, 4, 16)
    ref = cg_tensor_product(x1, x2, 3, weights=w, method="dense")
    np.testing.assert_allclose(z.detach().double().numpy(), ref, atol=2e-5)


def test_sparse_gradients():
    torch.manual_seed(2)
    tp = CGTensorProduct(2, 1, 2, channels=2, method="sparse").double()
    with torch.no_grad():
        tp.weight.copy_(torch.randn_like(tp.weight))
    x1 = torch.randn(3, 2, 9, dtype=torch.float64, requires_grad=True)
    x2 = torch.randn(3, 2, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b: tp(a, b), (x1, x2))
    assert torch.autograd.gradgradcheck(lambda a, b: tp(a, b), (x1, x2))
    # the weight gradient: derivative of a linear function of the weights, by finite differences
    tp(x1, x2).pow(2).sum().backward()
    g = tp.weight.grad.clone()
    h = 1e-6
    with torch.no_grad():
        tp.weight[3, 1] += h
        fp = tp(x1, x2).pow(2).sum()
        tp.weight[3, 1] -= 2 * h
        fm = tp(x1, x2).pow(2).sum()
    assert abs(float((fp - fm) / (2 * h)) - float(g[3, 1])) < 1e-5


@pytest.mark.parametrize("L1, L2, L_out", [(3, 3, 3), (2, 4, 5), (0, 3, 2)])
def test_sign_blocks_cover_every_entry_once(L1, L2, L_out):
    d1, d2 = (L1 + 1) ** 2, (L2 + 1) ** 2
    paths = tp_paths(L1, L2, L_out)
    I, J, K, _V, _P = _coo(L1, L2, L_out, paths)
    p1, p2, p2s, sizes1, sizes2, prods, pos, total, out_index = _sign_blocks(L1, L2, L_out, paths)
    assert sum(sizes1) == d1 and sum(sizes2) == d2
    st1, st2 = np.cumsum((0,) + sizes1), np.cumsum((0,) + sizes2)
    assert sorted(p1.tolist()) == list(range(d1)) and sorted(p2.tolist()) == list(range(d2))
    assert sorted(p2s.tolist()) == list(range(d2))
    assert len(set(pos.tolist())) == I.size  # every non-zero entry has its own block slot
    assert sum(S * k1 * k2 * n_out for _, _, _, S, k1, k2, n_out, _ in prods) == total
    assert out_index.size == sum(p[6] for p in prods)
    # rebuild each block's (i, j) rows from the layouts: every input pair appears exactly once
    seen, compared = {}, 0
    for a, b, swapped, S, k1, k2, n_out, off in prods:
        assert S * k1 * k2 == sizes1[a] * sizes2[b] // S  # the whole order blocks a and b
        c1 = p1[st1[a] : st1[a + 1]].reshape(S, k1)
        c2 = (p2s if swapped else p2)[st2[b] : st2[b + 1]].reshape(S, k2)
        rows = (c1[:, :, None] * d2 + c2[:, None, :]).reshape(-1)
        outs = out_index[sum(p[6] for p in prods if p[7] < off) :][:n_out]
        for r, ij in enumerate(rows.tolist()):
            assert ij not in seen
            seen[ij] = (off, r, n_out, S * k1 * k2, outs)
    # each non-zero entry sits at its (row, output) slot of its block
    for e, (i, j, k) in enumerate(zip(I.tolist(), J.tolist(), K.tolist())):
        off, r, n_out, n_in, outs = seen[i * d2 + j]
        col = outs.tolist().index(k)
        assert pos[e] == off + col * n_in + r
        compared += 1
    assert compared == I.size > 0

    # the selection rule behind the blocks: |m3| = |m1| + |m2| or ||m1| - |m2||
    def order(k):
        l = int(np.sqrt(k))
        return k - l * l - l

    for i, j, k in zip(I, J, K):
        a, b, c = abs(order(i)), abs(order(j)), abs(order(k))
        assert c in (a + b, abs(a - b))


def test_sparse_matches_dense_float32_and_gradients_L6():
    """L = 6 (the benchmark size): forward and every gradient against the dense method."""
    rng = np.random.default_rng(6)
    sp = CGTensorProduct(6, 6, 6, method="sparse")
    de = CGTensorProduct(6, 6, 6, method="dense")
    w = torch.from_numpy(rng.normal(size=len(sp.paths))).float()
    with torch.no_grad():
        sp.weight.copy_(w)
        de.weight.copy_(w)
    x1 = torch.from_numpy(rng.normal(size=(7, 49))).float()
    x2 = torch.from_numpy(rng.normal(size=(7, 49))).float()
    grads = []
    for m in (sp, de):
        a, b = x1.clone().requires_grad_(True), x2.clone().requires_grad_(True)
        z = m(a, b)
        z.pow(2).sum().backward()
        grads.append((z.detach(), a.grad, b.grad, m.weight.grad))
    for u, v in zip(*grads):
        scale = float(v.abs().max())
        assert scale > 0
        torch.testing.assert_close(u, v, atol=2e-5 * scale, rtol=0)


@pytest.mark.parametrize("method", ["grid", "fourier"])
def test_gaunt_per_channel_weights_match_numpy(method):
    from reptheory.errors import ShapeError
    from reptheory.so3 import gaunt_tensor_product
    from reptheory.torch import GauntTensorProduct

    rng = np.random.default_rng(5)
    tp = GauntTensorProduct(2, 1, 3, method=method, channels=3).double()
    ws = [rng.normal(size=(L + 1, 3)) for L in (2, 1, 3)]
    with torch.no_grad():
        for p, w in zip((tp.weight1, tp.weight2, tp.weight_out), ws):
            p.copy_(torch.from_numpy(w))
    x1, x2 = rng.normal(size=(4, 3, 9)), rng.normal(size=(4, 3, 4))
    z = tp(torch.from_numpy(x1), torch.from_numpy(x2)).detach().numpy()
    compared = 0
    for c in range(3):
        ref = gaunt_tensor_product(x1[:, c], x2[:, c], 3, method="grid", weights1=ws[0][:, c],
                                   weights2=ws[1][:, c], weights_out=ws[2][:, c])
        np.testing.assert_allclose(z[:, c], ref, atol=1e-12)
        compared += 1
    assert compared == 3
    with pytest.raises(ShapeError):
        tp(torch.randn(4, 2, 9, dtype=torch.float64), torch.randn(4, 2, 4, dtype=torch.float64))


def test_sparse_matches_e3nn_with_ported_weights():
    """e3nn's TensorProduct (its own wigner_3j), weights ported through reptheory.so3.conventions."""
    o3 = pytest.importorskip("e3nn.o3")
    from reptheory.so3.conventions import e3nn_path_weight, from_e3nn, to_e3nn

    L = 3
    irr = o3.Irreps("+".join(f"1x{l}e" for l in range(L + 1)))
    paths = tp_paths(L, L, L)
    tp_e = o3.TensorProduct(irr, irr, irr, [(a, b, c, "uuu", True) for a, b, c in paths]).double()
    w_e = torch.from_numpy(np.random.default_rng(7).normal(size=tp_e.weight_numel))
    ours = CGTensorProduct(L, L, L, paths=paths, method="sparse").double()
    with torch.no_grad():
        for i, (ins, p) in enumerate(zip(tp_e.instructions, paths)):
            ours.weight[i] = e3nn_path_weight(*p, weight=float(w_e[i]), path_weight=ins.path_weight)
    rng = np.random.default_rng(8)
    x1, x2 = rng.normal(size=(6, 16)), rng.normal(size=(6, 16))
    z_e = tp_e(torch.from_numpy(to_e3nn(x1, L)), torch.from_numpy(to_e3nn(x2, L)), w_e)
    z = ours(torch.from_numpy(x1), torch.from_numpy(x2)).detach().numpy()
    assert np.abs(z).max() > 0.1
    # e3nn keeps its wigner_3j buffers at float32 precision
    np.testing.assert_allclose(from_e3nn(z_e.detach().numpy(), L), z, atol=1e-5)
