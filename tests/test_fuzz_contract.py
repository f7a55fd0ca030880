"""The fuzz contract of issue 19: over the public entry points and the command line, every
outcome is a correct result or an error of reptheory's own type, within a memory cap (RLIMIT_AS
on a subprocess) and without hangs (a per-call alarm in the driver, tests/_fuzz_contract.py).

The suite runs a bounded version; REPTHEORY_SLOW_TESTS=1 runs many more examples at the default
size budget.
"""

import os
import subprocess
import sys

import pytest

resource = pytest.importorskip("resource")  # POSIX only

HERE = os.path.dirname(os.path.abspath(__file__))
SLOW = bool(os.environ.get("REPTHEORY_SLOW_TESTS"))
MEMORY_CAP = 3 * 2**30  # address space: imports and BLAS reserve about 1.5 GiB of it


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def test_fuzz_contract(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(HERE), HERE, env.get("PYTHONPATH", "")])
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               NUMBA_NUM_THREADS="1", MPLBACKEND="Agg")
    if not SLOW:  # the bounded version: a small budget keeps every allowed call quick
        env["REPTHEORY_MAX_DENSE_ENTRIES"] = str(2**21)
    examples = "400" if SLOW else "40"
    r = subprocess.run([sys.executable, os.path.join(HERE, "_fuzz_contract.py"), examples],
                       env=env, cwd=tmp_path, capture_output=True, text=True,
                       preexec_fn=_limit, timeout=3000 if SLOW else 600, check=False)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-8000:]
    assert r.stdout.count("examples ok") == 5
