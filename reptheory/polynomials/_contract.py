"""Contraction plans: einsum expressions of basis polynomials and their optimised evaluation.

Edges of a multigraph become operands: the ``p`` edges ``u -> v`` and ``q`` edges ``v -> u``
between two vertices ``u < v`` merge into one operand ``X**p * (X.T)**q`` (entrywise), and the
``k`` loops at a vertex merge into the vector ``diag(X)**k``.  The contraction order is chosen
once per (polynomial, batch size, n) by :func:`numpy.einsum_path` (``'optimal'`` for up to 7
operands, ``'greedy'`` above) with a memory limit from reptheory's dense budget; the pairwise
steps are compiled into prepared numpy / torch operations by :mod:`._program`.
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass

import numpy as np

from .._validate import dense_budget

__all__ = ["SHARE_MAX_NDIM", "ContractionSpec", "Operand", "make_spec", "matmul_layout", "plan",
           "plan_with_keys", "step_key"]

BATCH = "Z"
LETTERS = "abcdefghijklmnopqrstuvwxyz" + string.ascii_uppercase.replace(BATCH, "")


@dataclass(frozen=True)
class Operand:
    """One operand: ``X**p * (X.T)**q`` on letters ``uv`` (``kind='edge'``) or ``diag(X)**p``."""

    kind: str  # "edge" or "loop"
    p: int
    q: int
    subs: str  # letters without the batch letter


@dataclass(frozen=True)
class ContractionSpec:
    """Einsum description of a basis polynomial (batch letter excluded)."""

    operands: tuple[Operand, ...]
    out: str  # output letters present in some operand, in output order
    out_all: str  # all output letters ('' invariant, 'a' node or diagonal, 'ab' edge)
    diagonal: bool  # edge-valued with a = b: result goes on the diagonal

    @property
    def expression(self) -> str:
        ins = ",".join(BATCH + o.subs for o in self.operands)
        return f"{ins}->{BATCH}{self.out}"


def make_spec(
    num_vertices: int, edges: tuple[tuple[int, int], ...], outputs: tuple[int, ...]
) -> ContractionSpec:
    """Operands of a labelled multigraph whose marked vertices are ``outputs``."""
    letters = LETTERS[:num_vertices]
    loops: dict[int, int] = {}
    pairs: dict[tuple[int, int], list[int]] = {}
    for r, s in edges:
        if r == s:
            loops[r] = loops.get(r, 0) + 1
        else:
            key = (min(r, s), max(r, s))
            pq = pairs.setdefault(key, [0, 0])
            pq[0 if r < s else 1] += 1
    ops = [Operand("edge", p, q, letters[u] + letters[v]) for (u, v), (p, q) in sorted(pairs.items())]
    ops += [Operand("loop", k, 0, letters[v]) for v, k in sorted(loops.items())]
    diagonal = len(outputs) == 2 and outputs[0] == outputs[1]
    outs = outputs[:1] if diagonal else outputs
    present = set("".join(o.subs for o in ops))
    out_all = "".join(letters[v] for v in outs)
    out = "".join(c for c in out_all if c in present)
    return ContractionSpec(tuple(ops), out, out_all, diagonal)


def _optimizer(nops: int) -> str:
    return "optimal" if nops <= 7 else "greedy"


@functools.lru_cache(maxsize=20000)
def plan(spec: ContractionSpec, batch: int, n: int, optimize: bool = True) -> tuple:
    """Pairwise contraction steps ``((i, j), subs_i, subs_j, subs_out)`` for the given sizes.

    ``optimize=False`` gives one step with every operand (numpy's unoptimised einsum).
    """
    subs = [BATCH + o.subs for o in spec.operands]
    out = BATCH + spec.out
    if len(subs) <= 1 or not optimize:
        return ((tuple(range(len(subs)))[::-1], tuple(subs[::-1]), out),)
    dummies = [np.broadcast_to(np.zeros(()), (batch,) + (n,) * len(o.subs)) for o in spec.operands]
    path, _ = np.einsum_path(
        f"{','.join(subs)}->{out}",
        *dummies,
        optimize=(_optimizer(len(subs)), dense_budget()),
    )
    steps = []
    cur = list(subs)
    for contraction in path[1:]:
        idx = tuple(sorted(contraction, reverse=True))
        ins = [cur[i] for i in idx]
        for i in idx:
            cur.pop(i)
        rest = set("".join(cur)) | set(out)
        seen: list[str] = []
        for s in ins:
            for c in s:
                if c in rest and c not in seen:
                    seen.append(c)
        res = "".join(seen) if len(cur) else out
        steps.append((idx, tuple(ins), res))
        cur.append(res)
    if cur != [out]:  # final transpose / reduction
        steps.append(((0,), (cur[0],), out))
    return tuple(steps)


SHARE_MAX_NDIM = 3
"""Intermediates with at most this many axes (batch included) are kept for reuse."""


def step_key(children: list, ins: tuple[str, ...], res: str) -> tuple:
    """A key naming the result of one contraction step independently of letter names.

    ``children`` are the keys of the step's inputs (``('op', kind, p, q)`` for an operand of
    X, or earlier step keys); the letters of ``ins`` and ``res`` are renamed in order of first
    appearance.  Equal keys give equal tensors (same inputs, same axes, same contraction), so
    evaluating several polynomials with one cache computes a shared sub-contraction once.
    """
    names: dict[str, str] = {}
    for c in "".join(ins) + res:
        if c not in names:
            names[c] = LETTERS[len(names)]
    ren = tuple("".join(names[c] for c in s) for s in ins)
    return ("step", tuple(children), ren, "".join(names[c] for c in res))


def matmul_layout(sa: str, sb: str, so: str) -> tuple:
    """How to contract ``sa, sb -> so`` (letters distinct within each, no private letters) as
    one batched matrix product ``(B, L, K) @ (B, K, R)``.

    Returns ``(batch, left, contr, right, ta, tb)``: letter lists, and whether the operand is
    read as the transpose of its ``(B, K, L)`` / ``(B, R, K)`` layout.  The order of the
    contracted letters is chosen so that operands already laid out that way need no copy.
    """
    batch = [c for c in so if c in sa and c in sb]
    left = [c for c in sa if c not in sb]
    right = [c for c in sb if c not in sa]
    best = None
    for contr in ([c for c in sa if c in sb and c not in so],
                  [c for c in sb if c in sa and c not in so]):
        ta = list(sa) == batch + contr + left
        tb = list(sb) == batch + right + contr
        copies = (not ta and list(sa) != batch + left + contr) + (
            not tb and list(sb) != batch + contr + right)
        if best is None or copies < best[0]:
            best = (copies, contr, ta, tb)
    _, contr, ta, tb = best
    return batch, left, contr, right, ta, tb


@functools.lru_cache(maxsize=20000)
def plan_with_keys(spec: ContractionSpec, batch: int, n: int, optimize: bool = True) -> tuple:
    """:func:`plan` with the :func:`step_key` of every step: ``((idx, ins, res, key), ...)``."""
    keys = [("op", o.kind, o.p, o.q) for o in spec.operands]
    out = []
    for idx, ins, res in plan(spec, batch, n, optimize):
        kids = [keys[i] for i in idx]
        for i in idx:
            keys.pop(i)
        key = step_key(kids, ins, res)
        keys.append(key)
        out.append((idx, ins, res, key))
    return tuple(out)
