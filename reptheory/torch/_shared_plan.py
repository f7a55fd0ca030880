"""One plan for all (k, l) blocks of a layer between direct sums of tensor orders.

Every operation of a :class:`~reptheory.layers.LayerSpec` (see its module docstring) factors
as *reduce* then *embed*:

* reduce: from the input x of order k (and constant tensors), the tensor R indexed by the
  operation's kept labels, in the order they first appear in the output;
* embed: write R onto the output axes: a kept label lands on its output axes, a label on
  output axes only is broadcast, a label on two output axes is a diagonal.

The plan computes each distinct reduction of each input once, for all blocks; per distinct
embedding it concatenates the reductions along channels and mixes them with one matrix
product; embeddings with the same pattern of equal output axes are summed while still small
(broadcasting) and expanded once. Nothing here depends on n unless a spec carries constant
tensors (Sp(n)'s J, Levi-Civita symbols), so one plan serves inputs of every size for ``S()``.

Tensors are channels-last inside (batch, n, ..., n, channels).
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np
import torch

__all__ = ["SharedPlan"]

_L = string.ascii_lowercase[:24]
_B, _C = "Y", "Z"


def _relabel(op):
    """(input labels, factors, kept count, output pattern) with kept labels 0..r-1 first, in
    order of first appearance on the input side (so x and its transpose are one reduction,
    the transpose moving to the embedding, which is a free view)."""
    kept = set(op.kept_labels())
    source = (*op.inputs, *(x for _, ls in op.factors for x in ls))
    lab: dict[int, int] = {}
    for a in source:
        if a in kept:
            lab.setdefault(a, len(lab))
    for a in source:
        lab.setdefault(a, len(lab))
    out_lab = dict(lab)
    for a in op.outputs:
        out_lab.setdefault(a, len(out_lab))
    inputs = tuple(lab[a] for a in op.inputs)
    factors = tuple((nm, tuple(lab[a] for a in ls)) for nm, ls in op.factors)
    return inputs, factors, len(kept), tuple(out_lab[a] for a in op.outputs)



class SharedPlan:
    """Device-neutral recipe for ``y_l = sum_k sum_b W^{kl}_b B^{kl}_b(x_k)`` over blocks.

    Parameters
    ----------
    blocks : list of (input key, k, l, LayerSpec)
        Input keys name the inputs (several blocks share an input key: its reductions are
        computed once); the spec gives the operations and each basis element's coefficients.
    """

    def __init__(self, blocks) -> None:
        self.blocks = []          # (input key, k, l, num ops, coefficient matrix or None)
        self._coefficients: dict = {}   # (block, dtype, device) -> coefficient tensor
        self.reductions = []      # (input key, k, kind, data, rank, const names)
        red_index: dict[tuple, int] = {}
        groups: dict[tuple, list] = {}   # (l, pattern, rank) -> [(reduction, block, op)]
        for bi, (key, k, l, spec) in enumerate(blocks):
            C = spec.coefficient_matrix().toarray()
            identity = C.shape[0] == C.shape[1] and bool((C == np.eye(C.shape[0])).all())
            self.blocks.append((key, k, l, spec.num_operations, None if identity else C))
            for j, op in enumerate(spec.operations):
                inputs, factors, r, pattern = _relabel(op)
                rkey = (key, inputs, factors, r)
                ri = red_index.get(rkey)
                if ri is None:
                    ri = red_index[rkey] = len(self.reductions)
                    self.reductions.append(self._reduction(key, k, inputs, factors, r))
                groups.setdefault((l, pattern, r), []).append((ri, bi, j))
        self.num_summed = [len(set(self._summed_labels(kind, data, r)))
                           for _, _, kind, data, r, _ in self.reductions]
        # embeddings grouped by output order, then by the pattern of equal output axes
        self.outputs: dict[int, list] = {}
        for (l, pattern, r), terms in groups.items():
            uniq = tuple(dict.fromkeys(pattern))
            structure = tuple(uniq.index(a) for a in pattern)
            view = tuple(a < r for a in uniq)        # True: axis of size n, False: size 1
            kept_order = [a for a in uniq if a < r]
            perm = None
            if kept_order != sorted(kept_order):
                perm = (0,) + tuple(1 + a for a in kept_order) + (r + 1,)
            ones = tuple(1 + i for i, v in enumerate(view) if not v)
            per_l = self.outputs.setdefault(l, {})
            per_l.setdefault(structure, []).append((r, perm, ones, tuple(terms)))
        self.expand = {}
        for l, per_l in self.outputs.items():
            for structure in per_l:
                if len(set(structure)) == len(structure):
                    self.expand[(l, structure)] = None
                    continue
                m = len(set(structure))
                letters = list(_L[:m])
                out, deltas, nxt, seen = [], [], m, set()
                for u in structure:
                    if u in seen:
                        deltas.append(letters[u] + _L[nxt])
                        out.append(_L[nxt])
                        nxt += 1
                    else:
                        seen.add(u)
                        out.append(letters[u])
                expr = ",".join([_B + "".join(letters) + _C] + deltas) + "->" + _B + "".join(out) + _C
                self.expand[(l, structure)] = (expr, len(deltas))

    @staticmethod
    def _summed_labels(kind, data, r):
        """The labels a reduction sums over (input labels >= r)."""
        if kind == "sum":
            return data[0]
        inputs = data.split("->")[0].split(",")[0][1:-1]
        return tuple(c for c in inputs if _L.index(c) >= r)

    @staticmethod
    def _reduction(key, k, inputs, factors, r):
        names = tuple(nm for nm, _ in factors)
        if not factors and len(set(inputs)) == len(inputs):
            summed = tuple(1 + i for i, a in enumerate(inputs) if a >= r)
            kept = [a for a in inputs if a < r]
            perm = None
            if kept != sorted(kept):
                perm = (0,) + tuple(1 + kept.index(a) for a in range(r)) + (r + 1,)
            return (key, k, "sum", (summed, perm), r, names)
        subs = [_B + "".join(_L[a] for a in inputs) + _C] + ["".join(_L[a] for a in ls) for _, ls in factors]
        expr = ",".join(subs) + "->" + _B + "".join(_L[a] for a in range(r)) + _C
        return (key, k, "einsum", expr, r, names)

    def forward(self, xs: dict, weights: list, n: int, consts: dict[str, Any],
                counts=None) -> dict:
        """Channels-last inputs ``xs[key]`` (batch, n.., c) -> ``{l: (batch, n.., c_out)}``.

        ``weights[i]`` is block i's (c_out, c_in, num basis) tensor. With ``counts`` (a
        (batch,) tensor of node counts m), a reduction summing s labels is divided by m**s
        (means instead of sums).
        """
        batch = next(iter(xs.values())).shape[0]
        R = []
        for (key, _, kind, data, r, names), summed_count in zip(self.reductions, self.num_summed):
            x = xs[key]
            if kind == "sum":
                summed, perm = data
                v = x.sum(dim=summed) if summed else x
                if perm is not None:
                    v = v.permute(perm)
            else:
                v = torch.einsum(data, x, *[consts[nm] for nm in names])
            v = v.reshape(batch, n**r, v.shape[-1])
            if counts is not None and summed_count:
                v = v / (counts ** summed_count).reshape(batch, 1, 1)
            R.append(v)
        # per-block weights as (num ops, c_in, c_out)
        W = []
        for bi, ((_, _, _, nops, C), w) in enumerate(zip(self.blocks, weights)):
            c_out, c_in, nb = w.shape
            if C is not None:
                key = (bi, w.dtype, w.device)
                Ct = self._coefficients.get(key)
                if Ct is None:
                    Ct = self._coefficients[key] = torch.as_tensor(C, dtype=w.dtype, device=w.device)
                w = torch.matmul(w.reshape(c_out * c_in, nb), Ct).reshape(c_out, c_in, nops)
            W.append(w.permute(2, 1, 0))
        ys = {}
        for l, per_l in self.outputs.items():
            y = None
            for structure, entries in per_l.items():
                s = None
                for r, perm, ones, terms in entries:
                    if len(terms) == 1:
                        ri, bi, j = terms[0]
                        g = torch.matmul(R[ri], W[bi][j])
                    else:
                        X = torch.cat([R[ri] for ri, _, _ in terms], -1)
                        g = torch.matmul(X, torch.cat([W[bi][j] for _, bi, j in terms], 0))
                    g = g.reshape((batch,) + (n,) * r + (g.shape[-1],))
                    if perm is not None:
                        g = g.permute(perm)
                    for axis in ones:
                        g = g.unsqueeze(axis)
                    s = g if s is None else s + g
                ex = self.expand[(l, structure)]
                if ex is not None:
                    if s.shape[1:-1] != (n,) * (s.dim() - 2):
                        s = s.expand((batch,) + (n,) * (s.dim() - 2) + (s.shape[-1],))
                    eye = torch.eye(n, dtype=s.dtype, device=s.device)
                    s = torch.einsum(ex[0], s, *([eye] * ex[1]))
                y = s if y is None else y + s
            full = (batch,) + (n,) * l + (y.shape[-1],)
            if tuple(y.shape) != full:
                y = y.expand(full).contiguous()
            ys[l] = y
        return ys
