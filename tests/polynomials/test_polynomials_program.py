"""Compiled evaluation programs: whole bases against one plain einsum per polynomial, output
buffers, no aliasing of X, exact integers, gradients."""

import numpy as np
import pytest

from reptheory.errors import InvalidParameterError, ReptheoryTypeError, ShapeError
from reptheory.polynomials import Polynomial, evaluate_basis, polynomial_basis


def _plain(p: Polynomial, X: np.ndarray) -> np.ndarray:
    """P_H(X) from the polynomial's own einsum (one operand X per edge), then broadcast along
    output letters in no edge and embedded on the diagonal for a = b: independent of the
    merged operands and the compiled program."""
    b, n, _ = X.shape
    ins, outs = p.einsum.split("->")
    present = "".join(c for c in outs if c in ins)
    if ins:
        val = np.einsum(",".join("z" + t for t in ins.split(",")) + "->z" + present,
                        *[X] * (ins.count(",") + 1))
    else:
        val = np.ones(b, dtype=X.dtype)
    for c in outs:
        if c not in present:
            val = val[..., None] * np.ones(n, dtype=X.dtype)
            present += c
    val = val.transpose([0] + [1 + present.index(c) for c in outs])
    if p.diagonal:
        out = np.zeros((b, n, n), dtype=val.dtype)
        out[:, np.arange(n), np.arange(n)] = val
        return out
    return val


@pytest.mark.parametrize("output", ["invariant", "node", "edge"])
@pytest.mark.parametrize("symmetric", [False, True])
def test_basis_matches_one_einsum_per_polynomial(output, symmetric):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2, 4, 4))
    if symmetric:
        X = X + X.transpose(0, 2, 1)
    basis = polynomial_basis(3, output, symmetric, exact_degree=False)
    got = evaluate_basis(basis, X)
    compared = 0
    for i, p in enumerate(basis):
        np.testing.assert_allclose(got[:, i], _plain(p, X), rtol=1e-10, atol=1e-10)
        compared += 1
    assert compared == len(basis) > 10


def test_single_polynomials_match_and_never_alias_X():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(3, 5, 5))
    keep = X.copy()
    compared = 0
    for p in list(polynomial_basis(2, "edge", exact_degree=False))[::3]:
        val = p.evaluate(X)
        np.testing.assert_allclose(val, _plain(p, X), rtol=1e-10, atol=1e-10)
        assert not np.shares_memory(val, X)
        compared += 1
    assert compared > 5
    edge = Polynomial.from_edges([("a", "b")], marked=("a", "b"))  # P = X itself
    val = edge.evaluate(X)
    val[...] = 0.0
    np.testing.assert_array_equal(X, keep)


def test_out_buffer_is_overwritten_and_checked():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(2, 5, 5))
    basis = polynomial_basis(2, "edge", exact_degree=False)
    ref = evaluate_basis(basis, X)
    buf = np.full(ref.shape, np.nan)
    assert evaluate_basis(basis, X, out=buf) is buf
    np.testing.assert_array_equal(buf, ref)
    # one graph: out has the unbatched shape
    one = np.full(ref.shape[1:], 7.0)
    evaluate_basis(basis, X[0], out=one)
    np.testing.assert_allclose(one, ref[0], rtol=1e-12, atol=1e-12)
    with pytest.raises(ShapeError, match="out"):
        evaluate_basis(basis, X, out=np.empty(ref.shape[1:]))
    with pytest.raises(ShapeError, match="out"):
        evaluate_basis(basis, X, out=np.empty(ref.shape, dtype=np.float32))
    with pytest.raises(ShapeError, match="contiguous"):
        evaluate_basis(basis, X, out=np.empty(ref.shape[::-1]).T)


def test_integer_input_is_exact():
    rng = np.random.default_rng(6)
    A = np.triu(rng.integers(0, 2, size=(2, 6, 6)), 1)
    A = A + A.transpose(0, 2, 1)
    basis = polynomial_basis(4, "edge", symmetric=True, exact_degree=True)
    got = evaluate_basis(basis, A)
    assert got.dtype.kind == "i"
    compared = 0
    for i, p in enumerate(list(basis)[::7]):
        np.testing.assert_array_equal(got[:, 7 * i], _plain(p, A.astype(np.int64)))
        compared += 1
    assert compared > 10


def test_bad_entries():
    basis = list(polynomial_basis(1, "edge"))
    with pytest.raises(ReptheoryTypeError, match="Polynomial"):
        evaluate_basis(basis + ["ab->ab"], np.eye(3))
    with pytest.raises(ReptheoryTypeError, match="Polynomial"):
        evaluate_basis(basis + [[1]], np.eye(3))
    with pytest.raises(InvalidParameterError, match="output type"):
        evaluate_basis(basis + list(polynomial_basis(1, "node")), np.eye(3))
    with pytest.raises(InvalidParameterError, match="output type"):
        evaluate_basis([], np.eye(3))


def test_torch_basis_out_and_gradients():
    torch = pytest.importorskip("torch")
    from reptheory.polynomials import evaluate_basis_torch, evaluate_torch

    rng = np.random.default_rng(7)
    X = rng.normal(size=(2, 4, 4))
    basis = polynomial_basis(3, "edge", exact_degree=False)
    ref = evaluate_basis(basis, X)
    Xt = torch.from_numpy(X)
    np.testing.assert_allclose(evaluate_basis_torch(basis, Xt).numpy(), ref, rtol=1e-10,
                               atol=1e-10)
    buf = torch.full(ref.shape, float("nan"), dtype=torch.float64)
    assert evaluate_basis_torch(basis, Xt, out=buf) is buf
    np.testing.assert_allclose(buf.numpy(), ref, rtol=1e-10, atol=1e-10)
    Xg = Xt.clone().requires_grad_(True)
    with pytest.raises(InvalidParameterError, match="autograd"):
        evaluate_basis_torch(basis, Xg, out=buf)
    with pytest.raises(ShapeError, match="out"):
        evaluate_basis_torch(basis, Xt, out=torch.empty(3, 3))
    small = list(polynomial_basis(2, "edge", exact_degree=False))[::4]
    torch.manual_seed(0)
    Y = torch.randn(2, 3, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda Z: evaluate_basis_torch(small, Z), (Y,),
                                    fast_mode=True)
    # a single polynomial equal to X is a copy, not X
    edge = Polynomial.from_edges([("a", "b")], marked=("a", "b"))
    val = evaluate_torch(edge, Xt)
    assert val.data_ptr() != Xt.data_ptr()


@pytest.mark.parametrize("output", ["invariant", "node", "edge"])
def test_empty_batch_gives_empty_results(output):
    basis = polynomial_basis(2, output, True, exact_degree=False)
    X = np.zeros((0, 4, 4))
    tail = {"invariant": (), "node": (4,), "edge": (4, 4)}[output]
    got = evaluate_basis(basis, X)
    assert got.shape == (0, len(basis)) + tail
    torch = pytest.importorskip("torch")
    from reptheory.polynomials import evaluate_basis_torch

    assert tuple(evaluate_basis_torch(basis, torch.from_numpy(X)).shape) == got.shape
