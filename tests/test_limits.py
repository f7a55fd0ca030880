"""Size guards and stable-range dimensions (issue 19, item 1).

The stable-range dimensions are checked against the families' own exact computations (Stirling
sums, Bratteli walks) at moderate n, and the guards' element counts against the enumerated bases.
"""

import time

import numpy as np
import pytest

import reptheory as rt
from reptheory.errors import InvalidParameterError, ShapeError, SizeLimitError
from reptheory.layers._alternating import alternating_hom_dimension
from reptheory.layers._brauer_family import (
    orthogonal_hom_dimension,
    special_orthogonal_hom_dimension,
    symplectic_hom_dimension,
)
from reptheory.layers._dimension import symmetric_hom_dimension
from reptheory.layers._registry import _build_cost, _stable_threshold

HUGE = 10**9
# the families' own computations (walks and Stirling sums, no stable-range shortcut)
FAMILIES = {
    "S": (rt.S, symmetric_hom_dimension),
    "A": (rt.A, alternating_hom_dimension),
    "O": (rt.O, orthogonal_hom_dimension),
    "SO": (rt.SO, special_orthogonal_hom_dimension),
    "Sp": (rt.Sp, symplectic_hom_dimension),
}


@pytest.mark.parametrize("symbol", sorted(FAMILIES))
def test_stable_threshold_and_huge_n(symbol):
    make, walk = FAMILIES[symbol]
    compared = 0
    for k, l in [(0, 0), (1, 0), (1, 1), (2, 1), (2, 2), (3, 2), (3, 3), (4, 2)]:
        m = k + l
        t = _stable_threshold(symbol, m)
        ns = [n for n in range(max(t, 1), t + 4) if symbol != "Sp" or n % 2 == 0]
        values = {walk(n, k, l) for n in ns}
        assert len(values) == 1, (symbol, k, l, values)  # constant from the threshold on
        (stable,) = values
        assert rt.hom_dimension(make(HUGE), k, l) == stable
        # below the threshold hom_dimension still agrees with the family's computation
        for n in range(make(HUGE).min_n, t + 3):
            if symbol == "Sp" and n % 2:
                continue
            assert rt.hom_dimension(make(n), k, l) == walk(n, k, l), (symbol, n, k, l)
            compared += 1
    assert compared >= 20


def test_stable_dimension_is_the_diagram_count():
    # S_n, A_n: Bell numbers; O, SO, Sp: (m-1)!! (brute-force enumeration of the diagrams)
    for m in range(7):
        k, l = m // 2, m - m // 2
        n_part = sum(1 for _ in rt.diagrams.partition_diagrams(k, l))
        n_brauer = sum(1 for _ in rt.diagrams.brauer_diagrams(k, l))
        assert rt.hom_dimension(rt.S(HUGE), k, l) == rt.hom_dimension(rt.A(HUGE), k, l) == n_part
        for make in (rt.O, rt.SO, rt.Sp):
            assert rt.hom_dimension(make(HUGE), k, l) == n_brauer


@pytest.mark.parametrize("call", [
    lambda: rt.hom_dimension(rt.SO(HUGE), 2, 2),
    lambda: rt.hom_dimension(rt.Sp(HUGE), 4, 4),
    lambda: rt.layer_basis(rt.SO(HUGE), 2, 2),
    lambda: rt.layer_basis(rt.O(HUGE), 3, 3),
    lambda: rt.layer_basis(rt.S(HUGE), 2, 2),
    lambda: rt.layer_basis(rt.A(HUGE), 2, 1),
])
def test_huge_n_is_fast(call):
    t0 = time.perf_counter()
    out = call()
    assert time.perf_counter() - t0 < 60  # generous: a hang would take hours
    assert (out if isinstance(out, int) else out.dimension) > 0


def test_huge_n_basis_is_the_stable_one():
    B = rt.layer_basis(rt.SO(HUGE), 2, 2)
    assert len(B) == B.dimension == 3 and B.is_basis and B.spec.n == HUGE


@pytest.mark.parametrize("call, words", [
    (lambda: rt.layer_basis(rt.S(3), 12, 12), "47071589414 partition diagrams"),
    (lambda: rt.layer_basis(rt.S(12), 6, 6), "4213597 partition diagrams"),
    (lambda: rt.layer_basis(rt.S(3), 50, 50), "at least 2^99 partition diagrams"),
    (lambda: rt.layer_basis(rt.A(HUGE), 300, 300), "at least 2^599 partition diagrams"),
    (lambda: rt.hom_dimension(rt.S(400), 300, 300), "a sum of 400 Stirling numbers"),
    (lambda: rt.spanning_set(rt.S(2), 7, 7), "190899322 partition diagrams"),
    (lambda: rt.layer_basis(rt.Sp(HUGE), 2, 2), "form J with 1000000000 stored entries"),
    (lambda: rt.layer_basis(rt.O(3), 7, 7),
     "135135 Brauer diagrams selected from their values at 30541 random points"),
    (lambda: rt.hom_dimension(rt.O(300), 300, 300), "walk of 600 steps"),
    (lambda: rt.hom_dimension(rt.S(HUGE), 10**6, 0), "the Bell number B(1000000)"),
    (lambda: rt.hom_dimension(rt.Sp(2), 10**5, 0), "walk of 100000 steps"),
])
def test_size_errors_before_any_work(call, words):
    t0 = time.perf_counter()
    with pytest.raises(SizeLimitError) as info:
        call()
    assert time.perf_counter() - t0 < 5
    msg = str(info.value)
    assert words in msg
    assert "max_entries=" in msg and "REPTHEORY_MAX_DENSE_ENTRIES" in msg


def test_one_budget_keyword_and_environment(monkeypatch):
    B = rt.layer_basis(rt.S(4), 2, 2)
    with pytest.raises(SizeLimitError):
        rt.layer_basis(rt.S(4), 2, 2, max_entries=100)
    with pytest.raises(SizeLimitError):
        rt.spanning_set(rt.S(4), 2, 2, max_entries=100)
    with pytest.raises(InvalidParameterError, match="max_entries"):
        rt.layer_basis(rt.S(4), 2, 2, max_entries=0)
    assert len(rt.layer_basis(rt.S(4), 2, 2, max_entries=10**6)) == len(B)
    monkeypatch.setenv("REPTHEORY_MAX_DENSE_ENTRIES", "100")
    with pytest.raises(SizeLimitError, match="budget of 100"):
        rt.layer_basis(rt.S(4), 2, 2)
    with pytest.raises(SizeLimitError, match="budget of 100"):
        rt.hom_dimension(rt.O(2), 8, 8)
    assert len(rt.layer_basis(rt.S(4), 2, 2, max_entries=10**6)) == len(B)  # keyword wins


@pytest.mark.parametrize("group, k, l, kind", [
    (rt.S(3), 2, 2, None), (rt.S(2), 3, 1, "orbit"), (rt.S(6), 2, 2, "orbit"),
    (rt.A(3), 2, 1, None), (rt.A(4), 2, 2, None), (rt.A(5), 2, 1, "orbit"),
    (rt.O(2), 2, 2, None), (rt.O(5), 3, 1, None), (rt.SO(2), 2, 2, None), (rt.SO(3), 2, 1, None),
    (rt.Sp(2), 2, 2, None), (rt.Sp(4), 1, 1, None),
])
def test_counts_of_the_guard_match_the_enumeration(group, k, l, kind):
    """The element counts the guard reads (formulas) equal the diagrams actually enumerated."""
    kind = kind or "diagram"
    for spanning in (False, True):
        B = rt.spanning_set(group, k, l) if spanning else rt.layer_basis(group, k, l, kind=kind)
        _, what = _build_cost(group, k, l, kind, spanning, 2**27)
        counted = {"partition": 0, "Brauer": 0, "Levi-Civita": 0, "jellyfish": 0}
        for part in what.replace(" and ", ", ").split(", "):
            words = part.split()
            if len(words) > 1 and words[0].isdigit() and words[1] in counted:
                counted[words[1]] = int(words[0])
        kinds = {"partition": rt.diagrams.PartitionDiagram, "Brauer": rt.diagrams.BrauerDiagram,
                 "Levi-Civita": rt.diagrams.LeviCivitaDiagram,
                 "jellyfish": rt.diagrams.JellyfishDiagram}
        if spanning or len(B) == sum(counted.values()):
            built = {name: sum(type(e) is cls for e in B) for name, cls in kinds.items()}
            assert built == counted, (group, k, l, kind, spanning, what)
        else:  # a dependent set: the guard counts what is enumerated before the selection
            assert len(B) < sum(counted.values())


def test_tensor_power_rejects_non_square():
    with pytest.raises(ShapeError, match="square"):
        rt.groups.tensor_power(np.ones((3, 2)), 2)
    with pytest.raises(ShapeError, match=r"\(3, 3\)"):
        rt.O(3).tensor_power(np.ones((3, 2)), 2)
    with pytest.raises(ShapeError):
        rt.O(3).tensor_power(np.eye(2), 2)
    g = rt.O(3).random_element(7)
    np.testing.assert_allclose(rt.O(3).tensor_power(g, 2), np.einsum("ac,bd->abcd", g, g).reshape(9, 9))
    with pytest.raises(SizeLimitError):
        rt.groups.tensor_power(np.eye(10), 9)


def test_drawing_is_guarded_before_matplotlib_works():
    ds = list(rt.diagrams.partition_diagrams(3, 3))
    with pytest.raises(SizeLimitError, match="drawing 203 diagrams"):
        rt.diagrams.draw_diagrams(ds, max_entries=1000)
    many = list(rt.diagrams.partition_diagrams(4, 4))  # 4140: over the default budget
    with pytest.raises(SizeLimitError, match="REPTHEORY_MAX_DENSE_ENTRIES"):
        rt.diagrams.draw_diagrams(many)


@pytest.mark.parametrize("group, k, l", [(rt.O(HUGE), 2, HUGE), (rt.O(5), 10**8, 1),
                                         (rt.Sp(HUGE), 10**7, 10**7), (rt.SO(7), 3 * 10**4, 0),
                                         (rt.S(HUGE), 10**8, 0), (rt.A(HUGE), 0, 10**9)])
def test_huge_orders_are_refused_without_allocating(group, k, l):
    for call in (rt.hom_dimension, rt.layer_basis, rt.spanning_set):
        with pytest.raises(SizeLimitError, match="k=|exact dimension"):
            call(group, k, l)
