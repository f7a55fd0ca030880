"""Executors of :class:`~reptheory.layers.LayerSpec`: numpy (reference) and fast ones.

Backends are looked up by name and imported lazily, so ``import reptheory`` never imports
torch, numba or cupy:

* ``"numpy"``: the reference (one einsum per operation);
* ``"numpy-plan"``: the shared plan (:meth:`LayerSpec.plan`) with numpy;
* ``"numba"``: compiled strided kernels, parallel over batch x channels (extra ``fast``);
* ``"torch"``: differentiable, CPU or CUDA (extra ``torch``);
* ``"cupy"``: the shared plan on the GPU (extra ``cupy``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from ..errors import BackendUnavailableError, InvalidParameterError
from ._factor_op import OperationFactorization, factor_operation
from ._numpy import apply_operation, apply_spec, operation_matrix, spec_matrices
from ._pattern import SharingPattern, sharing_pattern
from ._plan import ExpandGroup, Node, SpecPlan, Term, build_plan, plan_traffic

__all__ = [
    "ExpandGroup",
    "Node",
    "OperationFactorization",
    "SharingPattern",
    "SpecPlan",
    "Term",
    "apply_operation",
    "apply_spec",
    "backend_names",
    "build_plan",
    "factor_operation",
    "get_backend",
    "operation_matrix",
    "plan_traffic",
    "register_backend",
    "sharing_pattern",
    "spec_matrices",
]

# name -> ("module:function", extra to install)
_BACKENDS: dict[str, tuple[str, str]] = {
    "numpy": ("reptheory.kernels._numpy:apply_spec", ""),
    "numpy-plan": ("reptheory.kernels._array:apply_spec", ""),
    "numba": ("reptheory.kernels._numba:apply_spec", "fast"),
    "torch": ("reptheory.kernels._torch:apply_spec", "torch"),
    "cupy": ("reptheory.kernels._cupy:apply_spec", "cupy"),
}


def register_backend(name: str, target: str, extra: str = "") -> None:
    """Register ``"module:function"`` (signature ``f(spec, weights, x, **kw)``) under ``name``."""
    _BACKENDS[name] = (target, extra)


def backend_names() -> list[str]:
    """Registered backend names."""
    return sorted(_BACKENDS)


def get_backend(name: str) -> Callable:
    """The apply function of backend ``name`` (imported now).

    Raises
    ------
    InvalidParameterError
        Unknown name.
    BackendUnavailableError
        Known backend whose dependency is not installed (the message names the extra).
    """
    try:
        target, extra = _BACKENDS[name]
    except (KeyError, TypeError):
        raise InvalidParameterError(
            f"backend must be one of {', '.join(backend_names())}, got {name!r}"
        ) from None
    module, func = target.split(":")
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        hint = f": pip install 'reptheory[{extra}]'" if extra else ""
        raise BackendUnavailableError(f"backend {name!r} is not available ({exc}){hint}") from exc
    return getattr(mod, func)
