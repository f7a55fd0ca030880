"""Exact layer bases for O(n), SO(n) and Sp(n) from Brauer and (l+k)\\n-diagrams.

* O(n): E_beta for the Brauer diagrams beta (every pair a delta). They span
  Hom_{O(n)}((R^n)^{⊗k}, (R^n)^{⊗l}) for every n and are independent iff n >= (k+l)/2.
* Sp(n): F_beta in the Darboux basis (a same-row pair {u < v} gives J[idx_u, idx_v], see
  :mod:`reptheory.diagrams._brauer`); they span for every even n, independent iff n >= k+l.
* SO(n): E_beta and H_alpha for the (l+k)\\n-diagrams alpha (eps on the n free vertices).
  The E's span Hom_{O(n)}, the H's span the det-isotypic part, and the two sets are orthogonal.

When the diagrams are dependent, :func:`~reptheory.layers.layer_basis` keeps a greedy subset
certified independent from the diagrams' values at random points modulo a prime (see
:mod:`reptheory.layers._select`); the integer Gram matrices below give the same choice exactly
(:mod:`reptheory.layers._exact_rank`) and are the fallback. For Sp(2) = SL(2) no selection is
needed: the diagrams without nested pairs are a basis (standard monomials, see
:func:`~reptheory.diagrams.nonnesting_brauer_diagrams`), the same one the selection finds, so
only Catalan(m/2) of the (m-1)!! diagrams are built.

Exact dimensions (closed walks in the Bratteli diagram of the group, i.e. the multiplicity of
the trivial representation in V^{⊗(k+l)}; V is self-dual):

* O(n): partitions lambda with lambda'_1 + lambda'_2 <= n, steps add or remove one box;
  dim = #walks of length k+l from the empty partition to itself;
* SO(n): dim = dim_O + #walks from the empty partition to (1^n) (the det representation);
* Sp(n): partitions with at most n/2 rows, steps add or remove a box.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from itertools import permutations
from math import factorial

import numpy as np

from .._validate import check_int
from ..diagrams._brauer import (
    BrauerDiagram,
    brauer_diagrams,
    count_brauer_diagrams,
    nonnesting_brauer_diagrams,
)
from ..diagrams._levi_civita import LeviCivitaDiagram, levi_civita_diagrams
from ..errors import SizeLimitError
from ..groups._alternating import permutation_sign
from ..groups._orthogonal import OrthogonalGroup, SpecialOrthogonalGroup
from ..groups._symplectic import SymplecticGroup, symplectic_form
from ._basis import LayerBasis
from ._registry import register_layer_family
from ._select import independent_diagrams
from ._spec import ConstantTensor, LayerSpec, Operation, canonical_operations
from ._young import add_box, remove_box

__all__ = [
    "brauer_gram",
    "brauer_operation",
    "levi_civita_constant",
    "levi_civita_gram",
    "levi_civita_operation",
    "orthogonal_hom_dimension",
    "special_orthogonal_hom_dimension",
    "symplectic_constant",
    "symplectic_hom_dimension",
]

#: Largest number of stored entries of the sparse Levi-Civita constant (n <= 10).
MAX_EPSILON_ENTRIES = 10**7

J_DESCRIPTION = ("symplectic form J: block-diagonal [[0, 1], [-1, 0]] in the Darboux order "
                 "e_1, e_1', e_2, e_2', ... (J[2a, 2a+1] = 1, J[2a+1, 2a] = -1)")
EPS_DESCRIPTION = "Levi-Civita symbol: eps[i_1..i_n] = sign of the permutation, 0 if an index repeats"
SP_CONVENTION = ("a pair {u < v} inside one row gives J[idx_u, idx_v] (left to right); a cross "
                 "pair gives delta; a closed loop cap∘cup evaluates to +n")


# -- exact dimensions -----------------------------------------------------------------------
def bratteli_walks(m: int, allowed: Callable[[tuple[int, ...]], bool],
                   target: tuple[int, ...] = ()) -> int:
    """Walks of length m from the empty partition to ``target``, adding or removing one box per
    step and staying inside the partitions accepted by ``allowed``.

    Examples
    --------
    >>> bratteli_walks(6, lambda lam: len(lam) <= 1)      # Sp(2): Catalan number
    5
    """
    m = check_int("m", m, minimum=0)
    state: dict[tuple[int, ...], int] = {(): 1}
    for _ in range(m):
        new: dict[tuple[int, ...], int] = {}
        for lam, c in state.items():
            for mu in remove_box(lam) + add_box(lam):
                if allowed(mu):
                    new[mu] = new.get(mu, 0) + c
        state = new
    return state.get(tuple(target), 0)


def _o_allowed(n: int) -> Callable[[tuple[int, ...]], bool]:
    return lambda lam: len(lam) + sum(1 for p in lam if p >= 2) <= n


@lru_cache(maxsize=256)
def orthogonal_hom_dimension(n: int, k: int, l: int) -> int:
    """dim Hom_{O(n)}((R^n)^{⊗k}, (R^n)^{⊗l}) exactly.

    Examples
    --------
    >>> [orthogonal_hom_dimension(n, 3, 3) for n in (1, 2, 3, 4)]
    [1, 10, 15, 15]
    """
    n = check_int("n", n, minimum=1)
    m = check_int("k", k, minimum=0) + check_int("l", l, minimum=0)
    if m % 2 or n >= m:  # -I acts by -1; Brauer diagrams are independent (stable range)
        return count_brauer_diagrams(k, l)
    return bratteli_walks(m, _o_allowed(n))


@lru_cache(maxsize=256)
def special_orthogonal_hom_dimension(n: int, k: int, l: int) -> int:
    """dim Hom_{SO(n)}((R^n)^{⊗k}, (R^n)^{⊗l}) exactly (= 1 for the trivial group SO(1)).

    Examples
    --------
    >>> [special_orthogonal_hom_dimension(n, 2, 2) for n in (2, 3, 4)]
    [6, 3, 4]
    >>> special_orthogonal_hom_dimension(3, 2, 3)
    6
    """
    n = check_int("n", n, minimum=1)
    m = check_int("k", k, minimum=0) + check_int("l", l, minimum=0)
    det = bratteli_walks(m, _o_allowed(n), (1,) * n) if n <= m else 0  # (1^n) needs n steps
    return orthogonal_hom_dimension(n, k, l) + det


@lru_cache(maxsize=256)
def symplectic_hom_dimension(n: int, k: int, l: int) -> int:
    """dim Hom_{Sp(n)}((R^n)^{⊗k}, (R^n)^{⊗l}) exactly (n even).

    Examples
    --------
    >>> [symplectic_hom_dimension(n, 3, 3) for n in (2, 4, 6)]
    [5, 14, 15]
    """
    n = check_int("n", n, minimum=2)
    m = check_int("k", k, minimum=0) + check_int("l", l, minimum=0)
    if m % 2 or n >= m:  # -I acts by -1; Brauer diagrams are independent (stable range)
        return count_brauer_diagrams(k, l)
    r = n // 2
    return bratteli_walks(m, lambda lam: len(lam) <= r)


# -- operations and constants -----------------------------------------------------------------
def brauer_operation(d: BrauerDiagram, form: str = "orthogonal") -> Operation:
    """The :class:`Operation` computing E_beta (``"orthogonal"``) or F_beta (``"symplectic"``).

    Examples
    --------
    >>> d = BrauerDiagram([[0, 1], [2, 3]], k=2, l=2)
    >>> brauer_operation(d).einsum_string()
    'y[a,a] = sum_b x[b,b]'
    >>> brauer_operation(d, "symplectic").einsum_string()
    'y[a,b] = sum_cd x[c,d] * J[a,b] * J[c,d]'
    """
    lab = [0] * (d.l + d.k)
    factors = []
    nxt = 0
    for u, v in d.blocks:
        same_row = (u < d.l) == (v < d.l)
        if form == "symplectic" and same_row:
            lab[u], lab[v] = nxt, nxt + 1
            factors.append(("J", (nxt, nxt + 1)))
            nxt += 2
        else:
            lab[u] = lab[v] = nxt
            nxt += 1
    return Operation(inputs=tuple(lab[d.l:]), outputs=tuple(lab[:d.l]), factors=tuple(factors))


def levi_civita_operation(d: LeviCivitaDiagram) -> Operation:
    """The :class:`Operation` computing H_alpha (pairs are deltas, eps on the free vertices).

    Examples
    --------
    >>> d = LeviCivitaDiagram([[0], [1], [2]], k=2, l=1)            # SO(3) cross product
    >>> levi_civita_operation(d).einsum_string()
    'y[a] = sum_bc x[b,c] * epsilon[a,b,c]'
    """
    lab = [0] * (d.l + d.k)
    for i, b in enumerate(d.blocks):
        for v in b:
            lab[v] = i
    head = tuple(lab[v] for v in d.free_vertices)
    return Operation(inputs=tuple(lab[d.l:]), outputs=tuple(lab[:d.l]), factors=(("epsilon", head),))


def symplectic_constant(n: int) -> ConstantTensor:
    """The form J of :func:`reptheory.groups.symplectic_form` as a sparse exact
    :class:`ConstantTensor` named ``"J"`` (its nonzero entries in row-major order).

    Examples
    --------
    >>> symplectic_constant(4).entries
    (((0, 1), 1), ((1, 0), -1), ((2, 3), 1), ((3, 2), -1))
    """
    J = symplectic_form(n)
    ents = tuple(((int(i), int(j)), int(J[i, j])) for i, j in zip(*np.nonzero(J)))
    return ConstantTensor("J", (n, n), ents, J_DESCRIPTION)


@lru_cache(maxsize=16)
def levi_civita_constant(n: int) -> ConstantTensor:
    """The Levi-Civita symbol of order n as a sparse :class:`ConstantTensor` (n! entries).

    Examples
    --------
    >>> levi_civita_constant(2).entries
    (((0, 1), 1), ((1, 0), -1))
    """
    n = check_int("n", n, minimum=1)
    if factorial(n) > MAX_EPSILON_ENTRIES:
        raise SizeLimitError(
            f"the sparse Levi-Civita symbol of order n={n} would have n! = {factorial(n)} entries, "
            f"over the limit of {MAX_EPSILON_ENTRIES} (n <= 10)")
    ents = tuple((p, permutation_sign(p)) for p in permutations(range(n)))
    return ConstantTensor("epsilon", (n,) * n, ents, EPS_DESCRIPTION)


# -- exact Gram matrices -----------------------------------------------------------------------
def _partners(d) -> list[int]:
    p = [-1] * (d.l + d.k)
    for b in d.blocks:
        if len(b) == 2:
            p[b[0]], p[b[1]] = b[1], b[0]
    return p


def _orbit_labels(perm: np.ndarray) -> np.ndarray:
    """Smallest vertex of each vertex's orbit, for a batch of permutations (rows of ``perm``)."""
    lab = np.broadcast_to(np.arange(perm.shape[1]), perm.shape).copy()
    step = perm.copy()
    for _ in range(max(1, int(perm.shape[1]).bit_length())):
        lab = np.minimum(lab, np.take_along_axis(lab, step, axis=1))
        step = np.take_along_axis(step, step, axis=1)
    return lab


def brauer_gram(ds, n: int, form: str = "orthogonal") -> list[list[int]]:
    """Integer Gram matrix <M_a, M_b> = sum_{I,J} M_a[I,J] M_b[I,J] of Brauer matrices.

    Orthogonal: n**(cycles of the union of the two matchings). Symplectic: each cycle gives
    trace(product of ±J and I along it) = ±n.

    Vectorised over pairs of diagrams: with p, q the two matchings as involutions of the
    vertices, sigma = q∘p has two orbits per cycle of the union (the even and the odd positions
    along it), found by pointer doubling. For the sign, one orbit per cycle is walked (the one
    with the smaller least vertex): each same-row pair is a J, -1 for each J traversed from the
    larger to the smaller vertex (J^T = -J) and -1 for every two J's (J^2 = -I).

    Examples
    --------
    >>> from reptheory.diagrams import brauer_diagrams
    >>> brauer_gram(list(brauer_diagrams(2, 2)), 2, "symplectic")
    [[4, 2, -2], [2, 4, 2], [-2, 2, 4]]
    """
    ds = list(ds)
    if not ds:
        return []
    l = ds[0].l
    m = ds[0].l + ds[0].k
    size = len(ds)
    P = np.array([_partners(d) for d in ds], dtype=np.int64)
    top = np.arange(m) < l
    same = top[None, :] == top[P]                      # vertex v's pair lies in one row
    n_j = same.sum(axis=1) // 2                         # same-row pairs (J's) per diagram
    back = same & (np.arange(m)[None, :] > P)           # J edge left from its larger vertex
    powers = [n**c for c in range(m + 1)]
    table = np.array(powers, dtype=np.int64 if powers[-1] < 2**62 else object)
    G = np.zeros((size, size), dtype=table.dtype)
    chunk = max(1, 2**20 // (size * m))
    for a0 in range(0, size, chunk):
        rows = np.arange(a0, min(size, a0 + chunk))
        pa = np.repeat(P[rows], size, axis=0)           # (r * size, m)
        qb = np.tile(P, (len(rows), 1))
        sigma = np.take_along_axis(qb, pa, axis=1)
        lab = _orbit_labels(sigma)
        cycles = (lab == np.arange(m)).sum(axis=1) // 2
        value = table[cycles]
        if form == "symplectic":
            walk = lab < np.take_along_axis(lab, pa, axis=1)     # one orbit per cycle
            first = np.repeat(back[rows], size, axis=0)         # step v -> p(v)
            second = np.take_along_axis(np.tile(back, (len(rows), 1)), pa, axis=1)  # p(v) -> q
            flips = (first & walk).sum(axis=1) + (second & walk).sum(axis=1)
            jj = (np.repeat(n_j[rows], size) + np.tile(n_j, len(rows))) // 2
            value = np.where((flips + jj) % 2 == 1, -value, value)
        G[rows] = value.reshape(len(rows), size)
    return G.tolist()


def levi_civita_gram(ds, n: int) -> list[list[int]]:
    """Integer Gram matrix of the H_alpha: sign(sigma) n! n**cycles, or 0.

    Examples
    --------
    >>> from reptheory.diagrams import levi_civita_diagrams
    >>> levi_civita_gram(list(levi_civita_diagrams(2, 1, 1)), 2)
    [[2]]
    """
    ds = list(ds)
    size = len(ds)
    G = [[0] * size for _ in range(size)]
    if not ds:
        return G
    m = ds[0].l + ds[0].k
    parts = [_partners(d) for d in ds]
    pos = [{v: i for i, v in enumerate(d.free_vertices)} for d in ds]
    nf = factorial(n)
    for a in range(size):
        p = parts[a]
        for b in range(a, size):
            q = parts[b]
            seen = [False] * m
            sigma = [0] * n
            value = 1
            for x in ds[a].free_vertices:
                cur, use_q = x, True
                seen[cur] = True
                while True:
                    nxt = (q if use_q else p)[cur]
                    if nxt < 0:
                        break
                    cur, use_q = nxt, not use_q
                    seen[cur] = True
                if not use_q:     # stopped needing an alpha edge: ends at an alpha-free vertex
                    value = 0
                    break
                sigma[pos[a][x]] = pos[b][cur]
            if value:
                cycles = 0
                for v0 in range(m):
                    if seen[v0]:
                        continue
                    cycles += 1
                    cur = v0
                    while True:
                        seen[cur] = True
                        cur = q[p[cur]]
                        seen[p[cur]] = True
                        if cur == v0:
                            break
                value = permutation_sign(sigma) * nf * n**cycles
            G[a][b] = G[b][a] = value
    return G


# -- builders ------------------------------------------------------------------------------------
def _select(ds, gram_fn, expected: int, n: int, form: str = "orthogonal"):
    cols = independent_diagrams(ds, n, expected, form, gram=gram_fn)
    return [ds[i] for i in cols]


def _finish(group, k, l, elements, ops, constants, dim, is_basis, spanning, metadata,
            canonical=False):
    """The LayerBasis with one operation per element. ``canonical``: the operations are already
    canonical and distinct (delta pairs and Levi-Civita heads label the blocks in order of their
    smallest vertex, top row first), so they are used as they are."""
    if canonical:
        ops, rows = tuple(ops), tuple(((j, 1),) for j in range(len(ops)))
    else:
        ops, rows = canonical_operations([[(op, 1)] for op in ops])
    used = {nm for op in ops for nm, _ in op.factors}
    spec = LayerSpec(
        group=repr(group), n=group.n, k=k, l=l,
        basis_kind="diagram" + (" spanning set" if spanning else ""),
        operations=ops, coefficients=rows,
        constants=tuple(c for c in constants if c.name in used),
        element_names=tuple(d.to_text() for d in elements),
        metadata=tuple(sorted(metadata.items())),
    )
    return LayerBasis(group, k, l, "diagram", elements, spec, dimension=dim, is_basis=is_basis)


def _build_orthogonal(group: OrthogonalGroup, k: int, l: int, kind: str, spanning: bool) -> LayerBasis:
    n = group.n
    dim = orthogonal_hom_dimension(n, k, l)
    ds = list(brauer_diagrams(k, l))
    chosen = ds if spanning else _select(ds, lambda x: brauer_gram(x, n), dim, n)
    ops = [brauer_operation(d) for d in chosen]
    return _finish(group, k, l, chosen, ops, (), dim, len(chosen) == dim, spanning,
                   {"pairs": "every pair of a Brauer diagram is a delta"}, canonical=True)


def _build_special_orthogonal(group: SpecialOrthogonalGroup, k: int, l: int, kind: str,
                              spanning: bool) -> LayerBasis:
    n = group.n
    dim_o = orthogonal_hom_dimension(n, k, l)
    dim = special_orthogonal_hom_dimension(n, k, l)
    ds = list(brauer_diagrams(k, l))
    hs = list(levi_civita_diagrams(n, k, l))
    if spanning:
        chosen_d, chosen_h = ds, hs
    else:
        chosen_d = _select(ds, lambda x: brauer_gram(x, n), dim_o, n)
        chosen_h = _select(hs, lambda x: levi_civita_gram(x, n), dim - dim_o, n)
    ops = [brauer_operation(d) for d in chosen_d] + [levi_civita_operation(h) for h in chosen_h]
    consts = (levi_civita_constant(n),) if chosen_h else ()
    elements = chosen_d + chosen_h
    return _finish(group, k, l, elements, ops, consts, dim, len(elements) == dim, spanning,
                   {"pairs": "every pair is a delta",
                    "epsilon": "free vertices read in vertex order: top row left to right, then "
                               "bottom row left to right"}, canonical=True)


def _build_symplectic(group: SymplecticGroup, k: int, l: int, kind: str, spanning: bool) -> LayerBasis:
    n = group.n
    dim = symplectic_hom_dimension(n, k, l)
    if n == 2 and not spanning:  # SL(2): the non-nesting diagrams are a basis (a theorem)
        chosen = nonnesting_brauer_diagrams(k, l)
    else:
        ds = list(brauer_diagrams(k, l))
        chosen = ds if spanning else _select(ds, lambda x: brauer_gram(x, n, "symplectic"),
                                             dim, n, "symplectic")
    ops = [brauer_operation(d, "symplectic") for d in chosen]
    return _finish(group, k, l, chosen, ops, (symplectic_constant(n),), dim, len(chosen) == dim,
                   spanning, {"pairs": SP_CONVENTION, "basis of R^n": J_DESCRIPTION})


def _dim_o(group, k, l):
    return orthogonal_hom_dimension(group.n, k, l)


def _dim_so(group, k, l):
    return special_orthogonal_hom_dimension(group.n, k, l)


def _dim_sp(group, k, l):
    return symplectic_hom_dimension(group.n, k, l)


register_layer_family(OrthogonalGroup, _build_orthogonal, _dim_o, kinds=("diagram",),
                      default_kind="diagram")
register_layer_family(SpecialOrthogonalGroup, _build_special_orthogonal, _dim_so,
                      kinds=("diagram",), default_kind="diagram")
register_layer_family(SymplecticGroup, _build_symplectic, _dim_sp, kinds=("diagram",),
                      default_kind="diagram")
