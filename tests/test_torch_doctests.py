"""Doctests of the modules that import torch at their top.

They are left out of ``--doctest-modules`` collection (see pyproject.toml) so that the suite
collects on a machine without torch; here they run whenever torch is installed.
"""

import doctest
import importlib

import pytest

MODULES = [
    "reptheory.torch",
    "reptheory.torch._linear",
    "reptheory.torch._equivariance",
    "reptheory.torch._frames",
    "reptheory.torch._nonlinear",
    "reptheory.models",
    "reptheory.models._deepsets",
    "reptheory.models._ign",
    "reptheory.models._ppgn",
    "reptheory.models._ppgnpp",
    "reptheory.kernels._torch",
    "reptheory.kernels._torch_numba",
    "reptheory.so3._torch_layers",
    "reptheory.so3._torch_pose",
    "reptheory.polynomials._torch_layers",
    "reptheory.so3._torch_tp",
    "reptheory.so3._torch_sh",
    "reptheory.so3._torch_escn",
]


@pytest.mark.parametrize("name", MODULES)
def test_torch_module_doctests(name):
    pytest.importorskip("torch")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctests failed in {name}"


def test_torch_doctests_exist():
    # the torch layers document themselves with runnable examples
    pytest.importorskip("torch")
    attempted = sum(doctest.testmod(importlib.import_module(m), verbose=False,
                                    optionflags=doctest.ELLIPSIS).attempted for m in MODULES)
    assert attempted > 0
