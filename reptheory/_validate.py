"""Small argument checks shared by the whole package (raise reptheory's own errors)."""

from __future__ import annotations

import numbers
import os

from .errors import InvalidParameterError, ReptheoryTypeError, SizeLimitError

__all__ = ["check_dense_size", "check_int", "dense_budget"]

#: Default largest number of entries of a dense array reptheory will build (2**27 ~ 1 GiB f64).
DEFAULT_MAX_DENSE_ENTRIES = 2**27


def check_int(name: str, value: object, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an ``int`` or raise a clear error naming ``name`` and the range.

    Examples
    --------
    >>> check_int("n", 3, minimum=1)
    3
    >>> check_int("n", 0, minimum=1)
    Traceback (most recent call last):
    ...
    reptheory.errors.InvalidParameterError: n must be an integer >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            raise ReptheoryTypeError(
                f"{name} must be an integer{_range(minimum, maximum)}, got the float {value!r}"
            )
        raise ReptheoryTypeError(
            f"{name} must be an integer{_range(minimum, maximum)}, got {value!r} "
            f"of type {type(value).__name__}"
        )
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise InvalidParameterError(f"{name} must be an integer{_range(minimum, maximum)}, got {value}")
    return value


def _range(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f" in [{minimum}, {maximum}]"
    if minimum is not None:
        return f" >= {minimum}"
    if maximum is not None:
        return f" <= {maximum}"
    return ""


def dense_budget(max_entries: int | None = None) -> int:
    """The dense-size budget in entries: the argument, else ``REPTHEORY_MAX_DENSE_ENTRIES``."""
    if max_entries is not None:
        return check_int("max_entries", max_entries, minimum=1)
    env = os.environ.get("REPTHEORY_MAX_DENSE_ENTRIES")
    if env:
        try:
            return check_int("REPTHEORY_MAX_DENSE_ENTRIES", int(env), minimum=1)
        except ValueError as exc:  # pragma: no cover - message path
            raise InvalidParameterError(
                f"REPTHEORY_MAX_DENSE_ENTRIES must be a positive integer, got {env!r}"
            ) from exc
    return DEFAULT_MAX_DENSE_ENTRIES


def check_dense_size(what: str, entries: int, max_entries: int | None = None, hint: str = "") -> None:
    """Raise :class:`SizeLimitError` if ``entries`` exceeds the dense budget.

    Examples
    --------
    >>> check_dense_size("matrix", 10, max_entries=100)
    >>> check_dense_size("matrix", 1000, max_entries=100)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    reptheory.errors.SizeLimitError: matrix would have 1000 entries, over the budget of 100 ...
    """
    budget = dense_budget(max_entries)
    if entries > budget:
        msg = (
            f"{what} would have {entries} entries, over the budget of {budget} "
            f"(raise it with max_entries=... or REPTHEORY_MAX_DENSE_ENTRIES"
        )
        msg += f"; {hint})" if hint else ")"
        raise SizeLimitError(msg)
