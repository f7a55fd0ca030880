"""Hand-built LayerSpecs and independent references, shared by the kernels and codegen tests.

The constants are written out here, not taken from the package: J is the symplectic form in
the package's interleaved Darboux order (J[2a, 2a+1] = 1, J[2a+1, 2a] = -1; a test checks it
equals ``reptheory.layers.symplectic_constant``), epsilon the Levi-Civita symbol from inversion
counts. The references loop over every label assignment in pure Python.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np

from reptheory.layers import ConstantTensor, LayerSpec, Operation

__all__ = ["brute_operation_matrix", "brute_spec_matrices", "dense_apply", "dense_reference",
           "eps_specs", "j_spec", "levi_civita", "random_inputs", "symplectic_J"]


def symplectic_J(n: int) -> ConstantTensor:
    """J[2a, 2a+1] = 1, J[2a+1, 2a] = -1 (n even; the package's interleaved Darboux order)."""
    ents = []
    for a in range(0, n, 2):
        ents += [((a, a + 1), 1), ((a + 1, a), -1)]
    return ConstantTensor("J", (n, n), tuple(ents), "symplectic form")


def levi_civita(n: int) -> ConstantTensor:
    """The Levi-Civita symbol eps[i_1, ..., i_n] (sign of the permutation, by inversions)."""
    ents = []
    for p in itertools.permutations(range(n)):
        inv = sum(1 for a in range(n) for b in range(a + 1, n) if p[a] > p[b])
        ents.append((p, -1 if inv % 2 else 1))
    return ConstantTensor("epsilon", (n,) * n, tuple(ents), "Levi-Civita symbol")


def j_spec(n: int = 4) -> LayerSpec:
    """k = l = 2 with the form J: contractions, diagonals, broadcasts, constant-only labels.

    Element 1 is J⊗I - (1/2) J²⊗I = J⊗I + (1/2) I⊗I (J² = -I).
    """
    ops = (
        Operation((0, 1), (0, 1)),                                    # identity
        Operation((2, 3), (0, 1), (("J", (0, 1)), ("J", (2, 3)))),    # J[a,b] * <x, J>
        Operation((2, 1), (0, 1), (("J", (0, 2)),)),                  # (J x)[a, b]
        Operation((3, 1), (0, 1), (("J", (0, 2)), ("J", (2, 3)))),    # (J J x)[a, b]
        Operation((1, 1), (0, 0), (("J", (1, 0)),)),                  # y[a,a] = sum_b x[b,b] J[b,a]
        Operation((1, 2), (0, 0), (("J", (1, 2)),)),                  # y[a,a] = sum x[b,c] J[b,c]
        Operation((0, 2), (0, 1), (("J", (2, 1)),)),                  # (x J)[a, b]
        Operation((1, 0), (0, 1)),                                    # transpose
        Operation((0, 1), (0, 1), (("J", (2, 2)),)),                  # x * trace(J): label only in J
        Operation((2, 2), (0, 1), (("J", (0, 3)),)),                  # sum_c x[c,c] sum_d J[a,d]
        Operation((0, 0), (1, 0)),                                    # y[a,b] = x[b,b]
    )
    rows = (
        ((0, 1), (1, 2)),
        ((2, 1), (3, Fraction(-1, 2))),
        ((4, 1),),
        ((1, Fraction(-1, 3)), (6, 1)),
        ((5, 3), (0, -1), (7, 1)),
        ((8, 1), (9, Fraction(5, 7))),
        ((10, 1), (1, Fraction(1, 2))),
    )
    return LayerSpec(f"Sp-like({n})", n, 2, 2, "hand-built J test", ops, rows,
                     (symplectic_J(n),), tuple(f"e{i}" for i in range(len(rows))))


def eps_specs() -> list[LayerSpec]:
    """Specs with a Levi-Civita constant for several n and (k, l)."""
    out = []
    eps3 = levi_civita(3)
    # k=2, l=1: cross-product-like contraction, an eps with a repeated label (zero), a diagonal
    out.append(LayerSpec("SO-like(3)", 3, 2, 1, "eps", (
        Operation((1, 2), (0,), (("epsilon", (0, 1, 2)),)),
        Operation((0, 1), (1,), (("epsilon", (2, 2, 0)),)),
        Operation((0, 0), (0,)),
    ), (((0, 1), (2, Fraction(3, 2))), ((1, 1), (0, -1))), (eps3,)))
    # k=1, l=2: y[a,b] = sum_c eps[a,b,c] x[c]; a diagonal output; a broadcast
    out.append(LayerSpec("SO-like(3)", 3, 1, 2, "eps", (
        Operation((2,), (0, 1), (("epsilon", (0, 1, 2)),)),
        Operation((1,), (0, 0), (("epsilon", (0, 1, 2)),)),
        Operation((0,), (0, 1)),
    ), (((0, 1),), ((1, 2), (2, Fraction(-1, 5)))), (eps3,)))
    # k=2, l=2: two epsilons and a diagonal output
    out.append(LayerSpec("SO-like(3)", 3, 2, 2, "eps", (
        Operation((3, 4), (0, 1), (("epsilon", (0, 2, 3)), ("epsilon", (1, 2, 4)))),
        Operation((1, 2), (0, 0), (("epsilon", (0, 1, 2)),)),
        Operation((0, 1), (0, 1)),
    ), (((0, 1), (1, 1)), ((1, Fraction(2, 3)),), ((2, 1), (0, 1))), (eps3,)))
    # k=0, l=3 and k=3, l=0
    out.append(LayerSpec("SO-like(3)", 3, 0, 3, "eps",
                         (Operation((), (0, 1, 2), (("epsilon", (0, 1, 2)),)),),
                         (((0, 1),),), (eps3,)))
    out.append(LayerSpec("SO-like(3)", 3, 3, 0, "eps",
                         (Operation((0, 1, 2), (), (("epsilon", (0, 1, 2)),)),),
                         (((0, 1),),), (eps3,)))
    # n = 4, k=3, l=1: a full contraction and one with a repeated input label
    out.append(LayerSpec("SO-like(4)", 4, 3, 1, "eps", (
        Operation((1, 2, 3), (0,), (("epsilon", (0, 1, 2, 3)),)),
        Operation((1, 2, 1), (0,), (("epsilon", (0, 1, 2, 3)),)),
    ), (((0, 1),), ((1, 1),), ((0, 1), (1, 2))), (levi_civita(4),)))
    # n = 2, k = l = 2: a product of two epsilons, and the transpose
    out.append(LayerSpec("SO-like(2)", 2, 2, 2, "eps", (
        Operation((2, 3), (0, 1), (("epsilon", (0, 2)), ("epsilon", (1, 3)))),
        Operation((0, 1), (1, 0)),
    ), (((0, 1),), ((1, 1),), ((0, 1), (1, 2))), (levi_civita(2),)))
    return out


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
    """Dense matrix of every basis element of ``spec``, from :func:`brute_operation_matrix`."""
    consts = {c.name: dict(c.entries) for c in spec.constants}
    ops = [brute_operation_matrix(op, spec.n, consts) for op in spec.operations]
    return [sum((float(c) * ops[j] for j, c in row), np.zeros((spec.n**spec.l, spec.n**spec.k)))
            for row in spec.coefficients]


def dense_apply(mats, w, x):
    """y[b, o] = sum_{i, j} w[o, i, j] M_j x[b, i] with dense matrices (flat output axes)."""
    batch, c_in = x.shape[:2]
    xf = x.reshape(batch, c_in, -1)
    M = np.stack(mats) if mats else np.zeros((0, 1, xf.shape[2]))
    return np.einsum("oij,jrc,bic->bor", w, M, xf)


def dense_reference(spec: LayerSpec, w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """y from the brute-force matrices, shaped (batch, c_out, n, ..., n)."""
    y = dense_apply(brute_spec_matrices(spec), w, x)
    return y.reshape((x.shape[0], w.shape[0]) + (spec.n,) * spec.l)


def random_inputs(spec: LayerSpec, rng: np.random.Generator, batch: int = 3, c_in: int = 2,
                  c_out: int = 3):
    """Random weights (c_out, c_in, len(spec)) and inputs (batch, c_in, n, ..., n)."""
    x = rng.standard_normal((batch, c_in) + (spec.n,) * spec.k)
    w = rng.standard_normal((c_out, c_in, len(spec)))
    return w, x
