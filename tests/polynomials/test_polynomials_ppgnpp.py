"""PPGN++: masks, equivariance, and the SRG(16, 6, 2, 2) pair PPGN cannot separate."""

import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nx = pytest.importorskip("networkx")

from reptheory.errors import InvalidParameterError, ShapeError
from reptheory.models import PPGN, PPGNPlusPlus, ppgn_missing_features
from reptheory.polynomials import Polynomial, evaluate_basis


def _cayley_z4z4(gens):
    A = np.zeros((16, 16))
    for (x1, y1), (x2, y2) in itertools.product(itertools.product(range(4), repeat=2), repeat=2):
        if ((x2 - x1) % 4, (y2 - y1) % 4) in gens:
            A[4 * x1 + y1, 4 * x2 + y2] = 1
    return A


def srg_pair():
    """The 4 x 4 rook's graph and the Shrikhande graph, both Cayley graphs of Z4 x Z4."""
    rook = _cayley_z4z4({(i, 0) for i in (1, 2, 3)} | {(0, i) for i in (1, 2, 3)})
    shrikhande = _cayley_z4z4({(1, 0), (3, 0), (0, 1), (0, 3), (1, 1), (3, 3)})
    return rook, shrikhande


def _srg_parameters(A):
    n = len(A)
    k = set(A.sum(1).astype(int))
    common = A @ A
    lam = {int(common[i, j]) for i in range(n) for j in range(n) if A[i, j]}
    mu = {int(common[i, j]) for i in range(n) for j in range(n) if i != j and not A[i, j]}
    return n, k, lam, mu


def test_pair_is_srg_16_6_2_2_with_and_without_4_cliques():
    rook, shri = srg_pair()
    for A in (rook, shri):
        assert (A == A.T).all() and not A.diagonal().any()
        assert _srg_parameters(A) == (16, {6}, {2}, {2})
    cliques = [sum(1 for c in nx.enumerate_all_cliques(nx.from_numpy_array(A)) if len(c) == 4)
               for A in (rook, shri)]
    assert cliques == [8, 0]
    # the invariant K4 polynomial counts homomorphisms: 4! per 4-clique of a simple graph
    k4 = Polynomial.from_edges(itertools.combinations(range(4), 2), symmetric=True)
    assert [round(float(k4.evaluate(A))) for A in (rook, shri)] == [24 * 8, 0]
    # ... and it is among the features PPGN cannot compute (summed over the marked edge)
    feats = [evaluate_basis(ppgn_missing_features(6), A).sum(axis=(1, 2)) for A in (rook, shri)]
    assert not np.allclose(feats[0], feats[1])


@torch.no_grad()
@pytest.mark.parametrize("scaling", ["log", "paper", "none"])
def test_ppgn_cannot_and_ppgnpp_can_separate_the_pair(scaling):
    rook, shri = srg_pair()
    x = torch.from_numpy(np.stack([rook, shri])[:, None])
    mask = torch.ones(2, 16, dtype=torch.bool)
    compared = 0
    for seed in (0, 1, 2):
        torch.manual_seed(seed)
        ppgn = PPGN(1, 8, 4, num_blocks=2).double()
        out = ppgn(x, mask)
        scale = float(out.abs().max())
        assert float((out[0] - out[1]).abs().max()) <= 1e-9 * max(scale, 1.0)
        # same for PPGN++ without polynomial features (transposes and identity channels only)
        base = PPGNPlusPlus(1, 8, 4, num_blocks=2, poly_degree=0).double()
        out = base(x, mask)
        assert float((out[0] - out[1]).abs().max()) <= 1e-9 * max(float(out.abs().max()), 1.0)
        torch.manual_seed(seed)
        pp = PPGNPlusPlus(1, 8, 4, num_blocks=2, poly_degree=6, feature_scaling=scaling).double()
        out = pp(x, mask)
        assert float((out[0] - out[1]).abs().max()) > 1e-6 * max(float(out.abs().max()), 1e-12)
        compared += 1
    assert compared == 3


@torch.no_grad()
def test_ppgnpp_padded_batch_and_permutation_invariance():
    rng = np.random.default_rng(5)
    torch.manual_seed(0)
    model = PPGNPlusPlus(1, 6, 2, num_blocks=2, poly_degree=5).double()
    sizes = [6, 4, 7]
    N = max(sizes)
    x = torch.zeros(len(sizes), 1, N, N, dtype=torch.float64)
    mask = torch.zeros(len(sizes), N, dtype=torch.bool)
    for g, m in enumerate(sizes):
        A = np.triu((rng.random((m, m)) < 0.5).astype(float), 1)
        x[g, 0, :m, :m] = torch.from_numpy(A + A.T)
        x[g, 0, m:, :] = 7.0  # junk in the padding must not matter
        mask[g, :m] = True
    out = model(x, mask)
    compared = 0
    for g, m in enumerate(sizes):
        perm = torch.from_numpy(rng.permutation(m))
        xg = x[g:g + 1, :, :m, :m][:, :, perm][:, :, :, perm]
        torch.testing.assert_close(out[g:g + 1], model(xg), rtol=1e-9, atol=1e-9)
        compared += 1
    assert compared == len(sizes)
    # features computed per graph and zero-padded give the same output
    feats = torch.zeros(len(sizes), len(model.polynomials), N, N, dtype=torch.float64)
    for g, m in enumerate(sizes):
        feats[g, :, :m, :m] = model.polynomial_features(x[g:g + 1, :, :m, :m])[0]
    torch.testing.assert_close(model(x, mask, features=feats), out, rtol=1e-9, atol=1e-9)
    with pytest.raises(ShapeError, match="features"):
        model(x, mask, features=torch.cat([feats, feats], dim=1))


@torch.no_grad()
def test_feature_scalings():
    from reptheory.models import normalize_polynomial_features

    rng = np.random.default_rng(8)
    A = np.triu((rng.random((7, 7)) < 0.6).astype(float), 1)
    A = A + A.T
    raw = evaluate_basis(ppgn_missing_features(6), A)  # numpy path, (k, n, n)
    assert np.abs(raw).max() > 10  # counts large enough for the scaling to matter
    x = torch.from_numpy(A)[None, None]
    compared = 0
    for scaling, want in (("none", raw), ("log", np.sign(raw) * np.log1p(np.abs(raw))),
                          ("paper", normalize_polynomial_features(torch.from_numpy(raw)[None])[0]
                           .numpy())):
        model = PPGNPlusPlus(1, 4, 1, num_blocks=1, poly_degree=6,
                             feature_scaling=scaling).double()
        got = model.polynomial_features(x)[0].numpy()
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
        compared += 1
    assert compared == 3
    with pytest.raises(InvalidParameterError, match="feature_scaling"):
        PPGNPlusPlus(1, 4, 1, feature_scaling="mean")


def test_ppgnpp_bad_input():
    with pytest.raises(InvalidParameterError, match="poly_degree"):
        PPGNPlusPlus(1, 4, 1, poly_degree=4)
    with pytest.raises(InvalidParameterError, match="poly_degree"):
        PPGNPlusPlus(1, 4, 1, poly_degree=7)
    with pytest.raises(InvalidParameterError, match="poly_channel"):
        PPGNPlusPlus(2, 4, 1, poly_channel=2)


def test_normalize_polynomial_features_rejects_bad_input():
    from reptheory.errors import ReptheoryTypeError, ShapeError
    from reptheory.models import normalize_polynomial_features

    with pytest.raises(ShapeError, match="feats"):
        normalize_polynomial_features(torch.ones(3, 3))
    with pytest.raises(ShapeError, match="feats"):
        normalize_polynomial_features(torch.ones(1, 2, 3, 4))
    with pytest.raises(ReptheoryTypeError, match="feats"):
        normalize_polynomial_features(torch.ones(1, 2, 3, 3, dtype=torch.int64))
