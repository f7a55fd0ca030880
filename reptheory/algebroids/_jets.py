"""Submanifolds given by polynomial equations, jets along them, tangency and involutivity to order.

Conventions (the v1 indexing of arXiv:2311.17045, see ``docs/notes_algebroids.md``)
------------------------------------------------------------------------------------
* ``W = {f_1 = ... = f_l = 0}``; we take ``I_W = (f_1, ..., f_l)`` (the equations are assumed
  to generate the vanishing ideal, e.g. independent coordinate-like equations).
* The *k-jet* of a function (vector field) along W is its class modulo ``I_W^{k+1}``
  (modulo ``I_W^{k+1} X(M)``), returned as a normal form for a Groebner basis of ``I_W^{k+1}``.
* A vector field v is **tangent to order k** (k >= 1) along W if ``v(f_i) in I_W^k`` for the given
  defining functions.  For k = 1 this is ordinary tangency; for k >= 2 it depends on the
  (k-1)-jet of the defining functions (Scott's ``j_Z``), which W carries.  The fields tangent to
  order k form the b^k-type foliation ``<x^I d/dx_j (|I| = k), d/dy>`` in adapted coordinates.
* A distribution D (given by generating fields) is **involutive up to order m** if
  ``[Gamma(D), Gamma(D)] subset Gamma(D) + I_W^{m+1} X(M)``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import lru_cache

import sympy as sp

from .._validate import check_int
from ..errors import InvalidParameterError, ReptheoryTypeError, ShapeError
from ._fields import NotInvolutiveError, VectorField, VectorFieldModule, _parameters, as_coords

__all__ = [
    "Submanifold",
    "check_involutive_up_to_order",
    "distribution_jet",
    "ideal_power_fields",
    "involutive_up_to_order",
    "is_tangent_to_order",
    "jet",
    "same_jet",
    "tangency_order",
]


class Submanifold:
    """A submanifold ``W = {equations = 0}`` of R^n, carrying its defining functions.

    Parameters
    ----------
    equations : sequence of polynomials (or one polynomial)
        Defining functions ``f_1, ..., f_l`` in ``coords``; their differentials must be
        independent somewhere (generic rank l), so that codim W = l.
    coords : sequence of Symbols or str

    Raises
    ------
    InvalidParameterError
        If an equation is not a polynomial in ``coords`` (naming it), or the equations are
        dependent.

    Examples
    --------
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> W = Submanifold([x], (x, y))
    >>> W.codim, W.dim
    (1, 1)
    >>> W.contains_function(x**2 * y, 2)
    True
    """

    __slots__ = ("_coords", "_equations", "_hash")

    def __init__(self, equations: object, coords: object) -> None:
        cs = as_coords(coords)
        if isinstance(equations, (sp.Expr, int, str)):
            equations = [equations]
        try:
            eqs = tuple(sp.expand(sp.sympify(e)) for e in equations)  # type: ignore[union-attr]
        except (sp.SympifyError, TypeError) as exc:
            raise ReptheoryTypeError(f"equations must be polynomials, got {equations!r}") from exc
        if not eqs:
            raise InvalidParameterError("W needs at least one defining equation")
        for i, e in enumerate(eqs):
            if not e.is_polynomial(*cs):
                raise InvalidParameterError(
                    f"equation {i} of W, {e}, is not a polynomial in the coordinates {cs}"
                )
            extra = e.free_symbols - set(cs)
            if extra:
                raise InvalidParameterError(
                    f"equation {i} of W, {e}, involves symbols {sorted(map(str, extra))} that are "
                    f"not coordinates {cs}"
                )
            if e == 0 or e.is_Number:
                raise InvalidParameterError(f"equation {i} of W is the constant {e}")
        jac = sp.Matrix([[sp.diff(e, c) for c in cs] for e in eqs])
        if jac.rank(simplify=True) != len(eqs):
            raise InvalidParameterError(
                f"the equations {eqs} of W have dependent differentials; give independent ones"
            )
        self._equations = eqs
        self._coords = cs
        self._hash = hash((eqs, cs))

    @property
    def equations(self) -> tuple[sp.Expr, ...]:
        """The defining functions."""
        return self._equations

    @property
    def coords(self) -> tuple[sp.Symbol, ...]:
        """The ambient coordinates."""
        return self._coords

    @property
    def codim(self) -> int:
        """The codimension l (number of equations)."""
        return len(self._equations)

    @property
    def dim(self) -> int:
        """The dimension n - l."""
        return len(self._coords) - len(self._equations)

    @property
    def is_hypersurface(self) -> bool:
        """True when codim W = 1."""
        return self.codim == 1

    def __repr__(self) -> str:
        return f"Submanifold({list(self._equations)}, coords={self._coords})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Submanifold):
            return NotImplemented
        return self._equations == other._equations and self._coords == other._coords

    def __hash__(self) -> int:
        return self._hash

    def ideal_power(self, k: int) -> tuple[sp.Expr, ...]:
        """Generators of ``I_W^k``: all products of k defining functions (``I^0 = (1)``)."""
        k = check_int("k", k, minimum=0)
        return _ideal_power(self._equations, k)

    def contains_point(self, point: Sequence[object] | dict) -> bool:
        """Whether all defining functions vanish at ``point``."""
        from ._fields import _point_dict

        sub = _point_dict(point, self._coords)
        return all(sp.simplify(e.subs(sub)) == 0 for e in self._equations)

    def contains_function(self, f: object, k: int) -> bool:
        """Whether the polynomial ``f`` lies in ``I_W^k``."""
        k = check_int("k", k, minimum=0)
        f = sp.expand(sp.sympify(f))
        if f == 0 or k == 0:
            return True
        if not f.is_polynomial(*self._coords):
            raise InvalidParameterError(f"function {f} is not polynomial in {self._coords}")
        params = _parameters([f], self._coords)
        return bool(_ideal_groebner(self._equations, self._coords, k, params).contains(f))

    def reduce(self, f: object, k: int) -> sp.Expr:
        """The normal form of ``f`` modulo ``I_W^k`` (a canonical representative of its class)."""
        k = check_int("k", k, minimum=1)
        f = sp.expand(sp.sympify(f))
        if f == 0:
            return sp.S.Zero
        params = _parameters([f], self._coords)
        G = _ideal_groebner(self._equations, self._coords, k, params)
        return sp.expand(G.reduce(f)[1])


@lru_cache(maxsize=128)
def _ideal_power(eqs: tuple[sp.Expr, ...], k: int) -> tuple[sp.Expr, ...]:
    if k == 0:
        return (sp.S.One,)
    return tuple(sp.expand(sp.Mul(*c)) for c in itertools.combinations_with_replacement(eqs, k))


@lru_cache(maxsize=128)
def _ideal_groebner(eqs, coords, k, params):
    kw = {}
    if params:
        kw["domain"] = sp.QQ.frac_field(*params)
    return sp.groebner(list(_ideal_power(eqs, k)), *coords, order="grevlex", **kw)


def _check_W(W: object) -> Submanifold:
    if not isinstance(W, Submanifold):
        raise ReptheoryTypeError(f"W must be a Submanifold, got {type(W).__name__}")
    return W


def _check_field(v: object, W: Submanifold, name: str = "v") -> VectorField:
    if not isinstance(v, VectorField):
        raise ReptheoryTypeError(f"{name} must be a VectorField, got {type(v).__name__}")
    if v.coords != W.coords:
        raise ShapeError(f"{name} = {v} is on coordinates {v.coords}, but W is in {W.coords}")
    if not v.is_polynomial():
        raise InvalidParameterError(f"{name} = {v} is not polynomial in {W.coords}")
    return v


def ideal_power_fields(W: Submanifold, k: int) -> tuple[VectorField, ...]:
    """Generators ``f^I d/dx_j`` (``|I| = k``) of the module ``I_W^k X(R^n)``.

    Examples
    --------
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> ideal_power_fields(Submanifold([x], (x, y)), 2)
    (VectorField((x**2, 0), coords=(x, y)), VectorField((0, x**2), coords=(x, y)))
    """
    W = _check_W(W)
    out = []
    for m in W.ideal_power(k):
        for j in range(len(W.coords)):
            out.append(VectorField([m if i == j else 0 for i in range(len(W.coords))], W.coords))
    return tuple(out)


def jet(obj: object, W: Submanifold, k: int) -> object:
    """The k-jet along W of a function or vector field: its normal form modulo ``I_W^{k+1}``.

    Two polynomials (fields) have the same k-jet iff their normal forms agree.

    Examples
    --------
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> W = Submanifold([x], (x, y))
    >>> jet(1 + x*y + x**2 + x**3, W, 1)
    x*y + 1
    """
    W = _check_W(W)
    k = check_int("k", k, minimum=0)
    if isinstance(obj, VectorField):
        _check_field(obj, W, "the vector field")
        return VectorField([W.reduce(c, k + 1) for c in obj.components], W.coords)
    f = sp.sympify(obj)
    if not f.is_polynomial(*W.coords):
        raise InvalidParameterError(f"jet needs a polynomial in {W.coords}, got {f}")
    return W.reduce(f, k + 1)


def tangency_order(v: VectorField, W: Submanifold, max_order: int = 16) -> int:
    """The largest k <= max_order with v tangent to order k along W (0 if not tangent)."""
    W = _check_W(W)
    _check_field(v, W)
    k = 0
    while k < max_order and is_tangent_to_order(v, W, k + 1):
        k += 1
    return k


def is_tangent_to_order(v: VectorField, W: Submanifold, k: int) -> bool:
    """Whether ``v(f) in I_W^k`` for every defining function f of W (k >= 1).

    Parameters
    ----------
    v : VectorField
        A polynomial vector field in W's coordinates.
    W : Submanifold
    k : int
        The order, k >= 1 (k = 1: ordinary tangency).

    Raises
    ------
    InvalidParameterError
        If k < 1 or v is not polynomial.
    ShapeError
        If v is on other coordinates.

    Examples
    --------
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> W = Submanifold([x], (x, y))
    >>> is_tangent_to_order(VectorField([x**2, 1], (x, y)), W, 2)
    True
    >>> is_tangent_to_order(VectorField([x**2, 1], (x, y)), W, 3)
    False
    """
    W = _check_W(W)
    k = check_int("k", k, minimum=1)
    _check_field(v, W)
    return all(W.contains_function(v(f), k) for f in W.equations)


def _as_generators(D: object, W: Submanifold, name: str = "D") -> tuple[VectorField, ...]:
    if isinstance(D, VectorFieldModule):
        gens = D.generators
    elif isinstance(D, VectorField):
        gens = (D,)
    else:
        try:
            gens = tuple(D)  # type: ignore[arg-type]
        except TypeError as exc:
            raise ReptheoryTypeError(
                f"{name} must be a VectorFieldModule or a sequence of VectorFields, got {D!r}"
            ) from exc
    for i, g in enumerate(gens):
        _check_field(g, W, f"generator {i} of {name}")
    return gens


def _bracket_defects(gens: Sequence[VectorField], W: Submanifold, m: int):
    target = VectorFieldModule(tuple(gens) + ideal_power_fields(W, m + 1), W.coords)
    for i, j in itertools.combinations(range(len(gens)), 2):
        b = gens[i].bracket(gens[j])
        if not target.contains(b):
            yield i, j, b


def involutive_up_to_order(D: object, W: Submanifold, k: int) -> bool:
    """Whether ``[Gamma(D), Gamma(D)] subset Gamma(D) + I_W^{k+1} X`` (k >= 0).

    Examples
    --------
    >>> import sympy as sp
    >>> x, y, z = sp.symbols("x y z")
    >>> W = Submanifold([x], (x, y, z))
    >>> D = [VectorField([0, 1, 0], (x, y, z)), VectorField([0, x, 1], (x, y, z))]
    >>> involutive_up_to_order(D, W, 0), involutive_up_to_order(D, W, 1)
    (True, True)
    >>> D2 = [VectorField([0, 1, 0], (x, y, z)), VectorField([y*x**2, 0, 1], (x, y, z))]
    >>> involutive_up_to_order(D2, W, 1), involutive_up_to_order(D2, W, 2)
    (True, False)
    """
    W = _check_W(W)
    k = check_int("k", k, minimum=0)
    gens = _as_generators(D, W)
    return next(_bracket_defects(gens, W, k), None) is None


def check_involutive_up_to_order(D: object, W: Submanifold, k: int) -> None:
    """Raise :class:`NotInvolutiveError` naming the bracket that is not in D + I_W^{k+1} X."""
    W = _check_W(W)
    k = check_int("k", k, minimum=0)
    gens = _as_generators(D, W)
    bad = next(_bracket_defects(gens, W, k), None)
    if bad is not None:
        i, j, b = bad
        raise NotInvolutiveError(
            f"D is not involutive up to order {k} along W: [generator {i}, generator {j}] = "
            f"[{gens[i]}, {gens[j]}] = {b} is not in Gamma(D) + I_W^{k + 1} X"
        )


def distribution_jet(D: object, W: Submanifold, k: int) -> VectorFieldModule:
    """The k-jet of D along W, as the module ``Gamma(D) + I_W^{k+1} X``.

    Examples
    --------
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> W = Submanifold([x], (x, y))
    >>> J = distribution_jet([VectorField([x**3, 1], (x, y))], W, 1)
    >>> J.contains(VectorField([0, 1], (x, y)))
    True
    """
    W = _check_W(W)
    k = check_int("k", k, minimum=0)
    gens = _as_generators(D, W)
    return VectorFieldModule(tuple(gens) + ideal_power_fields(W, k + 1), W.coords)


def same_jet(D1: object, D2: object, W: Submanifold, k: int) -> bool:
    """Whether two distributions have the same k-jet along W (equal modules mod I^{k+1} X)."""
    return distribution_jet(D1, W, k) == distribution_jet(D2, W, k)
