"""``assert_equivariant`` and ``equivariance_error``: check matrices, functions and torch modules.

Both share one loop (:func:`_deviations`) and one group-action helper
(:mod:`reptheory.testing._actions`): for each group element g and input x they compare
``f(g . x)`` with ``g . f(x)``, g acting on the trailing input and output axes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .._validate import check_dense_size
from ..errors import InvalidParameterError, ReptheoryTypeError, ShapeError
from ..groups._base import as_rng
from ._actions import GroupAction, act_on_axes, group_action

__all__ = ["act_on_tensor", "assert_equivariant", "equivariance_error"]


def act_on_tensor(g: np.ndarray, x: np.ndarray, p: int) -> np.ndarray:
    """Apply g (n x n) to each of the last ``p`` axes of x: (g^{⊗p} x) without forming g^{⊗p}.

    Examples
    --------
    >>> import numpy as np
    >>> g = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> act_on_tensor(g, np.array([[1.0, 2.0], [3.0, 4.0]]), 2)
    array([[4., 3.],
           [2., 1.]])
    """
    return act_on_axes([np.asarray(g, dtype=float)] * p, np.asarray(x, dtype=float))


def _is_torch_module(f: Any) -> bool:
    return any(c.__module__.startswith("torch") for c in type(f).__mro__)


class _NonFinite(Exception):
    pass


def _as_matrix(layer: Any) -> np.ndarray | None:
    if hasattr(layer, "toarray") and hasattr(layer, "shape"):  # scipy sparse
        layer = layer.toarray()
    if isinstance(layer, (np.ndarray, list, tuple)):
        return np.asarray(layer, dtype=float)
    return None


def _numpy_caller(layer: Any) -> Callable[[np.ndarray], np.ndarray]:
    """f as a numpy -> numpy function (torch modules run in their parameters' dtype)."""
    if _is_torch_module(layer):
        import torch

        params = list(layer.parameters())
        tdtype = params[0].dtype if params else torch.get_default_dtype()
        tdevice = params[0].device if params else None

        def call(x: np.ndarray) -> np.ndarray:
            with torch.no_grad():
                out = layer(torch.as_tensor(x, dtype=tdtype, device=tdevice))
            return out.detach().cpu().double().numpy()

        return call
    if not callable(layer):
        raise ReptheoryTypeError(
            f"layer must be a matrix, a callable or a torch module, got {type(layer).__name__}")

    def call(x: np.ndarray) -> np.ndarray:
        return np.asarray(layer(x), dtype=float)

    return call


def _deviations(layer: Any, action: GroupAction, elements: list, inputs: Callable[[], np.ndarray]
                ) -> Iterator[tuple[tuple, float, float]]:
    """Yield (element, max |f(g.x) - g.f(x)|, max(|f(x)|, |f(g.x)|)) for each element.

    A matrix M of shape (dim out, dim in) is checked exactly on the basis vectors
    (``inputs`` is then ignored); other layers on ``inputs()`` drawn per element.
    """
    M = _as_matrix(layer)
    d_in = int(np.prod(action.in_axes, dtype=np.int64))
    d_out = int(np.prod(action.out_axes, dtype=np.int64))
    if M is not None:
        if M.shape != (d_out, d_in):
            f0 = action.factors[0]
            dims = (f"({f0.group.n}**{f0.out[1]}, {f0.group.n}**{f0.inp[1]}) = "
                    if len(action.factors) == 1 and f0.inp[0] == f0.out[0] == "tensor" else "")
            raise ShapeError(f"matrix must have shape (dim out, dim in) = {dims}({d_out}, {d_in}) "
                             f"for {action!r}, got {M.shape}")
        check_dense_size("the basis inputs of the matrix check", d_in * d_in)
        basis = np.eye(d_in).reshape((d_in,) + action.in_axes)

        def call(x: np.ndarray) -> np.ndarray:
            return (x.reshape(-1, d_in) @ M.T).reshape(x.shape[:x.ndim - len(action.in_axes)]
                                                       + action.out_axes)

        inputs = lambda: basis
    else:
        call = _numpy_caller(layer)
    first = True
    for g in elements:
        x = inputs()
        if first:
            try:
                fx = call(x)
            except (ShapeError, ReptheoryTypeError, InvalidParameterError):
                raise
            except Exception as exc:  # the user's function rejected the input we built
                raise ShapeError(
                    f"calling the layer on an input of shape {x.shape} failed ({type(exc).__name__}: "
                    f"{exc}); the input representation of {action!r} needs trailing axes "
                    f"{action.in_axes}: check k and input_shape") from exc
            first = False
        else:
            fx = call(x)
        action.check_output(fx.shape, "the layer's output")
        lhs = call(action.act_input(g, x))
        if not (np.isfinite(fx).all() and np.isfinite(lhs).all()):
            raise _NonFinite(f"the layer returned non-finite values (nan or inf) on finite input "
                             f"of shape {x.shape}")
        rhs = action.act_output(g, fx)
        err = float(np.abs(lhs - rhs).max(initial=0.0))
        scale = max(float(np.abs(fx).max(initial=0.0)), float(np.abs(lhs).max(initial=0.0)))
        yield g, err, scale


def _format_element(g: tuple) -> str:
    return "\n".join(np.array2string(m, precision=3) for m in g)


def assert_equivariant(
    layer: Any,
    group: Any,
    k: Any,
    l: Any,
    n_samples: int = 5,
    rng: np.random.Generator | int | None = 0,
    atol: float = 1e-8,
    rtol: float = 1e-6,
    input_shape: tuple[int, ...] = (2, 1),
    use_generators: bool = True,
) -> None:
    """Check that ``layer`` commutes with the group action; raise AssertionError if not.

    Parameters
    ----------
    layer : array, scipy sparse matrix, callable or torch module
        A matrix of shape (dim out, dim in), e.g. (n**l, n**k), is checked exactly as
        rho_l(g) M = M rho_k(g). A callable maps x of shape ``input_shape + (n,)*k`` to an
        array with l trailing axes of size n, and is checked as f(g.x) = g.f(x). Torch modules
        get torch tensors of their parameters' dtype.
    group : Group or tuple of Group
        A tuple is the direct product (factors act on consecutive blocks of trailing axes).
    k, l : int, irreps string or Irreps (or tuples of these for a direct product)
        Input and output representations: a tensor order of the defining representation, or
        for SO(3) / O(3) a sum of irreps on one axis (see :mod:`reptheory.testing`).
    n_samples : int
        Number of random group elements (generators are checked too when ``use_generators``).
    rng : Generator or int or None
    atol, rtol : float
        Tolerances (the error allowed is ``atol + rtol * max|output|``).
    input_shape : tuple of int
        Leading axes of the random input for callables (default batch 2, 1 channel).
    use_generators : bool
        Also check the groups' generators (for finite groups this makes the check exact).

    Raises
    ------
    AssertionError
        With the largest deviation and the group element, or when the layer returns NaN / inf.

    Examples
    --------
    >>> import numpy as np, reptheory as rt
    >>> n = 3
    >>> assert_equivariant(np.ones((n, n)), rt.S(n), 1, 1)      # all-ones is S_n-equivariant
    >>> assert_equivariant(np.diag([1.0, 2.0, 3.0]), rt.S(n), 1, 1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: not equivariant under S(3) (k=1, l=1): ...
    >>> assert_equivariant(lambda x: x * np.nan, rt.S(3), 1, 1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: the layer returned non-finite values (nan or inf) ...
    """
    action = group_action(group, k, l)
    gen = as_rng(rng)
    elements = action.elements(n_samples, gen, use_generators)
    shape = tuple(input_shape) + action.in_axes
    name = action._describe()
    try:
        for g, err, scale in _deviations(layer, action, elements,
                                         lambda: gen.standard_normal(shape)):
            if err > atol + rtol * scale:
                raise AssertionError(
                    f"not equivariant under {name} (k={k}, l={l}): max |f(g.x) - g.f(x)| = "
                    f"{err:.3g} (output scale {scale:.3g}) for g =\n{_format_element(g)}")
    except _NonFinite as exc:
        raise AssertionError(str(exc)) from None


def equivariance_error(
    f: Any,
    group: Any,
    k: Any,
    l: Any,
    input_shape: tuple[int, ...] = (2, 1),
    n_samples: int = 5,
    rng: np.random.Generator | int | None = 0,
    use_generators: bool = True,
    x: Any = None,
    relative: bool = True,
) -> float:
    """How far ``f`` is from equivariant: the largest deviation ``|f(g.x) - g.f(x)|``.

    Takes the arguments of :func:`assert_equivariant`; g acts on the last axes of the input
    given by k and on the last axes of the output given by l.

    Parameters
    ----------
    f : array, scipy sparse matrix, callable or torch module
        As in :func:`assert_equivariant` (a matrix is checked exactly on basis vectors; torch
        modules run without gradients in their parameters' dtype).
    group : Group or tuple of Group
        A tuple is the direct product, e.g. ``(rt.S(N), rt.O(3))`` for point clouds of shape
        ``(..., N, 3)`` with ``k=(1, 1)``.
    k, l : int, irreps string or Irreps (or tuples of these for a direct product)
    input_shape : tuple of int
        Leading axes of the random standard-normal inputs (ignored when ``x`` is given).
    n_samples : int
        Random group elements (Haar for the compact groups, uniform for finite ones).
    rng : Generator or int or None
    use_generators : bool
        Also use the groups' generators: for finite groups (S_n, A_n) ``n_samples=0`` with the
        generators gives the exact answer over the whole group.
    x : array, optional
        Inputs to use instead of random ones (e.g. a batch of real data); its trailing axes
        must match k.
    relative : bool
        Divide by the output scale ``max(|f(x)|, |f(g.x)|)`` over all samples (default), so
        that the result lies in [0, 2] and 0 means equivariant; else the absolute deviation.

    Returns
    -------
    float
        The maximum over the group elements (and inputs) of ``max |f(g.x) - g.f(x)|``,
        relative or absolute. 0.0 for a function that is identically zero.

    Raises
    ------
    InvalidParameterError
        f returns NaN or inf on finite input; a group with no sampler; no elements to check.
    ShapeError
        The representations do not match ``x`` or what f accepts or returns.

    Examples
    --------
    >>> import numpy as np, reptheory as rt
    >>> equivariance_error(np.ones((3, 3)), rt.S(3), 1, 1)
    0.0
    >>> round(equivariance_error(lambda x: np.cumsum(x, axis=-1), rt.S(3), 1, 1), 3) > 0.1
    True
    >>> mean = lambda x: x.mean(axis=-2)               # points (..., N, 3) -> (..., 3)
    >>> equivariance_error(mean, (rt.S(5), rt.O(3)), (1, 1), (0, 1)) < 1e-12
    True
    """
    action = group_action(group, k, l)
    gen = as_rng(rng)
    elements = action.elements(n_samples, gen, use_generators)
    if x is not None:
        arr = x.detach().cpu().double().numpy() if hasattr(x, "detach") else np.asarray(x, float)
        action.check_input(arr.shape, "x")
        if not np.isfinite(arr).all():
            raise InvalidParameterError("x must be finite (it contains nan or inf)")
        inputs: Callable[[], np.ndarray] = lambda: arr
    else:
        shape = tuple(int(s) for s in input_shape) + action.in_axes
        inputs = lambda: gen.standard_normal(shape)
    worst, scale = 0.0, 0.0
    try:
        for _, err, sc in _deviations(f, action, elements, inputs):
            worst, scale = max(worst, err), max(scale, sc)
    except _NonFinite as exc:
        raise InvalidParameterError(f"f: {exc}") from None
    if not relative:
        return worst
    return worst / scale if scale > 0 else 0.0
