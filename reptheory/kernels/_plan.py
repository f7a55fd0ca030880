"""Execution plans: the factorisation of a :class:`~reptheory.layers.LayerSpec` shared by all
fast executors.

Every operation factors as *(output permutation) ∘ (planar Kronecker product of one-block maps)
∘ (input permutation)*, read off its labels:

* labels on input axes only are **contracted** (bottom-only blocks),
* labels on input and output axes are **transferred** (cross blocks: a diagonal of x copied
  onto a diagonal of y),
* labels on output axes only are **broadcast / copied** (top-only blocks),
* constant tensors (J, the Levi-Civita symbol, ...) are contracted in with their labels.

An executor never permutes data for the permutations: they become index strides. A plan splits
each operation into a *reduce* step (a node: diagonal of x, constants multiplied in, contracted
labels summed) and an *expand* step (a group: written onto the diagonals of y and broadcast).

Sharing (beyond the papers): operations with the same reduce step use one node; a node whose
contracted labels are a superset of another's is computed from that smaller node (``sum over
one more axis of an already reduced tensor``) instead of from x; operations whose expand step
is the same are summed *before* expanding, so y is written once per distinct output pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidParameterError

__all__ = [
    "ExpandGroup",
    "Node",
    "SpecPlan",
    "Term",
    "build_plan",
    "constant_table",
    "plan_traffic",
]


@dataclass(frozen=True)
class Node:
    """A reduced tensor of shape (batch, channels, n, ..., n) with ``len(labels)`` axes.

    ``src == -1``: computed from x, whose axes carry ``src_labels`` (repeated label = diagonal);
    otherwise from node ``src`` (axes ``src_labels``, distinct) by summing the missing labels.
    ``factors`` are constants multiplied in (only with ``src == -1``).
    """

    src: int
    src_labels: tuple[int, ...]
    labels: tuple[int, ...]
    factors: tuple[tuple[str, tuple[int, ...]], ...] = ()

    @property
    def rank(self) -> int:
        return len(self.labels)

    def is_alias(self) -> bool:
        """True if the node is x itself (no diagonal, nothing summed, no constant)."""
        return self.src == -1 and not self.factors and self.src_labels == self.labels

    def summed(self) -> tuple[int, ...]:
        """Labels summed in this step."""
        src = set(self.src_labels)
        for _, lab in self.factors:
            src |= set(lab)
        return tuple(sorted(src - set(self.labels)))


@dataclass(frozen=True)
class ExpandGroup:
    """How a (batch, c_out, n^rank) tensor is written into y.

    ``out_axes[p]`` is the node axis feeding output axis p, or ``-1 - b`` for the b-th
    broadcast label (constant along it). Equal entries on two output axes = a diagonal of y.
    """

    rank: int
    out_axes: tuple[int, ...]

    def unique(self) -> tuple[int, ...]:
        """Distinct entries of ``out_axes`` in order of first appearance."""
        return tuple(dict.fromkeys(self.out_axes))


@dataclass(frozen=True)
class Term:
    """Operation ``op`` of the spec: reduce with node ``node``, mix, add into group ``group``."""

    op: int
    node: int
    group: int


@dataclass(frozen=True)
class SpecPlan:
    """The executable factorisation of a LayerSpec (see the module docstring)."""

    n: int
    k: int
    l: int
    nodes: tuple[Node, ...]
    terms: tuple[Term, ...]
    groups: tuple[ExpandGroup, ...]
    shared: bool

    def summary(self) -> str:
        return (f"{len(self.terms)} operations -> {len(self.nodes)} reduce nodes "
                f"({sum(nd.src >= 0 for nd in self.nodes)} from other nodes, "
                f"{sum(nd.is_alias() for nd in self.nodes)} free), "
                f"{len(self.groups)} expand groups")


def _reduce_canonical(op) -> tuple[tuple[int, ...], tuple, frozenset, dict[int, int]]:
    """Relabel by first appearance in (inputs, factors); return (P, factors, kept, relabel)."""
    order: dict[int, int] = {}
    for a in (*op.inputs, *(x for _, lab in op.factors for x in lab)):
        order.setdefault(a, len(order))
    out = set(op.outputs)
    P = tuple(order[a] for a in op.inputs)
    F = tuple((nm, tuple(order[a] for a in lab)) for nm, lab in op.factors)
    kept = frozenset(order[a] for a in order if a in out)
    return P, F, kept, order


def build_plan(spec, share: bool = True) -> SpecPlan:
    """Factor every operation of ``spec`` into reduce / mix / expand steps.

    Parameters
    ----------
    spec : LayerSpec
    share : bool
        Share reductions between operations and merge equal expand steps (default). With
        ``False`` every operation is reduced from x and expanded on its own (the papers'
        per-diagram algorithm), used to measure what sharing saves.

    Examples
    --------
    >>> import reptheory as rt
    >>> plan = build_plan(rt.layer_basis(rt.S(5), 2, 2).spec)
    >>> plan.summary()
    '15 operations -> 6 reduce nodes (4 from other nodes, 1 free), 7 expand groups'
    """
    nodes: list[Node] = []
    node_index: dict[Any, int] = {}
    groups: list[ExpandGroup] = []
    group_index: dict[Any, int] = {}
    pending = []
    for j, op in enumerate(spec.operations):
        P, F, kept, order = _reduce_canonical(op)
        pending.append((j, op, P, F, kept, order))
    if share:
        # create nodes largest-kept-set first so that parents exist before children
        wanted = {}
        for j, op, P, F, kept, order in pending:
            wanted.setdefault((P, F, kept), None)
        for key in sorted(wanted, key=lambda t: (-len(t[2]), t[0], repr(t[1]), sorted(t[2]))):
            P, F, kept = key
            labels = tuple(sorted(kept))
            src, src_labels = -1, P
            if not F:
                best = None
                for (P2, F2, kept2), idx in node_index.items():
                    if P2 == P and not F2 and kept < kept2:
                        if best is None or len(kept2) < len(nodes[best].labels):
                            best = idx
                if best is not None:
                    src, src_labels = best, nodes[best].labels
            node_index[key] = len(nodes)
            nodes.append(Node(src, src_labels, labels, F if src == -1 else ()))
    terms = []
    for j, op, P, F, kept, order in pending:
        labels = tuple(sorted(kept))
        if share:
            t = node_index[(P, F, kept)]
        else:
            t = len(nodes)
            nodes.append(Node(-1, P, labels, F))
        bcast: dict[int, int] = {}
        out_axes = []
        for a in op.outputs:
            if a in order and order[a] in kept:
                out_axes.append(labels.index(order[a]))
            else:
                out_axes.append(-1 - bcast.setdefault(a, len(bcast)))
        g_key = (len(labels), tuple(out_axes))
        if share and g_key in group_index:
            g = group_index[g_key]
        else:
            g = len(groups)
            groups.append(ExpandGroup(len(labels), tuple(out_axes)))
            group_index[g_key] = g
        terms.append(Term(j, t, g))
    return SpecPlan(spec.n, spec.k, spec.l, tuple(nodes), tuple(terms), tuple(groups), share)


def constant_table(spec, factors, dtype=np.float64) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Joint sparse table of the constants of one node.

    Returns ``(labels, values, assignments)``: the labels fixed by the constants, one row of
    label values per nonzero product of constant entries (consistent on shared labels), and the
    product values. With no constants: no labels, one empty assignment, value 1.
    """
    n = spec.n
    labels: list[int] = []
    for _, lab in factors:
        for a in lab:
            if a not in labels:
                labels.append(a)
    rows: list[tuple[dict[int, int], Any]] = [({}, 1)]
    for name, lab in factors:
        c = spec.constant(name)
        if any(s != n for s in c.shape) or len(c.shape) != len(lab):
            raise InvalidParameterError(
                f"constant {name!r} has shape {c.shape}; an operation uses it with "
                f"{len(lab)} labels of size n={n}")
        new = []
        for assign, val in rows:
            for idx, v in c.entries:
                ok = True
                a2 = dict(assign)
                for a, i in zip(lab, idx):
                    if a2.setdefault(a, i) != i:
                        ok = False
                        break
                if ok:
                    new.append((a2, val * v))
        rows = new
    assignments = np.array([[a[x] for x in labels] for a, _ in rows], dtype=np.int64).reshape(
        len(rows), len(labels))
    values = np.array([float(v) for _, v in rows], dtype=dtype)
    return labels, values, assignments


def plan_traffic(spec, plan: SpecPlan, batch: int, c_in: int, c_out: int) -> dict[str, int]:
    """Entries read and written by a plan (an estimate of the memory traffic), by step."""
    n = spec.n
    ranks = {i: nd.rank for i, nd in enumerate(plan.nodes)}
    reduce_io = 0
    for nd in plan.nodes:
        if nd.is_alias():
            continue
        src_entries = n ** len(set(nd.src_labels)) if nd.src == -1 else n ** len(nd.src_labels)
        reduce_io += batch * c_in * (src_entries + n ** nd.rank)
    mix_io = sum(batch * (c_in + c_out) * n ** ranks[t.node] for t in plan.terms)
    expand_io = sum(batch * c_out * (n ** g.rank + 2 * n ** len(set(g.out_axes))) for g in plan.groups)
    return {"reduce": reduce_io, "mix": mix_io, "expand": expand_io,
            "total": reduce_io + mix_io + expand_io}

