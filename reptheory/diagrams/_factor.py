"""Factor a diagram as (permutation) ∘ (planar diagram) ∘ (permutation).

Every (k, l)-diagram D equals ``P_top ∘ Q ∘ P_bottom`` where P_bottom and P_top are permutation
diagrams and Q is *planar*: reading its top row left to right gives first the top-only blocks,
then the top vertices of the cross blocks block by block; its bottom row gives the bottom
vertices of the cross blocks in the same block order, then the bottom-only blocks. Q is the
tensor product of one-block diagrams (``copy`` c_t, ``transfer`` T_{t,s}, ``contract`` r_s), so
its matrix is a Kronecker product that is applied factor by factor and never formed
(Pearce-Crump's and Godfrey et al.'s algorithm). Works for every :class:`Diagram` subclass whose
permutation diagrams are of the same class (partition and Brauer diagrams).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._partition import Diagram, _canonical, compose, tensor_product

__all__ = ["DiagramFactorization", "factor_diagram", "is_planar", "permutation_diagram"]


def permutation_diagram(cls: type, perm) -> Diagram:
    """The (k, k)-diagram of class ``cls`` sending input factor b to output factor perm[b].

    Examples
    --------
    >>> from reptheory.diagrams import PartitionDiagram
    >>> permutation_diagram(PartitionDiagram, (1, 0)).to_text()
    "{1,2'} {2,1'}"
    """
    k = len(perm)
    return cls._from_canonical(_canonical([(int(perm[b]), k + b) for b in range(k)]), k, k)


@dataclass(frozen=True)
class DiagramFactorization:
    """``diagram = top_permutation ∘ planar ∘ bottom_permutation``.

    Attributes
    ----------
    bottom_order : tuple of int
        ``bottom_order[q]``: the original input position placed at planar bottom position q.
    top_order : tuple of int
        ``top_order[p]``: the original output position at planar top position p.
    planar : Diagram
        The planar middle diagram.
    blocks : tuple of (kind, t, s)
        One-block factors of ``planar`` left to right: ``("copy", t, 0)``,
        ``("transfer", t, s)``, ``("contract", 0, s)``.
    """

    bottom_order: tuple[int, ...]
    top_order: tuple[int, ...]
    planar: Diagram
    blocks: tuple[tuple[str, int, int], ...]

    def bottom_permutation(self) -> Diagram:
        """P_bottom: input factor ``bottom_order[q]`` goes to position q."""
        inv = [0] * len(self.bottom_order)
        for q, b in enumerate(self.bottom_order):
            inv[b] = q
        return permutation_diagram(type(self.planar), inv)

    def top_permutation(self) -> Diagram:
        """P_top: planar output p goes to original output ``top_order[p]``."""
        return permutation_diagram(type(self.planar), self.top_order)

    def one_block_diagrams(self) -> list[Diagram]:
        """The one-block diagrams whose tensor product is ``planar``."""
        cls = type(self.planar)
        out = []
        for _, t, s in self.blocks:
            out.append(cls._from_canonical((tuple(range(t + s)),), s, t))
        return out

    def tensor_of_blocks(self) -> Diagram:
        """The tensor product of :meth:`one_block_diagrams` (equals ``planar``)."""
        ds = self.one_block_diagrams()
        if not ds:
            return type(self.planar)._from_canonical((), 0, 0)
        out = ds[0]
        for e in ds[1:]:
            out = tensor_product(out, e)
        return out

    def recompose(self) -> Diagram:
        """``P_top ∘ planar ∘ P_bottom`` (equals the factored diagram; no loops arise)."""
        _, mid = compose(self.planar, self.bottom_permutation(), 1)
        _, d = compose(self.top_permutation(), mid, 1)
        return d


def factor_diagram(d: Diagram) -> DiagramFactorization:
    """Factor ``d`` into permutation ∘ planar ∘ permutation (exact).

    Examples
    --------
    >>> from reptheory.diagrams import PartitionDiagram
    >>> d = PartitionDiagram([[0, 3], [1, 2]], k=2, l=2)       # the swap
    >>> f = factor_diagram(d)
    >>> f.planar.to_text(), f.blocks, f.recompose() == d
    ("{1,1'} {2,2'}", (('transfer', 1, 1), ('transfer', 1, 1)), True)
    """
    k, l = d.k, d.l
    types = d.block_types()
    top_only = sorted(types["top"], key=lambda b: (-len(b), b))
    cross = types["cross"]
    bottom_only = sorted(types["bottom"], key=lambda b: (-len(b), b))
    top_order: list[int] = []
    bottom_order: list[int] = []
    blocks: list[tuple[str, int, int]] = []
    for b in top_only:
        top_order += list(b)
        blocks.append(("copy", len(b), 0))
    for b in cross:
        tops = d.top_vertices(b)
        bots = d.bottom_vertices(b)
        top_order += list(tops)
        bottom_order += list(bots)
        blocks.append(("transfer", len(tops), len(bots)))
    for b in bottom_only:
        bottom_order += list(d.bottom_vertices(b))
        blocks.append(("contract", 0, len(b)))
    top_pos = {v: p for p, v in enumerate(top_order)}
    bot_pos = {b: q for q, b in enumerate(bottom_order)}
    new_blocks = [[top_pos[v] if v < l else l + bot_pos[v - l] for v in b] for b in d.blocks]
    planar = type(d)._from_canonical(_canonical(new_blocks), k, l)
    return DiagramFactorization(tuple(bottom_order), tuple(top_order), planar, tuple(blocks))


def is_planar(d: Diagram) -> bool:
    """True if ``d`` is already in the planar normal form (both permutations identities).

    Examples
    --------
    >>> from reptheory.diagrams import PartitionDiagram
    >>> is_planar(PartitionDiagram([[0], [1, 2, 3]], k=2, l=2))    # c_1 ⊗ T_{1,2}
    True
    """
    f = factor_diagram(d)
    return f.top_order == tuple(range(d.l)) and f.bottom_order == tuple(range(d.k))

