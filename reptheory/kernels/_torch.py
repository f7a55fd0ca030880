"""The torch executor: the plan's reduce / mix / expand steps on torch tensors.

Forward and backward are one custom autograd function (:func:`apply_plan`): the gradient with
respect to x is the transposed layer, an (l, k) layer of the same spec run by its own plan,
and the gradient with respect to the weights pairs the reduced inputs with the adjoint of each
expand step (a reduction of the output gradient), so forward + backward costs about two
forward passes and saves only x. On CPU tensors in eager mode with numba installed the
forward pass, the gradient in x and the weight gradient's full-size terms and reductions run
compiled numba code (:mod:`reptheory.kernels._torch_numba`). Float32/float64, CPU and CUDA,
traceable (``torch.jit.trace``) and compilable (``torch.compile(fullgraph=True)``): the Python
loop over the plan is static. This module imports torch; ``reptheory.kernels`` loads it only when the
backend is used.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np
import torch

from ..errors import BackendUnavailableError, ReptheoryTypeError
from ._checks import check_layer_inputs, dense_coefficients
from ._torch_numba import _compiling, numba_route, permuted_inner, run_numba

__all__ = ["TorchPlan", "apply_plan", "apply_spec", "check_device", "layer_matrix", "sharing_gather",
           "torch_plan", "transpose_spec"]

_LETTERS = string.ascii_letters[:50]
_B, _C = "Y", "Z"   # batch and channel letters in einsum strings (labels use the first 50)


def check_device(device: Any) -> torch.device:
    """A torch.device; raises BackendUnavailableError for CUDA without a GPU."""
    dev = torch.device(device) if device is not None else torch.device("cpu")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise BackendUnavailableError(
            f"device {str(dev)!r} requested but CUDA is not available "
            "(torch.cuda.is_available() is False); use device='cpu'")
    return dev


class TorchPlan:
    """Precomputed einsum strings, permutations and strides of a plan (no tensors: device
    neutral). Tensors are channels first, as the layer's x and y: (batch, channel, n, ..., n).

    Channel mixing is one matrix product per operation, (c_out, c_in) @ (batch, c_in, n^r).
    Without autograd recording (inside the custom autograd function) every expand step adds
    in place into a strided view of y (a diagonal, a permutation or a broadcast); with autograd
    recording (``forward`` called on tensors that require grad) it is out of place.
    """

    def __init__(self, spec, plan, transposed: TorchPlan | None = None) -> None:
        self.spec = spec
        self.n, self.k, self.l = spec.n, spec.k, spec.l
        self.const_names = tuple(c.name for c in spec.constants)
        self.num_basis = len(spec)
        self.num_ops = spec.num_operations
        self.plan = plan
        self.node_sizes = tuple(spec.n ** nd.rank for nd in plan.nodes)
        self.nodes = []
        for nd in plan.nodes:
            if nd.is_alias():
                self.nodes.append(("alias", nd.src, None, None))
            elif nd.src >= 0 or (not nd.factors and len(set(nd.src_labels)) == len(nd.src_labels)):
                dims = tuple(2 + i for i, a in enumerate(nd.src_labels) if a not in nd.labels)
                kept = [a for a in nd.src_labels if a in nd.labels]
                perm = None
                if tuple(kept) != nd.labels:
                    perm = (0, 1) + tuple(2 + kept.index(a) for a in nd.labels)
                self.nodes.append(("sum", nd.src, dims, perm))
            else:
                subs = [_B + _C + "".join(_LETTERS[a] for a in nd.src_labels)]
                subs += ["".join(_LETTERS[a] for a in lab) for _, lab in nd.factors]
                expr = ",".join(subs) + "->" + _B + _C + "".join(_LETTERS[a] for a in nd.labels)
                self.nodes.append(("einsum", nd.src, expr, tuple(nm for nm, _ in nd.factors)))
        direct = [g for g, grp in enumerate(plan.groups)
                  if grp.rank == spec.l and grp.out_axes == tuple(range(spec.l))]
        self.direct = direct[0] if direct else -1
        self.groups = [self._expand_recipe(g) for g in plan.groups]
        self.adjoint_exprs = [self._adjoint_expr(g) for g in plan.groups]
        #: per group, (h, einsum) when its adjoint is a reduction of group h's (smaller) one
        self.adjoint_sources = [self._adjoint_source(g, plan.groups) for g in plan.groups]
        self.terms = tuple((t.op, t.node, t.group) for t in plan.terms)
        # terms whose weight gradient pairs gy with x or a permutation of x's axes (identity,
        # transpose, ...): their ops, the stride in x of each axis of y, identity flags
        # (k = l = 0, scalars to scalars: a plain matrix product, left to torch)
        perm = [(t.op, plan.groups[t.group].out_axes) for t in plan.terms
                if spec.l > 0 and self.nodes[t.node][0] == "alias"
                and plan.groups[t.group].rank == spec.l
                and sorted(plan.groups[t.group].out_axes) == list(range(spec.l))]
        self.permutation_ops = tuple(op for op, _ in perm)
        self.permutation_strides = np.array(
            [[spec.n ** (spec.k - 1 - a) for a in axes] for _, axes in perm], dtype=np.int64)
        self.permutation_identity = np.array(
            [axes == tuple(range(spec.l)) for _, axes in perm], dtype=np.bool_)
        #: the plan of the transposed (l, k) layer, which computes the gradient in x
        self.transposed = transposed if transposed is not None else TorchPlan(
            transpose_spec(spec), transpose_spec(spec).plan(share=plan.shared), self)

    def _adjoint_source(self, g, groups):
        """(h, einsum) such that adjoint_g(gy) = einsum(adjoint_h(gy)), with group h of the
        smallest rank below l that allows it, or None (then computed from gy).

        Group h's adjoint has already summed h's broadcast labels and taken h's diagonals, so h
        qualifies when g's output pattern coarsens h's (equal labels of h are equal in g) and
        each broadcast label of h is a broadcast label of g on exactly the same output axes
        (e.g. the total of gy from its row sums, the trace from its diagonal).
        """
        A, L = g.out_axes, len(g.out_axes)
        best = None
        for h_i, h in enumerate(groups):
            H = h.out_axes
            if not g.rank < h.rank < self.l or (best is not None and h.rank >= best[1]):
                continue
            if any(H[p] == H[q] and A[p] != A[q] for p in range(L) for q in range(L)):
                continue
            if any(H[p] < 0 and (A[p] >= 0 or any(A[q] == A[p] and H[q] != H[p]
                                                    for q in range(L))) for p in range(L)):
                continue
            best = (h_i, h.rank)
        if best is None:
            return None
        h = groups[best[0]]
        image = {h.out_axes[p]: A[p] for p in range(L) if h.out_axes[p] >= 0}
        let = {u: _LETTERS[u] for u in range(g.rank)}
        for u in sorted(set(A)):
            if u < 0:
                let[u] = _LETTERS[g.rank - 1 - u]
        src = _B + _C + "".join(let[image[u]] for u in range(h.rank))
        return best[0], src + "->" + _B + _C + "".join(_LETTERS[u] for u in range(g.rank))

    def _fused_reductions(self):
        """The reductions the numba route computes in one pass over x and one over gy: the
        nodes read straight from x that sum over a label (no constants) and the adjoints of
        the groups with a broadcast label read straight from gy (not derived from another
        adjoint, used by a term that is not a permutation term); cached. Diagonals that sum
        nothing stay strided torch views (no pass over the data)."""
        cached = self.__dict__.get("_fused")
        if cached is None:
            from ._torch_numba import FusedReductions

            plan = self.plan

            def from_x(nd) -> bool:    # reads x (or its alias), sums a label, no constants
                return ((nd.src == -1 or plan.nodes[nd.src].is_alias()) and not nd.factors
                        and bool(set(nd.src_labels) - set(nd.labels)))

            x_nodes = [i for i, nd in enumerate(plan.nodes) if from_x(nd)]
            used = {g for op, _, g in self.terms if op not in self.permutation_ops}
            gy_groups = [g for g in sorted(used) if self.adjoint_sources[g] is None
                         and any(u < 0 for u in plan.groups[g].out_axes)]
            fx = FusedReductions([(plan.nodes[i].src_labels, plan.nodes[i].labels)
                                  for i in x_nodes], self.n, self.k)
            fg = FusedReductions([(plan.groups[g].out_axes, tuple(range(plan.groups[g].rank)))
                                  for g in gy_groups], self.n, self.l)
            cached = self._fused = (x_nodes, fx, gy_groups, fg)
        return cached

    def _adjoint(self, g, gy, adj: dict[int, Any]):
        """The adjoint of group g's expand step on gy, (batch, c_out, n^rank), contiguous
        (bmm copies strided operands one batch element at a time); cached in ``adj``."""
        d = adj.get(g)
        if d is None:
            batch, c_out = gy.shape[0], gy.shape[1]
            rank = self.plan.groups[g].rank
            src = self.adjoint_sources[g]
            if src is None:
                d = torch.einsum(self.adjoint_exprs[g], gy)
            else:
                h, expr = src
                hr = self.plan.groups[h].rank
                d = torch.einsum(expr, self._adjoint(h, gy, adj).reshape(
                    (batch, c_out) + (self.n,) * hr))
            d = adj[g] = d.reshape(batch, c_out, self.n ** rank).contiguous()
        return d

    @staticmethod
    def _adjoint_expr(g) -> str:
        """einsum of the adjoint of an expand step: y-shaped -> (batch, channel, node axes)."""
        let = {u: _LETTERS[u] for u in range(g.rank)}
        for u in g.out_axes:
            if u < 0:
                let.setdefault(u, _LETTERS[g.rank - 1 - u])
        src = _B + _C + "".join(let[u] for u in g.out_axes)
        return src + "->" + _B + _C + "".join(_LETTERS[u] for u in range(g.rank))

    def _expand_recipe(self, g):
        uniq = g.unique()
        kept = [u for u in uniq if u >= 0]
        perm = None
        if kept != sorted(kept):
            perm = (0, 1) + tuple(2 + u for u in kept)
        view_shape = tuple(self.n if u >= 0 else 1 for u in uniq)
        # element strides of the strided view of y (contiguous y, one per distinct label)
        ystr = [self.n ** (self.l - 1 - p) for p in range(self.l)]
        view_strides = tuple(sum(ystr[p] for p, a in enumerate(g.out_axes) if a == u)
                             for u in uniq)
        # out of place (autograd): einsum with identity matrices for repeated outputs
        expr = None
        n_deltas = 0
        if len(uniq) < len(g.out_axes):
            let = {u: _LETTERS[i] for i, u in enumerate(uniq)}
            nxt = len(uniq)
            out, deltas, seen = [], [], set()
            for u in g.out_axes:
                if u in seen:
                    m = _LETTERS[nxt]
                    nxt += 1
                    deltas.append(let[u] + m)
                    out.append(m)
                else:
                    seen.add(u)
                    out.append(let[u])
            expr = (",".join([_B + _C + "".join(let[u] for u in uniq)] + deltas) + "->" + _B + _C
                    + "".join(out))
            n_deltas = len(deltas)
        return perm, view_shape, view_strides, expr, n_deltas, len(uniq)

    def forward(self, weights, x, C, consts: dict[str, Any]):
        """y for weights (c_out, c_in, nb), x (batch, c_in, n..), C (nb, n_ops) tensors."""
        n = self.n
        batch, c_in = x.shape[0], x.shape[1]
        c_out = weights.shape[0]
        # (n_ops, c_out, c_in): effective weights of each operation
        w_eff = torch.matmul(weights.reshape(c_out * c_in, self.num_basis), C).reshape(
            c_out, c_in, self.num_ops).permute(2, 0, 1)
        vals = self._reduce(x, consts)
        # in place only in eager mode without autograd recording (torch.compile cannot
        # functionalise a mutation through as_strided)
        in_place = not torch.is_grad_enabled() and not _compiling()
        G: list[Any] = [None] * len(self.groups)
        for op, node, g in self.terms:
            r = vals[node].reshape(batch, c_in, self.node_sizes[node])
            m = torch.matmul(w_eff[op], r)                       # (batch, c_out, n^r)
            if G[g] is None:
                G[g] = m
            elif in_place:
                G[g].add_(m)
            else:
                G[g] = G[g] + m
        y_shape = (batch, c_out) + (n,) * self.l
        if self.direct >= 0 and G[self.direct] is not None:
            y = G[self.direct].reshape(y_shape)
        else:
            y = torch.zeros(y_shape, dtype=x.dtype, device=x.device)
        eye = None
        for g, (perm, view_shape, view_strides, expr, n_deltas, n_uniq) in enumerate(self.groups):
            if G[g] is None or g == self.direct:
                continue
            rank = self.plan.groups[g].rank
            t = G[g].reshape((batch, c_out) + (n,) * rank)
            if perm is not None:
                t = t.permute(perm)
            if in_place:
                # y is contiguous: add through a strided view (diagonal / permutation / broadcast)
                view = y.as_strided((batch, c_out) + tuple(n for _ in view_shape),
                                    (y.stride(0), y.stride(1)) + view_strides)
                view.add_(t.reshape((batch, c_out) + view_shape))
                continue
            t = t.reshape((batch, c_out) + view_shape)
            if expr is not None:
                if any(s == 1 for s in view_shape):
                    t = t.expand((batch, c_out) + (n,) * n_uniq)
                if eye is None:
                    eye = torch.eye(n, dtype=x.dtype, device=x.device)
                t = torch.einsum(expr, t, *([eye] * n_deltas))
            y = y + t
        return y

    def _reduce(self, x, consts: dict[str, Any], given: dict[int, Any] | None = None) -> list[Any]:
        """Every reduce node of x (channels first); ``given``: nodes already computed, flat
        (batch, c, n^rank)."""
        vals: list[Any] = []
        for i, (kind, src_i, a, b) in enumerate(self.nodes):
            src = x if src_i == -1 else vals[src_i]
            if given is not None and i in given:
                v = given[i].reshape(tuple(x.shape[:2]) + (self.n,) * self.plan.nodes[i].rank)
            elif kind == "alias":
                v = x
            elif kind == "sum":
                v = src.sum(dim=a) if a else src
                if b is not None:
                    v = v.permute(b)
            else:
                v = torch.einsum(a, src, *[consts[nm] for nm in b])
            vals.append(v)
        return vals

    def weight_grad(self, x, gy, C, consts: dict[str, Any], numba: bool = False):
        """d(sum gy * y) / d weights, shape (c_out, c_in, len(basis)), without forming y.

        With ``numba`` (CPU tensors, see :func:`~reptheory.kernels._torch_numba.numba_route`)
        the terms that pair gy with a permutation of x (:attr:`permutation_ops`) run in one
        compiled pass, which permutes x in cache instead of copying gy or x and computes in the
        same pass the reductions of x and gy that the other terms pair
        (:meth:`_fused_reductions`).
        """
        batch, c_in, c_out = x.shape[0], x.shape[1], gy.shape[1]
        if self.num_ops == 0:
            return torch.zeros(c_out, c_in, self.num_basis, dtype=x.dtype, device=x.device)
        rows: list[Any] = [None] * self.num_ops
        given: dict[int, Any] = {}
        adj: dict[int, Any] = {}
        if numba:
            x_nodes, fx, gy_groups, fg = self._fused_reductions()
            if self.permutation_ops:   # reductions in the same pass over x and gy
                fast, xr, gr = permuted_inner(x, gy, self.permutation_strides,
                                              self.permutation_identity, fx, fg)
                for j, op in enumerate(self.permutation_ops):
                    rows[op] = fast[j]
            else:
                xr = fx(x) if x_nodes else []
                gr = fg(gy) if gy_groups else []
            given = dict(zip(x_nodes, xr))
            adj = dict(zip(gy_groups, gr))
        vals = self._reduce(x, consts, given)
        flat: dict[int, Any] = {}
        for op, node, g in self.terms:
            if rows[op] is not None:
                continue
            size = self.node_sizes[node]
            d = self._adjoint(g, gy, adj)
            r = flat.get(node)
            if r is None:
                r = flat[node] = vals[node].reshape(batch, c_in, size).contiguous()
            rows[op] = torch.matmul(d, r.transpose(1, 2)).sum(0)
        for op in range(self.num_ops):          # an operation no basis element uses
            if rows[op] is None:
                rows[op] = torch.zeros(c_out, c_in, dtype=x.dtype, device=x.device)
        g_eff = torch.stack(rows, dim=2).reshape(c_out * c_in, self.num_ops)
        return torch.matmul(g_eff, C.transpose(0, 1)).reshape(c_out, c_in, self.num_basis)


class _PlanFunction(torch.autograd.Function):
    """y = layer(weights, x); backward: the transposed layer for x, reductions for weights.

    On CPU tensors in eager mode with numba installed, the forward pass and the gradient in x
    run the numba executor (:mod:`reptheory.kernels._torch_numba`); a backward pass that must
    itself be differentiable (``create_graph=True``) takes the torch plan.
    """

    @staticmethod
    def forward(ctx, plan, weights, x, C, *consts):
        ctx.plan = plan
        ctx.save_for_backward(weights, x, C, *consts)
        if numba_route(weights, x):
            return run_numba(plan.spec, plan.plan, weights, x)
        cd = dict(zip(plan.const_names, consts))
        return plan.forward(weights, x, C, cd)

    @staticmethod
    def backward(ctx, gy):
        weights, x, C, *consts = ctx.saved_tensors
        plan = ctx.plan
        cd = dict(zip(plan.const_names, consts))
        gw = gx = None
        if ctx.needs_input_grad[1]:
            gw = plan.weight_grad(x, gy, C, cd, numba=not torch.is_grad_enabled()
                                  and numba_route(weights, x, gy))
        if ctx.needs_input_grad[2]:
            wt = weights.transpose(0, 1)
            if not torch.is_grad_enabled() and numba_route(wt, gy):
                gx = run_numba(plan.transposed.spec, plan.transposed.plan, wt, gy)
            else:
                gx = plan.transposed.forward(wt, gy, C, cd)
        return (None, gw, gx, None) + (None,) * len(consts)


def apply_plan(tplan: TorchPlan, weights, x, C, consts: dict[str, Any]):
    """The layer on tensors through the custom autograd function (see the module docstring).

    ``weights`` (c_out, c_in, nb), ``x`` (batch, c_in, n, ..., n), ``C`` the (nb, n_ops)
    coefficient matrix and ``consts`` the constant tensors by name, as :func:`spec_tensors`
    gives them (the numba route reads the same coefficients and constants from the spec).
    """
    return _PlanFunction.apply(tplan, weights, x, C, *[consts[nm] for nm in tplan.const_names])


def transpose_spec(spec):
    """The transposed (l, k) layer: every operation with its inputs and outputs swapped
    (cached on the spec). Its basis element b is the transpose of the spec's element b.

    Examples
    --------
    >>> import reptheory as rt
    >>> t = transpose_spec(rt.layer_basis(rt.S(3), 2, 1).spec)
    >>> t.k, t.l, len(t)
    (1, 2, 5)
    """
    cached = spec.__dict__.get("_transpose_cache")
    if cached is not None:
        return cached
    from ..layers import LayerSpec, Operation

    t = LayerSpec(group=spec.group, n=spec.n, k=spec.l, l=spec.k, basis_kind=spec.basis_kind,
                  operations=tuple(Operation(op.outputs, op.inputs, op.factors)
                                   for op in spec.operations),
                  coefficients=spec.coefficients, constants=spec.constants,
                  element_names=spec.element_names, metadata=spec.metadata)
    object.__setattr__(spec, "_transpose_cache", t)
    object.__setattr__(t, "_transpose_cache", spec)
    return t


def torch_plan(spec, share: bool = True) -> TorchPlan:
    """The (cached) :class:`TorchPlan` of a spec."""
    plan = spec.plan(share=share)
    cache = plan.__dict__.setdefault("_exec_cache", {})
    tp = cache.get("torch")
    if tp is None:
        tp = cache["torch"] = TorchPlan(spec, plan)
    return tp


def spec_tensors(spec, dtype, device) -> tuple[Any, dict[str, Any]]:
    """(C, constants) of a spec as dense torch tensors."""
    C = torch.as_tensor(dense_coefficients(spec), dtype=dtype, device=device)
    consts = {c.name: torch.as_tensor(c.to_dense(np.float64), dtype=dtype, device=device)
              for c in spec.constants}
    return C, consts


def apply_spec(spec, weights, x, share: bool = True, device: Any = None):
    """Apply the layer with torch; numpy in -> numpy out, tensors in -> tensor out.

    Parameters
    ----------
    spec : LayerSpec
    weights : tensor or array (c_out, c_in, len(spec))
    x : tensor or array (batch, c_in, n, ..., n)
    share : bool
        Use the shared plan (default).
    device : str or torch.device, optional
        Where to compute numpy inputs (default: x's device, or CPU). ``"cuda"`` without a GPU
        raises :class:`~reptheory.errors.BackendUnavailableError`.

    Examples
    --------
    >>> import torch, reptheory as rt
    >>> B = rt.layer_basis(rt.S(3), 1, 1)
    >>> apply_spec(B.spec, torch.ones(1, 1, 2), torch.tensor([[[1.0, 2.0, 3.0]]]))
    tensor([[[7., 8., 9.]]])
    """
    as_numpy = not isinstance(x, torch.Tensor)
    if as_numpy:
        xa = np.asarray(x)
        if xa.dtype.kind in "iub":
            xa = xa.astype(np.float64)
        if xa.dtype.kind not in "f":
            raise ReptheoryTypeError(f"x must be a float32 or float64 array, got dtype {xa.dtype}")
        dev = check_device(device)
        x = torch.as_tensor(xa, device=dev)
    else:
        dev = check_device(device if device is not None else x.device)
        if not x.is_floating_point():
            raise ReptheoryTypeError(f"x must be a floating-point tensor, got dtype {x.dtype}")
        x = x.to(dev)
    if not isinstance(weights, torch.Tensor):
        wa = np.asarray(weights)
        weights = torch.as_tensor(wa if wa.dtype.kind == "f" else wa.astype(np.float64))
    check_layer_inputs(spec, tuple(weights.shape), tuple(x.shape))
    dtype = torch.promote_types(x.dtype, weights.dtype) if as_numpy else x.dtype
    x = x.to(dtype)
    weights = weights.to(device=dev, dtype=dtype)
    C, consts = spec_tensors(spec, dtype, dev)
    y = apply_plan(torch_plan(spec, share), weights, x, C, consts)
    return y.detach().cpu().numpy() if as_numpy else y


def sharing_gather(pattern, weights, n_rows: int, n_cols: int):
    """Dense layer matrix (c_out*n_rows, c_in*n_cols) from torch weights by a gather.

    Differentiable in ``weights`` (shape (nb,) or (c_out, c_in, nb)).
    """
    dev = weights.device
    rows = torch.as_tensor(np.array(pattern.rows), device=dev)
    cols = torch.as_tensor(np.array(pattern.cols), device=dev)
    params = torch.as_tensor(np.array(pattern.params), device=dev)
    coefs = torch.as_tensor(np.array(pattern.coefficients), dtype=weights.dtype, device=dev)
    flat = rows * n_cols + cols
    if weights.dim() == 1:
        vals = coefs * weights[params]
        out = torch.zeros(n_rows * n_cols, dtype=weights.dtype, device=dev)
        return out.index_add(0, flat, vals).reshape(n_rows, n_cols)
    c_out, c_in, _ = weights.shape
    vals = coefs * weights[:, :, params]                      # (c_out, c_in, E)
    out = torch.zeros(c_out, c_in, n_rows * n_cols, dtype=weights.dtype, device=dev)
    out = out.index_add(2, flat, vals).reshape(c_out, c_in, n_rows, n_cols)
    return out.permute(0, 2, 1, 3).reshape(c_out * n_rows, c_in * n_cols)


def layer_matrix(spec, weights, sparse: bool | None = None, max_entries: int | None = None):
    """Layer matrix as a torch tensor, differentiable in ``weights`` (dense, or sparse COO)."""
    from ._pattern import sharing_pattern

    pat = sharing_pattern(spec, max_entries)
    w = weights if isinstance(weights, torch.Tensor) else torch.as_tensor(
        np.asarray(weights, dtype=float))
    M = sharing_gather(pat, w, *pat.shape)
    return M.to_sparse() if sparse else M
