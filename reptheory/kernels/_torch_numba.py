"""The numba route of the torch executor: CPU tensors run the compiled numba program.

In eager mode, on CPU tensors of one dtype (float32 or float64), when numba is installed, the
custom autograd function of :mod:`reptheory.kernels._torch` runs its forward pass and the
gradient in x on zero-copy numpy views of the tensors (``t.detach().numpy()``) with the numba
executor (:func:`reptheory.kernels._numba.run_plan_numba`): the forward pass is the layer's
plan, the gradient in x the plan of the transposed (l, k) layer. In the gradient in the
weights (:meth:`TorchPlan.weight_grad`), the full-size terms (gy paired with x or a
permutation of x: identity, transpose, ...) run in one compiled pass
(:func:`permuted_inner`), and the reductions of x and of the output gradient that the
other terms pair are computed in one compiled pass over each (:class:`FusedReductions`).

Everything else takes the torch plan: layers with more than :data:`MAX_CHANNEL_PAIRS`
channel pairs (matrix products mix many channels faster), CUDA tensors, ``torch.compile``
(dynamo) and ``torch.jit.trace`` (the numba call is kept out of graphs), double backward
(``create_graph=True``: the backward pass must itself be differentiable) and machines without
numba. This module imports torch; :mod:`reptheory.kernels._torch` loads it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["MAX_CHANNEL_PAIRS", "FusedReductions", "numba_route", "permuted_inner", "run_numba"]

_NUMPY_DTYPES = {torch.float32: np.float32, torch.float64: np.float64}
_AVAILABLE: list[bool] = []


def _have_numba() -> bool:
    """Whether numba can be imported (asked once per process)."""
    if not _AVAILABLE:
        from ._numba import numba_available

        _AVAILABLE.append(numba_available())
    return _AVAILABLE[0]


def _compiling() -> bool:
    """True while torch.compile (dynamo) traces the code."""
    compiler = getattr(torch, "compiler", None)
    return bool(compiler is not None and compiler.is_compiling())


#: Above this many (output, input) channel pairs torch's matrix products mix channels faster
#: than the numba program (measured at S(64), k = l = 2: numba ahead up to 32 -> 32 channels,
#: torch from 48 -> 48), so the torch plan runs.
MAX_CHANNEL_PAIRS = 32 * 32


def numba_route(weights, *tensors: Any) -> bool:
    """Whether the numba executor runs a layer with these weights on these tensors.

    True in eager mode (not compiling, not tracing) for CPU tensors that all have dtype
    float32 or all float64, without conjugate or negative bits, at most
    :data:`MAX_CHANNEL_PAIRS` channel pairs (``weights`` (c_out, c_in, ...)), when numba is
    installed.

    Examples
    --------
    >>> import torch
    >>> w, x = torch.ones(4, 3, 2), torch.ones(5, 3, 6)
    >>> numba_route(w, x) == _have_numba()
    True
    >>> numba_route(w, x.half()), numba_route(w.double(), x), numba_route(torch.ones(64, 64, 2), x)
    (False, False, False)
    """
    if _compiling() or torch.jit.is_tracing():
        return False
    if weights.dim() < 2 or weights.shape[0] * weights.shape[1] > MAX_CHANNEL_PAIRS:
        return False
    dtype = weights.dtype
    if dtype not in _NUMPY_DTYPES:
        return False
    for t in (weights, *tensors):
        if t.device.type != "cpu" or t.dtype != dtype or t.is_conj() or t.is_neg():
            return False
    return _have_numba()


def run_numba(spec, plan, weights, x):
    """The layer of ``spec`` by its ``plan`` on CPU tensors with the numba executor.

    ``weights`` (c_out, c_in, len(spec)) and ``x`` (batch, c_in, n, ..., n) are read through
    zero-copy numpy views (any strides); the result is a new contiguous tensor (batch, c_out,
    n, ..., n) of x's dtype. Call only where :func:`numba_route` is True.

    Examples
    --------
    >>> import torch, reptheory as rt
    >>> spec = rt.layer_basis(rt.S(3), 1, 1).spec
    >>> run_numba(spec, spec.plan(), torch.ones(1, 1, 2), torch.tensor([[[1.0, 2.0, 3.0]]]))
    tensor([[[7., 8., 9.]]])
    """
    from ._numba import run_plan_numba

    dtype = _NUMPY_DTYPES[x.dtype]
    y = run_plan_numba(spec, plan, weights.detach().numpy(), x.detach().numpy(), dtype)
    return torch.from_numpy(y)


def permuted_inner(x, gy, strides, identity, x_reductions=None, gy_reductions=None):
    """``out[t, o, c] = sum_b sum_i gy[b, o, i] x[b, c, perm_t(i)]`` on CPU tensors, and
    reductions of x and gy in the same pass.

    ``x`` (batch, c_in, n, ..., n) and ``gy`` (batch, c_out, n, ..., n) have L axes of size n
    each; term t pairs entry (i_0, ..., i_{L-1}) of gy with the entry of x at flat offset
    ``sum_p i_p * strides[t, p]`` (``strides`` (T, L) int64: x's axes permuted), and
    ``identity`` (T,) bool marks the terms that read x in its own layout. Returns the tensor
    (T, c_out, c_in) of x's dtype (accumulated in float64 over the batch): the weight gradient
    of the full-size terms of a layer, and the lists of tensors of the
    :class:`FusedReductions` ``x_reductions`` of x and ``gy_reductions`` of gy (empty lists
    without them), computed while each batch element is in cache. Call only where
    :func:`numba_route` is True.

    Examples
    --------
    The identity and the transpose of 2 x 2 matrices, and the row sums of x:

    >>> import numpy as np, torch
    >>> x = torch.arange(8.0).reshape(1, 2, 2, 2)
    >>> gy = torch.tensor([[[[0.0, 1.0], [0.0, 0.0]]]])
    >>> rows = FusedReductions([((0, 1), (0,))], n=2, k=2)
    >>> out, (xrows,), _ = permuted_inner(x, gy, np.array([[2, 1], [1, 2]]),
    ...                                   np.array([True, False]), rows)
    >>> out
    tensor([[[1., 5.]],
    <BLANKLINE>
            [[2., 6.]]])
    >>> xrows
    tensor([[[ 1.,  5.],
             [ 9., 13.]]])
    """
    from ._torch_numba_jit import permuted_inner as kernel

    batch, c_in, c_out = x.shape[0], x.shape[1], gy.shape[1]
    n = int(x.shape[-1]) if x.dim() > 2 else 1
    L = x.dim() - 2
    fx = x_reductions if x_reductions is not None else FusedReductions([], n, L)
    fg = gy_reductions if gy_reductions is not None else FusedReductions([], n, L)
    xtab, xdst, xoff = fx.buffers(x)
    gtab, gdst, goff = fg.buffers(gy)
    out = np.zeros((len(strides), c_out, c_in))
    if batch and L > 0:
        xa = np.ascontiguousarray(x.detach().numpy()).reshape(batch, c_in, -1)
        ga = np.ascontiguousarray(gy.detach().numpy()).reshape(batch, c_out, -1)
        threads = max(1, min(_num_threads(), batch))
        if threads == 1:
            kernel(ga, xa, strides, identity, n, out, xtab, xdst, gtab, gdst)
        else:   # the kernel releases the GIL: threads split the batch, each into its own sum
            from concurrent.futures import ThreadPoolExecutor

            bounds = np.linspace(0, batch, threads + 1).round().astype(np.int64)
            parts = np.zeros((threads,) + out.shape)

            def piece(t: int) -> None:
                lo, hi = bounds[t], bounds[t + 1]
                # rows of the reductions: numbered from the batch element lo
                xt = xtab[:5] + (xtab[5] + lo * c_in * xtab[6], xtab[6])
                gt = gtab[:5] + (gtab[5] + lo * c_out * gtab[6], gtab[6])
                kernel(ga[lo:hi], xa[lo:hi], strides, identity, n, parts[t], xt, xdst, gt, gdst)

            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(piece, range(threads)))
            out = parts.sum(axis=0)
    return (torch.from_numpy(out).to(x.dtype), fx.views(xdst, xoff, x), fg.views(gdst, goff, gy))


def _num_threads() -> int:
    """Threads for the batch: ``NUMBA_NUM_THREADS`` as numba reads it."""
    import numba

    return max(1, int(numba.config.NUMBA_NUM_THREADS))


class FusedReductions:
    """Reductions of one tensor (diagonals and sums over axes) computed in one compiled pass.

    Parameters
    ----------
    patterns : list of (labels, kept)
        Per reduction, a label for each of the k axes of the input (a repeated label is a
        diagonal, a label not in ``kept`` is summed) and the kept labels in output order.
    n, k : int
        Axis size and number of axes of the input.

    Calling it on a CPU tensor (batch, c, n, ..., n) [k axes] returns one contiguous tensor
    (batch, c, n^len(kept)) per pattern, of the input's dtype. Call only where
    :func:`numba_route` is True.

    Examples
    --------
    Row sums, column sums and the diagonal of 3 x 3 matrices:

    >>> import torch
    >>> f = FusedReductions([((0, 1), (0,)), ((0, 1), (1,)), ((0, 0), (0,))], n=3, k=2)
    >>> rows, cols, diag = f(torch.arange(9.0).reshape(1, 1, 3, 3))
    >>> rows, cols, diag
    (tensor([[[ 3., 12., 21.]]]), tensor([[[ 9., 12., 15.]]]), tensor([[[0., 4., 8.]]]))
    """

    def __init__(self, patterns, n: int, k: int) -> None:
        self.n, self.k = n, k
        M, K1 = len(patterns), max(k - 1, 1)
        self.strides = np.zeros((M, K1), dtype=np.int64)
        self.equal = np.full((M, K1), -1, dtype=np.int64)
        self.mode = np.zeros(M, dtype=np.int64)
        self.last_stride = np.zeros(M, dtype=np.int64)
        self.last_equal = np.zeros(M, dtype=np.int64)
        self.sizes = np.array([n ** len(kept) for _, kept in patterns], dtype=np.int64)
        for m, (labels, kept) in enumerate(patterns):
            dst = {a: n ** (len(kept) - 1 - i) for i, a in enumerate(kept)}
            first: dict[int, int] = {}
            for p, a in enumerate(labels):
                if p < k - 1:
                    if a in first:
                        self.equal[m, p] = first[a]
                    else:
                        first[a] = p
                        self.strides[m, p] = dst.get(a, 0)
                elif a in first:
                    self.mode[m], self.last_equal[m] = 2, first[a]
                elif a in dst:
                    self.mode[m], self.last_stride[m] = 0, dst[a]
                else:
                    self.mode[m] = 1

    def buffers(self, t):
        """(table, zeroed flat output, block offsets) of the reductions of tensor t."""
        R = int(t.shape[0]) * int(t.shape[1])
        offsets = np.zeros(len(self.sizes), dtype=np.int64)
        offsets[1:] = np.cumsum(R * self.sizes)[:-1]
        dst = np.zeros(int(R * self.sizes.sum()), dtype=_NUMPY_DTYPES[t.dtype])
        tab = (self.strides, self.equal, self.mode, self.last_stride, self.last_equal,
               offsets, self.sizes)
        return tab, dst, offsets

    def views(self, dst, offsets, t) -> list:
        """The reductions of t in ``dst`` as tensors (batch, c, n^rank)."""
        batch, c = int(t.shape[0]), int(t.shape[1])
        flat = torch.from_numpy(dst)
        return [flat[o:o + batch * c * s].reshape(batch, c, s)
                for o, s in zip(offsets, self.sizes)]

    def __call__(self, t) -> list:
        from ._torch_numba_jit import fused_reduce

        tab, dst, offsets = self.buffers(t)
        R = int(t.shape[0]) * int(t.shape[1])
        if R and len(self.sizes):
            src = np.ascontiguousarray(t.detach().numpy()).reshape(R, self.n ** self.k)
            fused_reduce(src, self.n, self.k, tab, dst)
        return self.views(dst, offsets, t)
