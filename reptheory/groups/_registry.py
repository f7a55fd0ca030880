"""Look groups up by their command-line name (``"S"``, ``"O"``, ...)."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import InvalidParameterError
from ._base import Group

__all__ = ["group_from_name", "group_names", "register_group"]

_REGISTRY: dict[str, Callable[[int], Group]] = {}


def register_group(name: str, factory: Callable[[int], Group]) -> None:
    """Register ``factory(n)`` under ``name`` (case-sensitive, e.g. ``"SO"``)."""
    _REGISTRY[name] = factory


def group_names() -> list[str]:
    """The registered group names, sorted."""
    return sorted(_REGISTRY)


def group_from_name(name: str, n: int) -> Group:
    """Build a group from its short name and n.

    Examples
    --------
    >>> group_from_name("S", 4)
    S(4)
    """
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise InvalidParameterError(
            f"group must be one of {', '.join(group_names())}, got {name!r}"
        ) from None
    return factory(n)
