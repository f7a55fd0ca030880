"""Test configuration: headless matplotlib, and the shared test helpers on sys.path.

There is one conftest.py for the whole suite (nested ones would collide as module
``conftest`` under pytest's default import mode); helper modules live in ``tests/`` and
``tests/codegen/`` under unique names (``_reference``, ``codegen_helpers``).
"""

import os
import random
import sys

import numpy as np
import pytest

try:  # headless plotting for the tests that draw (matplotlib comes with the test extra)
    import matplotlib

    matplotlib.use("Agg")
except ImportError:  # pragma: no cover - drawing tests are skipped or fail with a clear message
    pass
_HERE = os.path.dirname(os.path.abspath(__file__))
for _path in (_HERE, os.path.join(_HERE, "codegen")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

# a script run in a subprocess by test_fuzz_contract.py (it reads sys.argv at import), not a
# test module: keep --doctest-modules from importing it
collect_ignore = ["_fuzz_contract.py"]

try:  # property-based tests draw the same examples in every run (reproducible failures)
    from hypothesis import settings

    settings.register_profile("reptheory", derandomize=True)
    settings.load_profile("reptheory")
except ImportError:  # pragma: no cover - hypothesis comes with the test extra
    pass


@pytest.fixture(autouse=True)
def _fixed_global_seeds():
    """Seed the global generators before every test, so code that draws from them without an
    explicit generator (torch.randn, np.random.rand, random.random) is reproducible."""
    random.seed(0)
    np.random.seed(0)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(0)
