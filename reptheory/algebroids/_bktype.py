"""Singular foliations of b^k-type: local model, F_D from a jet, detection, normal form.

Conventions (v1 indexing of arXiv:2311.17045)
---------------------------------------------
A module F of vector fields is *of b^k-type along W* (codim l) if, in adapted coordinates
(x_1..x_l normal, y along W), ``F = < x^I d/dx_j (|I| = k), d/dy_i >``.  Equivalently
``F = F_D = Gamma(D) + I_W^k X`` for a distribution D with ``D|_W = TW`` that is involutive up
to order k - 1; only the (k-1)-jet of D matters.  All module questions are decided over the
polynomial ring Q[coords] (a sufficient test for the local statement at a point).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import sympy as sp

from .._validate import check_int
from ..errors import InvalidParameterError, ReptheoryTypeError
from ._fields import VectorField, VectorFieldModule, _point_dict, as_coords
from ._jets import (
    Submanifold,
    _as_generators,
    check_involutive_up_to_order,
    ideal_power_fields,
    is_tangent_to_order,
)

__all__ = [
    "BkTypeReport",
    "bk_local_model",
    "bk_normal_form",
    "bk_type_report",
    "foliation_from_jet",
    "is_bk_type",
]


def bk_local_model(dim: int, k: int, codim: int = 1, coords: object | None = None
                   ) -> tuple[VectorFieldModule, Submanifold]:
    """The local model ``<x^I d/dx_j (|I| = k), d/dy_i>`` of a b^k-type foliation.

    Parameters
    ----------
    dim : int
        n >= 1.
    k : int
        k >= 1.
    codim : int
        l, 1 <= l <= n; the first l coordinates are normal to ``W = {x_1 = .. = x_l = 0}``.
    coords : optional
        n symbols (default ``x`` / ``x1..xl`` then ``y`` / ``y1..``).

    Returns
    -------
    (VectorFieldModule, Submanifold)

    Examples
    --------
    >>> F, W = bk_local_model(3, 2, codim=2)
    >>> len(F.generators), W.equations
    (7, (x1, x2))
    >>> F.is_involutive()
    True
    """
    dim = check_int("dim", dim, minimum=1)
    k = check_int("k", k, minimum=1)
    codim = check_int("codim", codim, minimum=1, maximum=dim)
    if coords is None:
        xs = ["x"] if codim == 1 else [f"x{i}" for i in range(1, codim + 1)]
        m = dim - codim
        ys = ["y"] if m == 1 else [f"y{i}" for i in range(1, m + 1)]
        cs = as_coords(" ".join(xs + ys[:m]))
    else:
        cs = as_coords(coords)
        if len(cs) != dim:
            raise InvalidParameterError(f"coords must have {dim} symbols, got {cs}")
    W = Submanifold(list(cs[:codim]), cs)
    gens: list[VectorField] = []
    for mono in W.ideal_power(k):
        for j in range(codim):
            gens.append(VectorField([mono if a == j else 0 for a in range(dim)], cs))
    gens += [VectorField.coordinate_field(i, cs) for i in range(codim, dim)]
    return VectorFieldModule(gens, cs), W


def foliation_from_jet(D: object, W: Submanifold, k: int) -> VectorFieldModule:
    """``F_D = Gamma(D) + I_W^k X``, the b^k-type foliation of a jet of distributions.

    Parameters
    ----------
    D : VectorFieldModule or sequence of VectorField
        Generators of a distribution with ``D|_W`` tangent to W; only its (k-1)-jet matters.
    W : Submanifold
    k : int
        k >= 1.

    Raises
    ------
    InvalidParameterError
        If k < 1 or a generator of D is not tangent to W (naming it).
    NotInvolutiveError
        If D is not involutive up to order k - 1 (naming the bracket).

    Examples
    --------
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> W = Submanifold([x], (x, y))
    >>> F = foliation_from_jet([VectorField([0, 1], (x, y))], W, 2)
    >>> F == bk_local_model(2, 2)[0]
    True
    """
    k = check_int("k", k, minimum=1)
    gens = _as_generators(D, W)
    for i, g in enumerate(gens):
        if not is_tangent_to_order(g, W, 1):
            raise InvalidParameterError(
                f"generator {i} of D, {g}, is not tangent to W = {W}; F_D needs D|_W inside TW"
            )
    check_involutive_up_to_order(gens, W, k - 1)
    return VectorFieldModule(tuple(gens) + ideal_power_fields(W, k), W.coords)


@dataclass(frozen=True)
class BkTypeReport:
    """Outcome of :func:`bk_type_report`: ``is_bk``, a ``reason`` and, if so, the generators
    of a distribution D with ``F = Gamma(D) + I_W^k X``."""

    is_bk: bool
    reason: str
    distribution: tuple[VectorField, ...] = field(default=())


def bk_type_report(F: VectorFieldModule, W: Submanifold, k: int,
                   point: Sequence[object] | dict | None = None) -> BkTypeReport:
    """Decide (over Q[coords]) whether F is of b^k-type along W near ``point`` in W.

    Checks, in order: F contains ``I_W^k X``; F is involutive; every generator is tangent to
    W; the leaf through ``point`` has dimension dim W; and F is ``Gamma(D) + I_W^k X`` for D
    spanned by dim W generators independent at ``point``.

    Examples
    --------
    >>> F, W = bk_local_model(2, 3)
    >>> bk_type_report(F, W, 3).is_bk, bk_type_report(F, W, 2).is_bk
    (True, False)
    """
    if not isinstance(F, VectorFieldModule):
        raise ReptheoryTypeError(f"F must be a VectorFieldModule, got {type(F).__name__}")
    if not isinstance(W, Submanifold):
        raise ReptheoryTypeError(f"W must be a Submanifold, got {type(W).__name__}")
    k = check_int("k", k, minimum=1)
    if F.coords != W.coords:
        raise InvalidParameterError(f"F is on {F.coords} but W is in {W.coords}")
    if point is None:
        point = tuple(0 for _ in W.coords)
    sub = _point_dict(point, W.coords)
    if not W.contains_point(sub):
        raise InvalidParameterError(f"point {tuple(sub.values())} is not on W = {W}")
    for g in ideal_power_fields(W, k):
        if not F.contains(g):
            return BkTypeReport(False, f"F does not contain {g} from I_W^{k} X")
    bad = F.non_involutive_pairs()
    if bad:
        i, j, b = bad[0]
        return BkTypeReport(False, f"F is not involutive: [generator {i}, generator {j}] = {b}")
    for i, g in enumerate(F.generators):
        if not is_tangent_to_order(g, W, 1):
            return BkTypeReport(False, f"generator {i}, {g}, is not tangent to W")
    if F.rank_at(sub) != W.dim:
        return BkTypeReport(False, f"the leaf through the point has dimension {F.rank_at(sub)}, not dim W = {W.dim}")
    chosen: list[VectorField] = []
    for g in F.generators:
        trial = VectorFieldModule(chosen + [g], W.coords)
        if trial.rank_at(sub) == len(chosen) + 1:
            chosen.append(g)
        if len(chosen) == W.dim:
            break
    FD = VectorFieldModule(tuple(chosen) + ideal_power_fields(W, k), W.coords)
    for i, g in enumerate(F.generators):
        if not FD.contains(g):
            return BkTypeReport(False, f"generator {i}, {g}, is not in Gamma(D) + I_W^{k} X for D = {chosen}")
    return BkTypeReport(True, "F = Gamma(D) + I_W^k X with D|_W = TW", tuple(chosen))


def is_bk_type(F: VectorFieldModule, W: Submanifold, k: int,
               point: Sequence[object] | dict | None = None) -> bool:
    """Whether F is of b^k-type along W near ``point`` (see :func:`bk_type_report`).

    Examples
    --------
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> W = Submanifold([x], (x, y))
    >>> F = VectorFieldModule([VectorField([x**2, 0], (x, y)), VectorField([x*y, 1], (x, y))])
    >>> is_bk_type(F, W, 2)
    True
    """
    return bk_type_report(F, W, k, point).is_bk


def bk_normal_form(F: VectorFieldModule, W: Submanifold, k: int,
                   point: Sequence[object] | dict | None = None, max_degree: int = 2
                   ) -> tuple[sp.Expr, ...]:
    """New coordinates ``(phi, y_1, ..., y_{n-1})`` in which ``F = <phi^k d/dphi, d/dy_i>``.

    Hypersurface case.  ``phi = f (1 + q)`` with f the defining function and q a polynomial of
    degree <= ``max_degree`` vanishing at ``point``, chosen so that every generator v of F has
    ``v(phi) in (f^k)``; the y's are the coordinates other than one with ``d f/d x != 0`` at the
    point.  Then F is the set of fields tangent to order k to ``{phi = 0}`` (with defining
    function phi), i.e. ``<phi^k d/dphi, d/dy>`` in these coordinates.

    Raises
    ------
    InvalidParameterError
        If W is not a hypersurface, F is not of b^k-type, or no such phi of the given degree
        exists.

    Examples
    --------
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> W = Submanifold([x], (x, y))
    >>> F = VectorFieldModule([VectorField([x**3, 0], (x, y)), VectorField([x**2, 1], (x, y))])
    >>> bk_normal_form(F, W, 3)
    (-x**2*y + x, y)
    """
    k = check_int("k", k, minimum=1)
    max_degree = check_int("max_degree", max_degree, minimum=0)
    if not isinstance(W, Submanifold) or not W.is_hypersurface:
        raise InvalidParameterError("bk_normal_form needs a hypersurface W (one equation)")
    rep = bk_type_report(F, W, k, point)
    if not rep.is_bk:
        raise InvalidParameterError(f"F is not of b^{k}-type along W: {rep.reason}")
    cs = W.coords
    sub = _point_dict(point if point is not None else tuple(0 for _ in cs), cs)
    f = W.equations[0]
    monos = sorted(
        {sp.Mul(*[(c - sub[c]) ** e for c, e in zip(cs, exps)])
         for exps in itertools.product(range(max_degree + 1), repeat=len(cs))
         if 1 <= sum(exps) <= max_degree},
        key=sp.default_sort_key,
    )
    unknowns = sp.symbols(f"_q0:{len(monos)}") if monos else ()
    q = sum((u * m for u, m in zip(unknowns, monos)), sp.S.Zero)
    phi = sp.expand(f * (1 + q))
    eqs = []
    from ._jets import _ideal_groebner

    G = _ideal_groebner((f,), cs, k, ())
    for v in rep.distribution:
        image = sp.expand(v(phi))
        # reduction modulo a fixed Groebner basis is linear: reduce each unknown's coefficient
        parts = [image.subs({u: 0 for u in unknowns})] + [image.coeff(u) for u in unknowns]
        rems = [sp.expand(G.reduce(sp.expand(pt))[1]) if pt != 0 else sp.S.Zero for pt in parts]
        rem = sp.expand(rems[0] + sum((u * r for u, r in zip(unknowns, rems[1:])), sp.S.Zero))
        if rem != 0:
            eqs += [sp.expand(t) for t in sp.Poly(rem, *cs).as_dict().values()]
    if eqs:
        sol = sp.linsolve(eqs, *unknowns)
        if not sol:
            raise InvalidParameterError(
                f"no defining function f*(1+q), deg q <= {max_degree}, is invariant to order {k - 1} "
                f"under D = {rep.distribution}; try a larger max_degree"
            )
        (vals,) = sol
        vals = [sp.sympify(v).subs({u: 0 for u in unknowns}) for v in vals]
        phi = sp.expand(phi.subs(dict(zip(unknowns, vals))))
    else:
        phi = sp.expand(phi.subs({u: 0 for u in unknowns}))
    grad = [sp.diff(f, c).subs(sub) for c in cs]
    drop = next(a for a, g in enumerate(grad) if g != 0)
    return (phi,) + tuple(c for a, c in enumerate(cs) if a != drop)

