"""Enumerate set-partition diagrams (restricted growth strings) and count them."""

from __future__ import annotations

from collections.abc import Iterator

from sympy.functions.combinatorial.numbers import bell as _sympy_bell
from sympy.functions.combinatorial.numbers import stirling as _sympy_stirling

from .._progress import progress
from .._validate import check_int
from ._partition import PartitionDiagram

__all__ = ["bell", "count_partition_diagrams", "partition_diagrams", "set_partitions", "stirling2"]


def bell(m: int) -> int:
    """The Bell number B(m) (number of set partitions of m elements).

    Examples
    --------
    >>> [bell(m) for m in range(7)]
    [1, 1, 2, 5, 15, 52, 203]
    """
    return int(_sympy_bell(check_int("m", m, minimum=0)))


def stirling2(m: int, t: int) -> int:
    """Stirling number of the second kind S(m, t) (set partitions of m elements into t blocks).

    Examples
    --------
    >>> stirling2(4, 2)
    7
    """
    m = check_int("m", m, minimum=0)
    t = check_int("t", t, minimum=0)
    return int(_sympy_stirling(m, t, kind=2))


def set_partitions(m: int, max_blocks: int | None = None) -> Iterator[tuple[tuple[int, ...], ...]]:
    """Iterate over the set partitions of ``range(m)`` in canonical form.

    Each partition is a tuple of sorted blocks ordered by their smallest element. The order is
    the lexicographic order of restricted growth strings.

    Parameters
    ----------
    m : int
        Number of elements (>= 0).
    max_blocks : int, optional
        Only partitions with at most this many blocks.

    Examples
    --------
    >>> list(set_partitions(3, max_blocks=2))
    [((0, 1, 2),), ((0, 1), (2,)), ((0, 2), (1,)), ((0,), (1, 2))]
    """
    m = check_int("m", m, minimum=0)
    limit = m if max_blocks is None else check_int("max_blocks", max_blocks, minimum=0)
    if m == 0:
        yield ()
        return
    if limit == 0:
        return
    blocks: list[list[int]] = []

    def rec(i: int) -> Iterator[tuple[tuple[int, ...], ...]]:
        if i == m:
            yield tuple(tuple(b) for b in blocks)
            return
        for b in blocks:
            b.append(i)
            yield from rec(i + 1)
            b.pop()
        if len(blocks) < limit:
            blocks.append([i])
            yield from rec(i + 1)
            blocks.pop()

    yield from rec(0)


def count_partition_diagrams(k: int, l: int, max_blocks: int | None = None) -> int:
    """Number of (k, l)-partition diagrams (with at most ``max_blocks`` blocks).

    Examples
    --------
    >>> count_partition_diagrams(2, 2), count_partition_diagrams(2, 2, max_blocks=2)
    (15, 8)
    """
    m = check_int("k", k, minimum=0) + check_int("l", l, minimum=0)
    if max_blocks is None:
        return bell(m)
    t = check_int("max_blocks", max_blocks, minimum=0)
    if m == 0:
        return 1
    return sum(stirling2(m, s) for s in range(1, min(t, m) + 1))


def partition_diagrams(
    k: int, l: int, max_blocks: int | None = None, progress_bar: bool | None = None
) -> Iterator[PartitionDiagram]:
    """Iterate over all (k, l)-partition diagrams, optionally with at most ``max_blocks`` blocks.

    There are B(k+l) of them (the Bell number). Vertices: top 0..l-1, bottom l..l+k-1.

    Parameters
    ----------
    k, l : int
        Numbers of bottom (input) and top (output) vertices.
    max_blocks : int, optional
        Keep only diagrams with at most this many blocks.
    progress_bar : bool, optional
        Show a tqdm progress bar; by default only for long enumerations on a terminal.

    Examples
    --------
    >>> ds = list(partition_diagrams(1, 1))
    >>> [d.to_text() for d in ds]
    ["{1,1'}", "{1} {1'}"]
    """
    k = check_int("k", k, minimum=0)
    l = check_int("l", l, minimum=0)
    it = (
        PartitionDiagram._from_canonical(blocks, k, l)
        for blocks in set_partitions(k + l, max_blocks)
    )
    total = count_partition_diagrams(k, l, max_blocks)
    return iter(progress(it, total=total, desc=f"({k},{l})-diagrams", enabled=progress_bar))
