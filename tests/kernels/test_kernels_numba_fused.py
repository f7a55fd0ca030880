"""The fused numba program (reduce, mix, one tiled pass over y) against independent references.

Small layers are compared with dense matrices built by enumerating label assignments
(``brute_spec_matrices``, no code shared with the plan); larger ones, where the dense matrix is
too big, with the numpy reference executor (itself checked against the dense matrices). The
cases cover every code path of the program: full-size sources in y's order copied in 8 x 8
float32 / 4 x 4 float64 blocks transposed in registers, 8 x 8 float64 blocks or 16 x 16 tiles
(n not a multiple of the block), mixed before the copy (fewer output channels), the row
vector and per-row numbers stored together with the first four sources (four or more input
channels), column sums four rows at a time (n a multiple of 4),
buffers permuted into y's order, tiles of several rows (n even, k = 3), odd n, batch 0 and 1,
non-contiguous input, float32 and float64.
"""

from __future__ import annotations

import numpy as np
import pytest
from kernels_helpers import brute_spec_matrices, dense_apply, eps_specs, j_spec

import reptheory as rt

pytest.importorskip("numba")

from reptheory.kernels import get_backend
from reptheory.kernels._array import get_plan
from reptheory.kernels._numba import _program, run_plan_numba

TABLES = ("ND", "PI", "MX", "TM", "PO", "AD", "SP", "n_x", "PD", "pd_str", "YA")


def _tables(spec, c_in, c_out, dtype=np.float64):
    prog = _program(spec, get_plan(spec, True), np.dtype(dtype), c_in, c_out)
    return dict(zip(TABLES, prog["tables"]))


def _close(y, ref, dtype):
    tol = 1e-12 if dtype == np.float64 else 1e-5
    scale = max(1.0, float(np.abs(ref).max()))
    assert np.abs(np.asarray(y, dtype=np.float64).reshape(ref.shape) - ref).max() <= tol * scale


def _run(spec, rng, batch, c_in, c_out, dtype, ref="dense"):
    x = rng.standard_normal((batch, c_in) + (spec.n,) * spec.k)
    w = rng.standard_normal((c_out, c_in, len(spec)))
    y = get_backend("numba")(spec, w.astype(dtype), x.astype(dtype))
    assert y.shape == (batch, c_out) + (spec.n,) * spec.l and y.dtype == dtype
    xd, wd = x.astype(dtype).astype(np.float64), w.astype(dtype).astype(np.float64)
    if ref == "dense":
        r = dense_apply(brute_spec_matrices(spec), wd, xd)
    else:
        r = get_backend("numpy")(spec, wd, xd)
    _close(y, r, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fused_program_matches_dense_for_every_family(dtype):
    rng = np.random.default_rng(1301)
    cases = [(rt.S(3), 2, 2), (rt.S(5), 2, 2), (rt.S(3), 3, 3), (rt.S(4), 1, 2), (rt.S(3), 2, 1),
             (rt.S(3), 3, 1), (rt.S(3), 0, 2), (rt.S(3), 2, 0), (rt.A(4), 2, 2), (rt.O(3), 2, 2),
             (rt.O(3), 3, 3), (rt.SO(3), 2, 1), (rt.SO(3), 3, 3), (rt.Sp(4), 2, 2),
             (rt.Sp(2), 3, 1)]
    compared = 0
    for G, k, l in cases:
        spec = rt.layer_basis(G, k, l).spec
        for batch, c_in, c_out in [(1, 1, 1), (3, 2, 3), (2, 3, 2)]:
            _run(spec, rng, batch, c_in, c_out, dtype)
            compared += 1
    assert compared == 3 * len(cases)


def test_fused_program_matches_dense_with_constants():
    rng = np.random.default_rng(1302)
    specs = [j_spec(4), *eps_specs()]
    for spec in specs:
        _run(spec, rng, 2, 2, 3, np.float64)
    assert len(specs) >= 2


@pytest.mark.parametrize("n", [8, 6, 7])
def test_permuted_sources_and_multi_row_tiles(n):
    """S(n) 3 -> 3: five permutations of x copied into y's order (8 x 8 blocks for n = 8, 16 x 16
    tiles otherwise), tiles of several rows (n = 6, 8) or one (n = 7)."""
    rng = np.random.default_rng(1303 + n)
    spec = rt.layer_basis(rt.S(n), 3, 3).spec
    t = _tables(spec, 2, 2)
    assert len(t["PI"]) == 5 and t["n_x"] == 2 and len(t["PD"]) > 0
    for dtype in (np.float64, np.float32):
        _run(spec, rng, 2, 2, 2, dtype, ref="numpy")


def test_mix_then_permute_when_fewer_output_channels():
    rng = np.random.default_rng(1304)
    spec = rt.layer_basis(rt.S(8), 2, 2).spec
    assert len(_tables(spec, 3, 2)["PO"]) == 1 and len(_tables(spec, 3, 2)["PI"]) == 0
    assert len(_tables(spec, 2, 3)["PI"]) == 1 and len(_tables(spec, 2, 3)["PO"]) == 0
    for c_in, c_out in [(3, 2), (2, 3), (5, 1)]:
        _run(spec, rng, 2, c_in, c_out, np.float64)
        _run(spec, rng, 2, c_in, c_out, np.float32)


def test_buffers_permuted_into_y_order():
    """A rank-2 group of S(n) 3 -> 3 whose node axes appear in y in the other order is copied
    into y's order before the row pass."""
    spec = rt.layer_basis(rt.S(4), 3, 3).spec
    t = _tables(spec, 1, 1)
    assert any(row[8] == 1 for row in t["AD"])          # a zeroed copy into y's order
    _run(spec, np.random.default_rng(1305), 2, 1, 1, np.float64)


@pytest.mark.parametrize("batch", [0, 1, 5])
def test_batch_sizes_and_non_contiguous_input(batch):
    rng = np.random.default_rng(1306 + batch)
    spec = rt.layer_basis(rt.S(5), 2, 2).spec
    base = rng.standard_normal((batch, 5, 5, 2))
    x = np.moveaxis(base, 3, 1)[:, :, ::-1]           # strided, reversed view
    w = rng.standard_normal((3, 2, len(spec)))
    y = get_backend("numba")(spec, w, x)
    assert y.shape == (batch, 3, 5, 5)
    if batch == 0:
        return
    ref = dense_apply(brute_spec_matrices(spec), w, np.ascontiguousarray(x))
    _close(y, ref, np.float64)


def test_run_plan_numba_signature_is_stable():
    spec = rt.layer_basis(rt.O(4), 2, 2).spec
    rng = np.random.default_rng(1307)
    x = rng.standard_normal((2, 1, 4, 4))
    w = rng.standard_normal((1, 1, len(spec)))
    y = run_plan_numba(spec, get_plan(spec, True), w, x, np.dtype(np.float64))
    _close(y, dense_apply(brute_spec_matrices(spec), w, x), np.float64)


@pytest.mark.parametrize("n", [8, 12, 6])
def test_fill_stored_with_the_first_sources(n):
    """S(n) 2 -> 2 with four or more input channels: the row vector and per-row numbers of each
    output channel go into y in one store with the first four sources (two output channels at
    a time, a single one when c_out is odd); transposes in 8 x 8 / 4 x 4 register blocks
    (n = 8), 4 x 4 float64 blocks only (n = 12) or tiles (n = 6)."""
    rng = np.random.default_rng(1308 + n)
    spec = rt.layer_basis(rt.S(n), 2, 2).spec
    assert _tables(spec, 4, 4)["n_x"] == 4
    for c_in, c_out in [(4, 4), (4, 3), (6, 5), (5, 2)]:
        for dtype in (np.float64, np.float32):
            _run(spec, rng, 3, c_in, c_out, dtype, ref="numpy")


def test_fill_stored_with_the_first_sources_other_orders():
    """The same with one-row tiles of y (l = 1), a rank-3 y, and l < k or l > k, against the
    dense matrices of the brute-force enumeration."""
    rng = np.random.default_rng(1310)
    fused = 0
    for G, k, l in [(rt.S(8), 1, 1), (rt.S(8), 2, 1), (rt.S(8), 1, 2), (rt.S(4), 3, 3),
                    (rt.O(4), 2, 2)]:
        spec = rt.layer_basis(G, k, l).spec
        t = _tables(spec, 4, 2)
        fused += t["n_x"] >= 4 and len(t["PD"]) > 0
        for c_in, c_out in [(4, 2), (5, 3)]:
            for dtype in (np.float64, np.float32):
                _run(spec, rng, 2, c_in, c_out, dtype)
    assert fused >= 3


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_register_block_transposes(dtype):
    """The shuffle networks of ``_numba_simd`` against numpy's transpose, at offsets and
    strides that are not multiples of the block."""
    from numba import njit

    from reptheory.kernels._numba_simd import transpose4, transpose8

    @njit
    def blocks(dst, d0, ds, src, s0, ss, w):
        if w == 8:
            transpose8(dst, d0, ds, src, s0, ss)
        else:
            transpose4(dst, d0, ds, src, s0, ss)

    rng = np.random.default_rng(1309)
    for w in (8, 4):
        src = rng.standard_normal(200).astype(dtype)
        dst = np.zeros(200, dtype=dtype)
        blocks(dst, 5, 13, src, 3, 11, w)
        block = np.stack([src[3 + 11 * r: 3 + 11 * r + w] for r in range(w)])
        got = np.stack([dst[5 + 13 * r: 5 + 13 * r + w] for r in range(w)])
        assert np.array_equal(got, block.T)
        untouched = np.ones(200, dtype=bool)
        for r in range(w):
            untouched[5 + 13 * r: 5 + 13 * r + w] = False
        assert not dst[untouched].any()

