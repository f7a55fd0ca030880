"""The one-polynomial fast path (a generated function per program, operands of X inline):
every polynomial of small bases, general and symmetric, with high edge multiplicities and
loops, against the polynomial's own einsum, in numpy (float and exact integers) and torch
(values, gradients)."""

import numpy as np
import pytest
from test_polynomials_program import _plain  # the tests folder is on sys.path (rootdir import)

from reptheory.polynomials import Polynomial, polynomial_basis


def _cases():
    polys = []
    for output in ("invariant", "node", "edge"):
        for symmetric in (False, True):
            polys += list(polynomial_basis(2, output, symmetric, exact_degree=False))
    # multiplicities >= 3 (one pow kernel in torch), both directions, loops of order 3
    polys.append(Polynomial.from_edges([("a", "c")] * 3 + [("b", "b")], marked=("a", "b"),
                                       symmetric=True))
    polys.append(Polynomial.from_edges([("a", "b")] * 3 + [("b", "a")] * 4, marked=("a", "b")))
    polys.append(Polynomial.from_edges([("a", "b")] * 2 + [("b", "a")] * 3 + [("c", "c")] * 3,
                                       marked=("a",)))
    polys.append(Polynomial.from_edges([("a", "c")] * 2 + [("b", "b")] * 3, marked=("a", "a"),
                                       symmetric=True))
    return polys


def test_numpy_single_matches_plain_einsum_float_and_int():
    rng = np.random.default_rng(11)
    Xf = rng.normal(size=(3, 4, 4))
    Xi = rng.integers(-3, 4, size=(2, 4, 4))
    compared = 0
    for p in _cases():
        for X in (Xf, Xi):
            want = _plain(p, X)
            for _ in range(2):  # the first call compiles, the second runs the kept function
                got = p.evaluate(X)
                assert got.shape == want.shape
                if X.dtype.kind == "i":
                    assert got.dtype.kind == "i"
                    np.testing.assert_array_equal(got, want)
                else:
                    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
                assert not np.shares_memory(got, X)
                compared += 1
        np.testing.assert_allclose(p.evaluate(Xf[0]), _plain(p, Xf[:1])[0], rtol=1e-10,
                                   atol=1e-10)
    assert compared > 100


def test_torch_single_matches_plain_einsum_and_gradients():
    torch = pytest.importorskip("torch")
    from reptheory.polynomials import evaluate_torch

    rng = np.random.default_rng(12)
    X = rng.normal(size=(2, 4, 4))
    compared = 0
    for p in _cases():
        want = _plain(p, X)
        Xt = torch.tensor(X, requires_grad=True)
        for _ in range(2):
            got = evaluate_torch(p, Xt)
            assert tuple(got.shape) == want.shape
            np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-10, atol=1e-10)
            compared += 1
        if not p.degree:  # the constant 1
            continue
        # gradient of <got, W> against central differences of the plain einsum
        W = rng.normal(size=want.shape)
        (g,) = torch.autograd.grad((got * torch.from_numpy(W)).sum(), Xt)
        g = g.numpy()
        i, j, k = 1, 2, 0
        E = np.zeros_like(X)
        E[i, j, k] = 1e-6
        fd = ((_plain(p, X + E) - _plain(p, X - E)) * W).sum() / 2e-6
        np.testing.assert_allclose(g[i, j, k], fd, rtol=1e-5, atol=1e-6)
        Xi = torch.tensor(rng.integers(-3, 4, size=(2, 4, 4)))
        assert torch.equal(evaluate_torch(p, Xi), torch.from_numpy(_plain(p, Xi.numpy())))
    assert compared > 100
