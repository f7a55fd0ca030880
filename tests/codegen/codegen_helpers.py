"""Shared helpers of the codegen tests: hand-built specs with constants, importing sources."""

from __future__ import annotations

import importlib.util
import itertools
import sys
import uuid
from fractions import Fraction
from pathlib import Path

import numpy as np

from reptheory.errors import ReptheoryError
from reptheory.groups import group_from_name, group_names
from reptheory.layers import ConstantTensor, LayerSpec, Operation, layer_basis


def load_source(source: str, directory: Path, stem: str = "layer"):
    """Write ``source`` to ``directory`` and import it as a fresh module (own namespace)."""
    name = f"{stem}_{uuid.uuid4().hex}"
    path = Path(directory) / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.modules.pop(name, None)
    return mod


def symplectic_J(n: int) -> ConstantTensor:
    """J[i, i + n/2] = 1, J[i + n/2, i] = -1 (n even)."""
    h = n // 2
    ents = [((i, i + h), 1) for i in range(h)] + [((i + h, i), -1) for i in range(h)]
    return ConstantTensor("J", (n, n), tuple(ents), "symplectic form")


def levi_civita(n: int) -> ConstantTensor:
    """The Levi-Civita symbol eps[i_1, ..., i_n] (sign of the permutation)."""
    ents = []
    for p in itertools.permutations(range(n)):
        inv = sum(1 for a in range(n) for b in range(a + 1, n) if p[a] > p[b])
        ents.append((p, -1 if inv % 2 else 1))
    return ConstantTensor("epsilon", (n,) * n, tuple(ents), "Levi-Civita symbol")


def j_spec(n: int = 4) -> LayerSpec:
    """k = l = 2 with a J-like constant: contractions, diagonals, broadcasts, constant-only labels."""
    ops = (
        Operation((2, 3), (0, 1), (("J", (0, 1)), ("J", (2, 3)))),  # J[a,b] * <x, J>
        Operation((0, 2), (0, 1), (("J", (2, 1)),)),  # (x J)[a, b]
        Operation((0, 1), (0, 0), (("J", (1, 0)),)),  # y[a,a] = sum_b x[a,b] J[b,a]
        Operation((1, 0), (0, 1)),  # transpose
        Operation((0, 1), (0, 1), (("J", (2, 2)),)),  # x * trace(J) (label only in J)
        Operation((2, 2), (0, 1), (("J", (0, 3)),)),  # sum_c x[c,c] sum_d J[a,d], b broadcast
        Operation((1, 1), (0, 0)),  # y[a,a] = sum_b x[b,b]
        Operation((0, 0), (1, 0)),  # y[a,b] = x[b,b]
    )
    rows = (
        ((0, 1), (1, Fraction(-1, 3))),
        ((2, 2), (3, 1)),
        ((4, 1),),
        ((5, Fraction(5, 7)), (6, -2)),
        ((7, 1), (0, Fraction(1, 2))),
    )
    return LayerSpec("Sp-like(4)", n, 2, 2, "hand-built J test", ops, rows, (symplectic_J(n),),
                     ("e0", "e1", "e2", "e3", "e4"))


def eps_specs() -> list[LayerSpec]:
    """Specs with a Levi-Civita constant (n = 3) for several (k, l)."""
    eps = levi_civita(3)
    out = []
    # k=2, l=1: cross-product-like contraction
    out.append(LayerSpec("SO-like(3)", 3, 2, 1, "eps", (
        Operation((1, 2), (0,), (("epsilon", (0, 1, 2)),)),
        Operation((0, 1), (1,), (("epsilon", (2, 2, 0)),)),  # eps with a repeated label (zero)
        Operation((0, 0), (0,)),
    ), (((0, 1), (2, Fraction(3, 2))), ((1, 1), (0, -1))), (eps,)))
    # k=1, l=2: y[a,b] = sum_c eps[a,b,c] x[c]; and y[a,a] = sum eps[a,b,c] x[b]... (diagonal)
    out.append(LayerSpec("SO-like(3)", 3, 1, 2, "eps", (
        Operation((2,), (0, 1), (("epsilon", (0, 1, 2)),)),
        Operation((1,), (0, 0), (("epsilon", (0, 1, 2)),)),
        Operation((0,), (0, 1)),
    ), (((0, 1),), ((1, 2), (2, Fraction(-1, 5)))), (eps,)))
    # k=0, l=3 and k=3, l=0
    out.append(LayerSpec("SO-like(3)", 3, 0, 3, "eps",
                         (Operation((), (0, 1, 2), (("epsilon", (0, 1, 2)),)),),
                         (((0, 1),),), (eps,)))
    out.append(LayerSpec("SO-like(3)", 3, 3, 0, "eps",
                         (Operation((0, 1, 2), (), (("epsilon", (0, 1, 2)),)),),
                         (((0, 1),),), (eps,)))
    # k=2, l=2 with two epsilons and a diagonal output
    out.append(LayerSpec("SO-like(3)", 3, 2, 2, "eps", (
        Operation((3, 4), (0, 1), (("epsilon", (0, 2, 3)), ("epsilon", (1, 2, 4)))),
        Operation((1, 2), (0, 0), (("epsilon", (0, 1, 2)),)),
    ), (((0, 1), (1, 1)), ((1, Fraction(2, 3)),)), (eps,)))
    return out


def group_bases(pairs=((1, 1), (2, 1), (1, 2), (2, 2), (0, 2), (2, 0), (3, 1))):
    """A LayerBasis for every registered group, a couple of n and the given (k, l)."""
    out = []
    for gname in group_names():
        for n in (3, 4):
            try:
                G = group_from_name(gname, n)
            except ReptheoryError:
                continue
            for k, l in pairs:
                try:
                    B = layer_basis(G, k, l)
                except (ReptheoryError, NotImplementedError):
                    continue
                if len(B):
                    out.append(pytest_id(gname, n, k, l, B))
    return out


def pytest_id(gname, n, k, l, B):
    return (f"{gname}{n}-k{k}l{l}", B)


def random_inputs(spec: LayerSpec, rng: np.random.Generator, batch: int = 3, c_in: int = 2,
                  c_out: int = 3):
    x = rng.standard_normal((batch, c_in) + (spec.n,) * spec.k)
    w = rng.standard_normal((c_out, c_in, len(spec)))
    return w, x


def dense_reference(spec: LayerSpec, w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """y from the exact sparse basis matrices (enumeration of label assignments)."""
    from reptheory.kernels import spec_matrices

    mats = [m.toarray() for m in spec_matrices(spec)]
    batch, c_in = x.shape[:2]
    xf = x.reshape(batch, c_in, -1)
    y = np.zeros((batch, w.shape[0], spec.n**spec.l))
    for b, M in enumerate(mats):
        y += np.einsum("oi,pq,biq->bop", w[:, :, b], M, xf)
    return y.reshape((batch, w.shape[0]) + (spec.n,) * spec.l)
