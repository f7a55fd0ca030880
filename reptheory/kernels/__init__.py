"""Executors of :class:`~reptheory.layers.LayerSpec`: numpy (reference) and pluggable others.

Backends are looked up by name and imported lazily, so ``import reptheory`` never imports
torch, numba or cupy.
"""

from __future__ import annotations

import importlib
from typing import Callable

from ..errors import BackendUnavailableError, InvalidParameterError
from ._numpy import apply_operation, apply_spec, operation_matrix, spec_matrices

__all__ = [
    "apply_spec",
    "apply_operation",
    "operation_matrix",
    "spec_matrices",
    "get_backend",
    "register_backend",
    "backend_names",
]

# name -> ("module:function", extra to install)
_BACKENDS: dict[str, tuple[str, str]] = {
    "numpy": ("reptheory.kernels._numpy:apply_spec", ""),
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
