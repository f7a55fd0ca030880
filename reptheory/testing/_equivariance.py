"""``assert_equivariant``: check a matrix, a function or a torch module against a group."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._validate import check_int
from ..errors import ReptheoryTypeError, ShapeError
from ..groups import Group
from ..groups._base import as_rng

__all__ = ["act_on_tensor", "assert_equivariant"]


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
    for axis in range(x.ndim - p, x.ndim):
        x = np.moveaxis(np.tensordot(x, g, axes=([axis], [1])), -1, axis)
    return x


def _is_torch_module(f: Any) -> bool:
    return any(c.__module__.startswith("torch") for c in type(f).__mro__)


def assert_equivariant(
    layer: Any,
    group: Group,
    k: int,
    l: int,
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
        A matrix of shape (n**l, n**k) is checked as rho_l(g) M = M rho_k(g). A callable maps
        x of shape ``input_shape + (n,)*k`` to an array of shape ``(..., n, ..., n)`` with l
        trailing axes, and is checked as f(g.x) = g.f(x). Torch modules get torch tensors of
        their parameters' dtype.
    group : Group
    k, l : int
        Input and output tensor orders.
    n_samples : int
        Number of random group elements (generators are checked too when ``use_generators``).
    rng : Generator or int or None
    atol, rtol : float
        Tolerances (the error allowed is ``atol + rtol * max|output|``).
    input_shape : tuple of int
        Leading axes of the random input for callables (default batch 2, 1 channel).

    Raises
    ------
    AssertionError
        With the largest deviation, the group element and which check failed.

    Examples
    --------
    >>> import numpy as np, reptheory as rt
    >>> n = 3
    >>> assert_equivariant(np.ones((n, n)), rt.S(n), 1, 1)      # all-ones is S_n-equivariant
    >>> assert_equivariant(np.diag([1.0, 2.0, 3.0]), rt.S(n), 1, 1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: not equivariant under S(3) (k=1, l=1): ...
    """
    if not isinstance(group, Group):
        raise ReptheoryTypeError(f"group must be a reptheory Group, got {group!r}")
    k = check_int("k", k, minimum=0)
    l = check_int("l", l, minimum=0)
    n_samples = check_int("n_samples", n_samples, minimum=0)
    gen = as_rng(rng)
    n = group.n
    elements = [group.random_element(gen) for _ in range(n_samples)]
    if use_generators:
        elements = list(group.generators()) + elements
    if not elements:
        raise ReptheoryTypeError("no group elements to test: set n_samples >= 1")

    if hasattr(layer, "toarray") and hasattr(layer, "shape"):  # scipy sparse
        layer = layer.toarray()
    if isinstance(layer, np.ndarray) or (isinstance(layer, (list, tuple))):
        M = np.asarray(layer, dtype=float)
        if M.shape != (n**l, n**k):
            raise ShapeError(f"matrix must have shape ({n}**{l}, {n}**{k}) = ({n**l}, {n**k}), got {M.shape}")
        Mt = M.reshape((n,) * l + (n,) * k)
        scale = max(1.0, float(np.abs(M).max(initial=0.0)))
        to_back = list(range(l, l + k)) + list(range(l))   # (out axes, in axes) -> (in, out)
        to_front = list(range(k, k + l)) + list(range(k))
        for g in elements:
            # (rho_l(g) M)[I, J]: g on every output axis; (M rho_k(g))[I, J]: g^T on every input axis
            left = act_on_tensor(g, Mt.transpose(to_back), l).transpose(to_front).reshape(n**l, n**k)
            right_t = act_on_tensor(g.T, Mt, k).reshape(n**l, n**k)
            err = float(np.abs(left - right_t).max(initial=0.0))
            if err > atol + rtol * scale:
                raise AssertionError(
                    f"not equivariant under {group!r} (k={k}, l={l}): "
                    f"max |rho_l(g) M - M rho_k(g)| = {err:.3g} for g =\n{np.array2string(g, precision=3)}"
                )
        return

    if not callable(layer):
        raise ReptheoryTypeError(f"layer must be a matrix or a callable, got {type(layer).__name__}")
    f: Callable = layer
    torch_mode = _is_torch_module(layer)
    if torch_mode:
        import torch

        params = list(layer.parameters())
        tdtype = params[0].dtype if params else torch.float64
        tdevice = params[0].device if params else None

        def call(x: np.ndarray) -> np.ndarray:
            with torch.no_grad():
                out = layer(torch.as_tensor(x, dtype=tdtype, device=tdevice))
            return out.detach().cpu().double().numpy()
    else:
        def call(x: np.ndarray) -> np.ndarray:
            return np.asarray(f(x), dtype=float)

    for g in elements:
        x = gen.standard_normal(tuple(input_shape) + (n,) * k)
        fx = call(x)
        if fx.ndim < l or any(s != n for s in fx.shape[fx.ndim - l:]):
            raise ShapeError(f"layer output must end in {l} axes of size {n}, got shape {fx.shape}")
        lhs = call(act_on_tensor(g, x, k))
        rhs = act_on_tensor(g, fx, l)
        err = float(np.abs(lhs - rhs).max(initial=0.0))
        scale = float(np.abs(rhs).max(initial=0.0))
        if err > atol + rtol * scale:
            raise AssertionError(
                f"not equivariant under {group!r} (k={k}, l={l}): max |f(g.x) - g.f(x)| = {err:.3g} "
                f"(output scale {scale:.3g}) for g =\n{np.array2string(g, precision=3)}"
            )
