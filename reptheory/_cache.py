"""One home for reptheory's on-disk cache (outside the installed package).

Everything reptheory keeps between processes (exact SO(3) tables, compiled numba kernels, ...)
lives under one directory: ``$REPTHEORY_CACHE_DIR`` when set, else ``~/.cache/reptheory``.
Each kind of entry has its own sub-directory, and entries are keyed by content and convention
version by the code that writes them.

Numba's own cache is redirected here too: :func:`numba_cache` points ``NUMBA_CACHE_DIR`` at
``<cache>/numba`` before numba is first imported (numba reads that variable once, at import), so
compiled kernels of ``@njit(cache=True)`` functions defined at module level are written once
and read back by later processes, never inside ``site-packages``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["cache_dir", "numba_cache"]


def cache_dir(sub: str | None = None) -> Path:
    """reptheory's cache directory, or one of its sub-directories (not created).

    Parameters
    ----------
    sub : str, optional
        Name of a sub-directory (``"so3"``, ``"numba"``, ...).

    Returns
    -------
    pathlib.Path
        ``$REPTHEORY_CACHE_DIR[/sub]``, or ``~/.cache/reptheory[/sub]`` when the variable is
        unset or empty.

    Examples
    --------
    >>> cache_dir("so3").name
    'so3'
    """
    base = os.environ.get("REPTHEORY_CACHE_DIR")
    root = Path(base) if base else Path.home() / ".cache" / "reptheory"
    return root / sub if sub else root


def numba_cache() -> Path:
    """Point numba's on-disk cache at ``cache_dir("numba")`` and return that directory.

    Call it before importing numba (every module of reptheory that compiles kernels does, at
    the top of the function that imports numba). When numba is already imported, its
    configuration is updated in place, unless the user set ``NUMBA_CACHE_DIR`` themselves,
    which always wins.

    Examples
    --------
    >>> numba_cache().name
    'numba'
    """
    path = cache_dir("numba")
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"])
    os.environ["NUMBA_CACHE_DIR"] = str(path)
    config = sys.modules.get("numba.core.config")
    if config is not None and getattr(config, "CACHE_DIR", None) != str(path):
        config.CACHE_DIR = str(path)
    return path
