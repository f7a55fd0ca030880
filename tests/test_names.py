"""Renamed modules and functions: the new names work, the old ones are deprecated aliases."""

import itertools
import subprocess
import sys
import warnings

import pytest

import reptheory as rt
from reptheory import layers


def _orbits_brute_force(n, m, even_only=False):
    """Orbits of S_n (or A_n) on [n]^m by applying every group element to every tuple."""
    perms = [p for p in itertools.permutations(range(n))
             if not even_only or sum(p[i] > p[j] for i in range(n) for j in range(i + 1, n)) % 2 == 0]
    seen, orbits = set(), 0
    for t in itertools.product(range(n), repeat=m):
        if t in seen:
            continue
        orbits += 1
        seen.update(tuple(p[i] for i in t) for p in perms)
    return orbits


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_import_reptheory_stays_light_and_torch_is_lazy():
    out = _run("import sys, reptheory as rt, reptheory.polynomials, reptheory.numpy; "
               "print(sorted(m for m in ('torch', 'numba', 'matplotlib', 'jax') "
               "if m in sys.modules))")
    assert out == "[]"


def test_rt_torch_attribute():
    pytest.importorskip("torch")
    from reptheory.torch import EquivariantLinear

    assert rt.torch.EquivariantLinear is EquivariantLinear
    with pytest.raises(AttributeError, match="no attribute 'not_a_subpackage'"):
        rt.not_a_subpackage  # noqa: B018


def test_nn_is_a_deprecated_alias_of_numpy():
    sys.modules.pop("reptheory.nn", None)
    with pytest.warns(DeprecationWarning, match="reptheory.numpy"):
        import reptheory.nn as old
    import reptheory.numpy as new

    names = list(new.__all__)
    assert names and old.__all__ == names
    for name in names:
        assert getattr(old, name) is getattr(new, name)
    assert rt.numpy is new


def test_polynomials_torch_names():
    pytest.importorskip("torch")
    from reptheory import polynomials
    from reptheory.polynomials import _torch_layers

    names = ("PolynomialFeatures", "evaluate_basis_torch", "evaluate_torch")
    for name in names:
        assert getattr(polynomials, name) is getattr(_torch_layers, name)
    sys.modules.pop("reptheory.polynomials.torch_layers", None)
    with pytest.warns(DeprecationWarning, match="reptheory.polynomials"):
        from reptheory.polynomials import torch_layers
    assert [getattr(torch_layers, n) for n in names] == [getattr(_torch_layers, n) for n in names]


def test_levi_civita_module_name():
    from reptheory.diagrams import LeviCivitaDiagram

    assert LeviCivitaDiagram.__module__ == "reptheory.diagrams._levi_civita"


@pytest.mark.parametrize(("new", "old", "args"), [
    ("symmetric_hom_dimension", "sn_hom_dimension_stirling", (3, 2, 2)),
    ("symmetric_hom_dimension_mckay", "sn_hom_dimension_mckay", (3, 2, 2)),
    ("alternating_hom_dimension_burnside", "alternating_burnside", (4, 4)),
])
def test_dimension_functions_new_and_deprecated_names(new, old, args):
    n = args[0]
    m = sum(args[1:])
    expected = _orbits_brute_force(n, m, even_only="alternating" in new)
    assert getattr(layers, new)(n, m, 0) == expected
    assert new in layers.__all__ and old not in layers.__all__
    with pytest.warns(DeprecationWarning, match=f"{old} is deprecated.*layers.{new}"):
        assert getattr(layers, old)(*args) == expected


def test_hom_dimension_by_method_and_deprecated_name():
    G = rt.O(3)
    new = layers.hom_dimension_by_method(G, 2, 2)
    assert new == {"Bratteli walks": 3, "exact Gram rank": 3}   # delta delta, identity, swap
    with pytest.warns(DeprecationWarning, match="hom_dimension_by_method"):
        assert layers.hom_dimension_methods(G, 2, 2) == new


def test_every_family_dimension_function_follows_one_style():
    funcs = [n for n in layers.__all__ if "dimension" in n]
    assert funcs
    for name in funcs:
        assert name.startswith("hom_dimension") or "_hom_dimension" in name, name
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert layers.symmetric_hom_dimension(4, 2, 2) == 15
