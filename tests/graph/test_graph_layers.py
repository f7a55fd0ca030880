"""Size-free S(), masks and mixed orders of EquivariantLinear, against brute-force diagrams."""

import itertools

import numpy as np
import pytest

import reptheory as rt
from reptheory.diagrams import partition_diagrams
from reptheory.errors import InvalidParameterError, ReptheoryTypeError, ShapeError
from reptheory.layers import SizeFreeLayerBasis, TensorRep

torch = pytest.importorskip("torch")
from reptheory.torch import EquivariantLinear


def brute_diagram_matrix(d, n):
    """D_pi[I, J] = 1 iff the indices on the vertices of each block agree (by enumeration).

    Vertices 0..l-1 are the output (top) axes, l..l+k-1 the input (bottom) axes."""
    k, l = d.k, d.l
    M = np.zeros((n**l, n**k))
    for I in itertools.product(range(n), repeat=l):
        for J in itertools.product(range(n), repeat=k):
            idx = I + J
            if all(len({idx[v] for v in block}) == 1 for block in d.blocks):
                M[np.ravel_multi_index(I, (n,) * l) if l else 0,
                  np.ravel_multi_index(J, (n,) * k) if k else 0] = 1.0
    return M


def _brute(weight, bias, k, l, x, n):
    batch, c_in = x.shape[:2]
    ds = list(partition_diagrams(k, l))
    mats = [brute_diagram_matrix(d, n) for d in ds]
    xf = x.reshape(batch, c_in, n**k)
    y = np.einsum("oid,drc,bic->bor", weight, np.stack(mats), xf)
    if bias is not None and l > 0 or bias is not None and l == 0:
        E = np.stack([brute_diagram_matrix(d, n)[:, 0] for d in partition_diagrams(0, l)])
        y = y + np.einsum("oj,jr->or", bias, E)[None]
    return y.reshape((batch, weight.shape[0]) + (n,) * l)


def _np(t):
    return t.detach().numpy()


# -- S() and its basis ----------------------------------------------------------------------
def test_size_free_group():
    G = rt.S()
    assert G == rt.S() and hash(G) == hash(rt.S()) and G != rt.S(3) and repr(G) == "S()"
    assert G.n is None and G.is_size_free and not rt.S(3).is_size_free
    assert G.at(4) == rt.S(4)
    with pytest.raises(InvalidParameterError, match="S\\(\\) has no fixed size"):
        G.random_element(0)
    with pytest.raises(InvalidParameterError, match="n must be 3"):
        rt.S(3).at(4)
    for f in (rt.A, rt.O, rt.SO, rt.Sp):
        with pytest.raises(InvalidParameterError, match="n is required"):
            f()


@pytest.mark.parametrize("k,l", [(0, 0), (0, 2), (1, 1), (2, 1), (2, 2), (1, 3)])
def test_size_free_basis_matches_enumeration(k, l):
    B = rt.layer_basis(rt.S(), k, l)
    assert isinstance(B, SizeFreeLayerBasis)
    assert len(B) == rt.hom_dimension(rt.S(), k, l) == len(list(partition_diagrams(k, l)))
    rng = np.random.default_rng(3)
    compared = 0
    for n in (1, 2, 3, 4):
        w = rng.standard_normal((2, 3, len(B)))
        x = rng.standard_normal((2, 3) + (n,) * k)
        y = B.apply(w, x, n=n)
        assert np.allclose(y, _brute(w, None, k, l, x, n), atol=1e-10)
        assert B.at(n).is_basis == (n >= k + l)
        compared += 1
    assert compared == 4


def test_size_free_basis_errors():
    B = rt.layer_basis(rt.S(), 0, 2)
    with pytest.raises(InvalidParameterError, match="n is required"):
        B.apply(np.ones((1, 1, 2)), np.ones((1, 1)))
    with pytest.raises(InvalidParameterError, match="at\\(n\\)"):
        B.matrices()
    with pytest.raises(InvalidParameterError, match="'diagram'"):
        rt.layer_basis(rt.S(), 1, 1, kind="orbit")
    with pytest.raises(InvalidParameterError, match="n must be >= k \\+ l = 2"):
        B.at(1, require_basis=True)
    assert B.at(2, require_basis=True).is_basis


# -- one order -------------------------------------------------------------------------------
@pytest.mark.parametrize("k,l", [(0, 1), (1, 0), (1, 1), (2, 2), (2, 0), (0, 2), (1, 2), (3, 1)])
def test_size_free_layer_matches_brute_force(k, l):
    torch.manual_seed(0)
    layer = EquivariantLinear(rt.S(), k, l, in_channels=2, out_channels=3, dtype=torch.float64)
    with torch.no_grad():
        layer.bias.normal_()
    rng = np.random.default_rng(1)
    compared = 0
    for n in (1, 2, 3, 5):
        x = rng.standard_normal((4, 2) + (n,) * k)
        y = layer(torch.as_tensor(x), n=n)
        ref = _brute(_np(layer.weight), _np(layer.bias), k, l, x, n)
        assert y.shape == ref.shape
        assert np.allclose(_np(y), ref, atol=1e-10)
        compared += 1
    assert compared == 4


def test_size_free_layer_equivariant_for_every_n():
    torch.manual_seed(1)
    layer = EquivariantLinear(rt.S(), 2, 2, in_channels=2, out_channels=2, dtype=torch.float64)
    for n in (2, 3, 6):
        rt.assert_equivariant(layer, rt.S(n), 2, 2, input_shape=(3, 2), rng=n)


def test_fixed_n_layer_unchanged_and_mask():
    torch.manual_seed(2)
    layer = EquivariantLinear(rt.S(5), 2, 1, in_channels=2, out_channels=3, dtype=torch.float64)
    with pytest.raises(ShapeError):
        layer(torch.randn(1, 2, 4, 4, dtype=torch.float64))
    x = torch.randn(2, 2, 5, 5, dtype=torch.float64)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)
    y = layer(x, mask=mask)
    # graph 0 alone: the same weights on S() at n = 3
    free = EquivariantLinear(rt.S(), 2, 1, in_channels=2, out_channels=3, dtype=torch.float64)
    with torch.no_grad():
        free.weight.copy_(layer.weight)
        free.bias.copy_(layer.bias)
    assert torch.allclose(y[0, :, :3], free(x[:1, :, :3, :3])[0], atol=1e-12)
    assert (y[0, :, 3:] == 0).all()


# -- masks -----------------------------------------------------------------------------------
@pytest.mark.parametrize("integer", [True, False])
def test_mask_equals_each_graph_alone(integer):
    """Padded batch with random sizes and random orders of the real nodes == each alone."""
    torch.manual_seed(3)
    rng = np.random.default_rng(4)
    layer = EquivariantLinear(rt.S(), "2x0+3x1+2x2", "1x0+2x1+3x2", dtype=torch.float64)
    if integer:   # small integers: every sum is exact in float64, so equality must be exact
        with torch.no_grad():
            for p in layer.parameters():
                p.copy_(torch.as_tensor(rng.integers(-3, 4, p.shape), dtype=torch.float64))
    sizes = [3, 7, 1, 5, 7, 2]
    n_max, batch = 9, len(sizes)

    def draw(shape):
        a = rng.integers(-4, 5, shape) if integer else rng.standard_normal(shape)
        return torch.as_tensor(a, dtype=torch.float64)

    alone = [{0: draw((1, 2)), 1: draw((1, 3, m)), 2: draw((1, 2, m, m))} for m in sizes]
    mask = torch.zeros(batch, n_max, dtype=torch.bool)
    padded = {0: torch.zeros(batch, 2), 1: torch.full((batch, 3, n_max), 7.0),
              2: torch.full((batch, 2, n_max, n_max), -5.0)}   # junk on padding
    padded = {k: v.double() for k, v in padded.items()}
    positions = []
    for b, (m, xs) in enumerate(zip(sizes, alone)):
        pos = torch.as_tensor(np.sort(rng.choice(n_max, m, replace=False)))
        pos = pos[torch.as_tensor(rng.permutation(m))]   # real node i sits at pos[i]
        positions.append(pos)
        mask[b, pos] = True
        padded[0][b] = xs[0][0]
        padded[1][b][:, pos] = xs[1][0]
        padded[2][b][:, pos[:, None], pos[None, :]] = xs[2][0]
    out = layer(padded, mask=mask)
    compared = 0
    for b, (xs, pos) in enumerate(zip(alone, positions)):
        ref = layer(xs)
        got = {0: out[0][b], 1: out[1][b][:, pos], 2: out[2][b][:, pos[:, None], pos[None, :]]}
        for o in (0, 1, 2):
            if integer:
                assert torch.equal(got[o], ref[o][0]), (b, o)
            else:
                assert torch.allclose(got[o], ref[o][0], atol=1e-12, rtol=1e-12), (b, o)
            compared += 1
        pad = ~mask[b]
        assert (out[1][b][:, pad] == 0).all() and (out[2][b][:, pad] == 0).all()
        assert (out[2][b][:, :, pad] == 0).all()
    assert compared == 3 * batch


def test_mask_errors():
    layer = EquivariantLinear(rt.S(), 2, 2, in_channels=1, out_channels=1)
    x = torch.randn(2, 1, 4, 4)
    with pytest.raises(ReptheoryTypeError, match="mask must have dtype torch.bool"):
        layer(x, mask=torch.ones(2, 4))
    with pytest.raises(ShapeError, match="mask"):
        layer(x, mask=torch.ones(3, 4, dtype=torch.bool))
    with pytest.raises(ShapeError, match="disagree"):
        layer(x, mask=torch.ones(2, 5, dtype=torch.bool))
    with pytest.raises(ShapeError, match="mask must have shape"):
        layer(x, mask=torch.ones(2, 4, 1, dtype=torch.bool))
    with pytest.raises(ReptheoryTypeError, match="mask must be a torch.Tensor"):
        layer(x, mask=[[True] * 4] * 2)
    with pytest.raises(InvalidParameterError, match="at least one real node"):
        layer(x, mask=torch.tensor([[True] * 4, [False] * 4]))
    with pytest.raises(InvalidParameterError, match="permutation groups"):
        EquivariantLinear(rt.O(3), 1, 1, in_channels=1, out_channels=1)(
            torch.randn(2, 1, 3), mask=torch.ones(2, 3, dtype=torch.bool))


# -- mixed orders ----------------------------------------------------------------------------
def test_tensor_rep_parse_and_errors():
    r = TensorRep("8x0+16x1+16x2")
    assert r == TensorRep({0: 8, 1: 16, 2: 16}) == TensorRep(r) and hash(r) == hash(TensorRep(str(r)))
    assert str(r) == "8x0+16x1+16x2" and r.orders == (0, 1, 2) and r[1] == 16
    assert TensorRep("2x1 + 3x1") == TensorRep("5x1") and TensorRep("3") == TensorRep({3: 1})
    for bad in ("", "8y0", "x1", "2x-1", "8x0++1x1"):
        with pytest.raises(InvalidParameterError):
            TensorRep(bad)
    with pytest.raises(InvalidParameterError):
        TensorRep({1: 0})
    with pytest.raises(ReptheoryTypeError):
        TensorRep(3.5)


def test_mixed_layer_matches_blocks_brute_force():
    torch.manual_seed(5)
    layer = EquivariantLinear(rt.S(), "2x0+3x1+2x2", "1x0+2x1+3x2", dtype=torch.float64)
    with torch.no_grad():
        for b in layer.biases.values():
            b.normal_()
    rng = np.random.default_rng(6)
    for n in (1, 3, 4):
        xs = {0: rng.standard_normal((2, 2)), 1: rng.standard_normal((2, 3, n)),
              2: rng.standard_normal((2, 2, n, n))}
        out = layer({k: torch.as_tensor(v) for k, v in xs.items()})
        compared = 0
        for l in (0, 1, 2):
            ref = sum(_brute(_np(layer.weights[f"{k}_{l}"]), None, k, l, xs[k], n) for k in (0, 1, 2))
            E = np.stack([brute_diagram_matrix(d, n)[:, 0] for d in partition_diagrams(0, l)])
            ref = ref + np.einsum("oj,jr->or", _np(layer.biases[str(l)]), E).reshape(
                (1, -1) + (n,) * l)
            assert np.allclose(_np(out[l]), ref, atol=1e-10)
            compared += 1
        assert compared == 3


@pytest.mark.parametrize("group", [rt.O(3), rt.SO(3), rt.Sp(4), rt.S(4), rt.A(4)],
                         ids=lambda g: repr(g))
def test_mixed_fixed_n_matches_single_order_layers(group):
    """Each output of a mixed layer == the sum of one-order layers (the kernels' torch plan)."""
    torch.manual_seed(7)
    rep_in, rep_out = TensorRep("2x0+2x1+2x2"), TensorRep("2x0+1x1+2x2")
    layer = EquivariantLinear(group, rep_in, rep_out, dtype=torch.float64)
    with torch.no_grad():
        for b in layer.biases.values():
            b.normal_()
    n = group.n
    xs = {k: torch.randn((3, c) + (n,) * k, dtype=torch.float64) for k, c in rep_in.items()}
    out = layer(xs)
    compared = 0
    for l, cl in rep_out.items():
        ref = torch.zeros((3, cl) + (n,) * l, dtype=torch.float64)
        for k, ck in rep_in.items():
            if f"{k}_{l}" not in layer.weights:
                assert rt.hom_dimension(group, k, l) == 0
                continue
            single = EquivariantLinear(group, k, l, in_channels=ck, out_channels=cl,
                                       bias=False, dtype=torch.float64)
            with torch.no_grad():
                single.weight.copy_(layer.weights[f"{k}_{l}"])
            ref = ref + single(xs[k])
            compared += 1
        if str(l) in layer.biases:
            from reptheory.numpy import bias_tensors
            E = torch.as_tensor(bias_tensors(group, l))
            ref = ref + torch.tensordot(layer.biases[str(l)], E, dims=([1], [0]))
        assert torch.allclose(out[l], ref, atol=1e-10)
    assert compared >= 5
    # and the mixed layer is equivariant under random group elements
    rng = np.random.default_rng(8)
    for _ in range(3):
        g = torch.as_tensor(group.random_element(rng))
        gx = {k: _act(g, v, k) for k, v in xs.items()}
        gout = layer(gx)
        for l in rep_out.orders:
            assert torch.allclose(gout[l], _act(g, out[l], l), atol=1e-9)


def _act(g, x, p):
    for a in range(x.dim() - p, x.dim()):
        x = torch.movedim(torch.tensordot(x, g, dims=([a], [1])), -1, a)
    return x


def test_mixed_bad_input_and_batch_zero():
    layer = EquivariantLinear(rt.S(), "2x0+3x1", "1x0+2x2")
    with pytest.raises(ShapeError, match="disagree"):
        layer({0: torch.randn(2, 2), 1: torch.randn(3, 3, 4)})
    with pytest.raises(ShapeError, match="disagree"):
        EquivariantLinear(rt.S(), "3x1+1x2", "1x0")({1: torch.randn(2, 3, 4),
                                                     2: torch.randn(2, 1, 5, 5)})
    with pytest.raises(InvalidParameterError, match="orders"):
        layer({0: torch.randn(2, 2)})
    with pytest.raises(ReptheoryTypeError, match="dict"):
        layer(torch.randn(2, 2))
    with pytest.raises(ShapeError, match="x\\[1\\]"):
        layer({0: torch.randn(2, 2), 1: torch.randn(2, 4, 4)})
    with pytest.raises(InvalidParameterError, match="in_channels"):
        EquivariantLinear(rt.S(), "1x1", "1x1", in_channels=3)
    with pytest.raises(InvalidParameterError, match="n is required"):
        EquivariantLinear(rt.S(), 0, 1, in_channels=1, out_channels=1)(torch.randn(2, 1))
    out = layer({0: torch.randn(0, 2), 1: torch.randn(0, 3, 6)})
    assert out[0].shape == (0, 1) and out[2].shape == (0, 2, 6, 6)
    y = EquivariantLinear(rt.S(4), 2, 2, in_channels=1, out_channels=2)(torch.randn(0, 1, 4, 4))
    assert y.shape == (0, 2, 4, 4)


def test_mixed_layer_backward_and_no_bias():
    layer = EquivariantLinear(rt.S(), "1x0+2x1", "2x1+1x2", bias=False)
    assert len(layer.biases) == 0
    out = layer({0: torch.randn(2, 1), 1: torch.randn(2, 2, 5)})
    (out[1].sum() + out[2].pow(2).sum()).backward()
    assert all(p.grad is not None for p in layer.parameters())


def test_mean_aggregation_divides_sums_by_real_nodes():
    """aggregation='mean': each diagram scaled by m^-(blocks with input vertices only)."""
    torch.manual_seed(9)
    layer = EquivariantLinear(rt.S(), 2, 1, in_channels=2, out_channels=2, aggregation="mean",
                              dtype=torch.float64)
    with torch.no_grad():
        layer.bias.normal_()
    ds = list(partition_diagrams(2, 1))
    scaled = layer.weight.detach().clone()
    rng = np.random.default_rng(10)
    for m in (2, 5):
        x = rng.standard_normal((3, 2, m, m))
        for j, d in enumerate(ds):
            s = sum(1 for b in d.blocks if min(b) >= d.l)
            scaled[:, :, j] = layer.weight.detach()[:, :, j] / m**s
        ref = _brute(_np(scaled), _np(layer.bias), 2, 1, x, m)
        assert np.allclose(_np(layer(torch.as_tensor(x))), ref, atol=1e-10)
        # padded with a mask: the same as alone
        xp = torch.zeros(3, 2, 7, 7, dtype=torch.float64)
        xp[:, :, :m, :m] = torch.as_tensor(x)
        mask = torch.zeros(3, 7, dtype=torch.bool)
        mask[:, :m] = True
        assert np.allclose(_np(layer(xp, mask=mask))[:, :, :m], ref, atol=1e-10)
    with pytest.raises(InvalidParameterError, match="aggregation"):
        EquivariantLinear(rt.S(), 1, 1, in_channels=1, out_channels=1, aggregation="max")


def test_size_free_basis_needs_a_size_for_spec_and_json():
    B = rt.layer_basis(rt.S(), 2, 1)
    assert B.spec_at(6).n == 6 and len(B.spec_at(6)) == len(B)
    with pytest.raises(InvalidParameterError, match="spec_at"):
        _ = B.spec
    with pytest.raises(InvalidParameterError, match="no fixed size"):
        B.to_json()
    # code generation takes n from the input instead (tests/codegen/test_codegen_size_free.py)
    from reptheory import codegen

    assert "N = None" in codegen.generate(B, "numpy")
    from reptheory.numpy import EquivariantLinear as NumpyLinear

    with pytest.raises(InvalidParameterError, match="fixed n"):
        NumpyLinear(rt.S(), 1, 1, 1, 1)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda_matches_cpu():
    torch.manual_seed(50)
    layer = EquivariantLinear(rt.S(), "2x0+3x1+2x2", "1x0+2x2", aggregation="mean",
                              dtype=torch.float64)
    xs = {0: torch.randn(3, 2, dtype=torch.float64), 1: torch.randn(3, 3, 6, dtype=torch.float64),
          2: torch.randn(3, 2, 6, 6, dtype=torch.float64)}
    mask = torch.tensor([[True] * 6, [True] * 4 + [False] * 2, [True] * 2 + [False] * 4])
    ref = layer(xs, mask=mask)
    gpu = layer.to("cuda")
    out = gpu({k: v.cuda() for k, v in xs.items()}, mask=mask.cuda())
    for k in ref:
        assert torch.allclose(out[k].cpu(), ref[k], atol=1e-10)


def test_shared_plan_computes_each_reduction_once():
    """An order-2 input has 6 distinct reductions under S_n (x, diagonal, row sums, column
    sums, trace, total); a layer to orders 0, 1, 2 (2 + 5 + 15 diagrams) computes just those,
    plus one for the bias input."""
    layer = EquivariantLinear(rt.S(), "3x2", "1x0+2x1+2x2")
    plan = layer._shared
    per_input = {}
    for key, _, _, _, r, _ in plan.reductions:
        per_input.setdefault(key, []).append(r)
    assert sorted(per_input[2]) == [0, 0, 1, 1, 1, 2]
    assert per_input["bias"] == [0]
    assert sum(len(b) for b in layer.bases.values()) == 22
