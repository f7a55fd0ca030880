"""Deprecated aliases of renamed functions: the old name keeps working for one release."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["deprecated_alias"]


def deprecated_alias(new: Callable[..., Any], old_name: str,
                     adapt: Callable[..., tuple[tuple, dict]] | None = None) -> Callable[..., Any]:
    """A function named ``old_name`` that warns (DeprecationWarning) and calls ``new``.

    ``adapt(*args, **kwargs)`` may translate the old signature into ``(args, kwargs)`` of the
    new one.

    Examples
    --------
    >>> import warnings
    >>> def double(x):
    ...     return 2 * x
    >>> twice = deprecated_alias(double, "twice")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     value = twice(3)
    >>> value, caught[0].category.__name__
    (6, 'DeprecationWarning')
    """
    message = (f"{old_name} is deprecated and will be removed in the next release; "
               f"use {new.__module__.split('._')[0]}.{new.__name__}")

    @functools.wraps(new)
    def alias(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(message, DeprecationWarning, stacklevel=2)
        if adapt is not None:
            args, kwargs = adapt(*args, **kwargs)
        return new(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old_name
    alias.__doc__ = f"Deprecated alias: {message}."
    return alias
