"""The LayerSpec IR: exact data, JSON round trip, validation."""

from fractions import Fraction

import numpy as np
import pytest

import reptheory as rt
from reptheory.kernels import apply_operation, operation_matrix
from reptheory.layers import ConstantTensor, LayerSpec, Operation, canonical_operations


@pytest.mark.parametrize("kind", ["diagram", "orbit"])
@pytest.mark.parametrize("n,k,l", [(2, 2, 2), (4, 1, 2), (3, 0, 1)])
def test_json_round_trip_is_exact(n, k, l, kind):
    spec = rt.layer_basis(rt.S(n), k, l, kind=kind).spec
    again = LayerSpec.from_json(spec.to_json())
    assert again == spec
    assert again.to_json() == spec.to_json()


def test_operation_semantics():
    op = Operation(inputs=(0, 1), outputs=(2, 2))   # y[a, a] = sum_bc x[b, c]
    assert op.summed_labels() == (0, 1)
    assert op.broadcast_labels() == (2,)
    assert op.diagonal_output()
    x = np.arange(4.0).reshape(2, 2)
    assert np.array_equal(apply_operation(op, x, 2), np.eye(2) * 6)


def test_operation_with_constant_matches_its_matrix():
    # y[a] = sum_b J[a, b] x[b] with J the 2x2 symplectic form
    J = ConstantTensor("J", (2, 2), (((0, 1), 1), ((1, 0), -1)))
    op = Operation(inputs=(1,), outputs=(0,), factors=(("J", (0, 1)),))
    M = operation_matrix(op, 2, {"J": J}).toarray()
    assert np.array_equal(M, [[0, 1], [-1, 0]])
    x = np.array([3.0, 5.0])
    assert np.array_equal(apply_operation(op, x, 2, {"J": J.to_dense()}), M @ x)


def test_spec_with_constant_and_fractions_round_trips():
    J = ConstantTensor("J", (2, 2), (((0, 1), 1), ((1, 0), -1)), description="symplectic form")
    op = Operation(inputs=(1,), outputs=(0,), factors=(("J", (0, 1)),))
    spec = LayerSpec("Sp(2)", 2, 1, 1, "test", (op,), (((0, Fraction(1, 3)),),), (J,))
    again = LayerSpec.from_json(spec.to_json())
    assert again == spec
    assert again.coefficients[0][0][1] == Fraction(1, 3)
    w = np.ones((1, 1, 1))
    x = np.array([[[3.0, 6.0]]])
    from reptheory.kernels import apply_spec

    assert np.allclose(apply_spec(spec, w, x), [[[2.0, -1.0]]])


def test_canonical_operations_dedup_and_sum():
    a = Operation((0,), (0,))
    b = Operation((5,), (5,))      # same op, other labels
    ops, rows = canonical_operations([[(a, 1), (b, 2)], [(b, 1), (a, -1)]])
    assert len(ops) == 1
    assert rows == (((0, 3),), ())


@pytest.mark.parametrize(
    "bad",
    [
        dict(operations=(Operation((0,), (0, 0)),)),                     # wrong l
        dict(coefficients=(((3, 1),),)),                                  # unknown op
        dict(coefficients=(((0, 1.5),),)),                                # inexact coefficient
        dict(operations=(Operation((0,), (0,), (("Q", (0, 0)),)),)),     # unknown constant
    ],
)
def test_invalid_specs_rejected(bad):
    base = dict(group="S(2)", n=2, k=1, l=1, basis_kind="x",
                operations=(Operation((0,), (0,)),), coefficients=(((0, 1),),))
    base.update(bad)
    with pytest.raises(rt.InvalidParameterError):
        LayerSpec(**base)


def test_from_dict_missing_keys():
    with pytest.raises(rt.InvalidParameterError, match="not a valid LayerSpec"):
        LayerSpec.from_dict({"group": "S(2)"})


def test_shared_test_specs_use_the_package_conventions():
    from spec_helpers import levi_civita, symplectic_J

    from reptheory.layers import levi_civita_constant, symplectic_constant

    for n in (2, 4, 6):
        assert symplectic_J(n).entries == symplectic_constant(n).entries
        np.testing.assert_array_equal(symplectic_J(n).to_dense(), rt.Sp(n).form)
    for n in (2, 3, 4):
        assert dict(levi_civita(n).entries) == dict(levi_civita_constant(n).entries)
