"""Young diagrams (partitions as non-increasing tuples): the boxes that can be removed or added.

Used by the McKay quiver of S_n and by the Bratteli diagrams of O(n), SO(n) and Sp(n).
"""

from __future__ import annotations

__all__ = ["add_box", "remove_box"]


def remove_box(lam: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The partitions obtained from ``lam`` by removing one corner box, top row first.

    Examples
    --------
    >>> remove_box((3, 1, 1))
    [(2, 1, 1), (3, 1)]
    """
    out = []
    for i in range(len(lam)):
        if i == len(lam) - 1 or lam[i] > lam[i + 1]:
            mu = list(lam)
            mu[i] -= 1
            out.append(tuple(p for p in mu if p))
    return out


def add_box(lam: tuple[int, ...]) -> list[tuple[int, ...]]:
    """The partitions obtained from ``lam`` by adding one box, top row first.

    Examples
    --------
    >>> add_box((2, 1))
    [(3, 1), (2, 2), (2, 1, 1)]
    """
    out = []
    parts = list(lam)
    for i in range(len(parts) + 1):
        if i == 0 or parts[i - 1] > (parts[i] if i < len(parts) else 0):
            mu = parts + [0] if i == len(parts) else list(parts)
            mu[i] += 1
            out.append(tuple(mu))
    return out
