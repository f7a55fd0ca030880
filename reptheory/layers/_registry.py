"""Dispatch from a group to its layer-basis builder and its hom-dimension formula.

Every entry point here checks, before any work, how much the request would build, from counts
that cost nothing next to the work itself (numbers of diagrams: Bell numbers, double
factorials, Levi-Civita and jellyfish counts; numbers of Bratteli-walk states; exact-integer
work as table cells times the words of each integer). The one budget
is the dense-size budget of the whole package, counted in 8-byte entries: the ``max_entries``
keyword, else the ``REPTHEORY_MAX_DENSE_ENTRIES`` environment variable, else 2**27 (1 GiB).
Objects held in Python are converted at their measured size (a diagram vertex, with its
operation and name, takes about 16 to 24 words; an entry of a sparse constant tensor about 40).

Dimensions of the diagram families do not depend on n once n is large (the stable range:
n >= k + l; n > k + l for SO(n); n >= k + l + 2 for A_n): there the dimension is a count of diagrams (the Bell
number B(k+l) for S_n and A_n, (k+l-1)!! for O(n), SO(n) and Sp(n)) and costs O(1) in n.
"""

from __future__ import annotations

from collections.abc import Callable
from math import comb, log2

from .._validate import check_dense_size, check_int
from ..errors import InvalidParameterError, ReptheoryTypeError
from ..groups import Group

__all__ = ["hom_dimension", "layer_basis", "register_layer_family", "spanning_set"]

# group class -> (builder(group, k, l, kind, spanning) -> LayerBasis, dimension(group, k, l) -> int,
#                 kinds, default kind)
_FAMILIES: dict[type, tuple[Callable, Callable, tuple[str, ...], str]] = {}

#: 8-byte words held per diagram vertex of a built basis (diagram, operation, name; measured
#: 110-210 bytes).
WORDS_PER_VERTEX = 24
#: 8-byte words per (diagram, coarsening) pair of an orbit basis (measured about 160 bytes).
WORDS_PER_COARSENING = 24
#: 8-byte words per entry of an exact Gram matrix (a Python int in a list of lists).
WORDS_PER_GRAM_ENTRY = 4
#: 8-byte words per stored entry of a sparse constant tensor (index tuple and value; measured
#: 39-44).
WORDS_PER_CONSTANT_ENTRY = 48

_HINT = "lower k + l or n, or ask for the dimension only with hom_dimension"


def register_layer_family(group_cls: type, builder: Callable, dimension: Callable,
                          kinds: tuple[str, ...], default_kind: str) -> None:
    """Register how to build layer bases and dimensions for a group class."""
    _FAMILIES[group_cls] = (builder, dimension, tuple(kinds), default_kind)


def _family(group: object):
    if not isinstance(group, Group):
        raise ReptheoryTypeError(f"group must be a reptheory Group such as S(5), got {group!r}")
    for cls in type(group).__mro__:
        if cls in _FAMILIES:
            return _FAMILIES[cls]
    raise InvalidParameterError(f"no layer bases are implemented for {group!r} yet")


# -- what a request costs, from counts alone ------------------------------------------------------
def _size(group: Group, m: int) -> int:
    """The group's n, or for a size-free group (``S()``) the stable size m: its cost is that of
    every diagram."""
    return group.n if group.n is not None else m


def _symbol(group: Group) -> str:
    """The family of a built-in diagram group ("S", "A", "O", "SO", "Sp"), else ""."""
    from ..groups._alternating import AlternatingGroup
    from ..groups._orthogonal import OrthogonalGroup, SpecialOrthogonalGroup
    from ..groups._symmetric import SymmetricGroup
    from ..groups._symplectic import SymplecticGroup

    for cls, sym in ((SpecialOrthogonalGroup, "SO"), (OrthogonalGroup, "O"),
                     (AlternatingGroup, "A"), (SymmetricGroup, "S"), (SymplecticGroup, "Sp")):
        if isinstance(group, cls):
            return sym
    return ""


def _stable_threshold(symbol: str, m: int) -> int:
    """Smallest n from which dim Hom_G((R^n)^{⊗k}, (R^n)^{⊗l}), k + l = m, no longer depends on n.

    S_n: orbits of [n]^m are the set partitions of m once n >= m. A_n: the sign part of
    (R^n)^{⊗m} vanishes once n >= m + 2. O(n), Sp(n): Brauer diagrams are independent once
    n >= m. SO(n): the det part needs n free vertices, so it vanishes once n > m.
    """
    return {"S": m, "A": m + 2, "O": m, "Sp": m, "SO": m + 1}.get(symbol, 0)


def _partitions_at_most(m: int, rows: int, stop: int) -> int:
    """Number of partitions of size <= m with at most ``rows`` rows (stops early past ``stop``)."""
    counts = [1] + [0] * m
    total = m + 1 if rows >= 1 else 1
    for part in range(1, min(rows, m) + 1):
        for j in range(part, m + 1):
            counts[j] += counts[j - part]
        total = sum(counts)
        if total > stop:
            return total
    return total


def _dimension_cost(symbol: str, n: int, m: int, budget: int) -> tuple[int, str]:
    """Entries of work of the exact dimension (table cells times words per exact integer)."""
    if m == 0 or not symbol:
        return 0, ""
    if n >= _stable_threshold(symbol, m):
        n = _stable_threshold(symbol, m)
        if symbol in ("O", "SO", "Sp"):  # (m-1)!!: m/2 products of up to m log2(m) / 2 bits
            words = 1 + int(m * log2(m + 1)) // 128
            return m * words, f"(m-1)!! with m = {m}, about {words} words"
    if symbol in ("S", "A"):
        t = min(n, m)
        words = 1 + int(m * log2(t + 1)) // 64
        if t == m:  # the Bell number B(m): about m^2 additions of exact integers
            return m * m * words, f"the Bell number B({m}) of about {words} words"
        # sum_{s <= t} S(m, s): about m t^2 / 2 additions (measured 5.7 s for m = 600, t = 300)
        return m * t * t // 2 * words, f"a sum of {t} Stirling numbers of about {words} words"
    rows = n // 2 if symbol == "Sp" else n  # Bratteli walk of length m over partitions
    words = 1 + int(m * log2(n + 1)) // 64
    if m * (m + 1) > budget:  # at least the m + 1 one-row partitions: refuse before counting
        return m * (m + 1) * words, f"a walk of {m} steps over at least {m + 1} partitions"
    states = _partitions_at_most(m, rows, budget // m + 1)
    return m * states * words, f"a walk of {m} steps over up to {states} partitions"


def _check_dimension_cost(group: Group, k: int, l: int, max_entries: int | None) -> None:
    from .._validate import dense_budget

    budget = dense_budget(max_entries)
    cost, what = _dimension_cost(_symbol(group), _size(group, k + l), k + l, budget)
    if cost > budget:
        check_dense_size(f"the exact dimension for {group!r}, k={k}, l={l} ({what})", cost,
                         max_entries, hint="lower k + l")


def _build_cost(group: Group, k: int, l: int, kind: str, spanning: bool,
                budget: int) -> tuple[int, str]:
    """Entries (8-byte words) a built basis holds, and a description of what it holds."""
    from ..diagrams import (
        count_brauer_diagrams,
        count_jellyfish_diagrams,
        count_levi_civita_diagrams,
        count_partition_diagrams,
        stirling2,
    )

    symbol, m = _symbol(group), k + l
    n = _size(group, m)
    if not symbol:
        return 0, ""
    if symbol in ("S", "A"):
        if min(n, m) >= 2 and m > 64 and 2 ** (m - 1) * m * WORDS_PER_VERTEX > budget:
            # at least S(m, 1) + S(m, 2) = 2^(m-1) diagrams: refuse before counting them all
            return 2 ** (m - 1) * m * WORDS_PER_VERTEX, f"at least 2^{m - 1} partition diagrams"
        full = spanning or n >= m  # then every partition diagram: the Bell number
        elements = count_partition_diagrams(k, l, max_blocks=None if full else n)
        cost = elements * m * WORDS_PER_VERTEX
        what = f"{elements} partition diagrams"
        if kind == "orbit" and not spanning:
            top = min(n, m)
            pairs = sum(stirling2(m, t) * sum(stirling2(t, s) for s in range(1, min(t, n) + 1))
                        for t in range(1, top + 1)) if m else 1
            cost += pairs * WORDS_PER_COARSENING
            what += f" and {pairs} (diagram, coarsening) pairs"
        if symbol == "A":
            jelly = count_jellyfish_diagrams(n, k, l)
            enumerated = count_partition_diagrams(k, l, max_blocks=None if n >= m else n)
            cost += (jelly + enumerated) * m * WORDS_PER_VERTEX
            what += f" and {jelly} jellyfish diagrams"
            if jelly:
                cost += _factorial_entries(n) * WORDS_PER_CONSTANT_ENTRY
                what += f" and the Levi-Civita symbol of order {n}"
        return cost, what
    if symbol == "Sp" and n == 2 and not spanning and n < m:  # the non-nesting ones: a basis
        catalan = 0 if m % 2 else comb(m, m // 2) // (m // 2 + 1)
        what = (f"{catalan} Brauer diagrams without nested pairs and the form J with {n} "
                "stored entries")
        return catalan * m * WORDS_PER_VERTEX + n * WORDS_PER_CONSTANT_ENTRY, what
    brauer = count_brauer_diagrams(k, l)
    cost = brauer * m * WORDS_PER_VERTEX
    parts = [f"{brauer} Brauer diagrams"]
    sizes = [brauer]
    lc = count_levi_civita_diagrams(n, k, l) if symbol == "SO" else 0
    if lc:
        cost += lc * m * WORDS_PER_VERTEX
        sizes.append(lc)
        parts.append(f"{lc} Levi-Civita diagrams")
    if not spanning and n < _stable_threshold(symbol, m):  # dependent: a selection
        # the selection holds at most a rows x rows array of residues and, per row, a few
        # blocks of evaluated columns (reptheory.layers._select)
        from ._select import BLOCK, MARGIN

        rows = _family(group)[1](group, k, l) + MARGIN
        cost += rows * (rows + 4 * BLOCK)
        parts[-1] += f" selected from their values at {rows} random points"
    if lc:
        cost += _factorial_entries(n) * WORDS_PER_CONSTANT_ENTRY
        parts.append(f"the Levi-Civita symbol of order {n}")
    if symbol == "Sp":
        cost += n * WORDS_PER_CONSTANT_ENTRY
        parts.append(f"the form J with {n} stored entries")
    what = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return cost, what


def _factorial_entries(n: int) -> int:
    """n! (the entries of the sparse Levi-Civita symbol), capped once it is astronomically big."""
    out = 1
    for i in range(2, n + 1):
        out *= i
        if out > 2**200:
            return out
    return out


def _check_build(group: Group, k: int, l: int, kind: str, spanning: bool,
                 max_entries: int | None) -> None:
    _check_dimension_cost(group, k, l, max_entries)
    from .._validate import dense_budget

    cost, what = _build_cost(group, k, l, kind, spanning, dense_budget(max_entries))
    name = "spanning set" if spanning else "layer basis"
    check_dense_size(f"the {name} of {group!r}, k={k}, l={l} ({what})", cost, max_entries,
                     hint=_HINT)


# -- the public entry points -------------------------------------------------------------------------
def layer_basis(group: Group, k: int, l: int, kind: str | None = None, *,
                max_entries: int | None = None):
    """An exact basis of the G-equivariant linear maps (R^n)^{⊗k} -> (R^n)^{⊗l}.

    Parameters
    ----------
    group : Group
        For example ``S(5)``, or ``S()`` for the symmetric group of any size.
    k, l : int
        Input and output tensor orders (>= 0).
    kind : str, optional
        Which basis; for S_n ``"diagram"`` (default: diagrams with at most n blocks, which is
        all B(k+l) diagrams when n >= k+l) or ``"orbit"`` (orbit indicator matrices).
    max_entries : int, optional
        Size budget in 8-byte entries (default: ``REPTHEORY_MAX_DENSE_ENTRIES``, else 2**27).

    Returns
    -------
    LayerBasis
        For ``S()`` a :class:`~reptheory.layers.SizeFreeLayerBasis`: all B(k+l) partition
        diagrams, applied at the size of the input (a basis for n >= k + l, a spanning set of
        equivariant maps below).

    Raises
    ------
    SizeLimitError
        If the basis would hold more than the budget; decided from the number of diagrams
        before any is built.

    Examples
    --------
    >>> import reptheory as rt
    >>> B = rt.layer_basis(rt.S(5), 2, 2)
    >>> len(B), B.is_basis
    (15, True)
    >>> len(rt.layer_basis(rt.S(2), 2, 2, kind="orbit"))
    8
    >>> len(rt.layer_basis(rt.S(), 2, 2)), rt.hom_dimension(rt.S(), 2, 2)
    (15, 15)
    >>> rt.layer_basis(rt.S(12), 6, 6)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    reptheory.errors.SizeLimitError: the layer basis of S(12), k=6, l=6 (4213597 partition diagrams) would have ...
    """
    builder, _, kinds, default = _family(group)
    k = check_int("k", k, minimum=0)
    l = check_int("l", l, minimum=0)
    kind = default if kind is None else kind
    if kind not in kinds:
        raise InvalidParameterError(f"kind must be one of {', '.join(kinds)} for {group!r}, got {kind!r}")
    _check_build(group, k, l, kind, False, max_entries)
    return builder(group, k, l, kind, spanning=False)


def spanning_set(group: Group, k: int, l: int, *, max_entries: int | None = None):
    """The full diagram spanning set (a :class:`LayerBasis` with ``is_basis`` False if dependent).

    ``max_entries`` is the size budget, as in :func:`layer_basis`.

    Examples
    --------
    >>> import reptheory as rt
    >>> S = rt.spanning_set(rt.S(2), 2, 2)
    >>> len(S), S.is_basis, S.dimension
    (15, False, 8)
    """
    builder, _, _, default = _family(group)
    k = check_int("k", k, minimum=0)
    l = check_int("l", l, minimum=0)
    _check_build(group, k, l, default, True, max_entries)
    return builder(group, k, l, default, spanning=True)


def hom_dimension(group: Group, k: int, l: int, *, max_entries: int | None = None) -> int:
    """The exact dimension of Hom_G((R^n)^{⊗k}, (R^n)^{⊗l}) (for ``S()``: the dimension for
    every n >= k + l, the Bell number B(k+l)).

    For the diagram groups the cost does not depend on n once n is in the stable range
    (n >= k + l; n > k + l for SO(n); n >= k + l + 2 for A_n), where the dimension is the
    Bell number B(k+l) (S_n, A_n) or (k+l-1)!! (O(n), SO(n), Sp(n); 0 for odd k + l).

    Parameters
    ----------
    group : Group
    k, l : int
        Input and output tensor orders (>= 0).
    max_entries : int, optional
        Work budget in 8-byte entries of the exact computation (default:
        ``REPTHEORY_MAX_DENSE_ENTRIES``, else 2**27).

    Examples
    --------
    >>> import reptheory as rt
    >>> [rt.hom_dimension(rt.S(n), 3, 3) for n in (1, 2, 3, 4, 6)]
    [1, 32, 122, 187, 203]
    >>> rt.hom_dimension(rt.SO(10**9), 2, 2), rt.hom_dimension(rt.Sp(10**9), 3, 3)
    (3, 15)
    """
    _, dimension, _, _ = _family(group)
    k = check_int("k", k, minimum=0)
    l = check_int("l", l, minimum=0)
    _check_dimension_cost(group, k, l, max_entries)
    symbol, m = _symbol(group), k + l
    if symbol and _size(group, m) >= _stable_threshold(symbol, m):
        if symbol in ("O", "SO", "Sp"):
            from ..diagrams import count_brauer_diagrams

            return count_brauer_diagrams(k, l)
        from ..diagrams import count_partition_diagrams

        return count_partition_diagrams(k, l)
    return int(dimension(group, k, l))
