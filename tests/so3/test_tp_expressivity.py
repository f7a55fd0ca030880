"""Expressivity report checked against numerical nullspaces and the actual product implementations."""

import numpy as np
import pytest
from scipy.linalg import block_diag

from reptheory.errors import InvalidParameterError
from reptheory.so3 import wigner_D
from reptheory.so3._tp_cg import cg_tensor_product, tp_paths
from reptheory.so3._tp_expressivity import tensor_product_expressivity
from reptheory.so3._tp_gaunt_grid import gaunt_tensor_product
from reptheory.so3._tp_util import parse_irreps


def rep_matrix(irreps, R, inversion):
    blocks = []
    for mul, ir in parse_irreps(irreps):
        for _ in range(mul):
            D = wigner_D(ir.l, R)
            blocks.append(D * (ir.p if inversion else 1))
    return block_diag(*blocks)


def equivariant_dim_numerical(a, b, c, rng):
    """Nullspace of T -> (D1 (x) D2 (x) D3) T - T over two random rotations and the inversion."""
    M = 0
    for R, inv in ((None, False), (None, False), (np.eye(3), True)):
        if R is None:
            q, r = np.linalg.qr(rng.normal(size=(3, 3)))
            R = q * np.sign(np.diag(r))
            R = R * np.linalg.det(R)
        K = np.kron(np.kron(rep_matrix(a, R, inv), rep_matrix(b, R, inv)), rep_matrix(c, R, inv))
        A = K - np.eye(K.shape[0])
        M = M + A.T @ A
    return int(np.sum(np.linalg.eigvalsh(M) < 1e-9))


@pytest.mark.parametrize(
    "a,b,c",
    [
        ("1o", "1o", "0e+1e+2e"),
        ("2x0e+1x1o+1x1e", "1x1o+1x2e", "0e+0o+1e+1o+2e"),
        (1, 2, 2),
        ("1e+0o", "1o", "1o+1e+0e"),
    ],
)
def test_equivariant_dim_matches_nullspace(a, b, c):
    rep = tensor_product_expressivity(a, b, c)
    assert rep.equivariant_dim == equivariant_dim_numerical(a, b, c, np.random.default_rng(0))
    assert rep.method("cg").span_dim == rep.equivariant_dim
    assert rep.method("gaunt").span_dim <= rep.equivariant_dim


def _map_rank(product, L1, L2, Lo, symmetric=False):
    """Rank of the space of bilinear maps produced by ``product(x1, x2)`` over weight choices."""
    d1, d2 = (L1 + 1) ** 2, (L2 + 1) ** 2
    e1, e2 = np.eye(d1), np.eye(d2)
    X1 = np.repeat(e1, d2, axis=0)
    X2 = np.tile(e2, (d1, 1))
    tensors = []
    for z in product(X1, X2):
        T = z.reshape(d1, d2, -1)
        if symmetric:
            T = T + T.transpose(1, 0, 2)
        tensors.append(T.ravel())
    s = np.linalg.svd(np.array(tensors), compute_uv=False)
    return int(np.sum(s > 1e-9 * s[0]))


@pytest.mark.parametrize("L", [1, 2, 3])
def test_spans_of_actual_implementations(L):
    rep = tensor_product_expressivity(L, L, L)
    paths = tp_paths(L, L, L, parity="even")  # parity-respecting for natural-parity features

    def cg_maps(X1, X2):
        for p in paths:
            yield cg_tensor_product(X1, X2, L, paths=[p])

    def gaunt_maps(X1, X2):  # per-degree weights: one-hot in each of the three degree slots
        for l1 in range(L + 1):
            for l2 in range(L + 1):
                for l3 in range(L + 1):
                    w1, w2, wo = np.eye(L + 1)[l1], np.eye(L + 1)[l2], np.eye(L + 1)[l3]
                    yield gaunt_tensor_product(X1, X2, L, "grid", w1, w2, wo)

    def cg_all(X1, X2):  # every SO(3) path: what the eSCN convolution spans
        for p in tp_paths(L, L, L):
            yield cg_tensor_product(X1, X2, L, paths=[p])

    assert _map_rank(cg_maps, L, L, L) == rep.method("cg").span_dim
    assert _map_rank(cg_all, L, L, L) == rep.method("escn").span_dim
    assert _map_rank(gaunt_maps, L, L, L) == rep.method("gaunt").span_dim
    assert _map_rank(cg_maps, L, L, L, symmetric=True) == rep.method("cg").symmetric_dim
    assert _map_rank(gaunt_maps, L, L, L, symmetric=True) == rep.method("gaunt").symmetric_dim


def test_gaunt_cannot_make_cross_product():
    rep = tensor_product_expressivity("1o", "1o", "1e")
    assert rep.method("cg").span_dim == 1 and rep.method("gaunt").span_dim == 0
    assert rep.method("cg").symmetric_dim == 0  # antisymmetric: x (x) x has no cross product
    # the Gaunt product of two vectors has no l = 1 part at all
    rng = np.random.default_rng(1)
    x1 = np.concatenate([[[0.0]], rng.normal(size=(1, 3))], 1)
    x2 = np.concatenate([[[0.0]], rng.normal(size=(1, 3))], 1)
    z = gaunt_tensor_product(x1, x2, 2, "fourier")
    assert np.allclose(z[0, 1:4], 0, atol=1e-15)


def test_digest_path_counts():
    counts = [
        (len(tp_paths(L, L, L)), len(tp_paths(L, L, L, parity="even"))) for L in (1, 2, 3, 4, 6)
    ]
    assert counts == [(5, 4), (15, 11), (34, 23), (65, 42), (175, 106)]
    for L in (1, 2, 3):
        rep = tensor_product_expressivity(L, L, L, numerical=False)
        assert len(rep.method("escn").paths) == counts[L - 1][0]
        assert len(rep.method("gaunt").paths) == counts[L - 1][1]


def test_gaunt_param_dim_small():
    rep = tensor_product_expressivity(3, 3, 3)
    assert rep.method("gaunt").param_dim == 4 + 4 + 4 - 2
    assert rep.method("gaunt").param_dim < rep.method("gaunt").span_dim


def test_bad_irreps():
    with pytest.raises(InvalidParameterError, match=r"'2x' at position 3"):
        tensor_product_expressivity("1o+2x", "1o", "1e")
    with pytest.raises(InvalidParameterError, match=r"'' at position"):
        parse_irreps("1o++1e")
