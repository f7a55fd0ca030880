"""Every executor equals the dense reference for every group with layer bases (issue 4 check).

Groups come from the registry, so families merged later are covered automatically. The dense
reference is built from ``LayerBasis.matrices()``, which enumerates label assignments and
shares no code with the executors' reduce / mix / expand plans.
"""

import importlib.util

import numpy as np
import pytest

import reptheory as rt
from reptheory.errors import ReptheoryError
from reptheory.groups import group_from_name, group_names

BACKENDS = ["numpy", "numpy-plan", "numba", "torch"]
_have = {"numba": importlib.util.find_spec("numba") is not None,
         "torch": importlib.util.find_spec("torch") is not None}


def _cases():
    rng = np.random.default_rng(2026)
    out = []
    for name in group_names():
        for n in (1, 2, 3, 4, 5):
            try:
                G = group_from_name(name, n)
            except ReptheoryError:
                continue
            # a few random (k, l) with k + l <= 6, kept small where n^(k+l) is large
            pairs = {(int(a), int(b)) for a, b in rng.integers(0, 4, size=(6, 2)) if a + b <= 6}
            for k, l in sorted(pairs):
                if n ** (k + l) > 20000:
                    continue
                try:
                    B = rt.layer_basis(G, k, l)
                except ReptheoryError:
                    continue
                if len(B):
                    out.append(pytest.param(G, k, l, id=f"{G!r}-k{k}-l{l}"))
    return out


CASES = _cases()


def test_cases_cover_several_groups():
    symbols = {p.values[0].symbol for p in CASES}
    assert "S" in symbols and len(symbols) >= 2


@pytest.mark.parametrize("G,k,l", CASES)
def test_every_backend_matches_dense(G, k, l):
    rng = np.random.default_rng(sum(map(ord, repr(G))) * 100 + 10 * k + l)   # fixed per case
    B = rt.layer_basis(G, k, l)
    n = G.n
    batch, c_in, c_out = int(rng.integers(1, 4)), int(rng.integers(1, 3)), int(rng.integers(1, 3))
    x = rng.standard_normal((batch, c_in) + (n,) * k)
    w = rng.standard_normal((c_out, c_in, len(B)))
    mats = np.stack([m.toarray() for m in B.matrices()])            # (b, n^l, n^k)
    ref = np.einsum("ocb,bij,zcj->zoi", w, mats, x.reshape(batch, c_in, -1))
    ref = ref.reshape((batch, c_out) + (n,) * l)
    scale = np.abs(ref).max() + 1e-300
    x32, w32 = x.astype(np.float32), w.astype(np.float32)
    ref32 = np.einsum("ocb,bij,zcj->zoi", w32.astype(float), mats,
                      x32.astype(float).reshape(batch, c_in, -1)).reshape(ref.shape)
    compared = 0
    for backend in BACKENDS:
        if backend in _have and not _have[backend]:
            continue
        compared += 1
        for xx, ww, rr, tol, dt in ((x, w, ref, 1e-12, np.float64), (x32, w32, ref32, 1e-5, np.float32)):
            if backend == "torch":
                import torch

                y = B.apply(torch.as_tensor(ww), torch.as_tensor(xx), backend="torch").numpy()
            else:
                y = B.apply(ww, xx, backend=backend)
            assert y.dtype == dt, backend
            # relative to the largest entry: entries of size ~0 come from cancellation
            np.testing.assert_allclose(y, rr, rtol=tol, atol=tol * scale,
                                       err_msg=f"backend {backend}, {np.dtype(dt).name}")
    assert compared >= 2
