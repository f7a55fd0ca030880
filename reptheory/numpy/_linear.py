"""A plain-numpy equivariant linear layer (same signature as the torch one)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validate import check_int
from ..errors import ShapeError
from ._init import bias_tensors, init_std

__all__ = ["EquivariantLinear"]


class EquivariantLinear:
    """G-equivariant linear layer (R^n)^{⊗k} ⊗ R^{c_in} -> (R^n)^{⊗l} ⊗ R^{c_out} in numpy.

    ``y[b, o] = sum_{i, j} weight[o, i, j] B_j(x[b, i]) + sum_j bias[o, j] E_j`` with B_j the
    layer basis and E_j the (0, l) invariant basis.

    Parameters
    ----------
    group : Group
    k, l : int
        Input and output tensor orders.
    in_channels, out_channels : int
    bias : bool
        Add an invariant bias (from the (0, l) basis; absent if that space is zero).
    kind : str, optional
        Basis kind (see :func:`reptheory.layer_basis`).
    backend : str
        Executor (``"numpy-plan"`` default, ``"numba"``, ``"numpy"``, ...).
    rng : Generator or int, optional
        Initialisation randomness.

    Examples
    --------
    >>> import numpy as np, reptheory as rt
    >>> from reptheory.numpy import EquivariantLinear
    >>> layer = EquivariantLinear(rt.S(4), 1, 2, 3, 5, rng=0)
    >>> layer
    EquivariantLinear(group=S(4), k=1, l=2, in_channels=3, out_channels=5, basis=5 (diagram), bias=True)
    >>> layer(np.ones((2, 3, 4))).shape
    (2, 5, 4, 4)
    """

    def __init__(self, group, k: int, l: int, in_channels: int, out_channels: int,
                 bias: bool = True, *, kind: str | None = None, backend: str = "numpy-plan",
                 gain: float = 1.0, rng: Any = None, dtype: Any = np.float64) -> None:
        from ..layers import layer_basis

        if getattr(group, "n", 0) is None:
            from ..errors import InvalidParameterError

            raise InvalidParameterError("group must have a fixed n for the numpy layer; use S(n), "
                                        "or reptheory.torch.EquivariantLinear for S() (any size)")
        self.group = group
        self.k = check_int("k", k, minimum=0)
        self.l = check_int("l", l, minimum=0)
        self.in_channels = check_int("in_channels", in_channels, minimum=1)
        self.out_channels = check_int("out_channels", out_channels, minimum=1)
        self.basis = layer_basis(group, k, l, kind)
        self.backend = backend
        self.dtype = np.dtype(dtype)
        rng = np.random.default_rng(rng)
        std = init_std(self.basis, self.in_channels, gain)
        self.weight = (rng.standard_normal((out_channels, in_channels, len(self.basis))) * std
                       ).astype(self.dtype)
        self._bias_basis = bias_tensors(group, l).astype(self.dtype) if bias else None
        self.bias = (np.zeros((out_channels, len(self._bias_basis)), dtype=self.dtype)
                     if bias and len(self._bias_basis) else None)

    def __repr__(self) -> str:
        return (f"EquivariantLinear(group={self.group!r}, k={self.k}, l={self.l}, "
                f"in_channels={self.in_channels}, out_channels={self.out_channels}, "
                f"basis={len(self.basis)} ({self.basis.kind}), bias={self.bias is not None})")

    def __call__(self, x: Any) -> np.ndarray:
        """Apply to x of shape (batch, in_channels, n, ..., n) with k trailing axes."""
        x = np.asarray(x)
        n = self.group.n
        if x.ndim != 2 + self.k or x.shape[1] != self.in_channels or any(
                s != n for s in x.shape[2:]):
            raise ShapeError(f"x must have shape (batch, {self.in_channels}"
                             + "".join(f", {n}" for _ in range(self.k)) + f"), got {x.shape}")
        y = self.basis.apply(self.weight, x, backend=self.backend)
        if self.bias is not None:
            y = y + np.tensordot(self.bias, self._bias_basis, axes=([1], [0]))[None]
        return y

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of the parameters."""
        out = {"weight": self.weight.copy()}
        if self.bias is not None:
            out["bias"] = self.bias.copy()
        return out

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Load parameters saved by :meth:`state_dict` (shapes checked)."""
        for name in ("weight", "bias"):
            cur = getattr(self, name)
            if cur is None:
                continue
            new = np.asarray(state[name], dtype=self.dtype)
            if new.shape != cur.shape:
                raise ShapeError(f"{name} must have shape {cur.shape}, got {new.shape}")
            setattr(self, name, new.copy())
