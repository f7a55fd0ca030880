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

from ..errors import InvalidParameterError
from ._backend import Backend
from ._factor_op import OperationFactorization, factor_operation
from ._numpy import apply_operation, apply_spec, operation_matrix, spec_matrices
from ._pattern import SharingPattern, sharing_pattern
from ._plan import ExpandGroup, Node, SpecPlan, Term, build_plan, plan_traffic

__all__ = [
    "Backend",
    "ExpandGroup",
    "Node",
    "OperationFactorization",
    "SharingPattern",
    "SpecPlan",
    "Term",
    "apply_layer",
    "apply_operation",
    "apply_spec",
    "backend_names",
    "build_plan",
    "factor_operation",
    "get_backend",
    "layer_matrix",
    "operation_matrix",
    "plan_traffic",
    "register_backend",
    "sharing_pattern",
    "spec_matrices",
    "unregister_backend",
]

# The one registry of executors: name -> Backend(apply, layer matrix, extra to install).
_BACKENDS: dict[str, Backend] = {
    "numpy": Backend("numpy", "reptheory.kernels._numpy:apply_spec",
                     "reptheory.kernels._backend:numpy_layer_matrix"),
    "numpy-plan": Backend("numpy-plan", "reptheory.kernels._array:apply_spec",
                          "reptheory.kernels._backend:numpy_layer_matrix"),
    "numba": Backend("numba", "reptheory.kernels._numba:apply_spec",
                     "reptheory.kernels._numba:layer_matrix", "fast"),
    "torch": Backend("torch", "reptheory.kernels._torch:apply_spec",
                     "reptheory.kernels._torch:layer_matrix", "torch"),
    "cupy": Backend("cupy", "reptheory.kernels._cupy:apply_spec",
                    "reptheory.kernels._cupy:layer_matrix", "cupy"),
}


def register_backend(name: str, target: str, extra: str = "", layer_matrix: str | None = None) -> None:
    """Register an executor under ``name``.

    Parameters
    ----------
    name : str
    target : str
        ``"module:function"`` of the apply function ``f(spec, weights, x, **kw)``.
    extra : str
        The pip extra that installs its dependency (named when the import fails).
    layer_matrix : str, optional
        ``"module:function"`` of ``f(spec, weights, sparse=None, max_entries=None)``; without
        it, :meth:`LayerBasis.layer_matrix` applies the layer to the standard basis vectors.
    """
    _BACKENDS[name] = Backend(name, target, layer_matrix, extra)


def unregister_backend(name: str) -> None:
    """Remove a backend added with :func:`register_backend` (no error if absent).

    Examples
    --------
    >>> register_backend("plain", "reptheory.kernels._numpy:apply_spec")
    >>> "plain" in backend_names()
    True
    >>> unregister_backend("plain")
    >>> "plain" in backend_names()
    False
    """
    _BACKENDS.pop(name, None)


def backend_names() -> list[str]:
    """Registered backend names."""
    return sorted(_BACKENDS)


def get_backend(name: str) -> Backend:
    """The backend called ``name``, its module imported now.

    The result is callable as the apply function, ``get_backend(name)(spec, weights, x)``, and
    offers :meth:`Backend.layer_matrix`.

    Raises
    ------
    InvalidParameterError
        Unknown name.
    BackendUnavailableError
        Known backend whose dependency is not installed (the message names the extra).
    """
    try:
        backend = _BACKENDS[name]
    except (KeyError, TypeError):
        raise InvalidParameterError(
            f"backend must be one of {', '.join(backend_names())}, got {name!r}"
        ) from None
    backend.load()
    return backend


def apply_layer(spec, weights, x, backend: str = "numpy", **kwargs):
    """``y = sum_b weights[:, :, b] B_b(x)`` with the named backend (see :meth:`LayerBasis.apply`).

    Examples
    --------
    >>> import numpy as np, reptheory as rt
    >>> spec = rt.layer_basis(rt.S(3), 1, 1).spec
    >>> apply_layer(spec, np.array([[[0.0, 1.0]]]), np.array([[[1.0, 2.0, 3.0]]]), "numpy-plan")
    array([[[6., 6., 6.]]])
    """
    return get_backend(backend).apply(spec, weights, x, **kwargs)


def layer_matrix(spec, weights, backend: str = "numpy", *, sparse: bool | None = None,
                 max_entries: int | None = None):
    """The layer matrix of ``weights`` with the named backend (see :meth:`LayerBasis.layer_matrix`).

    Examples
    --------
    >>> import numpy as np, reptheory as rt
    >>> spec = rt.layer_basis(rt.S(2), 1, 1).spec
    >>> layer_matrix(spec, np.array([1.0, 2.0]), "numpy", sparse=False)
    array([[3., 2.],
           [2., 3.]])
    """
    return get_backend(backend).layer_matrix(spec, weights, sparse=sparse, max_entries=max_entries)
