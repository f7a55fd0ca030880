"""One entry per executor: everything a backend offers (apply a layer, build its matrix).

A :class:`Backend` is looked up by name (:func:`reptheory.kernels.get_backend`) and imports its
module only when first used. It is callable as its apply function, so
``get_backend(name)(spec, weights, x)`` applies a layer. A backend registered with only an
apply function still builds layer matrices: :func:`matrix_from_apply` applies the layer to the
standard basis vectors (guarded by the dense budget).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import check_dense_size
from ..errors import BackendUnavailableError, ShapeError

__all__ = ["Backend", "check_matrix_weights", "matrix_from_apply", "numpy_layer_matrix"]


def _resolve(target: str, name: str, extra: str) -> Callable:
    module, func = target.split(":")
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        hint = f": pip install 'reptheory[{extra}]'" if extra else ""
        raise BackendUnavailableError(f"backend {name!r} is not available ({exc}){hint}") from exc
    return getattr(mod, func)


@dataclass(frozen=True)
class Backend:
    """An executor of :class:`~reptheory.layers.LayerSpec` (see :mod:`reptheory.kernels`).

    Parameters
    ----------
    name : str
        Its name in the registry.
    apply_target : str
        ``"module:function"`` of ``f(spec, weights, x, **kw) -> y``.
    matrix_target : str, optional
        ``"module:function"`` of ``f(spec, weights, sparse=None, max_entries=None) -> M``
        (weights already checked); without one, matrices come from :func:`matrix_from_apply`.
    extra : str
        The pip extra that installs the backend's dependency (named in errors).

    Examples
    --------
    >>> import numpy as np, reptheory as rt
    >>> from reptheory.kernels import get_backend
    >>> B = rt.layer_basis(rt.S(2), 1, 1)
    >>> get_backend("numpy-plan").layer_matrix(B.spec, np.array([1.0, 2.0]), sparse=False)
    array([[3., 2.],
           [2., 3.]])
    """

    name: str
    apply_target: str
    matrix_target: str | None = None
    extra: str = ""

    def load(self) -> Callable:
        """The apply function (imports the backend's module now)."""
        return _resolve(self.apply_target, self.name, self.extra)

    def __call__(self, spec, weights, x, **kwargs: Any):
        return self.load()(spec, weights, x, **kwargs)

    def apply(self, spec, weights, x, **kwargs: Any):
        """``y = sum_b weights[:, :, b] B_b(x)`` (see :meth:`LayerBasis.apply`)."""
        return self.load()(spec, weights, x, **kwargs)

    def layer_matrix(self, spec, weights, *, sparse: bool | None = None,
                     max_entries: int | None = None):
        """The layer matrix (see :meth:`LayerBasis.layer_matrix`)."""
        check_matrix_weights(spec, weights, sparse, max_entries)
        if self.matrix_target is None:
            return matrix_from_apply(self.load(), spec, weights, sparse=sparse,
                                     max_entries=max_entries)
        f = _resolve(self.matrix_target, self.name, self.extra)
        return f(spec, weights, sparse=sparse, max_entries=max_entries)


def check_matrix_weights(spec, weights, sparse: bool | None, max_entries: int | None) -> None:
    """Weights of shape (nb,) or (c_out, c_in, nb); guard the dense size."""
    shape = tuple(getattr(weights, "shape", np.shape(weights)))
    nb = len(spec)
    if not ((len(shape) == 1 and shape[0] == nb) or (len(shape) == 3 and shape[2] == nb)):
        raise ShapeError(f"weights must have shape ({nb},) or (c_out, c_in, {nb}) "
                         f"(one weight per basis element), got {shape}")
    c = 1 if len(shape) == 1 else int(shape[0]) * int(shape[1])
    if not sparse:
        check_dense_size("the dense layer matrix", c * spec.n ** (spec.k + spec.l), max_entries,
                         hint="use sparse=True or apply()")


def _float_weights(weights) -> np.ndarray:
    w = np.asarray(weights)
    return w if w.dtype.kind in "fc" else w.astype(np.float64)


def numpy_layer_matrix(spec, weights, sparse: bool | None = None,
                       max_entries: int | None = None):
    """Layer matrix by a gather over the sharing pattern (scipy CSR by default)."""
    from ._pattern import pattern_layer_matrix, sharing_pattern

    pat = sharing_pattern(spec, max_entries)
    return pattern_layer_matrix(pat, _float_weights(weights),
                                sparse=True if sparse is None else bool(sparse))


def matrix_from_apply(apply: Callable, spec, weights, sparse: bool | None = None,
                      max_entries: int | None = None):
    """Layer matrix of any apply function, from its action on the standard basis vectors.

    Row ``(o, r)``, column ``(i, c)`` of the result is output entry r of channel o for the input
    with a single 1 at entry c of channel i. Dense unless ``sparse`` (scipy CSR).
    """
    w = _float_weights(weights)
    vector = w.ndim == 1
    if vector:
        w = w.reshape(1, 1, -1)
    c_out, c_in, _ = w.shape
    n, k, l = spec.n, spec.k, spec.l
    size_in = c_in * n**k
    check_dense_size("the probe inputs of a layer matrix", size_in * size_in, max_entries,
                     hint="use a backend with its own layer_matrix, or apply()")
    x = np.eye(size_in, dtype=w.dtype if w.dtype.kind == "f" else np.float64).reshape(
        (size_in, c_in) + (n,) * k)
    y = np.asarray(apply(spec, w, x))                     # (c_in * n^k, c_out, n^l...)
    M = np.ascontiguousarray(y.reshape(size_in, c_out * n**l).T)
    if sparse:
        import scipy.sparse as sp

        m = sp.csr_matrix(M)
        m.eliminate_zeros()
        return m
    return M
