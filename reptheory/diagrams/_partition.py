"""Set-partition (k, l)-diagrams and their composition in the partition category.

Vertex labelling (used everywhere in reptheory): a (k, l)-diagram has ``l`` top vertices
``0 .. l-1`` (output tensor factors, left to right) and ``k`` bottom vertices ``l .. l+k-1``
(input factors, left to right).  A diagram is a set partition of these ``l + k`` vertices; its
canonical form lists the blocks as sorted tuples, ordered by their smallest vertex.

In text, top vertex ``a`` prints as ``a+1`` and bottom vertex ``l+b`` as ``(b+1)'``, so the
(2, 2)-diagram ``{{0, 2}, {1, 3}}`` (the identity) prints as ``{1,1'} {2,2'}``.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import sympy

from .._validate import check_int
from ..errors import InvalidParameterError, ReptheoryTypeError

__all__ = ["Diagram", "PartitionDiagram", "compose", "tensor_product"]


class _UnionFind:
    __slots__ = ("parent",)

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, a: int) -> int:
        parent = self.parent
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _canonical(blocks: Iterable[Iterable[int]]) -> tuple[tuple[int, ...], ...]:
    return tuple(sorted((tuple(sorted(b)) for b in blocks), key=lambda b: b[0]))


class Diagram:
    """A (k, l)-diagram: a set partition of l top and k bottom vertices.

    This is the common base of :class:`PartitionDiagram` and the Brauer-type diagrams.
    Instances are immutable, hashable and equal by value (same class, k, l and blocks).

    Parameters
    ----------
    blocks : iterable of iterables of int
        A set partition of ``range(l + k)``; top vertices are ``0..l-1``, bottom ``l..l+k-1``.
    k, l : int
        Number of bottom (input) and top (output) vertices.
    """

    __slots__ = ("_blocks", "_hash", "_k", "_l")

    def __init__(self, blocks: Iterable[Iterable[int]], k: int, l: int) -> None:
        k = check_int("k", k, minimum=0)
        l = check_int("l", l, minimum=0)
        canon = _canonical(blocks)
        flat = sorted(v for b in canon for v in b)
        if flat != list(range(l + k)) or any(len(b) == 0 for b in canon):
            raise InvalidParameterError(
                f"blocks must be a set partition of the vertices 0..{l + k - 1} "
                f"(l={l} top, k={k} bottom), got {[list(b) for b in canon]}"
            )
        self._check_blocks(canon, k, l)
        object.__setattr__(self, "_blocks", canon)
        object.__setattr__(self, "_k", k)
        object.__setattr__(self, "_l", l)
        object.__setattr__(self, "_hash", hash((type(self).__name__, k, l, canon)))

    def _check_blocks(self, blocks, k, l) -> None:
        """Hook for subclasses that restrict the allowed blocks."""

    @classmethod
    def _from_canonical(cls, blocks: tuple[tuple[int, ...], ...], k: int, l: int):
        """Fast constructor for blocks already in canonical form (no validation)."""
        self = object.__new__(cls)
        object.__setattr__(self, "_blocks", blocks)
        object.__setattr__(self, "_k", k)
        object.__setattr__(self, "_l", l)
        object.__setattr__(self, "_hash", hash((cls.__name__, k, l, blocks)))
        return self

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self):
        return (type(self), (self._blocks, self._k, self._l))

    # -- basic data -------------------------------------------------------------------------
    @property
    def k(self) -> int:
        """Number of bottom (input) vertices."""
        return self._k

    @property
    def l(self) -> int:
        """Number of top (output) vertices."""
        return self._l

    @property
    def blocks(self) -> tuple[tuple[int, ...], ...]:
        """The blocks in canonical form."""
        return self._blocks

    @property
    def num_blocks(self) -> int:
        """Number of blocks (connected components)."""
        return len(self._blocks)

    def top_vertices(self, block: Sequence[int]) -> tuple[int, ...]:
        """The top vertices (0..l-1) of ``block``."""
        return tuple(v for v in block if v < self._l)

    def bottom_vertices(self, block: Sequence[int]) -> tuple[int, ...]:
        """The bottom vertices of ``block``, as input positions 0..k-1."""
        return tuple(v - self._l for v in block if v >= self._l)

    def block_types(self) -> dict[str, list[tuple[int, ...]]]:
        """Blocks split into ``"top"`` (top-only), ``"cross"`` and ``"bottom"`` (bottom-only)."""
        out: dict[str, list[tuple[int, ...]]] = {"top": [], "cross": [], "bottom": []}
        for b in self._blocks:
            has_top = b[0] < self._l
            has_bottom = b[-1] >= self._l
            out["cross" if has_top and has_bottom else "top" if has_top else "bottom"].append(b)
        return out

    def restricted_growth_string(self) -> tuple[int, ...]:
        """Block index of each vertex 0..l+k-1 (blocks numbered in canonical order)."""
        rgs = [0] * (self._l + self._k)
        for i, b in enumerate(self._blocks):
            for v in b:
                rgs[v] = i
        return tuple(rgs)

    # -- value object -----------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and other._k == self._k  # type: ignore[attr-defined]
            and other._l == self._l  # type: ignore[attr-defined]
            and other._blocks == self._blocks  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return self._hash

    def __lt__(self, other: Diagram) -> bool:
        return (self._k, self._l, self._blocks) < (other._k, other._l, other._blocks)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({[list(b) for b in self._blocks]}, k={self._k}, l={self._l})"

    def __str__(self) -> str:
        return self.to_text()

    # -- algebra ----------------------------------------------------------------------------
    def compose(self, below: Diagram, n: int | sympy.Expr) -> tuple[int | sympy.Expr, Diagram]:
        """Compose ``self ∘ below`` (``below`` is applied first), see :func:`compose`."""
        return compose(self, below, n)

    def tensor(self, other: Diagram) -> Diagram:
        """Side-by-side product ``self ⊗ other``, see :func:`tensor_product`."""
        return tensor_product(self, other)

    def transpose(self) -> Diagram:
        """Reflect top and bottom rows (the matrix transposes)."""
        k, l = self._k, self._l
        relabel = {v: (v + k if v < l else v - l) for v in range(l + k)}
        return type(self)._from_canonical(
            _canonical([[relabel[v] for v in b] for b in self._blocks]), l, k
        )

    # -- pictures and text ------------------------------------------------------------------
    def vertex_name(self, v: int) -> str:
        """Text name of vertex v: top ``a`` -> ``"a+1"``, bottom ``l+b`` -> ``"(b+1)'"``."""
        return str(v + 1) if v < self._l else f"{v - self._l + 1}'"

    def to_text(self) -> str:
        """The blocks in text, e.g. ``{1,1'} {2,2'}``.

        Examples
        --------
        >>> PartitionDiagram([[0, 2], [1, 3]], k=2, l=2).to_text()
        "{1,1'} {2,2'}"
        """
        if not self._blocks:
            return "{}"
        return " ".join("{" + ",".join(self.vertex_name(v) for v in b) + "}" for b in self._blocks)

    def to_ascii(self) -> str:
        """A small two-row text picture: each vertex shows the letter of its block.

        Examples
        --------
        >>> print(PartitionDiagram([[0, 3], [1], [2]], k=2, l=2).to_ascii())
        top    : a b
        bottom : c a
        """
        letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
        rgs = self.restricted_growth_string()

        def name(i: int) -> str:
            return letters[i] if i < len(letters) else f"[{i}]"

        top = " ".join(name(rgs[v]) for v in range(self._l)) or "-"
        bottom = " ".join(name(rgs[v]) for v in range(self._l, self._l + self._k)) or "-"
        return f"top    : {top}\nbottom : {bottom}"

    def to_tikz(self, scale: float = 1.0) -> str:
        """TikZ source drawing the diagram (top row y=1, bottom row y=0)."""
        from ._draw import diagram_to_tikz

        return diagram_to_tikz(self, scale=scale)

    def draw(self, ax=None, **kwargs):
        """Draw with matplotlib (lazy import); returns the Axes."""
        from ._draw import draw_diagram

        return draw_diagram(self, ax=ax, **kwargs)

    def _repr_svg_(self) -> str | None:
        try:
            from ._draw import diagram_to_svg

            return diagram_to_svg(self)
        except ImportError:  # matplotlib missing: notebooks fall back to the text repr
            return None


class PartitionDiagram(Diagram):
    """A set-partition (k, l)-diagram (a morphism k -> l of the partition category).

    Examples
    --------
    >>> d = PartitionDiagram([[0, 2], [1, 3]], k=2, l=2)   # the identity on (R^n)^{⊗2}
    >>> d
    PartitionDiagram([[0, 2], [1, 3]], k=2, l=2)
    >>> c, e = d.compose(d, n=5)
    >>> c, e == d
    (1, True)
    """

    __slots__ = ()

    @classmethod
    def identity(cls, k: int) -> PartitionDiagram:
        """The identity (k, k)-diagram {a, a'}."""
        k = check_int("k", k, minimum=0)
        return cls._from_canonical(tuple((a, a + k) for a in range(k)), k, k)

    @classmethod
    def from_permutation(cls, perm: Sequence[int]) -> PartitionDiagram:
        """The diagram of the map permuting tensor factors: input factor b goes to output perm[b]."""
        k = len(perm)
        if sorted(perm) != list(range(k)):
            raise InvalidParameterError(f"perm must be a permutation of 0..{k - 1}, got {list(perm)}")
        return cls([(int(perm[b]), k + b) for b in range(k)], k, k)


def _check_loop_value(n: object) -> None:
    """The loop value must be exact: an integer or a sympy expression (e.g. a symbol n)."""
    if isinstance(n, bool) or not isinstance(n, (numbers.Integral, sympy.Expr)):
        raise ReptheoryTypeError(
            f"n (the loop value) must be an integer or a sympy expression, got {n!r} "
            f"of type {type(n).__name__}"
        )


def compose(top: Diagram, bottom: Diagram, n: int | sympy.Expr) -> tuple[int | sympy.Expr, Diagram]:
    """Compose two diagrams in the partition category: ``top ∘ bottom``.

    ``bottom`` is a (k, m)-diagram and ``top`` an (m, l)-diagram; stack ``top`` above
    ``bottom``, identify the middle row, join connected components and delete the middle row.
    Each component lying wholly in the middle row is removed and contributes a factor n.

    Parameters
    ----------
    top, bottom : Diagram
        Diagrams with ``top.k == bottom.l`` and of the same class.
    n : int or sympy.Expr
        The loop value (the dimension n, or a sympy symbol).

    Returns
    -------
    (coefficient, diagram)
        ``coefficient = n**c`` with c the number of removed middle components, and the
        (k, l)-diagram of the composite.  As matrices: ``D_top @ D_bottom == coefficient * D``.

    Raises
    ------
    InvalidParameterError
        If the middle rows do not match.

    Examples
    --------
    >>> import sympy
    >>> cap = PartitionDiagram([[0, 1]], k=2, l=0)   # (2, 0): the pairing <x, y>
    >>> cup = PartitionDiagram([[0, 1]], k=0, l=2)   # (0, 2): sum_a e_a ⊗ e_a
    >>> compose(cap, cup, sympy.Symbol("n"))
    (n, PartitionDiagram([], k=0, l=0))
    """
    _check_loop_value(n)
    if type(top) is not type(bottom):
        raise InvalidParameterError(
            f"can only compose diagrams of one kind, got {type(top).__name__} and {type(bottom).__name__}"
        )
    if top.k != bottom.l:
        raise InvalidParameterError(
            f"top.k must equal bottom.l to compose, got top.k={top.k}, bottom.l={bottom.l}"
        )
    k, m, l = bottom.k, bottom.l, top.l
    # global ids: new top 0..l-1, middle l..l+m-1, new bottom l+m..l+m+k-1
    uf = _UnionFind(l + m + k)
    for b in bottom.blocks:  # bottom: its top row is the middle, its bottom row the new bottom
        ids = [l + v if v < m else l + m + (v - m) for v in b]
        for a in ids[1:]:
            uf.union(ids[0], a)
    for b in top.blocks:  # top: its top row is the new top, its bottom row is the middle
        ids = [v if v < l else l + (v - l) for v in b]
        for a in ids[1:]:
            uf.union(ids[0], a)
    comps: dict[int, list[int]] = {}
    for v in range(l + m + k):
        comps.setdefault(uf.find(v), []).append(v)
    loops = 0
    blocks = []
    for members in comps.values():
        outer = [v if v < l else v - m for v in members if v < l or v >= l + m]
        if outer:
            blocks.append(outer)
        else:
            loops += 1
    coefficient = n**loops
    return coefficient, type(top)._from_canonical(_canonical(blocks), k, l)


def tensor_product(left: Diagram, right: Diagram) -> Diagram:
    """Place two diagrams side by side: ``left ⊗ right``, a (k1+k2, l1+l2)-diagram.

    Top vertices are ``left``'s then ``right``'s, bottom likewise, so the matrix is
    ``kron(D_left, D_right)`` in the row-major (Kronecker) ordering of tensor indices.

    Examples
    --------
    >>> a = PartitionDiagram([[0, 1]], k=1, l=1)
    >>> tensor_product(a, a) == PartitionDiagram.identity(2)
    True
    """
    if type(left) is not type(right):
        raise InvalidParameterError(
            f"can only tensor diagrams of one kind, got {type(left).__name__} and {type(right).__name__}"
        )
    k1, l1, k2, l2 = left.k, left.l, right.k, right.l
    l, k = l1 + l2, k1 + k2

    def move_left(v: int) -> int:
        return v if v < l1 else l + (v - l1)

    def move_right(v: int) -> int:
        return l1 + v if v < l2 else l + k1 + (v - l2)

    blocks = [[move_left(v) for v in b] for b in left.blocks]
    blocks += [[move_right(v) for v in b] for b in right.blocks]
    return type(left)._from_canonical(_canonical(blocks), k, l)
