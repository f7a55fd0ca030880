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
    compared = 0
    for backend in BACKENDS:
        if backend in _have and not _have[backend]:
            continue
        compared += 1
        if backend == "torch":
            import torch

            y = B.apply(torch.as_tensor(w), torch.as_tensor(x), backend="torch").numpy()
        else:
            y = B.apply(w, x, backend=backend)
        np.testing.assert_allclose(y, ref, rtol=1e-9, atol=1e-9, err_msg=f"backend {backend}")
    assert compared >= 2
