"""Shared helpers of the kernels tests: independent brute-force matrices and hand-made specs
with a J-type (symplectic form) and an epsilon-type (Levi-Civita) constant."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np

from reptheory.layers import ConstantTensor, LayerSpec, Operation


def brute_operation_matrix(op, n, consts):
    """Matrix of one operation by looping over every label assignment (pure Python)."""
    labels = op.labels()
    M = np.zeros((n**op.l, n**op.k))
    for vals in itertools.product(range(n), repeat=len(labels)):
        a = dict(zip(labels, vals))
        v = 1.0
        for nm, lab in op.factors:
            v *= consts[nm].get(tuple(a[x] for x in lab), 0)
        if v == 0:
            continue
        r = 0
        for x in op.outputs:
            r = r * n + a[x]
        c = 0
        for x in op.inputs:
            c = c * n + a[x]
        M[r, c] += float(v)
    return M


def brute_spec_matrices(spec):
    consts = {c.name: dict(c.entries) for c in spec.constants}
    ops = [brute_operation_matrix(op, spec.n, consts) for op in spec.operations]
    return [sum((float(c) * ops[j] for j, c in row), np.zeros((spec.n**spec.l, spec.n**spec.k)))
            for row in spec.coefficients]


def dense_apply(mats, w, x):
    """y[b, o] = sum_{i, j} w[o, i, j] M_j x[b, i] with dense matrices."""
    batch, c_in = x.shape[:2]
    xf = x.reshape(batch, c_in, -1)
    M = np.stack(mats) if mats else np.zeros((0, 1, xf.shape[2]))
    y = np.einsum("oij,jrc,bic->bor", w, M, xf)
    return y


def levi_civita(n):
    from sympy.combinatorics import Permutation

    return tuple((p, Permutation(list(p)).signature()) for p in itertools.permutations(range(n)))


def j_spec(n=4):
    m = n // 2
    J = ConstantTensor("J", (n, n), tuple(((a, a + m), 1) for a in range(m))
                       + tuple(((a + m, a), -1) for a in range(m)), "symplectic form")
    ops = (
        Operation((0, 1), (0, 1)),
        Operation((2, 3), (0, 1), (("J", (0, 1)), ("J", (2, 3)))),
        Operation((2, 1), (0, 1), (("J", (0, 2)),)),
        Operation((3, 1), (0, 1), (("J", (0, 2)), ("J", (2, 3)))),
        Operation((1, 1), (0, 0), (("J", (1, 0)),)),
        Operation((1, 2), (0, 0), (("J", (1, 2)),)),
    )
    coeffs = (((0, 1), (1, 2)), ((2, 1), (3, Fraction(-1, 2))), ((4, 1),), ((1, 1),),
              ((5, 3), (0, -1)))
    return LayerSpec(group=f"Sp({n}) test", n=n, k=2, l=2, basis_kind="test",
                     operations=ops, coefficients=coeffs, constants=(J,))


def eps_specs():
    out = []
    for n, k, l, ops in [
        (3, 2, 1, [Operation((1, 2), (0,), (("epsilon", (0, 1, 2)),))]),
        (3, 1, 2, [Operation((2,), (0, 1), (("epsilon", (0, 1, 2)),)),
                   Operation((1,), (0, 1), (("epsilon", (0, 1, 2)),))]),
        (3, 2, 2, [Operation((2, 3), (0, 1), (("epsilon", (0, 1, 2)),)),
                   Operation((0, 1), (0, 1)),
                   Operation((2, 2), (0, 1), (("epsilon", (0, 1, 2)),))]),
        (3, 3, 0, [Operation((0, 1, 2), (), (("epsilon", (0, 1, 2)),))]),
        (4, 3, 1, [Operation((1, 2, 3), (0,), (("epsilon", (0, 1, 2, 3)),)),
                   Operation((1, 2, 1), (0,), (("epsilon", (0, 1, 2, 3)),))]),
        (2, 2, 2, [Operation((2, 3), (0, 1), (("epsilon", (0, 2)), ("epsilon", (1, 3)))),
                   Operation((0, 1), (1, 0))]),
    ]:
        eps = ConstantTensor("epsilon", (n,) * n, levi_civita(n), "Levi-Civita symbol")
        coeffs = tuple(((j, 1),) for j in range(len(ops))) + (tuple((j, j + 1) for j in range(len(ops))),)
        out.append(LayerSpec(group=f"SO({n}) test", n=n, k=k, l=l, basis_kind="test",
                             operations=tuple(ops), coefficients=coeffs, constants=(eps,)))
    return out


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
