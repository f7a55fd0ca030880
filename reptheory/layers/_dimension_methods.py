"""Several independent exact computations of dim Hom_G for O(n), SO(n), Sp(n) and A_n."""

from __future__ import annotations

from math import factorial

from .._deprecation import deprecated_alias
from .._validate import check_int
from ..diagrams import brauer_diagrams, levi_civita_diagrams
from ..errors import InvalidParameterError
from ..groups._alternating import AlternatingGroup
from ..groups._orthogonal import OrthogonalGroup, SpecialOrthogonalGroup
from ..groups._symplectic import SymplecticGroup
from ._alternating import alternating_hom_dimension
from ._brauer_family import (
    brauer_gram,
    levi_civita_gram,
    orthogonal_hom_dimension,
    special_orthogonal_hom_dimension,
    symplectic_hom_dimension,
)
from ._exact_rank import exact_rank

__all__ = ["alternating_hom_dimension_burnside", "hom_dimension_by_method"]


def _integer_partitions(n: int, largest: int | None = None):
    largest = n if largest is None else largest
    if n == 0:
        yield ()
        return
    for p in range(min(n, largest), 0, -1):
        for rest in _integer_partitions(n - p, p):
            yield (p,) + rest


def alternating_hom_dimension_burnside(n: int, k: int, l: int) -> int:
    """dim Hom_{A_n} as the number of orbits of A_n on [n]^(k+l), by Burnside's lemma: the
    average of fix(g)^(k+l) over the even permutations g (one term per cycle type).

    Examples
    --------
    >>> [alternating_hom_dimension_burnside(3, m, 0) for m in range(1, 6)]
    [1, 3, 9, 27, 81]
    """
    n = check_int("n", n, minimum=1)
    m = check_int("k", k, minimum=0) + check_int("l", l, minimum=0)
    total, order = 0, 0
    for lam in _integer_partitions(n):
        if sum(p - 1 for p in lam) % 2:
            continue  # odd permutation
        size = factorial(n)
        for p in set(lam):
            c = lam.count(p)
            size //= p**c * factorial(c)
        total += size * lam.count(1) ** m
        order += size
    return total // order


def hom_dimension_by_method(group, k: int, l: int, max_gram: int = 2000) -> dict[str, int]:
    """dim Hom_G((R^n)^{⊗k}, (R^n)^{⊗l}) computed every independent way available.

    For O/SO/Sp: the Bratteli-walk formula and the exact rational rank of the diagrams' integer
    Gram matrix (when there are at most ``max_gram`` diagrams); for A_n: the Stirling formula
    and Burnside's orbit count.

    Examples
    --------
    >>> from reptheory.groups import Sp, A
    >>> hom_dimension_by_method(Sp(4), 3, 3)
    {'Bratteli walks': 14, 'exact Gram rank': 14}
    >>> hom_dimension_by_method(A(4), 2, 2)
    {'Stirling formula': 22, 'Burnside orbit count': 22}
    """
    k = check_int("k", k, minimum=0)
    l = check_int("l", l, minimum=0)
    n = getattr(group, "n", None)
    if isinstance(group, AlternatingGroup):
        return {"Stirling formula": alternating_hom_dimension(n, k, l),
                "Burnside orbit count": alternating_hom_dimension_burnside(n, k, l)}
    if isinstance(group, SpecialOrthogonalGroup):
        out = {"Bratteli walks": special_orthogonal_hom_dimension(n, k, l)}
        ds, hs = list(brauer_diagrams(k, l)), list(levi_civita_diagrams(n, k, l))
        if max(len(ds), len(hs)) <= max_gram:
            out["exact Gram rank"] = (exact_rank(brauer_gram(ds, n)) if ds else 0) + \
                (exact_rank(levi_civita_gram(hs, n)) if hs else 0)
        return out
    if isinstance(group, (OrthogonalGroup, SymplecticGroup)):
        symp = isinstance(group, SymplecticGroup)
        out = {"Bratteli walks": (symplectic_hom_dimension if symp else orthogonal_hom_dimension)(n, k, l)}
        ds = list(brauer_diagrams(k, l))
        if len(ds) <= max_gram:
            out["exact Gram rank"] = exact_rank(brauer_gram(ds, n, "symplectic" if symp else
                                                            "orthogonal")) if ds else 0
        return out
    raise InvalidParameterError(f"hom_dimension_by_method covers O, SO, Sp and A groups, got {group!r}")


# deprecated names (one release)
alternating_burnside = deprecated_alias(
    alternating_hom_dimension_burnside, "alternating_burnside",
    adapt=lambda n, m: ((n, m, 0), {}))
hom_dimension_methods = deprecated_alias(hom_dimension_by_method, "hom_dimension_methods")
