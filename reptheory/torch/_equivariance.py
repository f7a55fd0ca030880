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
    on the training batch, and the training objective is

    ``L_train + L_train.detach() * sum_t lambda_t R_t``

    (strengths relative to the size of the data loss). The strengths are tuned during training
    by a hypergradient on held-out data: one gradient step changes the held-out loss by
    ``-lr * grad(L_val) . (grad L_train + sum_t lambda_t grad R_t)``, so raising lambda_t helps
    exactly when ``grad(L_val) . grad(R_t) > 0``. Each call with ``val_loss`` moves
    ``log lambda_t`` by ``strength_lr`` times the cosine between the two gradients: a symmetry
    the data respects keeps being enforced (its strength grows, its violation shrinks), one the
    data breaks is enforced only down to the level the held-out data supports.

    :meth:`levels` reports the learnt level of each type: the model's relative RMS equivariance
    violation ``sqrt(R_t)`` (running average, floored at ``min_level``), which ranks the
    symmetry types from exact to most broken; :meth:`strengths` the lambda_t.

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
    init_strength : float
        Initial lambda_t of every type.
    strength_lr : float
        Step of ``log lambda_t`` per tuning call (times a cosine in [-1, 1]).
    strength_range : (float, float)
        Bounds of lambda_t.
    min_level : float
        Floor of the reported levels.
    momentum : float
        Weight of the past in the running average of R_t behind :meth:`levels`.
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
    >>> xv, yv = torch.randn(8, 4, 3), torch.randn(8)          # held-out batch
    >>> mse = lambda a, b: ((a - b) ** 2).mean()
    >>> loss = soft(model, x, mse(model(x), y), val_loss=mse(model(xv), yv))
    >>> loss.backward(); sorted(soft.levels()), sorted(soft.strengths())
    (['perm', 'rot'], ['perm', 'rot'])
    """

    def __init__(self, symmetries: Mapping[str, tuple], n_samples: int = 1,
                 init_strength: float = 0.1, strength_lr: float = 0.05,
                 strength_range: tuple[float, float] = (1e-4, 1e4), min_level: float = 1e-4,
                 momentum: float = 0.9, rng: np.random.Generator | int | None = None) -> None:
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
        lo, hi = (float(v) for v in strength_range)
        if not 0 < lo <= init_strength <= hi:
            raise InvalidParameterError(
                f"need 0 < strength_range[0] <= init_strength <= strength_range[1], got "
                f"init_strength={init_strength}, strength_range={strength_range}")
        if not min_level > 0:
            raise InvalidParameterError(f"min_level must be > 0, got {min_level}")
        if not 0 <= momentum < 1:
            raise InvalidParameterError(f"momentum must be in [0, 1), got {momentum}")
        if not strength_lr >= 0:
            raise InvalidParameterError(f"strength_lr must be >= 0, got {strength_lr}")
        self.strength_lr = float(strength_lr)
        self.strength_range = (lo, hi)
        self.min_level = float(min_level)
        self.momentum = float(momentum)
        self._rng = as_rng(rng)
        self.register_buffer("log_strengths", torch.full((len(self._names),),
                                                         math.log(init_strength),
                                                         dtype=torch.float64))
        self.register_buffer("running_penalties", torch.full((len(self._names),), math.nan,
                                                             dtype=torch.float64))
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
    def _tune(self, val_loss: torch.Tensor, pens: dict[str, torch.Tensor], params: list) -> None:
        def flat_grad(t: torch.Tensor) -> torch.Tensor:
            gs = torch.autograd.grad(t, params, retain_graph=True, allow_unused=True)
            return torch.cat([(g if g is not None else torch.zeros_like(p)).reshape(-1).double()
                              for g, p in zip(gs, params)])

        with torch.enable_grad():
            gv = flat_grad(val_loss)
            cos = []
            for name in self._names:
                gr = flat_grad(pens[name])
                den = (gv.norm() * gr.norm()).clamp_min(1e-300)
                cos.append(float(gv @ gr / den))
        lo, hi = (math.log(v) for v in self.strength_range)
        step = torch.tensor(cos, dtype=torch.float64, device=self.log_strengths.device)
        self.log_strengths.copy_((self.log_strengths + self.strength_lr * step).clamp(lo, hi))

    def forward(self, model: Callable, x: torch.Tensor, data_loss: torch.Tensor,
                val_loss: torch.Tensor | None = None, fx: torch.Tensor | None = None,
                params: Any = None) -> torch.Tensor:
        """The training objective for a batch x, given its data loss (e.g. mean squared error).

        Parameters
        ----------
        model : callable or torch module
        x : torch.Tensor
            The training batch (its trailing axes match each type's input representation).
        data_loss : torch.Tensor
            The loss of the model on x (with its graph).
        val_loss : torch.Tensor, optional
            The loss on a held-out batch (with its graph); when given, and in training mode,
            the strengths are tuned (one hypergradient step) before the objective is formed.
        fx : torch.Tensor, optional
            ``model(x)`` if already computed (saves a forward pass).
        params : iterable of tensors, optional
            The parameters to tune against (default: ``model.parameters()``).
        """
        if not isinstance(x, torch.Tensor) or not isinstance(data_loss, torch.Tensor):
            raise ReptheoryTypeError("x and data_loss must be torch tensors")
        _check_finite(data_loss, "data_loss")
        pens = self.penalties(model, x, fx)
        if self.training:
            with torch.no_grad():
                cur = torch.stack([pens[nm].detach().double() for nm in self._names])
                run = self.running_penalties
                run.copy_(torch.where(torch.isnan(run), cur,
                                      self.momentum * run + (1 - self.momentum) * cur))
            if val_loss is not None:
                if not isinstance(val_loss, torch.Tensor):
                    raise ReptheoryTypeError("val_loss must be a torch tensor")
                _check_finite(val_loss, "val_loss")
                if params is None:
                    if not isinstance(model, nn.Module):
                        raise ReptheoryTypeError("pass params= when model is not a torch module")
                    params = model.parameters()
                params = [p for p in params if p.requires_grad]
                if params:
                    self._tune(val_loss, pens, params)
        lam = torch.exp(self.log_strengths).to(data_loss.dtype)
        total = data_loss
        scale = data_loss.detach()
        for i, name in enumerate(self._names):
            total = total + scale * lam[i] * pens[name]
        self._last = {name: float(p.detach()) for name, p in pens.items()}
        return total

    def levels(self) -> dict[str, float]:
        """The learnt level of each symmetry type: the model's relative RMS violation."""
        run = torch.nan_to_num(self.running_penalties, nan=0.0).clamp_min(self.min_level**2)
        return {nm: float(v) ** 0.5 for nm, v in zip(self._names, run.tolist())}

    def strengths(self) -> dict[str, float]:
        """The current strengths lambda_t (relative to the data loss)."""
        return {nm: math.exp(v) for nm, v in zip(self._names, self.log_strengths.tolist())}

    def last_penalties(self) -> dict[str, float]:
        """R_t of the last batch (floats)."""
        return dict(self._last)
