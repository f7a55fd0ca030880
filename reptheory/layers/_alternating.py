"""Exact layer bases for the alternating group A_n: S_n diagrams plus jellyfish.

Every S_n-orbit of [n]^(k+l) (an equality pattern pi with t <= n blocks) is one A_n-orbit,
or two when its stabiliser S_{n-t} lies inside A_n, i.e. when t >= n-1 (and n >= 2). So

    dim Hom_{A_n} = dim Hom_{S_n} + S(k+l, n) + S(k+l, n-1)      (n >= 2),

and a basis is the S_n basis (diagram or orbit kind) together with one jellyfish J_pi per
partition pi with n or n-1 blocks (J_pi is supported on the pattern pi and is odd under odd
permutations, so it is independent of the S_n-invariant part). A_1 = S_1 and A_2 = {1} are
trivial groups; for them the formula gives 1 and 2^(k+l) (every map is equivariant).
"""

from __future__ import annotations

from ..diagrams import stirling2
from ..diagrams._jellyfish import JellyfishDiagram, jellyfish_diagrams
from ..groups._alternating import AlternatingGroup
from ._basis import LayerBasis
from ._brauer_family import EPS_DESCRIPTION, levi_civita_constant
from ._dimension import symmetric_hom_dimension
from ._registry import register_layer_family
from ._spec import LayerSpec, Operation, canonical_operations
from ._symmetric import coarsenings, diagram_operation, sn_diagrams

__all__ = ["alternating_hom_dimension", "jellyfish_operation"]


def jellyfish_operation(d: JellyfishDiagram) -> Operation:
    """The :class:`Operation` computing J_pi: one label per block, eps on the block labels
    (in canonical block order) and, if a tentacle dangles, on one more summed label.

    Examples
    --------
    >>> d = JellyfishDiagram([[0], [1], [2]], k=2, l=1, n=4)
    >>> jellyfish_operation(d).einsum_string()
    'y[a] = sum_bcd x[b,c] * epsilon[a,b,c,d]'
    """
    rgs = d.restricted_growth_string()
    t = d.num_blocks
    head = tuple(range(t)) + ((t,) if d.dangling else ())
    return Operation(inputs=rgs[d.l:], outputs=rgs[:d.l], factors=(("epsilon", head),))


def alternating_hom_dimension(n: int, k: int, l: int) -> int:
    """dim Hom_{A_n}((R^n)^{⊗k}, (R^n)^{⊗l}) exactly.

    Examples
    --------
    >>> [alternating_hom_dimension(n, 2, 2) for n in (1, 2, 3, 4, 5, 6)]
    [1, 16, 27, 22, 16, 15]
    """
    base = symmetric_hom_dimension(n, k, l)
    if n == 1:
        return base
    m = k + l
    return base + stirling2(m, n) + stirling2(m, n - 1)


def _build(group: AlternatingGroup, k: int, l: int, kind: str, spanning: bool) -> LayerBasis:
    n = group.n
    dim = alternating_hom_dimension(n, k, l)
    if spanning:
        kind = "diagram"
    ds = sn_diagrams(n, k, l, spanning=spanning)
    js = list(jellyfish_diagrams(n, k, l))
    elements = list(ds) + js
    if kind == "diagram":
        # one operation per element, already canonical (labels are the blocks in order of their
        # smallest vertex, top row first; a dangling tentacle's label comes last) and distinct
        ops = tuple(diagram_operation(d) for d in ds) + tuple(jellyfish_operation(j) for j in js)
        rows = tuple(((j, 1),) for j in range(len(ops)))
    else:
        terms = [[(diagram_operation(s), mu) for s, mu in coarsenings(d)] for d in ds]
        terms += [[(jellyfish_operation(j), 1)] for j in js]
        ops, rows = canonical_operations(terms)
    spec = LayerSpec(
        group=repr(group), n=n, k=k, l=l,
        basis_kind=kind + (" spanning set" if spanning else ""),
        operations=ops, coefficients=rows,
        constants=(levi_civita_constant(n),) if js else (),
        element_names=tuple(d.to_text() for d in elements),
        metadata=(("epsilon", EPS_DESCRIPTION + "; jellyfish tentacles attach to the blocks in "
                   "canonical order (by smallest vertex), a dangling tentacle is summed"),),
    )
    return LayerBasis(group, k, l, kind, elements, spec, dimension=dim,
                      is_basis=len(elements) == dim)


def _dimension(group: AlternatingGroup, k: int, l: int) -> int:
    return alternating_hom_dimension(group.n, k, l)


register_layer_family(AlternatingGroup, _build, _dimension, kinds=("diagram", "orbit"),
                      default_kind="diagram")
