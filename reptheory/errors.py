"""reptheory's own exception types.

Every error reptheory raises on bad input is a :class:`ReptheoryError`, which is a
:class:`ValueError`, so ``except ValueError`` catches them all.  The message names the
offending parameter and the values it may take.
"""

from __future__ import annotations

__all__ = [
    "BackendUnavailableError",
    "InvalidParameterError",
    "ReptheoryError",
    "ReptheoryTypeError",
    "ShapeError",
    "SizeLimitError",
]


class ReptheoryError(ValueError):
    """Base class of every error reptheory raises on bad input."""


class ReptheoryTypeError(ReptheoryError, TypeError):
    """An argument has the wrong type (also a :class:`TypeError`)."""


class InvalidParameterError(ReptheoryError):
    """A parameter is out of its allowed range (message names it and the range)."""


class SizeLimitError(ReptheoryError):
    """A dense object was requested that is larger than the memory budget.

    The message says how many entries were asked for, the budget, and how to avoid it.
    """


class ShapeError(ReptheoryError):
    """An array has the wrong shape (message names the expected shape)."""


class BackendUnavailableError(ReptheoryError, ImportError):
    """An optional backend is not installed (message names the extra to install)."""
