"""Exact layer bases for the symmetric group S_n from set-partition diagrams.

* Diagram basis: D_pi[I, J] = 1 iff indices on vertices of one block agree. All B(k+l)
  diagrams are a basis iff n >= k+l; the diagrams with at most n blocks are a basis for every n
  (their transition matrix to the orbit basis is unitriangular).
* Orbit basis: X_pi[I, J] = 1 iff the equality pattern of (I, J) is exactly pi; nonzero iff pi
  has at most n blocks. D_pi = sum_{sigma >= pi} X_sigma (sigma coarser than pi) and, by Möbius
  inversion on the partition lattice,
  X_pi = sum_{sigma >= pi} mu(pi, sigma) D_sigma with
  mu(pi, sigma) = prod_{blocks B of sigma} (-1)^(b_B - 1) (b_B - 1)!, b_B = blocks of pi in B.
"""

from __future__ import annotations

from collections.abc import Iterator
from math import factorial

import sympy

from .._validate import check_int
from ..diagrams import PartitionDiagram, partition_diagrams, set_partitions
from ..diagrams._partition import _canonical
from ..errors import InvalidParameterError
from ..groups import Group, SymmetricGroup
from ._basis import LayerBasis
from ._dimension import symmetric_hom_dimension
from ._registry import register_layer_family
from ._spec import LayerSpec, Operation

__all__ = ["change_of_basis", "coarsenings", "diagram_operation", "sn_diagrams"]


def diagram_operation(d: PartitionDiagram) -> Operation:
    """The :class:`Operation` computing D_pi: one label per block.

    Examples
    --------
    >>> d = PartitionDiagram([[0], [1, 2, 3]], k=2, l=2)    # y[i, j] = x[j, j]
    >>> diagram_operation(d).einsum_string()
    'y[a,b] = x[b,b]'
    """
    rgs = d.restricted_growth_string()
    return Operation(inputs=rgs[d.l:], outputs=rgs[: d.l])


def coarsenings(d: PartitionDiagram) -> Iterator[tuple[PartitionDiagram, int]]:
    """All diagrams sigma >= d (merging blocks of d) with the Möbius value mu(d, sigma).

    Examples
    --------
    >>> d = PartitionDiagram([[0], [1]], k=1, l=1)
    >>> [(s.to_text(), mu) for s, mu in coarsenings(d)]
    [("{1,1'}", -1), ("{1} {1'}", 1)]
    """
    blocks = d.blocks
    for merge in set_partitions(len(blocks)):
        mu = 1
        new_blocks = []
        for part in merge:
            b = len(part)
            mu *= (-1) ** (b - 1) * factorial(b - 1)
            new_blocks.append([v for i in part for v in blocks[i]])
        yield PartitionDiagram._from_canonical(_canonical(new_blocks), d.k, d.l), mu


def sn_diagrams(n: int, k: int, l: int, spanning: bool = False) -> list[PartitionDiagram]:
    """The diagrams of the S_n diagram basis (at most n blocks), or all of them if spanning."""
    return list(partition_diagrams(k, l, max_blocks=None if spanning else n))


def change_of_basis(n: int, k: int, l: int, source: str = "diagram", target: str = "orbit") -> sympy.Matrix:
    """Exact change of basis between the S_n diagram and orbit bases (at most n blocks).

    Returns the integer matrix M (rows: ``source`` elements, columns: ``target`` elements, both
    in the order of :func:`~reptheory.layers.layer_basis`) with
    ``source_i = sum_j M[i, j] target_j``.

    Examples
    --------
    >>> change_of_basis(3, 1, 1)             # D_{1,1'} = X_{1,1'};  D_{1}{1'} = X_{1,1'} + X_{1}{1'}
    Matrix([
    [1, 0],
    [1, 1]])
    >>> change_of_basis(3, 1, 1, "orbit", "diagram")
    Matrix([
    [ 1, 0],
    [-1, 1]])
    """
    n = check_int("n", n, minimum=1)
    k = check_int("k", k, minimum=0)
    l = check_int("l", l, minimum=0)
    kinds = ("diagram", "orbit")
    if source not in kinds or target not in kinds:
        raise InvalidParameterError(f"source and target must be 'diagram' or 'orbit', got {source!r}, {target!r}")
    ds = sn_diagrams(n, k, l)
    if source == target:
        return sympy.eye(len(ds))
    index = {d: i for i, d in enumerate(ds)}
    M = sympy.zeros(len(ds), len(ds))
    for i, d in enumerate(ds):
        for s, mu in coarsenings(d):
            M[i, index[s]] = 1 if source == "diagram" else mu
    return M


def _build_size_free(group: SymmetricGroup, k: int, l: int, kind: str) -> LayerBasis:
    from ._size_free import SizeFreeLayerBasis

    if kind != "diagram":
        raise InvalidParameterError(f"kind must be 'diagram' for the size-free S(), got {kind!r}")
    ds = list(partition_diagrams(k, l))
    spec = LayerSpec(
        group=repr(group), n=max(k + l, 1), k=k, l=l, basis_kind="diagram",
        operations=tuple(diagram_operation(d) for d in ds),
        coefficients=tuple(((j, 1),) for j in range(len(ds))),
        element_names=tuple(d.to_text() for d in ds),
    )
    return SizeFreeLayerBasis(group, k, l, ds, spec)


def _build(group: SymmetricGroup, k: int, l: int, kind: str, spanning: bool) -> LayerBasis:
    n = group.n
    if n is None:
        return _build_size_free(group, k, l, kind)
    dim = symmetric_hom_dimension(n, k, l)
    if spanning:
        ds = sn_diagrams(n, k, l, spanning=True)
        is_basis = len(ds) == dim
        kind = "diagram"
    else:
        ds = sn_diagrams(n, k, l)
        is_basis = True
    # one operation per diagram (a diagram's operation is already canonical: labels are the
    # blocks in order of their smallest vertex, top vertices first)
    ops = tuple(diagram_operation(d) for d in ds)
    if kind == "diagram":
        rows = tuple(((j, 1),) for j in range(len(ds)))
    else:  # orbit: X_pi = sum_{sigma >= pi} mu(pi, sigma) D_sigma; sigma has <= n blocks too
        index = {d: j for j, d in enumerate(ds)}
        rows = tuple(
            tuple(sorted((index[s], mu) for s, mu in coarsenings(d))) for d in ds
        )
    spec = LayerSpec(
        group=repr(group), n=n, k=k, l=l,
        basis_kind=kind + (" spanning set" if spanning else ""),
        operations=ops, coefficients=rows,
        element_names=tuple(d.to_text() for d in ds),
    )
    return LayerBasis(group, k, l, kind, ds, spec, dimension=dim, is_basis=is_basis)


def _dimension(group: Group, k: int, l: int) -> int:
    if group.n is None:   # S(): the dimension for every n >= k + l
        from ..diagrams._enumerate import bell

        return bell(k + l)
    return symmetric_hom_dimension(group.n, k, l)


register_layer_family(SymmetricGroup, _build, _dimension, kinds=("diagram", "orbit"),
                      default_kind="diagram")
