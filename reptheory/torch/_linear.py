"""``EquivariantLinear``: a trainable G-equivariant linear layer for torch."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import nn

from .._validate import check_int
from ..errors import InvalidParameterError, ReptheoryTypeError, ShapeError
from ..kernels._torch import apply_plan, check_device, spec_tensors, torch_plan
from ..numpy._init import basis_frobenius_sq, bias_tensors, init_std
from ._masks import check_mask, node_mask
from ._shared_plan import SharedPlan

__all__ = ["EquivariantLinear"]


class EquivariantLinear(nn.Module):
    """G-equivariant linear layer (R^n)^{⊗k} ⊗ R^{c_in} -> (R^n)^{⊗l} ⊗ R^{c_out}, or between
    direct sums of tensor orders.

    ``y[b, o] = sum_{i, j} weight[o, i, j] B_j(x[b, i]) + sum_j bias[o, j] E_j``, where B_j is
    the exact layer basis (applied by a factorised executor, never as a matrix) and E_j the
    (0, l) invariant basis.

    Two forms:

    * ``EquivariantLinear(group, k, l, in_channels=c, out_channels=d)``: one tensor
      (batch, c, n, ..., n) [k axes] -> (batch, d, n, ..., n) [l axes];
    * ``EquivariantLinear(group, "8x0+16x1", "4x0+16x2")`` (strings, dicts {order: channels}
      or :class:`~reptheory.layers.TensorRep`): a dict {order: tensor (batch, channels, n, ...,
      n)} -> a dict {order: tensor}, with one weight block per pair of orders (k, l)
      (``weights["k_l"]``) and one bias per output order (``biases["l"]``). All blocks run from
      one shared plan: each reduction of each input order is computed once.

    With the size-free group ``S()`` the layer applies to inputs of any n (the partition
    diagrams, a basis for n >= k + l; for smaller n the map is still equivariant). For
    permutation groups, ``forward(x, mask=mask)`` takes a (batch, n) bool mask of real nodes:
    padded inputs are zeroed (sums run over real nodes) and padded outputs are zero, so every
    graph of a padded batch gets the output it gets alone.

    Parameters
    ----------
    group : Group
        ``S()``, ``S(n)``, ``A(n)``, ``O(n)``, ``SO(n)`` or ``Sp(n)``.
    k, l : int, or str / dict / TensorRep
        Input and output tensor orders (with ``in_channels`` / ``out_channels``), or input and
        output representations.
    in_channels, out_channels : int, optional
        Channels of the one-order form (not given with representations).
    bias : bool
        Invariant bias from the (0, l) basis (no parameter if that space is zero).
    kind : str, optional
        Basis kind (see :func:`reptheory.layer_basis`).
    share : bool
        Share partial contractions between basis elements (default True).
    gain : float
        Multiplies the variance-preserving initial weight std (see :func:`reptheory.numpy.init_std`).
    reference_n : int
        For ``S()``, the size n at which the initial weight std is variance preserving
        (default 16).
    aggregation : {"sum", "mean"}
        ``"mean"`` divides every sum over node indices by the number of real nodes (per graph
        with a mask, else n), so activations do not grow with the graph size (each basis map
        is scaled by m^-s, s its summed indices: still equivariant for every n).
    device, dtype : optional
        As for torch modules (float32 or float64).

    Raises
    ------
    InvalidParameterError, ReptheoryTypeError, ShapeError
        Bad orders, channels or representations; at call time a mask of the wrong shape or
        dtype, a graph without real nodes, or tensors that disagree on batch or n.

    Examples
    --------
    >>> import torch, reptheory as rt
    >>> from reptheory.torch import EquivariantLinear
    >>> layer = EquivariantLinear(rt.S(4), 2, 1, in_channels=3, out_channels=5)
    >>> layer
    EquivariantLinear(group=S(4), k=2, l=1, in_channels=3, out_channels=5, basis=5 (diagram), bias=True)
    >>> layer(torch.randn(8, 3, 4, 4)).shape
    torch.Size([8, 5, 4])

    Any graph size with ``S()``, and a mask for padded batches:

    >>> layer = EquivariantLinear(rt.S(), 2, 2, in_channels=3, out_channels=4)
    >>> layer(torch.randn(2, 3, 7, 7)).shape, layer(torch.randn(2, 3, 20, 20)).shape
    (torch.Size([2, 4, 7, 7]), torch.Size([2, 4, 20, 20]))
    >>> mask = torch.tensor([[True] * 5 + [False] * 2, [True] * 7])
    >>> y = layer(torch.randn(2, 3, 7, 7), mask=mask)
    >>> bool((y[0, :, 5:] == 0).all() and (y[0, :, :, 5:] == 0).all())
    True

    Mixed orders:

    >>> mixed = EquivariantLinear(rt.S(), "8x0+16x1", "4x0+16x2")
    >>> out = mixed({0: torch.randn(3, 8), 1: torch.randn(3, 16, 6)})
    >>> {order: tuple(t.shape) for order, t in out.items()}
    {0: (3, 4), 2: (3, 16, 6, 6)}
    """

    def __init__(self, group, k: Any, l: Any, in_channels: int | None = None,
                 out_channels: int | None = None, bias: bool = True, *, kind: str | None = None,
                 share: bool = True, gain: float = 1.0, reference_n: int = 16,
                 aggregation: str = "sum", device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        from ..layers import TensorRep, layer_basis

        self.group = group
        self.mixed = not (isinstance(k, int) and isinstance(l, int)) or isinstance(k, bool)
        if self.mixed:
            if in_channels is not None or out_channels is not None:
                raise InvalidParameterError(
                    "in_channels / out_channels are given by the representations (e.g. '8x0+16x1'); "
                    "pass them only with integer orders k, l")
            self.rep_in, self.rep_out = TensorRep(k), TensorRep(l)
            self.k = self.l = None
            self.in_channels = self.out_channels = None
        else:
            self.k = check_int("k", k, minimum=0)
            self.l = check_int("l", l, minimum=0)
            if in_channels is None or out_channels is None:
                raise InvalidParameterError("in_channels and out_channels are required with integer "
                                            "orders k, l (or give representations like '8x0+16x1')")
            self.in_channels = check_int("in_channels", in_channels, minimum=1)
            self.out_channels = check_int("out_channels", out_channels, minimum=1)
            self.rep_in = TensorRep({self.k: self.in_channels})
            self.rep_out = TensorRep({self.l: self.out_channels})
        dtype = dtype if dtype is not None else torch.get_default_dtype()
        if dtype not in (torch.float32, torch.float64):
            raise ReptheoryTypeError(f"dtype must be torch.float32 or torch.float64, got {dtype}")
        device = check_device(device)
        self.gain = float(gain)
        self.reference_n = check_int("reference_n", reference_n, minimum=1)
        self.size_free = getattr(group, "n", 0) is None
        self.is_permutation_group = type(group).__name__ in ("SymmetricGroup", "AlternatingGroup")
        if aggregation not in ("sum", "mean"):
            raise InvalidParameterError(f"aggregation must be 'sum' or 'mean', got {aggregation!r}")
        self.aggregation = aggregation
        self._use_shared = self.mixed or self.size_free or aggregation == "mean"
        if not self._use_shared:
            self._init_single(layer_basis(group, self.k, self.l, kind), share, bias, device, dtype)
        else:
            self._init_shared(kind, bias, device, dtype)
        self.reset_parameters()

    # -- construction ------------------------------------------------------------------------
    def _init_single(self, basis, share, bias, device, dtype) -> None:
        """One order, fixed n: the kernels' torch plan."""
        self.basis = basis
        spec = basis.spec
        self._plan = torch_plan(spec, share)
        C, consts = spec_tensors(spec, dtype, device)
        self.register_buffer("coefficient_matrix", C, persistent=False)
        self._const_names = tuple(consts)
        for i, name in enumerate(self._const_names):
            self.register_buffer(f"constant_{i}", consts[name], persistent=False)
        self.weight = nn.Parameter(torch.empty(self.out_channels, self.in_channels, len(basis),
                                               dtype=dtype, device=device))
        if bias:
            E = torch.as_tensor(bias_tensors(self.group, self.l), dtype=dtype, device=device)
            self.register_buffer("bias_basis", E, persistent=False)
            if E.shape[0] > 0:
                self.bias = nn.Parameter(torch.zeros(self.out_channels, E.shape[0], dtype=dtype,
                                                     device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_buffer("bias_basis", None, persistent=False)
            self.register_parameter("bias", None)

    def _init_shared(self, kind, bias, device, dtype) -> None:
        """Size-free or mixed orders: one :class:`SharedPlan` over all blocks."""
        from ..layers import layer_basis

        blocks, self._block_params, consts = [], [], {}
        self.bases = {}
        if self.mixed:
            self.weights = nn.ParameterDict()
            self.biases = nn.ParameterDict()
        for k, ck in self.rep_in.items():
            for l, cl in self.rep_out.items():
                basis = layer_basis(self.group, k, l, kind)
                self.bases[(k, l)] = basis
                if len(basis) == 0:
                    continue
                w = nn.Parameter(torch.empty(cl, ck, len(basis), dtype=dtype, device=device))
                if self.mixed:
                    self.weights[f"{k}_{l}"] = w
                    self._block_params.append(("weights", f"{k}_{l}"))
                else:
                    self.weight = w
                    self._block_params.append(("weight", None))
                blocks.append((k, k, l, _ops_spec(basis)))
        if not self.mixed:
            self.basis = self.bases[(self.k, self.l)]
            if not blocks:
                self.register_parameter("weight", None)
        has_bias = False
        for l, cl in self.rep_out.items():
            B0 = layer_basis(self.group, 0, l) if bias else ()
            if len(B0) == 0:
                continue
            b = nn.Parameter(torch.zeros(cl, len(B0), dtype=dtype, device=device))
            has_bias = True
            if self.mixed:
                self.biases[str(l)] = b
                self._block_params.append(("biases", str(l)))
            else:
                self.bias = b
                self._block_params.append(("bias", None))
            blocks.append(("bias", 0, l, _ops_spec(B0)))
        if not self.mixed and not has_bias:
            self.register_parameter("bias", None)
        for _, _, _, spec in blocks:
            for c in spec.constants:
                t = torch.as_tensor(c.to_dense(), dtype=dtype, device=device)
                if c.name in consts and not torch.equal(consts[c.name], t):
                    raise InvalidParameterError(f"two blocks name different constants {c.name!r}")
                consts[c.name] = t
        self._const_names = tuple(consts)
        for i, name in enumerate(self._const_names):
            self.register_buffer(f"constant_{i}", consts[name], persistent=False)
        self._shared = SharedPlan(blocks)

    def _block_tensors(self) -> list:
        out = []
        for attr, key in self._block_params:
            p = getattr(self, attr) if key is None else getattr(self, attr)[key]
            out.append(p.unsqueeze(1) if attr in ("bias", "biases") else p)
        return out

    def reset_parameters(self) -> None:
        """Variance-preserving normal weights (std from the basis), zero bias.

        For each output order l, std^2 = gain^2 n^l / sum_k (c_k sum_b ||B_b^{kl}||_F^2), so
        that an input with iid unit-variance entries gives unit-variance outputs on average
        (at n = ``reference_n`` for ``S()``).
        """
        if not self._use_shared:
            std = init_std(self.basis, self.in_channels, self.gain)
            with torch.no_grad():
                self.weight.normal_(0.0, std)
                if self.bias is not None:
                    self.bias.zero_()
            return
        n = self.reference_n if self.size_free else self.group.n
        totals = {l: 0.0 for l in self.rep_out.orders}
        for (k, l), basis in self.bases.items():
            if len(basis) == 0:
                continue
            if self.size_free:
                sq = np.array([float(n) ** len(d.blocks) for d in basis])
            else:
                sq = np.asarray(basis_frobenius_sq(basis), dtype=float)
            if self.aggregation == "mean":   # each element divided by n^(summed indices)
                spec = _ops_spec(basis)
                s = [len(spec.operations[row[0][0]].summed_labels()) if row else 0
                     for row in spec.coefficients]
                sq = sq * float(n) ** (-2.0 * np.array(s))
            totals[l] += self.rep_in.channels(k) * float(sq.sum())
        with torch.no_grad():
            for attr, key in self._block_params:
                p = getattr(self, attr) if key is None else getattr(self, attr)[key]
                if attr in ("bias", "biases"):
                    p.zero_()
                    continue
                l = self.l if key is None else int(key.split("_")[1])
                std = self.gain * math.sqrt(n**l / totals[l]) if totals[l] > 0 else 0.0
                p.normal_(0.0, std)

    def extra_repr(self) -> str:
        if self.mixed:
            nb = sum(len(b) for b in self.bases.values())
            return (f"group={self.group!r}, {str(self.rep_in)!r} -> {str(self.rep_out)!r}, "
                    f"blocks={len(self.weights)}, weights per channel pair={nb}, "
                    f"bias={len(self.biases) > 0}")
        return (f"group={self.group!r}, k={self.k}, l={self.l}, in_channels={self.in_channels}, "
                f"out_channels={self.out_channels}, basis={len(self.basis)} ({self.basis.kind}), "
                f"bias={self.bias is not None}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    # -- checks ------------------------------------------------------------------------------
    def _dtype(self):
        p = next(self.parameters(), None)
        return p.dtype if p is not None else torch.get_default_dtype()

    def _check_tensor(self, x, order: int, channels: int, what: str, n: int | None):
        if not isinstance(x, torch.Tensor):
            raise ReptheoryTypeError(f"{what} must be a torch.Tensor, got {type(x).__name__}")
        shape = tuple(x.shape)
        nn_ = "n" if n is None else str(n)
        if len(shape) != 2 + order or shape[1] != channels or \
                any(int(s) != int(shape[-1]) for s in shape[2:]) or \
                (n is not None and order > 0 and int(shape[-1]) != n):
            raise ShapeError(f"{what} must have shape (batch, {channels}" + f", {nn_}" * order
                             + f") (order {order}), got {shape}")
        if x.dtype != self._dtype():
            raise ReptheoryTypeError(f"{what} must have dtype {self._dtype()} (the layer's), got "
                                     f"{x.dtype}; convert it or call layer.to({x.dtype})")

    def _size(self, xs: dict, mask, n) -> int:
        """n from the inputs, the mask, the argument or the group; all must agree."""
        sizes = {int(t.shape[-1]) for k, t in xs.items() if k > 0}
        if mask is not None:
            if not isinstance(mask, torch.Tensor):
                raise ReptheoryTypeError(f"mask must be a torch.Tensor of dtype torch.bool, got "
                                         f"{type(mask).__name__}")
            if mask.dim() != 2:
                raise ShapeError(f"mask must have shape (batch, n), got {tuple(mask.shape)}")
            sizes.add(int(mask.shape[-1]))
        if n is not None:
            sizes.add(check_int("n", n, minimum=1))
        if not self.size_free:
            sizes.add(self.group.n)
        if len(sizes) > 1:
            raise ShapeError(f"the inputs, mask and n disagree on the number of nodes n: "
                             f"{sorted(sizes)} (every node axis must have one size)")
        if not sizes:
            raise InvalidParameterError("n is required: no input has a node axis to take it from; "
                                        "pass mask=... or n=...")
        return sizes.pop()

    # -- forward -----------------------------------------------------------------------------
    def forward(self, x, mask: torch.Tensor | None = None, n: int | None = None):
        """Apply the layer.

        Parameters
        ----------
        x : tensor (batch, in_channels, n, ..., n) [k axes], or for representations a dict
            {order: tensor (batch, channels, n, ..., n)} with every input order.
        mask : bool tensor (batch, n), optional
            True on real nodes (permutation groups only).
        n : int, optional
            The number of nodes when no input tensor has a node axis (and no mask is given).

        Returns
        -------
        tensor (batch, out_channels, n, ..., n) [l axes], or a dict {order: tensor}.
        """
        checking = not (torch.jit.is_tracing() or _compiling())
        if self.mixed:
            if not isinstance(x, dict):
                raise ReptheoryTypeError(f"x must be a dict {{order: tensor}} for a layer on "
                                         f"{str(self.rep_in)!r}, got {type(x).__name__}")
            if checking and set(x) != set(self.rep_in.orders):
                raise InvalidParameterError(f"x must have the orders {list(self.rep_in.orders)} "
                                            f"of {str(self.rep_in)!r}, got {sorted(x)}")
            xs = dict(x)
        else:
            xs = {self.k: x}
        if checking:
            batches = set()
            for k, t in xs.items():
                self._check_tensor(t, k, self.rep_in.channels(k),
                                   "x" if not self.mixed else f"x[{k}]",
                                   None if self.size_free else self.group.n)
                batches.add(int(t.shape[0]))
            if len(batches) > 1:
                raise ShapeError(f"the input tensors disagree on the batch size: {sorted(batches)}")
            if mask is not None and not self.is_permutation_group:
                raise InvalidParameterError(f"mask marks graph nodes; it applies to permutation "
                                            f"groups (S, A), not {self.group!r}")
        n = self._size(xs, mask, n) if checking else (
            int(mask.shape[-1]) if mask is not None else n if n is not None else
            int(next(t for k, t in xs.items() if k > 0).shape[-1]) if self.size_free else self.group.n)
        batch = int(next(iter(xs.values())).shape[0])
        if mask is not None and checking:
            check_mask(mask, batch, n)
        ys = self._execute(xs, mask, n, batch)
        return ys if self.mixed else ys[self.l]

    def _execute(self, xs: dict, mask, n: int, batch: int) -> dict:
        """Mask the inputs, run the plan, add the bias, mask the outputs."""
        consts = {nm: getattr(self, f"constant_{i}") for i, nm in enumerate(self._const_names)}
        ref = next(iter(xs.values()))
        if not self._use_shared:
            x = xs[self.k]
            if mask is not None:
                x = x * node_mask(mask, self.k, x.dtype, channels_last=False)
            y = apply_plan(self._plan, self.weight, x, self.coefficient_matrix, consts)
            if self.bias is not None:
                y = y + torch.tensordot(self.bias, self.bias_basis, dims=([1], [0])).unsqueeze(0)
            if mask is not None:
                y = y * node_mask(mask, self.l, y.dtype, channels_last=False)
            return {self.l: y}
        xl = {}
        for k, t in xs.items():
            t = t.movedim(1, -1)
            if mask is not None and k > 0:
                t = t * node_mask(mask, k, t.dtype, channels_last=True)
            xl[k] = t
        xl["bias"] = ref.new_ones((batch, 1))
        counts = None
        if self.aggregation == "mean":
            counts = mask.sum(dim=1).to(ref.dtype) if mask is not None else \
                ref.new_full((batch,), float(n))
        ys = self._shared.forward(xl, self._block_tensors(), n, consts, counts)
        out = {}
        for l, cl in self.rep_out.items():
            y = ys.get(l)
            if y is None:
                y = ref.new_zeros((batch,) + (n,) * l + (cl,))
            if mask is not None and l > 0:
                y = y * node_mask(mask, l, y.dtype, channels_last=True)
            out[l] = y.movedim(-1, 1)
        return out


def _ops_spec(basis):
    """The basis's LayerSpec; for ``S()`` the one at n = k + l (its operations and coefficients
    are those of every n, and it has no constant tensors)."""
    if getattr(basis, "n", 0) is None:
        return basis.spec_at(max(basis.k + basis.l, 1))
    return basis.spec


def _compiling() -> bool:
    comp = getattr(torch, "compiler", None)
    return bool(comp is not None and getattr(comp, "is_compiling", lambda: False)())
