"""Jellyfish elements for the alternating group A_n.

A jellyfish (k, l)-diagram is a set partition pi of the l + k vertices with t = n or t = n-1
blocks, plus a Levi-Civita head of order n whose tentacles attach to the blocks in canonical
order (by smallest vertex); when t = n-1 the last tentacle dangles (it is summed over).
Its matrix is

    J_pi[I, J] = sum_c eps(v_1, ..., v_t[, c])  if idx is constant on every block (v_r on B_r),

which is nonzero exactly on the index tuples whose equality pattern is pi (eps vanishes on
repeated values), where it is the sign of the permutation (v_1, ..., v_t[, missing value]).
"""

from __future__ import annotations

from collections.abc import Iterator

from .._validate import check_int
from ..errors import InvalidParameterError
from ._enumerate import set_partitions, stirling2
from ._levi_civita import _draw_head
from ._partition import Diagram, _canonical

__all__ = ["JellyfishDiagram", "count_jellyfish_diagrams", "jellyfish_diagrams"]


class JellyfishDiagram(Diagram):
    """A jellyfish: a partition diagram whose blocks all hang from an eps head of order n.

    Parameters
    ----------
    blocks : iterable of iterables of int
        A set partition of the l + k vertices with n or n - 1 blocks.
    k, l : int
    n : int
        Order of the head (the n of A_n); ``n - len(blocks)`` (0 or 1) tentacles dangle.

    Examples
    --------
    >>> d = JellyfishDiagram([[0], [1]], k=1, l=1, n=3)
    >>> d.dangling, d.to_text()
    (1, "eps({1},{1'},*)")
    """

    __slots__ = ("_dangling",)

    def __init__(self, blocks, k: int, l: int, n: int) -> None:
        super().__init__(blocks, k, l)
        n = check_int("n", n, minimum=1)
        t = len(self.blocks)
        if t not in (n, n - 1):
            raise InvalidParameterError(
                f"a jellyfish for n={n} needs n or n-1 blocks, got {t} blocks")
        object.__setattr__(self, "_dangling", n - t)
        object.__setattr__(self, "_hash", hash(("JellyfishDiagram", k, l, self.blocks, n - t)))

    @classmethod
    def _make(cls, blocks, k: int, l: int, dangling: int) -> JellyfishDiagram:
        self = cls._from_canonical(blocks, k, l)
        object.__setattr__(self, "_dangling", dangling)
        object.__setattr__(self, "_hash", hash(("JellyfishDiagram", k, l, blocks, dangling)))
        return self

    def __reduce__(self):
        return (JellyfishDiagram, (self._blocks, self._k, self._l, self.head_size))

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and other._dangling == self._dangling  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return self._hash

    @property
    def dangling(self) -> int:
        """Number of dangling tentacles (0 if t = n, 1 if t = n-1)."""
        return self._dangling

    @property
    def head_size(self) -> int:
        """n, the order of the Levi-Civita head."""
        return len(self.blocks) + self._dangling

    def transpose(self):
        raise InvalidParameterError("transpose is not defined for jellyfish (the block order, "
                                    "hence the sign, would change)")

    def to_text(self) -> str:
        parts = ["{" + ",".join(self.vertex_name(v) for v in b) + "}" for b in self.blocks]
        return "eps(" + ",".join(parts + ["*"] * self._dangling) + ")"

    def draw(self, ax=None, **kwargs):
        """Draw the partition and the eps head with a tentacle to each block (matplotlib)."""
        ax = super().draw(ax=ax, **kwargs)
        _draw_head(ax, self, list(self.blocks), dangling=self._dangling)
        return ax


def count_jellyfish_diagrams(n: int, k: int, l: int) -> int:
    """S(l+k, n) + S(l+k, n-1) for n >= 2 (0 for n = 1, where A_1 = S_1).

    Examples
    --------
    >>> count_jellyfish_diagrams(3, 1, 1), count_jellyfish_diagrams(4, 2, 1)
    (1, 1)
    """
    n = check_int("n", n, minimum=1)
    m = check_int("k", k, minimum=0) + check_int("l", l, minimum=0)
    if n == 1:
        return 0
    return stirling2(m, n) + stirling2(m, n - 1)


def jellyfish_diagrams(n: int, k: int, l: int) -> Iterator[JellyfishDiagram]:
    """The jellyfish (k, l)-diagrams of A_n: partitions with n or n-1 blocks (none for n = 1).

    Examples
    --------
    >>> [d.to_text() for d in jellyfish_diagrams(2, 1, 1)]
    ["eps({1,1'},*)", "eps({1},{1'})"]
    """
    n = check_int("n", n, minimum=1)
    k = check_int("k", k, minimum=0)
    l = check_int("l", l, minimum=0)
    if n == 1:
        return
    for blocks in set_partitions(k + l, max_blocks=n):
        t = len(blocks)
        if t >= n - 1:
            yield JellyfishDiagram._make(_canonical(blocks), k, l, n - t)
