"""Holonomy of a jet of a codimension-one foliation along a circle W = S^1.

On ``S^1_theta x R_x`` with ``W = {x = 0}``, a distribution D with ``D|_W = TW`` is spanned by
``e = d/dtheta + a(theta, x) d/dx`` with ``a(theta, 0) = 0``.  Following e once around the
circle (time 2 pi, starting at ``x_0``) gives the holonomy map ``x_0 -> H(x_0)``; its
(k-1)-jet at 0 depends only on the (k-1)-jet of a and is the holonomy invariant of the
b^k-type foliation ``F_D`` (k = 2: the linear holonomy ``H'(0) = exp(int_0^{2pi} a_1)``).
Scott's b^k-tangent bundle (``a = 0``) has trivial holonomy.
"""

from __future__ import annotations

import sympy as sp

from .._validate import check_int
from ..errors import InvalidParameterError, ReptheoryTypeError
from ._fields import VectorField

__all__ = ["jet_holonomy"]


def jet_holonomy(e: VectorField, k: int, x0: sp.Symbol | None = None) -> sp.Expr:
    """The (k-1)-jet at 0 of the holonomy map of ``e = d/dtheta + a(theta, x) d/dx`` around S^1.

    Parameters
    ----------
    e : VectorField
        On coordinates ``(theta, x)``; the theta-component must be 1 and ``a`` a polynomial in x
        (coefficients 2 pi-periodic functions of theta), vanishing at x = 0.  Integrals sympy
        cannot do in closed form stay as unevaluated ``Integral`` objects (use ``evalf``);
        keep theta-dependence elementary (e.g. constant ``a_1``) for fast, closed results.
    k : int
        k >= 1; the result is ``H(x0) mod x0^k`` (k = 1 gives 0).
    x0 : Symbol, optional
        The variable of the result (default: the coordinate x).

    Returns
    -------
    sympy expression, a polynomial of degree < k in ``x0``.

    Raises
    ------
    InvalidParameterError
        If e is not of the form above (naming the offending component).

    Examples
    --------
    >>> th, x, c = sp.symbols("theta x c")
    >>> jet_holonomy(VectorField([1, c * x], (th, x)), 3)
    x*exp(2*pi*c)
    >>> jet_holonomy(VectorField([1, x**2], (th, x)), 3)
    2*pi*x**2 + x
    """
    if not isinstance(e, VectorField):
        raise ReptheoryTypeError(f"e must be a VectorField, got {type(e).__name__}")
    k = check_int("k", k, minimum=1)
    if e.dim != 2:
        raise InvalidParameterError(f"e must live on (theta, x), got coordinates {e.coords}")
    th, x = e.coords
    if sp.simplify(e.components[0] - 1) != 0:
        raise InvalidParameterError(f"the d/d{th} component of e must be 1, got {e.components[0]}")
    a = sp.expand(e.components[1])
    if not a.is_polynomial(x):
        raise InvalidParameterError(f"the d/d{x} component {a} must be polynomial in {x}")
    if sp.simplify(a.subs(x, 0)) != 0:
        raise InvalidParameterError(f"e is not tangent to W = {{{x} = 0}}: a({th}, 0) = {a.subs(x, 0)}")
    x0 = x if x0 is None else x0
    if k == 1:
        return sp.S.Zero
    poly = sp.Poly(a, x)
    coeff = {m: sp.sympify(poly.coeff_monomial(x**m)) for m in range(k)}
    s = sp.Dummy("s")
    a1 = coeff.get(1, sp.S.Zero)
    E = sp.exp(sp.integrate(a1.subs(th, s), (s, 0, th)))
    # X(theta) = sum_r X_r(theta) x0^r, X(0) = x0:  X_r' = a1 X_r + g_r
    X = {1: sp.simplify(E)}
    t = sp.Dummy("t")
    for r in range(2, k):
        partial = sum((X[q] * t**q for q in range(1, r)), sp.S.Zero)
        g = sp.S.Zero
        for m in range(2, r + 1):
            if coeff.get(m, 0) != 0:
                g += coeff[m] * sp.expand(partial**m).coeff(t, r)
        g = sp.simplify(g)
        integrand = sp.simplify((g / E).subs(th, s))
        X[r] = sp.simplify(E * sp.integrate(integrand, (s, 0, th)))
    out = sum((sp.simplify(X[r].subs(th, 2 * sp.pi)) * x0**r for r in range(1, k)), sp.S.Zero)
    return sp.expand(out)
