"""b^k de Rham cohomology: Scott's formula and a direct exact computation on product models.

Direct computation (``algebroid_cohomology``)
---------------------------------------------
The base is ``T^m x R^L`` with *angle* coordinates ``theta_1..theta_m`` (periodic) and *linear*
coordinates ``x_1..x_L``.  The anchor and structure functions must be polynomials in the
linear coordinates, independent of the angles, and each frame element must be homogeneous
for the scaling of every linear coordinate separately (true for Scott's local model and for
the twisted examples of arXiv:2311.17045).  Cochains are Fourier modes in the angles times
polynomials (formal Taylor series along the x's).  The Chevalley-Eilenberg differential
preserves the Fourier mode j and the multi-weight ``w = deg_x(coefficient) - sum weights of the
frame elements in alpha^I``, so the complex splits into finite-dimensional pieces whose
cohomology is computed by exact ranks over Q(i).  Modes with ``|j_t| <= max_mode`` and
weights in a window around zero are summed; ``details=True`` returns the per-piece
contributions so that a caller can see the boundary pieces vanish.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import sympy as sp
from sympy.polys.domains import QQ_I
from sympy.polys.matrices import DomainMatrix

from .._validate import check_dense_size, check_int
from ..errors import InvalidParameterError, ReptheoryTypeError
from ._algebroid import LieAlgebroid, _perm_sign
from ._fields import VectorField, as_coords

__all__ = [
    "algebroid_cohomology",
    "bk_cohomology",
    "twisted_bk_algebroid",
]


def _betti(name: str, b: object) -> list[int]:
    try:
        vals = list(b)  # type: ignore[arg-type]
    except TypeError as exc:
        raise ReptheoryTypeError(f"{name} must be a list of Betti numbers, got {b!r}") from exc
    if not vals:
        raise InvalidParameterError(f"{name} must be non-empty (b_0 first)")
    return [check_int(f"{name}[{i}]", v, minimum=0) for i, v in enumerate(vals)]


def bk_cohomology(betti_M: Sequence[int], betti_Z: Sequence[int], k: int) -> list[int]:
    """Dimensions of b^k de Rham cohomology by Scott's theorem:
    ``dim H^p = b_p(M) + k * b_{p-1}(Z)``.

    Parameters
    ----------
    betti_M : sequence of int
        Betti numbers ``b_0(M), b_1(M), ...`` (missing ones are zero).
    betti_Z : sequence of int
        Betti numbers of the hypersurface Z.
    k : int
        k >= 1.

    Returns
    -------
    list of int
        ``[dim H^0, dim H^1, ...]`` of length ``max(len(betti_M), len(betti_Z) + 1)``.

    Raises
    ------
    InvalidParameterError
        If k < 1 or a Betti number is negative.

    Examples
    --------
    >>> bk_cohomology([1, 1], [1, 1], 2)      # S^1 x R, Z = S^1 x {0}
    [1, 3, 2]
    >>> bk_cohomology([1, 0, 1], [1, 1], 3)   # S^2, Z = equator
    [1, 3, 4]
    """
    bm = _betti("betti_M", betti_M)
    bz = _betti("betti_Z", betti_Z)
    k = check_int("k", k, minimum=1)
    n = max(len(bm), len(bz) + 1)
    bm += [0] * (n - len(bm))
    bz += [0] * (n - len(bz))
    return [bm[p] + (k * bz[p - 1] if p >= 1 else 0) for p in range(n)]


def twisted_bk_algebroid(k: int, c: object, coords: object = "theta x") -> LieAlgebroid:
    """The algebroid on ``S^1_theta x R_x`` spanned by ``e1 = d_theta + c x d_x`` and ``e2 = x^k d_x``.

    ``[e1, e2] = c (k - 1) e2``; for k = 2 and c != 0 this is the twisted
    b^2-algebroid with linear holonomy ``exp(2 pi c)``.

    Examples
    --------
    >>> A = twisted_bk_algebroid(2, sp.Rational(1, 3))
    >>> A.structure(0, 1), A.anchor_determinant()
    ((0, 1/3), x**2)
    """
    k = check_int("k", k, minimum=1)
    cs = as_coords(coords)
    if len(cs) != 2:
        raise InvalidParameterError(f"coords must be two symbols (angle, normal), got {cs}")
    x = cs[1]
    c = sp.sympify(c)
    return LieAlgebroid.from_vector_fields(
        [VectorField([1, c * x], cs), VectorField([0, x**k], cs)],
        names=["d_theta + c x d_x", f"x^{k} d_x"],
    )


def _weights(A: LieAlgebroid, angles: tuple, lins: tuple) -> list[tuple[int, ...]]:
    """The multi-weight of each frame element (d/dx_t has weight -1 in slot t)."""
    L = len(lins)
    out = []
    for i, f in enumerate(A.anchor):
        wt = None
        for a, comp in enumerate(f.components):
            if comp == 0:
                continue
            coord = A.coords[a]
            shift = [0] * L
            if coord in lins:
                shift[lins.index(coord)] = -1
            poly = sp.Poly(comp, *lins) if L else None
            monos = poly.monoms() if L else [()]
            for m in monos:
                w = tuple(mi + si for mi, si in zip(m, shift))
                if wt is None:
                    wt = w
                elif wt != w:
                    raise InvalidParameterError(
                        f"frame element {i} ({A.names[i]}) is not homogeneous in {lins}: "
                        f"weights {wt} and {w}; the direct computation needs homogeneous frames"
                    )
        if wt is None:
            raise InvalidParameterError(f"frame element {i} ({A.names[i]}) has zero anchor")
        out.append(wt)
    return out


def algebroid_cohomology(A: LieAlgebroid, angles: Sequence[sp.Symbol] = (), max_mode: int = 1,
                         weight_margin: int = 1, subs: dict | None = None, details: bool = False):
    """Exact cohomology dimensions of a homogeneous algebroid on ``T^m x R^L`` (see module doc).

    Parameters
    ----------
    A : LieAlgebroid
    angles : sequence of Symbols
        The periodic coordinates (must not appear in the coefficients).
    max_mode : int
        Fourier modes ``|j_t| <= max_mode`` are included.
    weight_margin : int
        Weights up to ``(sum of positive frame weights) + weight_margin`` are included.
    subs : dict, optional
        Values for parameters (e.g. ``{c: Rational(37, 100)}``).
    details : bool
        Also return ``{(mode, weight): [dims]}`` for the pieces that contribute.

    Returns
    -------
    list of int (and the details dict if requested)

    Raises
    ------
    InvalidParameterError
        On non-polynomial or angle-dependent coefficients, free parameters, or
        non-homogeneous frames.

    Examples
    --------
    >>> from reptheory.algebroids import bk_tangent_bundle
    >>> algebroid_cohomology(bk_tangent_bundle(1, 3))          # (R, {0}), k = 3
    [1, 3]
    >>> A = twisted_bk_algebroid(2, sp.Rational(37, 100))
    >>> algebroid_cohomology(A, angles=A.coords[:1])             # twisted: differs from Scott
    [1, 2, 1]
    """
    if not isinstance(A, LieAlgebroid):
        raise ReptheoryTypeError(f"A must be a LieAlgebroid, got {type(A).__name__}")
    max_mode = check_int("max_mode", max_mode, minimum=0)
    weight_margin = check_int("weight_margin", weight_margin, minimum=0)
    angles = tuple(angles)
    for t in angles:
        if t not in A.coords:
            raise InvalidParameterError(f"angle {t} is not one of the coordinates {A.coords}")
    lins = tuple(c for c in A.coords if c not in angles)
    subs = subs or {}
    r, n = A.rank, A.dim
    anchor = [[sp.expand(sp.sympify(f.components[a]).subs(subs)) for a in range(n)] for f in A.anchor]
    struct = [[[sp.expand(sp.sympify(v).subs(subs)) for v in A.structure(i, j)] for j in range(r)]
              for i in range(r)]
    for e in [v for row in anchor for v in row] + [v for m in struct for row in m for v in row]:
        bad = e.free_symbols - set(lins)
        if bad:
            raise InvalidParameterError(
                f"coefficient {e} involves {sorted(map(str, bad))}: give parameter values via subs= "
                f"and keep the coefficients independent of the angles {angles}"
            )
        if not e.is_polynomial(*lins):
            raise InvalidParameterError(f"coefficient {e} is not polynomial in {lins}")
    A2 = LieAlgebroid(A.coords, [VectorField(row, A.coords) for row in anchor],
                      {(i, j): struct[i][j] for i in range(r) for j in range(i + 1, r)}, A.names)
    wts = _weights(A2, angles, lins)
    L = len(lins)
    lo = [-sum(max(0, w[t]) for w in wts) for t in range(L)]
    hi = [sum(max(0, w[t]) for w in wts) + weight_margin for t in range(L)]
    modes = list(itertools.product(range(-max_mode, max_mode + 1), repeat=len(angles)))
    total = [0] * (r + 1)
    info: dict = {}
    ang_idx = [A.coords.index(t) for t in angles]
    lin_idx = [A.coords.index(t) for t in lins]
    for j in modes:
        for w in itertools.product(*[range(lo[t], hi[t] + 1) for t in range(L)]):
            dims = _piece(anchor, struct, wts, j, w, ang_idx, lin_idx, lins, A.coords, r)
            if any(dims):
                info[(j, w)] = dims
                total = [a + b for a, b in zip(total, dims)]
    return (total, info) if details else total


def _basis(wts, w, r, p):
    out = []
    for I in itertools.combinations(range(r), p):
        a = tuple(w[t] + sum(wts[i][t] for i in I) for t in range(len(w)))
        if all(v >= 0 for v in a):
            out.append((I, a))
    return out


def _piece(anchor, struct, wts, j, w, ang_idx, lin_idx, lins, coords, r) -> list[int]:
    bases = [_basis(wts, w, r, p) for p in range(r + 1)]
    check_dense_size("cochain piece", max(len(b) for b in bases) ** 2)
    ranks = []
    for p in range(r):
        src, tgt = bases[p], bases[p + 1]
        if not src or not tgt:
            ranks.append(0)
            continue
        index = {b: t for t, b in enumerate(tgt)}
        rows = [[sp.S.Zero] * len(src) for _ in tgt]
        for col, (I, a) in enumerate(src):
            coef = sp.Mul(*[x**e for x, e in zip(lins, a)])
            for J, val in _d_basis(anchor, struct, j, ang_idx, lin_idx, coords, I, coef, r).items():
                val = sp.expand(val)
                if val == 0:
                    continue
                terms = sp.Poly(val, *lins).terms() if lins else [((), val)]
                for mono, cf in terms:
                    key = (J, tuple(mono))
                    if key not in index:
                        raise InvalidParameterError(
                            f"the differential does not preserve weights (term {key}); "
                            "the frame is not homogeneous"
                        )
                    rows[index[key]][col] += cf
        M = DomainMatrix.from_Matrix(sp.Matrix(rows)).convert_to(QQ_I)
        ranks.append(int(M.rank()))
    dims = []
    for p in range(r + 1):
        rk_out = ranks[p] if p < r else 0
        rk_in = ranks[p - 1] if p >= 1 else 0
        dims.append(len(bases[p]) - rk_out - rk_in)
    return dims


def _rho(anchor, i, f, j, ang_idx, lin_idx, coords):
    """rho(e_i) applied to ``f * e^{i j.theta}``, divided by the Fourier factor."""
    v = sp.S.Zero
    for t, a in enumerate(ang_idx):
        if anchor[i][a] != 0 and j[t] != 0:
            v += sp.I * j[t] * anchor[i][a] * f
    for a in lin_idx:
        if anchor[i][a] != 0:
            v += anchor[i][a] * sp.diff(f, coords[a])
    return v


def _d_basis(anchor, struct, j, ang_idx, lin_idx, coords, I, coef, r):
    """d of ``coef * e^{i j.theta} alpha^I``, without the Fourier factor."""
    p = len(I)
    out = {}

    def value(K):
        if len(set(K)) != len(K):
            return sp.S.Zero
        perm = sorted(range(len(K)), key=lambda a: K[a])
        if tuple(K[a] for a in perm) != I:
            return sp.S.Zero
        return _perm_sign(perm) * coef

    for J in itertools.combinations(range(r), p + 1):
        val = sp.S.Zero
        for a in range(p + 1):
            c0 = value(J[:a] + J[a + 1:])
            if c0 != 0:
                val += (-1) ** a * _rho(anchor, J[a], c0, j, ang_idx, lin_idx, coords)
        for a, b in itertools.combinations(range(p + 1), 2):
            cab = struct[J[a]][J[b]]
            rest = J[:a] + J[a + 1:b] + J[b + 1:]
            for l in range(r):
                if cab[l] != 0:
                    v = value((l,) + rest)
                    if v != 0:
                        val += (-1) ** (a + b) * cab[l] * v
        if val != 0:
            out[J] = val
    return out
