"""The obstruction to extending a foliation jet by one order (hypersurface, local polynomial model).

Setting and conventions
-----------------------
Coordinates ``(x, y_1, ..., y_{n-1})``, ``W = {x = 0}``.  A distribution D of rank n - 1 with
``D|_W = TW`` is written in *graph form*, ``e_i = d/dy_i + a_i d/dx`` with ``a_i in (x)``.  Its
m-jet ``a_i mod x^{m+1}`` is a *foliation jet of order m* if D is involutive up to order m
(``[e_i, e_j] = (e_i a_j - e_j a_i) d/dx in (x^{m+1})``); it gives the b^{m+1}-type foliation
``F_D``.  Writing ``a_i = sum_r a_i^(r)(y) x^r``, the ``x^{m+1}`` coefficient of
``e_i a_j - e_j a_i`` after adding ``beta_i x^{m+1}`` to ``a_i`` is::

    Omega_ij + (d beta + m alpha ^ beta)_ij,   alpha = sum a_i^(1) dy_i (the linear holonomy form),

where ``Omega_ij = sum_{r+s=m+2, 1<=r,s<=m} (s - r) a_i^(r) a_j^(s)`` comes from the jet alone.
The jet extends to order m + 1 iff ``d beta + m alpha ^ beta = -Omega`` has a solution; the
class of Omega in the alpha-twisted cohomology ``H^2`` of W is the obstruction.

* ``setting="polynomial"``: W = R^{n-1}, beta polynomial in y of degree <= ``max_degree``.
* ``setting="torus"``: W = T^{n-1} (the y are angles) with translation-invariant jet
  coefficients (constants); then only constant beta can help (Fourier mode 0), and the
  obstruction is a genuine class, e.g. ``a = (x^2, x^3)`` on T^2 at m = 3 gives
  ``Omega = dy_1 ^ dy_2 != 0`` in ``H^2(T^2)``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy as sp

from .._validate import check_int
from ..errors import InvalidParameterError, ReptheoryTypeError
from ._fields import NotInvolutiveError, VectorField
from ._jets import Submanifold, _as_generators

__all__ = ["ExtensionResult", "extension_obstruction"]


@dataclass(frozen=True)
class ExtensionResult:
    """Result of :func:`extension_obstruction`.

    Attributes
    ----------
    extends : bool
        Whether the order-m jet extends to a foliation jet of order m + 1.
    order : int
        m.
    obstruction : dict
        ``{(i, j): Omega_ij}`` (non-zero entries): the order-(m+1) coefficient of ``[e_i, e_j]``
        (along d/dx) produced by the jet, before any correction.
    correction : tuple
        ``beta_i`` (coefficient of x^{m+1} added to ``a_i``) when the jet extends.
    extended : tuple of VectorField
        The corrected generators ``d/dy_i + (a_i mod x^{m+1} + beta_i x^{m+1}) d/dx``.
    """

    extends: bool
    order: int
    obstruction: dict
    correction: tuple = ()
    extended: tuple = ()


def _graph_form(gens, x, ys, cs):
    a = []
    for i, g in enumerate(gens):
        comps = dict(zip(cs, g.components))
        for j, y in enumerate(ys):
            want = 1 if i == j else 0
            if sp.simplify(comps[y] - want) != 0:
                raise InvalidParameterError(
                    f"generator {i} of D, {g}, is not in graph form d/d{ys[i]} + a d/d{x}: its "
                    f"d/d{y} component is {comps[y]}, expected {want}"
                )
        ai = sp.expand(comps[x])
        if ai.subs(x, 0) != 0:
            raise InvalidParameterError(
                f"generator {i} of D, {g}, is not tangent to W = {{{x} = 0}}: a_{i}|_W = {ai.subs(x, 0)}"
            )
        a.append(ai)
    return a


def _truncate(expr, x, m):
    p = sp.Poly(sp.expand(expr), x)
    return sp.expand(sum((c * x**e for (e,), c in p.terms() if e <= m), sp.S.Zero))


def _coeff(expr, x, r):
    return sp.expand(sp.expand(expr).coeff(x, r))


def extension_obstruction(D: object, W: Submanifold, m: int, setting: str = "polynomial",
                          max_degree: int | None = None) -> ExtensionResult:
    """Decide whether an order-m foliation jet extends to order m + 1 (see module doc).

    Parameters
    ----------
    D : sequence of VectorField or VectorFieldModule
        n - 1 generators in graph form ``d/dy_i + a_i d/dx`` (x the first coordinate); only
        ``a_i mod x^{m+1}`` is used.
    W : Submanifold
        ``{x = 0}`` with x the first coordinate.
    m : int
        The jet order, m >= 1.
    setting : {"polynomial", "torus"}
    max_degree : int, optional
        Degree bound in y for beta in the polynomial setting (default: deg Omega + 1).

    Returns
    -------
    ExtensionResult

    Raises
    ------
    InvalidParameterError
        If D is not in graph form, not tangent to W, or W is not ``{x = 0}``.
    NotInvolutiveError
        If D is not involutive up to order m (naming the bracket and its lowest term).

    Examples
    --------
    >>> import sympy as sp
    >>> x, y1, y2 = sp.symbols("x y1 y2")
    >>> cs = (x, y1, y2); W = Submanifold([x], cs)
    >>> D = [VectorField([x**2, 1, 0], cs), VectorField([x**3, 0, 1], cs)]
    >>> extension_obstruction(D, W, 3, setting="torus").extends
    False
    >>> res = extension_obstruction(D, W, 3)
    >>> res.extends, res.obstruction, res.correction
    (True, {(0, 1): 1}, (y2, 0))
    """
    m = check_int("m", m, minimum=1)
    if setting not in ("polynomial", "torus"):
        raise InvalidParameterError(f"setting must be 'polynomial' or 'torus', got {setting!r}")
    if not isinstance(W, Submanifold):
        raise ReptheoryTypeError(f"W must be a Submanifold, got {type(W).__name__}")
    cs = W.coords
    x, ys = cs[0], cs[1:]
    if W.equations != (x,):
        raise InvalidParameterError(f"W must be {{{x} = 0}} for the first coordinate {x}, got {W}")
    gens = _as_generators(D, W)
    if len(gens) != len(ys):
        raise InvalidParameterError(f"D must have n - 1 = {len(ys)} generators, got {len(gens)}")
    a = [_truncate(ai, x, m) for ai in _graph_form(gens, x, ys, cs)]
    if setting == "torus":
        for i, ai in enumerate(a):
            if ai.free_symbols & set(ys):
                raise InvalidParameterError(
                    f"setting='torus' needs translation-invariant jets; a_{i} = {ai} depends on {ys}"
                )

    def bracket_coeff(avec, i, j):
        ei = lambda f: sp.diff(f, ys[i]) + avec[i] * sp.diff(f, x)
        ej = lambda f: sp.diff(f, ys[j]) + avec[j] * sp.diff(f, x)
        return sp.expand(ei(avec[j]) - ej(avec[i]))

    omega = {}
    for i, j in itertools.combinations(range(len(ys)), 2):
        b = bracket_coeff(a, i, j)
        for r in range(m + 1):
            c = _coeff(b, x, r)
            if c != 0:
                raise NotInvolutiveError(
                    f"D is not involutive up to order {m}: [generator {i}, generator {j}] = "
                    f"({b}) d/d{x} has the term ({c}) {x}**{r} of order {r} <= {m}"
                )
        c = _coeff(b, x, m + 1)
        if c != 0:
            omega[(i, j)] = c
    n1 = len(ys)
    if not omega:
        ext = tuple(VectorField([a[i]] + [1 if q == i else 0 for q in range(n1)], cs) for i in range(n1))
        return ExtensionResult(True, m, {}, tuple(sp.S.Zero for _ in ys), ext)
    if setting == "torus":
        deg = 0
    elif max_degree is not None:
        deg = check_int("max_degree", max_degree, minimum=0)
    else:
        deg = max(sp.Poly(v, *ys).total_degree() for v in omega.values()) + 1 if ys else 0
    monos = [sp.Mul(*[y**e for y, e in zip(ys, exps)])
             for exps in itertools.product(range(deg + 1), repeat=n1) if sum(exps) <= deg]
    unknowns = []
    beta = []
    for i in range(n1):
        us = sp.symbols(f"_b{i}_0:{len(monos)}")
        unknowns += list(us)
        beta.append(sum((u * mo for u, mo in zip(us, monos)), sp.S.Zero))
    a_new = [sp.expand(a[i] + beta[i] * x ** (m + 1)) for i in range(n1)]
    eqs = []
    for i, j in itertools.combinations(range(n1), 2):
        c = _coeff(bracket_coeff(a_new, i, j), x, m + 1)
        if c != 0:
            eqs += sp.Poly(c, *ys).coeffs() if ys else [c]
    sol = sp.linsolve(eqs, *unknowns) if eqs else sp.FiniteSet(tuple(sp.S.Zero for _ in unknowns))
    if not sol:
        return ExtensionResult(False, m, omega)
    (vals,) = sol
    vals = [sp.sympify(v).subs({u: 0 for u in unknowns}) for v in vals]
    sub = dict(zip(unknowns, vals))
    beta = tuple(sp.expand(b.subs(sub)) for b in beta)
    ext = tuple(
        VectorField([sp.expand(a[i] + beta[i] * x ** (m + 1))] + [1 if q == i else 0 for q in range(n1)], cs)
        for i in range(n1)
    )
    return ExtensionResult(True, m, omega, beta, ext)
