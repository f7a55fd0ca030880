"""Dispatch from a group to its layer-basis builder and its hom-dimension formula."""

from __future__ import annotations

from collections.abc import Callable

from .._validate import check_int
from ..errors import InvalidParameterError, ReptheoryTypeError
from ..groups import Group

__all__ = ["hom_dimension", "layer_basis", "register_layer_family", "spanning_set"]

# group class -> (builder(group, k, l, kind, spanning) -> LayerBasis, dimension(group, k, l) -> int,
#                 kinds, default kind)
_FAMILIES: dict[type, tuple[Callable, Callable, tuple[str, ...], str]] = {}


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


def layer_basis(group: Group, k: int, l: int, kind: str | None = None):
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

    Returns
    -------
    LayerBasis
        For ``S()`` a :class:`~reptheory.layers.SizeFreeLayerBasis`: all B(k+l) partition
        diagrams, applied at the size of the input (a basis for n >= k + l, a spanning set of
        equivariant maps below).

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
    """
    builder, _, kinds, default = _family(group)
    k = check_int("k", k, minimum=0)
    l = check_int("l", l, minimum=0)
    kind = default if kind is None else kind
    if kind not in kinds:
        raise InvalidParameterError(f"kind must be one of {', '.join(kinds)} for {group!r}, got {kind!r}")
    return builder(group, k, l, kind, spanning=False)


def spanning_set(group: Group, k: int, l: int):
    """The full diagram spanning set (a :class:`LayerBasis` with ``is_basis`` False if dependent).

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
    return builder(group, k, l, default, spanning=True)


def hom_dimension(group: Group, k: int, l: int) -> int:
    """The exact dimension of Hom_G((R^n)^{⊗k}, (R^n)^{⊗l}) (for ``S()``: the dimension for
    every n >= k + l, the Bell number B(k+l)).

    Examples
    --------
    >>> import reptheory as rt
    >>> [rt.hom_dimension(rt.S(n), 3, 3) for n in (1, 2, 3, 4, 6)]
    [1, 32, 122, 187, 203]
    """
    _, dimension, _, _ = _family(group)
    k = check_int("k", k, minimum=0)
    l = check_int("l", l, minimum=0)
    return int(dimension(group, k, l))
