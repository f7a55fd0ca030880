"""The numba kernels are module-level ``cache=True`` functions cached under reptheory's cache
directory, and a new process reads the compiled code back instead of compiling again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("numba")

import reptheory as rt
from reptheory._cache import cache_dir

ROOT = Path(__file__).resolve().parents[2]


def test_kernels_are_cached_module_functions_under_the_cache_dir():
    from numba.core.caching import NullCache

    from reptheory.kernels import _numba_jit

    B = rt.layer_basis(rt.S(3), 2, 2)
    B.apply(np.ones((1, 1, len(B))), np.ones((2, 1, 3, 3)), backend="numba")
    checked = 0
    for name in ("accumulate", "run_program", "gather"):
        f = getattr(_numba_jit, name)
        assert not isinstance(f._cache, NullCache), name
        checked += 1
    assert checked == 3
    index = list(Path(os.environ.get("NUMBA_CACHE_DIR", cache_dir("numba"))).rglob(
        "_numba_jit.run_program-*.nbi"))
    assert index, "no cache index for run_program"
    assert not any("site-packages" in str(p) or str(p).startswith(str(ROOT / "reptheory"))
                   for p in index)


@pytest.mark.skipif(not os.environ.get("REPTHEORY_SLOW_TESTS"),
                    reason="compiles the kernels in a fresh cache (seconds to minutes); "
                           "set REPTHEORY_SLOW_TESTS=1")
def test_second_process_loads_instead_of_compiling(tmp_path):  # pragma: no cover - slow
    code = ("import numpy as np, reptheory as rt; B = rt.layer_basis(rt.S(4), 2, 2); "
            "B.apply(np.ones((1, 1, 15)), np.ones((2, 1, 4, 4)), backend='numba')")
    env = dict(os.environ, REPTHEORY_CACHE_DIR=str(tmp_path), PYTHONPATH=str(ROOT),
               NUMBA_DEBUG_CACHE="1")
    env.pop("NUMBA_CACHE_DIR", None)
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                           check=True)
    assert "data saved" in first.stdout + first.stderr
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True)
    out = second.stdout + second.stderr
    assert "data loaded" in out and "data saved" not in out
    assert list((tmp_path / "numba").rglob("*.nbc"))
