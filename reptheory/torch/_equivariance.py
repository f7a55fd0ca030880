"""Differentiable equivariance measures for torch models, and soft equivariance.

* :func:`equivariance_loss`: ``mean |f(g.x) - g.f(x)|^2`` over sampled group elements, a
  torch scalar with gradients (a loss term).
* :class:`SoftEquivariance`: one such regulariser per symmetry type with automatically tuned
  strengths, reporting the learnt approximation level of each type.

Group actions come from :func:`reptheory.testing.group_action` (the same code that
:func:`reptheory.testing.equivariance_error` uses).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch
from torch import nn

from .._validate import check_int
from ..errors import InvalidParameterError, ReptheoryTypeError
from ..groups._base import as_rng
from ..testing._actions import GroupAction, group_action

__all__ = ["SoftEquivariance", "equivariance_loss"]


def _check_finite(t: torch.Tensor, what: str) -> None:
    if not bool(torch.isfinite(t.detach()).all()):
        raise InvalidParameterError(f"{what} contains non-finite values (nan or inf)")


def _loss(f: Callable, action: GroupAction, x: torch.Tensor, elements: list, relative: bool,
          fx: torch.Tensor | None = None) -> torch.Tensor:
    if fx is None:
        fx = f(x)
    if not isinstance(fx, torch.Tensor):
        raise ReptheoryTypeError(f"f must return a torch.Tensor, got {type(fx).__name__}")
    action.check_output(fx.shape, "f(x)")
    _check_finite(fx, "f(x)")
    total = fx.new_zeros(())
    for g in elements:
        lhs = f(action.act_input(g, x))
        _check_finite(lhs, "f(g.x)")
        total = total + (lhs - action.act_output(g, fx)).pow(2).mean()
    total = total / len(elements)
    if relative:
        total = total / fx.detach().pow(2).mean().clamp_min(torch.finfo(fx.dtype).tiny)
    return total


def equivariance_loss(f: Callable, group: Any, k: Any, l: Any, x: torch.Tensor,
                      n_samples: int = 1, rng: np.random.Generator | int | None = None,
                      use_generators: bool = False, relative: bool = True) -> torch.Tensor:
    """Differentiable equivariance penalty ``mean_g mean |f(g.x) - g.f(x)|^2`` on a batch x.

    Parameters
    ----------
    f : callable or torch module
        Maps torch tensors to torch tensors.
    group, k, l
        As in :func:`reptheory.testing.equivariance_error` (a tuple of groups is a direct
        product; k, l are tensor orders or SO(3)/O(3) irreps).
    x : torch.Tensor
        A batch of inputs (e.g. the training batch); its trailing axes must match k.
    n_samples : int
        Random group elements per call (fresh ones each call when ``rng`` is None).
    use_generators : bool
        Also use the generators of the finite factors.
    relative : bool
        Divide by ``mean |f(x)|^2`` (detached), so the value is a squared relative error.

    Returns
    -------
    torch.Tensor
        A scalar with gradients with respect to f's parameters.

    Examples
    --------
    >>> import torch, reptheory as rt
    >>> from reptheory.torch import equivariance_loss
    >>> lin = torch.nn.Linear(3, 3)
    >>> x = torch.randn(16, 5, 3)
    >>> loss = equivariance_loss(lin, (rt.S(5), rt.O(3)), (1, 1), (1, 1), x, n_samples=2, rng=0)
    >>> loss.backward(); bool(loss > 0) and lin.weight.grad is not None
    True
    """
    if not isinstance(x, torch.Tensor):
        raise ReptheoryTypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    action = group_action(group, k, l)
    action.check_input(x.shape, "x")
    _check_finite(x, "x")
    elements = action.elements(n_samples, as_rng(rng), use_generators)
    return _loss(f, action, x, elements, relative)


class SoftEquivariance(nn.Module):
    """Soft equivariance under mixed symmetries: one regulariser per symmetry type, tuned.

    For each symmetry type t (a group with its input and output representations) the
    regulariser is the relative squared equivariance error ``R_t`` of :func:`equivariance_loss`
    on the training batch. The objective is the negative log-likelihood of Gaussian residuals
    with one scale per term,

    ``L / (2 s_0^2) + log s_0 + sum_t [R_t / (2 s_t^2) + log s_t]``,

    whose minimum over the scales is at ``s_0^2 = L`` and ``s_t^2 = R_t``. The scales are set to
    that minimum from running averages (momentum ``momentum``) of L and R_t, so every strength
    ``1 / (2 s_t^2)`` is tuned from the data during training, with no hyper-parameter search:
    a symmetry the data respects exactly gets a large strength, one the data breaks a small
    one. :meth:`levels` reports ``s_t`` (the learnt relative RMS equivariance violation of
    each type), clamped to ``[min_level, 1e3]``.

    Kim et al. (ICML 2023) regularise the weights of equivariant-MLP layers towards their
    projections onto each type's equivariant subspace, with automatically tuned strengths; this
    class measures the violation in function space instead, so that it applies to any model.

    Parameters
    ----------
    symmetries : mapping of str to (group, k, l)
        The candidate symmetry types (see :func:`reptheory.testing.equivariance_error` for
        groups, direct products and representations).
    n_samples : int
        Group elements per type and step.
    min_level : float
        Smallest level (keeps the strength of an exact symmetry finite).
    momentum : float
        Weight of the past in the running averages (0 uses the current batch only).
    rng : Generator or int or None

    Examples
    --------
    >>> import torch, reptheory as rt
    >>> from reptheory.torch import SoftEquivariance
    >>> from reptheory.testing import TrivialGroup
    >>> perm = ((rt.S(4), TrivialGroup(3)), (1, 1), (0, 0))   # permute the 4 points
    >>> soft = SoftEquivariance({"perm": perm, "rot": (rt.SO(3), 1, 0)}, rng=0)
    >>> soft
    SoftEquivariance(perm: (S(4), Trivial(3)), rot: (SO(3),))
    >>> model = torch.nn.Sequential(torch.nn.Flatten(-2), torch.nn.Linear(12, 1),
    ...                             torch.nn.Flatten(0))
    >>> x, y = torch.randn(8, 4, 3), torch.randn(8)
    >>> loss = soft(model, x, ((model(x) - y) ** 2).mean())
    >>> loss.backward(); sorted(soft.levels())
    ['perm', 'rot']
    """

    def __init__(self, symmetries: Mapping[str, tuple], n_samples: int = 1,
                 min_level: float = 1e-3, momentum: float = 0.9,
                 rng: np.random.Generator | int | None = None) -> None:
        super().__init__()
        if not isinstance(symmetries, Mapping) or not symmetries:
            raise ReptheoryTypeError("symmetries must be a non-empty mapping name -> (group, k, l)")
        self._names: list[str] = []
        self._actions: list[GroupAction] = []
        for name, spec in symmetries.items():
            if not isinstance(spec, (tuple, list)) or len(spec) != 3:
                raise ReptheoryTypeError(f"symmetries[{name!r}] must be (group, k, l), got {spec!r}")
            self._names.append(str(name))
            self._actions.append(group_action(*spec))
        self.n_samples = check_int("n_samples", n_samples, minimum=1)
        if not 0 < min_level < 1e3:
            raise InvalidParameterError(f"min_level must be in (0, 1e3), got {min_level}")
        if not 0 <= momentum < 1:
            raise InvalidParameterError(f"momentum must be in [0, 1), got {momentum}")
        self.min_level = float(min_level)
        self.momentum = float(momentum)
        self._rng = as_rng(rng)
        # running averages of R_t and of the data loss (NaN until the first batch)
        self.register_buffer("running_penalties", torch.full((len(self._names),), math.nan,
                                                             dtype=torch.float64))
        self.register_buffer("running_data_loss", torch.full((), math.nan, dtype=torch.float64))
        self._last: dict[str, float] = {}

    def extra_repr(self) -> str:
        return ", ".join(f"{nm}: {a.groups}" for nm, a in zip(self._names, self._actions))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    def penalties(self, model: Callable, x: torch.Tensor, fx: torch.Tensor | None = None
                  ) -> dict[str, torch.Tensor]:
        """The relative squared equivariance error R_t of each type on the batch x."""
        out = {}
        if fx is None:
            fx = model(x)
        for name, action in zip(self._names, self._actions):
            action.check_input(x.shape, "x")
            els = action.elements(self.n_samples, self._rng, use_generators=False)
            out[name] = _loss(model, action, x, els, relative=True, fx=fx)
        return out

    @torch.no_grad()
    def _update(self, buf: torch.Tensor, value: torch.Tensor) -> None:
        value = value.detach().to(buf.dtype)
        first = torch.isnan(buf)
        buf.copy_(torch.where(first, value, self.momentum * buf + (1 - self.momentum) * value))

    def forward(self, model: Callable, x: torch.Tensor, data_loss: torch.Tensor,
                fx: torch.Tensor | None = None) -> torch.Tensor:
        """The total objective for a batch x, given the data loss (e.g. mean squared error).

        Pass ``fx = model(x)`` if already computed, to save one forward pass. In training mode
        the running averages (and so the strengths) are updated.
        """
        if not isinstance(x, torch.Tensor) or not isinstance(data_loss, torch.Tensor):
            raise ReptheoryTypeError("x and data_loss must be torch tensors")
        _check_finite(data_loss, "data_loss")
        pens = self.penalties(model, x, fx)
        if self.training:
            self._update(self.running_data_loss, data_loss)
            self._update(self.running_penalties, torch.stack([pens[nm] for nm in self._names]))
        var0 = self.running_data_loss.clamp_min(self.min_level**2).to(data_loss.dtype)
        var = (self.running_penalties.clamp(self.min_level**2, 1e6)).to(data_loss.dtype)
        total = data_loss / (2 * var0) + 0.5 * torch.log(var0)
        for i, name in enumerate(self._names):
            total = total + pens[name] / (2 * var[i]) + 0.5 * torch.log(var[i])
        self._last = {name: float(p.detach()) for name, p in pens.items()}
        return total

    def levels(self) -> dict[str, float]:
        """The learnt level of each symmetry type (relative RMS equivariance violation)."""
        var = self.running_penalties.clamp(self.min_level**2, 1e6)
        return {nm: float(v) ** 0.5 for nm, v in zip(self._names, var.tolist())}

    def strengths(self) -> dict[str, float]:
        """The current regulariser strengths ``s_0^2 / s_t^2`` relative to the data term."""
        var0 = float(self.running_data_loss.clamp_min(self.min_level**2))
        return {nm: var0 / lv**2 for nm, lv in self.levels().items()}

    def last_penalties(self) -> dict[str, float]:
        """R_t of the last batch (floats)."""
        return dict(self._last)
