"""The numba route of the torch executor: CPU tensors run the compiled numba program.

In eager mode, on CPU tensors of one dtype (float32 or float64), when numba is installed, the
custom autograd function of :mod:`reptheory.kernels._torch` runs its forward pass and the
gradient in x on zero-copy numpy views of the tensors (``t.detach().numpy()``) with the numba
executor (:func:`reptheory.kernels._numba.run_plan_numba`): the forward pass is the layer's
plan, the gradient in x the plan of the transposed (l, k) layer. The gradient in the weights
stays the torch plan's reductions (:meth:`TorchPlan.weight_grad`).

Everything else takes the torch plan: CUDA tensors, ``torch.compile`` (dynamo) and
``torch.jit.trace`` (the numba call is kept out of graphs), double backward
(``create_graph=True``: the backward pass must itself be differentiable) and machines without
numba. This module imports torch; :mod:`reptheory.kernels._torch` loads it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["numba_route", "run_numba"]

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


def numba_route(*tensors: Any) -> bool:
    """Whether the numba executor can run on these tensors.

    True in eager mode (not compiling, not tracing) for CPU tensors that all have dtype
    float32 or all float64, without conjugate or negative bits, when numba is installed.

    Examples
    --------
    >>> import torch
    >>> numba_route(torch.ones(2, 3)) == _have_numba()
    True
    >>> numba_route(torch.ones(2, dtype=torch.float16)), numba_route(torch.ones(2, dtype=torch.int64))
    (False, False)
    """
    if _compiling() or torch.jit.is_tracing():
        return False
    dtype = tensors[0].dtype
    if dtype not in _NUMPY_DTYPES:
        return False
    for t in tensors:
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
