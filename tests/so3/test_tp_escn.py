"""eSCN convolution: equivariance, SO(2) block structure, exact correspondence with CG convolution."""

import numpy as np
import pytest
from _reference import block_wigner_D as block_D
from _reference import random_rotation as rand_rot

from reptheory.errors import InvalidParameterError, ShapeError
from reptheory.so3 import rot_z, spherical_harmonics_all, wigner_D
from reptheory.so3._tables import cg_tensor
from reptheory.so3._tp_escn import (
    _pole_matrix,
    cg_convolution,
    cg_convolution_paths,
    cg_to_escn_weights,
    edge_to_pole_rotation,
    escn_convolution,
    escn_parameter_count,
    escn_to_cg_weights,
)


def rand_weights(rng, L_in, L_out):
    W = {0: rng.normal(size=(L_out + 1, L_in + 1))}
    for m in range(1, min(L_in, L_out) + 1):
        W[m] = rng.normal(size=(2, L_out + 1, L_in + 1))
    return W


@pytest.mark.parametrize("L_in,L_out", [(1, 1), (2, 3), (3, 2), (4, 4), (0, 2)])
def test_escn_equals_cg_both_directions(L_in, L_out):
    rng = np.random.default_rng(10 * L_in + L_out)
    x, r = rng.normal(size=(6, (L_in + 1) ** 2)), rng.normal(size=(6, 3))
    W = rand_weights(rng, L_in, L_out)
    h = escn_to_cg_weights(W, L_in, L_out)
    np.testing.assert_allclose(
        escn_convolution(x, r, W, L_out), cg_convolution(x, r, h, L_out), atol=1e-11
    )
    paths = cg_convolution_paths(L_in, L_out)
    h2 = dict(zip(paths, rng.normal(size=len(paths))))
    W2 = cg_to_escn_weights(h2, L_in, L_out)
    np.testing.assert_allclose(
        escn_convolution(x, r, W2, L_out), cg_convolution(x, r, h2, L_out), atol=1e-11
    )
    # round trip of the parameter maps
    h3 = escn_to_cg_weights(W2, L_in, L_out)
    np.testing.assert_allclose([h3[p] for p in paths], [h2[p] for p in paths], atol=1e-10)


@pytest.mark.parametrize("L", [1, 2, 3, 4, 5, 6])
def test_parameter_counts_equal(L):
    n_cg = len(cg_convolution_paths(L, L))
    assert n_cg == escn_parameter_count(L, L)
    brute = sum(
        1
        for li in range(L + 1)
        for lo in range(L + 1)
        for lf in range(2 * L + 1)
        if abs(li - lo) <= lf <= li + lo
    )
    assert n_cg == brute
    for li in range(L + 1):
        for lo in range(L + 1):
            _, A = _pole_matrix(li, lo)
            assert A.shape[0] == A.shape[1]
            assert np.linalg.cond(A) < 1e6


def test_digest_totals():
    assert [escn_parameter_count(L, L) for L in (2, 4, 6)] == [19, 85, 231]


def test_real_cg_pole_structure():
    """The SO(2) form relies on C[-m,0,-m] = C[m,0,m] and C[-m,0,m] = -C[m,0,-m]."""
    for li in range(5):
        for lo in range(5):
            for lf in range(abs(li - lo), li + lo + 1):
                C = cg_tensor(li, lf, lo)[:, lf, :]
                for m in range(1, min(li, lo) + 1):
                    assert np.isclose(C[li - m, lo - m], C[li + m, lo + m], atol=1e-14)
                    assert np.isclose(C[li - m, lo + m], -C[li + m, lo - m], atol=1e-14)
                # orders never mix: mo = +-mi only
                mask = np.abs(
                    np.subtract.outer(
                        np.abs(np.arange(-li, li + 1)), np.abs(np.arange(-lo, lo + 1))
                    )
                )
                assert np.all(np.abs(C[mask != 0]) < 1e-14)


def test_escn_equivariant_and_roll_invariant():
    rng = np.random.default_rng(3)
    L_in, L_out = 3, 3
    x, r = rng.normal(size=(5, 16)), rng.normal(size=(5, 3))
    W = rand_weights(rng, L_in, L_out)
    y = escn_convolution(x, r, W, L_out)
    R = rand_rot(rng)
    yr = escn_convolution(x @ block_D(L_in, R).T, r @ R.T, W, L_out)
    np.testing.assert_allclose(yr, y @ block_D(L_out, R).T, atol=1e-11)
    # the SO(2) map commutes with rolls about the pole: any frame with R r = z gives the same y
    Rp = edge_to_pole_rotation(r)
    Rroll = rot_z(0.7) @ Rp
    np.testing.assert_allclose(
        Rroll @ (r / np.linalg.norm(r, axis=1)[:, None])[..., None],
        Rp @ (r / np.linalg.norm(r, axis=1)[:, None])[..., None],
        atol=1e-12,
    )
    from reptheory.so3._tp_escn import so2_linear

    def conv_frame(Rs):
        Ds = [wigner_D(l, Rs) for l in range(L_in + 1)]
        xr = np.concatenate(
            [np.einsum("eij,ej->ei", Ds[l], x[:, l * l : (l + 1) ** 2]) for l in range(L_in + 1)], 1
        )
        yr_ = so2_linear(xr, W, L_in, L_out)
        return np.concatenate(
            [
                np.einsum("eji,ej->ei", Ds[l], yr_[:, l * l : (l + 1) ** 2])
                for l in range(L_out + 1)
            ],
            1,
        )

    np.testing.assert_allclose(conv_frame(Rroll), y, atol=1e-11)


def test_pole_harmonics():
    Y = spherical_harmonics_all(4, [[0.0, 0.0, 1.0]])[0]
    for l in range(5):
        for m in range(-l, l + 1):
            want = np.sqrt((2 * l + 1) / (4 * np.pi)) if m == 0 else 0.0
            assert np.isclose(Y[l * l + l + m], want, atol=1e-14)


def test_escn_bad_input():
    W = {0: np.ones((2, 2)), 1: np.ones((2, 2, 2))}
    with pytest.raises(InvalidParameterError, match="zero"):
        escn_convolution(np.ones((1, 4)), [[0.0, 0.0, 0.0]], W, 1)
    with pytest.raises(ShapeError, match=r"weights\[1\]"):
        escn_convolution(
            np.ones((1, 4)), [[0.0, 0.0, 1.0]], {0: np.ones((2, 2)), 1: np.ones((2, 2))}, 1
        )
    with pytest.raises(InvalidParameterError, match="lack order m=1"):
        escn_convolution(np.ones((1, 4)), [[0.0, 0.0, 1.0]], {0: np.ones((2, 2))}, 1)
    with pytest.raises(ShapeError, match="2 edges"):
        escn_convolution(np.ones((1, 4)), np.ones((2, 3)), W, 1)


BAD_VALUES = (np.nan, np.inf, -np.inf)


@pytest.mark.parametrize("bad", BAD_VALUES)
def test_escn_and_cg_convolution_reject_non_finite(bad):
    rng = np.random.default_rng(31)
    x, r = rng.normal(size=(3, 4)), rng.normal(size=(3, 3))
    W = rand_weights(rng, 1, 1)
    h = escn_to_cg_weights(W, 1, 1)
    xb, rb = x.copy(), r.copy()
    xb[1, 2], rb[2, 0] = bad, bad
    Wb = {m: w.copy() for m, w in W.items()}
    Wb[1][1, 0, 1] = bad
    hb = dict(h)
    hb[(1, 1, 1)] = bad
    cases = [
        ("x", lambda: escn_convolution(xb, r, W, 1)),
        ("edge_vec", lambda: escn_convolution(x, rb, W, 1)),
        (r"weights\[1\]", lambda: escn_convolution(x, r, Wb, 1)),
        ("x", lambda: cg_convolution(xb, r, h, 1)),
        ("edge_vec", lambda: cg_convolution(x, rb, h, 1)),
        (r"h\[", lambda: cg_convolution(x, r, hb, 1)),
        ("edge_vec", lambda: edge_to_pole_rotation(rb)),
        (r"h\[", lambda: cg_to_escn_weights(hb, 1, 1)),
        (r"weights\[1\]", lambda: escn_to_cg_weights(Wb, 1, 1)),
        ("x", lambda: escn_convolution(xb.astype(np.float32), r, W, 1)),
    ]
    for name, call in cases:
        with pytest.raises(InvalidParameterError, match=name + ".*(NaN|infinite)"):
            call()
    # the finite inputs go through, and both convolutions still agree
    np.testing.assert_allclose(escn_convolution(x, r, W, 1), cg_convolution(x, r, h, 1), atol=1e-12)
    assert len(cases) == 10


def test_cg_convolution_bad_edges_and_paths_name_the_parameter():
    x, h = np.ones((2, 4)), {(1, 1, 1): 1.0}
    with pytest.raises(InvalidParameterError, match="edge_vec has a zero"):
        cg_convolution(x, [[0.0, 0.0, 1.0], [0.0, 0.0, 0.0]], h, 1)
    with pytest.raises(InvalidParameterError, match="edge_vec has a zero.*overflows"):
        cg_convolution(x, [[0.0, 0.0, 1.0], [1e200, 1e200, 0.0]], h, 1)
    with pytest.raises(ShapeError, match="edge_vec must have shape"):
        cg_convolution(x, [[0.0, 1.0], [1.0, 0.0]], h, 1)
    with pytest.raises(ShapeError, match="2 edges"):
        cg_convolution(np.ones((3, 4)), np.ones((2, 3)), h, 1)
    with pytest.raises(InvalidParameterError, match="not a CG convolution path"):
        cg_convolution(x, np.ones((2, 3)), {(1, 5, 1): 1.0}, 1)
    with pytest.raises(InvalidParameterError, match="h must be a dict"):
        cg_convolution(x, np.ones((2, 3)), [1.0], 1)
