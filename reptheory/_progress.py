"""Optional progress bars (tqdm, imported lazily; off when stderr is not a terminal)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")

#: Enumerations with more items than this get a bar by default (on a terminal).
PROGRESS_THRESHOLD = 200_000


def progress(
    iterable: Iterable[T], total: int | None = None, desc: str = "", enabled: bool | None = None
) -> Iterable[T]:
    """Wrap ``iterable`` in a tqdm bar when enabled (default: long run and stderr is a tty)."""
    if enabled is None:
        enabled = (total or 0) > PROGRESS_THRESHOLD and sys.stderr.isatty()
    if not enabled:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, total=total, desc=desc, leave=False)
