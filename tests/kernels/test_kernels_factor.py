"""Factorisation of diagrams and operations: permutation ∘ planar ∘ permutation, exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernels_helpers import brute_operation_matrix, eps_specs, j_spec

from reptheory.diagrams import (
    Diagram,
    PartitionDiagram,
    factor_diagram,
    is_planar,
    partition_diagrams,
)
from reptheory.errors import InvalidParameterError
from reptheory.kernels import apply_operation
from reptheory.layers import Operation, diagram_operation


class BrauerLike(Diagram):
    """Test-only Brauer diagrams (every block of size 2)."""

    __slots__ = ()

    def _check_blocks(self, blocks, k, l):
        if any(len(b) != 2 for b in blocks):
            raise InvalidParameterError("blocks must be pairs")


def _matrix(d, n):
    return brute_operation_matrix(diagram_operation(d), n, {})


def _check_diagram(d, n=2):
    f = factor_diagram(d)
    assert f.recompose() == d
    assert f.tensor_of_blocks() == f.planar
    assert type(f.planar) is type(d)
    Pt, Q, Pb = (_matrix(e, n) for e in (f.top_permutation(), f.planar, f.bottom_permutation()))
    K = np.ones((1, 1))
    for b in f.one_block_diagrams():
        K = np.kron(K, _matrix(b, n))
    np.testing.assert_array_equal(K, Q)
    np.testing.assert_array_equal(Pt @ Q @ Pb, _matrix(d, n))
    kinds = [b[0] for b in f.blocks]
    assert kinds == sorted(kinds, key=["copy", "transfer", "contract"].index)


@pytest.mark.parametrize("k,l", [(0, 0), (1, 0), (0, 2), (2, 2), (3, 1), (1, 3), (2, 3)])
def test_every_partition_diagram(k, l):
    for d in partition_diagrams(k, l):
        _check_diagram(d)


def test_brauer_like_diagrams():
    import itertools

    for k, l in [(2, 2), (3, 1), (1, 3), (4, 2)]:
        verts = list(range(k + l))
        seen = 0
        for perm in itertools.permutations(verts):
            pairs = [tuple(sorted(perm[i:i + 2])) for i in range(0, len(perm), 2)]
            _check_diagram(BrauerLike(pairs, k, l))
            seen += 1
            if seen > 60:
                break


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 3), st.integers(0, 3), st.data())
def test_random_diagrams(k, l, data):
    rgs = data.draw(st.lists(st.integers(0, k + l), min_size=k + l, max_size=k + l))
    blocks = {}
    for v, b in enumerate(rgs):
        blocks.setdefault(b, []).append(v)
    _check_diagram(PartitionDiagram(list(blocks.values()), k, l), n=3)


def test_planar_examples():
    assert is_planar(PartitionDiagram([[0], [1, 2, 3]], k=2, l=2))        # c_1 ⊗ T_{1,2}
    assert not is_planar(PartitionDiagram([[0, 3], [1, 2]], k=2, l=2))    # the swap
    f = factor_diagram(PartitionDiagram([[0, 2, 3], [1]], k=2, l=2))     # {1,1',2'} {2}
    assert f.blocks == (("copy", 1, 0), ("transfer", 1, 2)) and f.top_order == (1, 0)


def _planar_op(op, f):
    return Operation(tuple(op.inputs[q] for q in f.input_perm),
                     tuple(op.outputs[p] for p in f.output_perm), op.factors)


def test_operation_factor_including_constants():
    rng = np.random.default_rng(0)
    specs = [j_spec(4), *eps_specs()]
    ops = [(op, s) for s in specs for op in s.operations]
    ops += [(diagram_operation(d), None) for d in partition_diagrams(2, 2)]
    for op, spec in ops:
        n = spec.n if spec else 3
        consts = {c.name: c.to_dense() for c in spec.constants} if spec else {}
        f = op.factor()
        x = rng.standard_normal((2,) + (n,) * op.k)
        y = apply_operation(op, x, n, consts)
        yp = apply_operation(_planar_op(op, f), np.transpose(x, (0, *(1 + q for q in f.input_perm))),
                             n, consts)
        np.testing.assert_allclose(np.transpose(y, (0, *(1 + p for p in f.output_perm))), yp,
                                   atol=1e-12)
        # planar: output labels grouped copy-then-transfer, inputs transfer-then-contract
        po = _planar_op(op, f)
        order = list(f.block_labels)
        for seq in (po.outputs, po.inputs):
            idx = [order.index(a) for a in seq]
            assert idx == sorted(idx)
