"""Helpers of the kernels tests: the shared specs and references (``spec_helpers``) and the list
of executors available on this machine."""

from __future__ import annotations

from spec_helpers import (  # noqa: F401 - re-exported for the kernels tests
    brute_operation_matrix,
    brute_spec_matrices,
    dense_apply,
    eps_specs,
    j_spec,
    levi_civita,
)


def available_backends():
    from reptheory.kernels import get_backend

    names = ["numpy", "numpy-plan", "numba", "torch"]
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() > 0:
            get_backend("cupy")
            names.append("cupy")
    except Exception:
        pass
    return names
