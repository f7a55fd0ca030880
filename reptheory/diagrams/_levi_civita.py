"""(l+k)\\n-diagrams for SO(n): n *free* vertices tied to a Levi-Civita head, the rest in pairs.

A (k, l)-diagram of this kind (a "Brauer-Grood" diagram) is a set partition of the l + k
vertices into exactly n singletons (the free vertices) and pairs. Its matrix is

    H_alpha[I, J] = eps(idx_{f_1}, ..., idx_{f_n}) * prod over pairs {u, v} delta(idx_u, idx_v)

with f_1 < ... < f_n the free vertices in vertex order (top row left to right, then bottom row
left to right) and eps the Levi-Civita symbol. Another reading order only changes the sign.
There are C(l+k, n) (l+k-n-1)!! of them (none unless l+k-n is even and >= 0).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations
from math import comb

from .._validate import check_int
from ..errors import InvalidParameterError
from ._brauer import double_factorial, perfect_matchings
from ._partition import Diagram, _canonical

__all__ = ["LeviCivitaDiagram", "count_levi_civita_diagrams", "levi_civita_diagrams"]


class LeviCivitaDiagram(Diagram):
    """An (l+k)\\n-diagram: the singleton blocks are the free vertices of the eps head.

    Examples
    --------
    >>> d = LeviCivitaDiagram([[0], [1], [2], [3, 4]], k=3, l=2)   # SO(3)
    >>> d.free_vertices, d.head_size
    ((0, 1, 2), 3)
    >>> d.to_text()
    "eps(1,2,1') {2',3'}"
    """

    __slots__ = ()

    def _check_blocks(self, blocks, k, l) -> None:
        if any(len(b) > 2 for b in blocks) or not any(len(b) == 1 for b in blocks):
            raise InvalidParameterError(
                "an (l+k)\\n-diagram has singleton (free) blocks and pairs only, with at least one "
                f"free vertex; got {[list(b) for b in blocks]}")

    @property
    def free_vertices(self) -> tuple[int, ...]:
        """The free vertices (tentacles of the eps head) in reading order."""
        return tuple(sorted(b[0] for b in self.blocks if len(b) == 1))

    @property
    def pairs(self) -> tuple[tuple[int, int], ...]:
        """The paired vertices."""
        return tuple(b for b in self.blocks if len(b) == 2)

    @property
    def head_size(self) -> int:
        """n: the number of free vertices."""
        return len(self.free_vertices)

    def to_text(self) -> str:
        head = "eps(" + ",".join(self.vertex_name(v) for v in self.free_vertices) + ")"
        rest = " ".join("{" + ",".join(self.vertex_name(v) for v in b) + "}" for b in self.pairs)
        return head + (" " + rest if rest else "")

    def draw(self, ax=None, **kwargs):
        """Draw the pairs, and the eps head joined to the free vertices (matplotlib)."""
        ax = super().draw(ax=ax, **kwargs)
        _draw_head(ax, self, [(v,) for v in self.free_vertices], dangling=0)
        return ax


def _draw_head(ax, d: Diagram, groups, dangling: int) -> None:
    from ._draw import vertex_positions

    pos = vertex_positions(d)
    xs = [pos[g[0]][0] for g in groups] or [0.0]
    hx, hy = sum(xs) / len(xs), 0.5
    for g in groups:
        x, y = pos[g[0]]
        ax.plot([hx, x], [hy, y], color="black", lw=1.0, ls=":", zorder=1)
    for _ in range(dangling):
        ax.plot([hx, hx + 0.35], [hy, hy], color="black", lw=1.0, ls=":", zorder=1)
    ax.scatter([hx], [hy], s=220, color="#ffd54f", edgecolors="black", zorder=3)
    ax.annotate("ε", (hx, hy), ha="center", va="center", fontsize=9, zorder=4)


def count_levi_civita_diagrams(n: int, k: int, l: int) -> int:
    """C(l+k, n) (l+k-n-1)!! when l+k-n is even and >= 0, else 0.

    Examples
    --------
    >>> count_levi_civita_diagrams(2, 2, 2), count_levi_civita_diagrams(3, 2, 3)
    (6, 10)
    """
    n = check_int("n", n, minimum=1)
    m = check_int("k", k, minimum=0) + check_int("l", l, minimum=0)
    if m < n or (m - n) % 2:
        return 0
    return comb(m, n) * double_factorial(m - n - 1)


def levi_civita_diagrams(n: int, k: int, l: int) -> Iterator[LeviCivitaDiagram]:
    """All (l+k)\\n-diagrams with n free vertices, in a fixed order.

    Examples
    --------
    >>> [d.to_text() for d in levi_civita_diagrams(2, 1, 1)]
    ["eps(1,1')"]
    """
    n = check_int("n", n, minimum=1)
    k = check_int("k", k, minimum=0)
    l = check_int("l", l, minimum=0)
    m = k + l
    if m < n or (m - n) % 2:
        return
    for free in combinations(range(m), n):
        rest = [v for v in range(m) if v not in free]
        for pairs in perfect_matchings(rest):
            yield LeviCivitaDiagram._from_canonical(
                _canonical([(v,) for v in free] + list(pairs)), k, l)
