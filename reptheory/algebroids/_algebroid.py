"""Lie algebroids given by a local frame: anchor, structure functions, identities, forms.

A :class:`LieAlgebroid` of rank r over coordinates ``(x_1..x_n)`` is given by a frame
``e_1..e_r``, the anchor ``rho(e_i)`` (a vector field) and structure functions
``[e_i, e_j] = sum_l c_ij^l e_l``.  Sections are tuples ``(s^1..s^r)`` meaning ``sum s^i e_i``;
their bracket is extended from the frame by the Leibniz rule::

    [s, t] = sum_{i,j} s^i t^j c_ij^l e_l + rho(s)(t^l) e_l - rho(t)(s^l) e_l.

Forms are written in the dual frame ``alpha^1..alpha^r``; the differential is the
Chevalley-Eilenberg one.  For the b^k-tangent bundle the dual frame is ``dx/x^k, dy_1, ...``.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Mapping, Sequence

import sympy as sp

from .._validate import check_int
from ..errors import InvalidParameterError, ReptheoryError, ReptheoryTypeError, ShapeError
from ._fields import NotInvolutiveError, VectorField, _canon, as_coords

__all__ = [
    "AlgebroidForm",
    "AlgebroidIdentityError",
    "LieAlgebroid",
    "bk_tangent_bundle",
    "random_polynomial",
]


class AlgebroidIdentityError(ReptheoryError):
    """A Lie algebroid identity (Jacobi, Leibniz, anchor, d^2 = 0) fails; the message shows
    the failing terms."""


def random_polynomial(coords: Sequence[sp.Symbol], degree: int, rng: random.Random,
                      terms: int = 3, coeff: int = 3) -> sp.Expr:
    """A small random polynomial in ``coords`` with integer coefficients, for tests and examples.

    It is the expanded sum of ``terms`` random terms ``c * m``: ``c`` uniform in
    ``[-coeff, coeff]`` and ``m`` a product of ``k`` coordinates drawn with repetition, ``k``
    uniform in ``[0, degree]``.  Terms may cancel or combine, so the result can have fewer
    terms (or be zero); its total degree is at most ``degree``.

    Parameters
    ----------
    coords : sequence of sympy.Symbol
        The variables (non-empty when ``degree > 0``).
    degree : int
        Maximal total degree, ``>= 0``.
    rng : random.Random
        Source of randomness; the same seed gives the same polynomial.
    terms : int
        Number of random terms summed, ``>= 0`` (default 3).
    coeff : int
        Bound on the absolute value of each term's coefficient, ``>= 0`` (default 3).

    Returns
    -------
    sympy.Expr
        An expanded polynomial with integer coefficients.

    Raises
    ------
    InvalidParameterError
        If ``degree``, ``terms`` or ``coeff`` is negative or not an integer, or ``coords`` is
        empty while ``degree > 0``.

    Examples
    --------
    >>> import random
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> p = random_polynomial([x, y], 2, random.Random(0), terms=4)
    >>> p == random_polynomial([x, y], 2, random.Random(0), terms=4)   # reproducible
    True
    >>> sp.Poly(p, x, y).total_degree() <= 2
    True
    >>> all(c.is_integer for c in sp.Poly(p, x, y).coeffs())
    True
    >>> random_polynomial([x, y], 3, random.Random(1), terms=0)
    0
    """
    check_int("degree", degree, minimum=0)
    check_int("terms", terms, minimum=0)
    check_int("coeff", coeff, minimum=0)
    coords = list(coords)
    if degree > 0 and not coords:
        raise InvalidParameterError("coords must be non-empty when degree > 0")
    out = sp.S.Zero
    for _ in range(terms):
        mono = sp.S.One
        for _ in range(rng.randint(0, degree)):
            mono *= rng.choice(list(coords))
        out += rng.randint(-coeff, coeff) * mono
    return sp.expand(out)


class LieAlgebroid:
    """A Lie algebroid of rank r on R^n given by a local frame.

    Parameters
    ----------
    coords : sequence of Symbols or str
    anchor : sequence of r VectorField (or an n x r matrix whose columns are the anchors)
    structure : mapping ``(i, j) -> sequence of r expressions`` with ``[e_i, e_j] = sum_l c^l e_l``
        Pairs not given are zero; giving ``(j, i)`` as well must be consistent (antisymmetry).
    names : optional names of the frame elements (for messages).

    Raises
    ------
    ShapeError, InvalidParameterError
        On inconsistent sizes or indices (naming the entry).

    Examples
    --------
    >>> A = bk_tangent_bundle(2, 3)
    >>> A.anchor_matrix()
    Matrix([
    [x**3, 0],
    [   0, 1]])
    >>> A.check_jacobi(), A.check_leibniz()
    (True, True)
    """

    __slots__ = ("_anchor", "_c", "_coords", "_hash", "_names")

    def __init__(self, coords: object, anchor: object, structure: Mapping | None = None,
                 names: Sequence[str] | None = None) -> None:
        cs = as_coords(coords)
        n = len(cs)
        if isinstance(anchor, sp.MatrixBase):
            if anchor.rows != n:
                raise ShapeError(f"anchor matrix must have {n} rows (one per coordinate), got {anchor.shape}")
            fields = tuple(VectorField(list(anchor[:, i]), cs) for i in range(anchor.cols))
        else:
            fields = tuple(anchor)  # type: ignore[arg-type]
            for i, f in enumerate(fields):
                if not isinstance(f, VectorField):
                    raise ReptheoryTypeError(f"anchor of frame element {i} must be a VectorField, got {f!r}")
                if f.coords != cs:
                    raise ShapeError(f"anchor of frame element {i}, {f}, is on {f.coords}, expected {cs}")
        r = len(fields)
        if r == 0:
            raise InvalidParameterError("a Lie algebroid needs at least one frame element")
        c = [[[sp.S.Zero] * r for _ in range(r)] for _ in range(r)]
        given: set[tuple[int, int]] = set()
        for key, val in (structure or {}).items():
            try:
                i, j = key
            except (TypeError, ValueError) as exc:
                raise InvalidParameterError(f"structure keys must be pairs (i, j), got {key!r}") from exc
            for idx in (i, j):
                check_int("structure index", idx, minimum=0, maximum=r - 1)
            vals = tuple(_canon(v) for v in val)
            if len(vals) != r:
                raise ShapeError(f"structure[{key}] must have {r} entries, got {len(vals)}")
            if i == j and any(v != 0 for v in vals):
                raise InvalidParameterError(f"structure[{key}] must be zero ([e_i, e_i] = 0), got {vals}")
            if (j, i) in given and any(_canon(a + b) != 0 for a, b in zip(vals, c[j][i])):
                raise InvalidParameterError(
                    f"structure[{(i, j)}] = {vals} is not minus structure[{(j, i)}] = {tuple(c[j][i])}"
                )
            given.add((i, j))
            c[i][j] = list(vals)
            c[j][i] = [_canon(-v) for v in vals]
        if names is None:
            names = tuple(f"e{i}" for i in range(r))
        names = tuple(str(s) for s in names)
        if len(names) != r:
            raise ShapeError(f"names must have {r} entries, got {len(names)}")
        self._coords = cs
        self._anchor = fields
        self._c = tuple(tuple(tuple(row) for row in mat) for mat in c)
        self._names = names
        self._hash = hash((cs, fields, self._c))

    # --- constructors -------------------------------------------------------------------
    @classmethod
    def from_vector_fields(cls, fields: Sequence[VectorField], names: Sequence[str] | None = None
                           ) -> LieAlgebroid:
        """The algebroid spanned by n vector fields that are a frame off a hypersurface.

        The structure functions solve ``[v_i, v_j] = sum_l c_ij^l v_l``; they must be
        polynomial (the module must be free and involutive), otherwise the offending bracket is
        named in a :class:`NotInvolutiveError`.

        Examples
        --------
        >>> import sympy as sp
        >>> th, x, c = sp.symbols("theta x c")
        >>> A = LieAlgebroid.from_vector_fields([VectorField([1, c*x], (th, x)),
        ...                                      VectorField([0, x**2], (th, x))])
        >>> A.structure(0, 1)
        (0, c)
        """
        fields = tuple(fields)
        if not fields:
            raise InvalidParameterError("fields must be non-empty")
        cs = fields[0].coords
        for i, f in enumerate(fields):
            if not isinstance(f, VectorField):
                raise ReptheoryTypeError(f"field {i} must be a VectorField, got {f!r}")
            if f.coords != cs:
                raise ShapeError(f"field {i}, {f}, is on {f.coords}, expected {cs}")
        n = len(cs)
        if len(fields) != n:
            raise ShapeError(f"from_vector_fields needs exactly n = {n} fields (a frame), got {len(fields)}")
        A = sp.Matrix([list(f.components) for f in fields]).T
        det = sp.factor(A.det())
        if det == 0:
            raise InvalidParameterError("the fields are linearly dependent everywhere (det of anchor = 0)")
        adj = A.adjugate()
        structure = {}
        for i, j in itertools.combinations(range(n), 2):
            b = fields[i].bracket(fields[j])
            coeffs = [sp.cancel(e / det) for e in adj * sp.Matrix(b.components)]
            for l, cf in enumerate(coeffs):
                if not sp.sympify(cf).is_polynomial(*cs):
                    raise NotInvolutiveError(
                        f"[field {i}, field {j}] = {b} is not in the span of the fields with polynomial "
                        f"coefficients: the coefficient of field {l} is {cf}"
                    )
            structure[(i, j)] = coeffs
        return cls(cs, fields, structure, names)

    # --- accessors ----------------------------------------------------------------------
    @property
    def coords(self) -> tuple[sp.Symbol, ...]:
        """The base coordinates."""
        return self._coords

    @property
    def rank(self) -> int:
        """The rank r (number of frame elements)."""
        return len(self._anchor)

    @property
    def dim(self) -> int:
        """The base dimension n."""
        return len(self._coords)

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the frame elements."""
        return self._names

    @property
    def anchor(self) -> tuple[VectorField, ...]:
        """The anchors ``rho(e_i)`` of the frame elements."""
        return self._anchor

    def structure(self, i: int, j: int) -> tuple[sp.Expr, ...]:
        """The structure functions ``c_ij^l`` (l = 0..r-1)."""
        return self._c[i][j]

    def anchor_matrix(self) -> sp.Matrix:
        """The n x r matrix with columns ``rho(e_i)``."""
        return sp.Matrix([list(f.components) for f in self._anchor]).T

    def anchor_determinant(self) -> sp.Expr:
        """``det(anchor)`` (factored), for rank r = n."""
        if self.rank != self.dim:
            raise ShapeError(f"anchor_determinant needs rank = dim, got rank {self.rank}, dim {self.dim}")
        return sp.factor(self.anchor_matrix().det())

    def anchor_rank_at(self, point: Sequence[object] | Mapping) -> int:
        """The rank of the anchor at ``point``: the dimension of the orbit (leaf) through it.

        Examples
        --------
        >>> A = bk_tangent_bundle(3, 2)
        >>> A.anchor_rank_at((0, 1, 1)), A.anchor_rank_at((1, 0, 0))
        (2, 3)
        """
        from ._fields import _point_dict

        sub = _point_dict(point, self._coords)
        return int(self.anchor_matrix().subs(sub).rank(simplify=True))

    def anchor_vanishing_order(self, W: object) -> int:
        """The largest m with ``f^m | det(anchor)`` for the hypersurface ``W = {f = 0}``.

        Examples
        --------
        >>> from reptheory.algebroids import Submanifold
        >>> A = bk_tangent_bundle(2, 3)
        >>> A.anchor_vanishing_order(Submanifold([A.coords[0]], A.coords))
        3
        """
        f = self._hypersurface_equation(W)
        det = sp.expand(self.anchor_matrix().det())
        if det == 0:
            raise InvalidParameterError("det(anchor) is identically zero")
        m = 0
        while True:
            q, r = sp.div(det, f, *self._coords)
            if r != 0:
                return m
            det, m = q, m + 1

    def is_isomorphic_away_from(self, W: object) -> bool:
        """Whether the anchor is an isomorphism off the hypersurface ``W = {f = 0}``.

        Decided over the complex numbers: True iff ``det(anchor) = const * f^m``, i.e. every
        irreducible factor of the determinant is (up to a constant) the defining function.

        Examples
        --------
        >>> from reptheory.algebroids import Submanifold
        >>> A = bk_tangent_bundle(3, 2)
        >>> A.is_isomorphic_away_from(Submanifold([A.coords[0]], A.coords))
        True
        """
        f = self._hypersurface_equation(W)
        m = self.anchor_vanishing_order(W)
        q = sp.cancel(self.anchor_matrix().det() / f**m)
        return bool(q.is_number and q != 0)

    def _hypersurface_equation(self, W: object) -> sp.Expr:
        from ._jets import Submanifold

        if not isinstance(W, Submanifold):
            raise ReptheoryTypeError(f"W must be a Submanifold, got {type(W).__name__}")
        if W.coords != self._coords:
            raise ShapeError(f"W is in coordinates {W.coords}, the algebroid in {self._coords}")
        if not W.is_hypersurface:
            raise InvalidParameterError("W must be a hypersurface (one equation)")
        if self.rank != self.dim:
            raise ShapeError(f"needs rank = dim, got rank {self.rank}, dim {self.dim}")
        return W.equations[0]

    def __repr__(self) -> str:
        return f"LieAlgebroid(coords={self._coords}, anchor={list(self._anchor)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LieAlgebroid):
            return NotImplemented
        return (self._coords, self._anchor, self._c) == (other._coords, other._anchor, other._c)

    def __hash__(self) -> int:
        return self._hash

    # --- sections -----------------------------------------------------------------------
    def _section(self, s: object, name: str = "section") -> tuple[sp.Expr, ...]:
        try:
            t = tuple(sp.sympify(v) for v in s)  # type: ignore[union-attr]
        except TypeError as exc:
            raise ReptheoryTypeError(f"{name} must be a sequence of {self.rank} expressions") from exc
        if len(t) != self.rank:
            raise ShapeError(f"{name} must have {self.rank} components (one per frame element), got {len(t)}")
        return t

    def frame_section(self, i: int) -> tuple[sp.Expr, ...]:
        """The section ``e_i``."""
        check_int("i", i, minimum=0, maximum=self.rank - 1)
        return tuple(sp.S.One if j == i else sp.S.Zero for j in range(self.rank))

    def anchor_of(self, s: object) -> VectorField:
        """``rho(s)`` as a vector field."""
        s = self._section(s)
        comps = [sum((si * f.components[a] for si, f in zip(s, self._anchor)), sp.S.Zero)
                 for a in range(self.dim)]
        return VectorField(comps, self._coords)

    def bracket(self, s: object, t: object) -> tuple[sp.Expr, ...]:
        """The bracket of two sections (see the module docstring)."""
        s = self._section(s, "s")
        t = self._section(t, "t")
        r = self.rank
        rs, rt = self.anchor_of(s), self.anchor_of(t)
        out = [rs(t[l]) - rt(s[l]) for l in range(r)]
        for i in range(r):
            if s[i] == 0:
                continue
            for j in range(r):
                if t[j] == 0 or i == j:
                    continue
                cij = self._c[i][j]
                for l in range(r):
                    if cij[l] != 0:
                        out[l] += s[i] * t[j] * cij[l]
        return tuple(_canon(v) for v in out)

    # --- identities ---------------------------------------------------------------------
    def jacobiator(self, s: object, t: object, u: object) -> tuple[sp.Expr, ...]:
        """``[[s,t],u] + [[t,u],s] + [[u,s],t]`` (zero for a Lie algebroid)."""
        a = self.bracket(self.bracket(s, t), u)
        b = self.bracket(self.bracket(t, u), s)
        c = self.bracket(self.bracket(u, s), t)
        return tuple(_canon(x + y + z) for x, y, z in zip(a, b, c))

    def check_jacobi(self, sections: Iterable[object] | None = None) -> bool:
        """Check the Jacobi identity on all triples of frame elements (or of ``sections``).

        Returns True, or raises :class:`AlgebroidIdentityError` naming the triple and the
        non-zero jacobiator.
        """
        secs = [self.frame_section(i) for i in range(self.rank)] if sections is None else \
            [self._section(s) for s in sections]
        labels = list(self._names) if sections is None else [f"s{i}" for i in range(len(secs))]
        for a, b, c in itertools.combinations(range(len(secs)), 3):
            J = self.jacobiator(secs[a], secs[b], secs[c])
            if any(v != 0 for v in J):
                raise AlgebroidIdentityError(
                    f"Jacobi identity fails for ({labels[a]}, {labels[b]}, {labels[c]}): "
                    f"[[{labels[a]},{labels[b]}],{labels[c]}] + cyclic = {J}"
                )
        return True

    def check_leibniz(self, functions: Iterable[object] | None = None) -> bool:
        """Check the Leibniz rule ``[e_i, f e_j] = f [e_i, e_j] + rho(e_i)(f) e_j`` and that the
        anchor preserves brackets, ``rho([e_i, e_j]) = [rho(e_i), rho(e_j)]``.

        ``functions`` default to one generic (undefined) function of all coordinates.  Returns
        True or raises :class:`AlgebroidIdentityError` with the failing terms.
        """
        fs = [sp.Function("f")(*self._coords)] if functions is None else [sp.sympify(f) for f in functions]
        r = self.rank
        for i in range(r):
            ei = self.frame_section(i)
            for j in range(r):
                ej = self.frame_section(j)
                if i < j:
                    lhs = self.anchor_of(self.bracket(ei, ej))
                    rhs = self._anchor[i].bracket(self._anchor[j])
                    if lhs != rhs:
                        raise AlgebroidIdentityError(
                            f"the anchor does not preserve the bracket of ({self._names[i]}, {self._names[j]}): "
                            f"rho([e_i, e_j]) = {lhs.components} but [rho e_i, rho e_j] = {rhs.components}"
                        )
                for f in fs:
                    lhs = self.bracket(ei, tuple(f * v for v in ej))
                    base = self.bracket(ei, ej)
                    df = self._anchor[i](f)
                    rhs = [f * base[l] + (df if l == j else 0) for l in range(r)]
                    diff = [_canon(a - b) for a, b in zip(lhs, rhs)]
                    if any(v != 0 for v in diff):
                        raise AlgebroidIdentityError(
                            f"Leibniz rule fails for ({self._names[i]}, f*{self._names[j]}), f = {f}: "
                            f"difference {diff}"
                        )
        return True

    # --- forms --------------------------------------------------------------------------
    def form(self, coeffs: Mapping[Sequence[int], object] | None = None, degree: int | None = None
             ) -> AlgebroidForm:
        """A form ``sum coeffs[I] alpha^I`` in the dual frame (I an increasing index tuple)."""
        return AlgebroidForm(self, coeffs or {}, degree)

    def d(self, omega: AlgebroidForm) -> AlgebroidForm:
        """The Chevalley-Eilenberg differential of ``omega``."""
        if not isinstance(omega, AlgebroidForm) or omega.algebroid != self:
            raise ReptheoryTypeError("d needs an AlgebroidForm of this algebroid")
        p = omega.degree
        r = self.rank
        out: dict[tuple[int, ...], sp.Expr] = {}
        for J in itertools.combinations(range(r), p + 1):
            val = sp.S.Zero
            for a in range(p + 1):
                rest = J[:a] + J[a + 1:]
                coef = omega.value(rest)
                if coef != 0:
                    val += (-1) ** a * self._anchor[J[a]](coef)
            for a, b in itertools.combinations(range(p + 1), 2):
                cab = self._c[J[a]][J[b]]
                rest = J[:a] + J[a + 1:b] + J[b + 1:]
                for l in range(r):
                    if cab[l] != 0:
                        v = omega.value((l,) + rest)
                        if v != 0:
                            val += (-1) ** (a + b) * cab[l] * v
            val = _canon(val)
            if val != 0:
                out[J] = val
        return AlgebroidForm(self, out, p + 1)

    def random_form(self, degree: int, rng: random.Random, poly_degree: int = 2) -> AlgebroidForm:
        """A random form with small random polynomial coefficients."""
        degree = check_int("degree", degree, minimum=0, maximum=self.rank)
        coeffs = {I: random_polynomial(self._coords, poly_degree, rng)
                  for I in itertools.combinations(range(self.rank), degree)}
        return AlgebroidForm(self, coeffs, degree)

    def check_d_squared(self, rng: random.Random | None = None, trials: int = 2,
                        poly_degree: int = 2) -> bool:
        """Check ``d(d omega) = 0`` on random forms of every degree; True or raise."""
        rng = rng or random.Random(0)
        for p in range(self.rank - 1):
            for _ in range(trials):
                w = self.random_form(p, rng, poly_degree)
                dd = self.d(self.d(w))
                if not dd.is_zero():
                    raise AlgebroidIdentityError(f"d^2 != 0 on the {p}-form {w}: d(d w) = {dd}")
        return True

    def dual_frame(self) -> list[list[sp.Expr]]:
        """For rank = dim: row i gives ``alpha^i = sum_a row[a] dx_a`` (inverse of the anchor).

        Examples
        --------
        >>> bk_tangent_bundle(2, 2).dual_frame()
        [[x**(-2), 0], [0, 1]]
        """
        if self.rank != self.dim:
            raise ShapeError("dual_frame needs rank = dim")
        inv = self.anchor_matrix().inv()
        return [[sp.cancel(inv[i, a]) for a in range(self.dim)] for i in range(self.rank)]


class AlgebroidForm:
    """An immutable form ``sum_I coeffs[I] alpha^I`` of a :class:`LieAlgebroid`.

    ``I`` runs over increasing tuples of frame indices of length ``degree``.

    Examples
    --------
    >>> A = bk_tangent_bundle(2, 2)
    >>> x, y = A.coords
    >>> w = A.form({(0,): x**2 + y}, 1)       # (x^2 + y) dx/x^2
    >>> A.d(w)                                 # d(y dx/x^2) = -dx/x^2 ^ dy
    AlgebroidForm(degree=2, {(0, 1): -1})
    """

    __slots__ = ("_algebroid", "_coeffs", "_degree")

    def __init__(self, algebroid: LieAlgebroid, coeffs: Mapping[Sequence[int], object],
                 degree: int | None = None) -> None:
        r = algebroid.rank
        data: dict[tuple[int, ...], sp.Expr] = {}
        for key, val in coeffs.items():
            I = (key,) if isinstance(key, int) else tuple(key)
            if len(set(I)) != len(I):
                continue
            for i in I:
                check_int("form index", i, minimum=0, maximum=r - 1)
            if degree is None:
                degree = len(I)
            if len(I) != degree:
                raise ShapeError(f"form index {I} has length {len(I)}, expected degree {degree}")
            perm = sorted(range(len(I)), key=lambda a: I[a])
            sign = _perm_sign(perm)
            J = tuple(I[a] for a in perm)
            data[J] = data.get(J, sp.S.Zero) + sign * sp.sympify(val)
        self._algebroid = algebroid
        self._degree = check_int("degree", 0 if degree is None else degree, minimum=0)
        self._coeffs = {k: _canon(v) for k, v in data.items() if _canon(v) != 0}

    @property
    def algebroid(self) -> LieAlgebroid:
        """The :class:`LieAlgebroid` this form lives on (its frame gives the ``alpha^i``).

        Examples
        --------
        >>> A = bk_tangent_bundle(2, 2)
        >>> A.form({(0,): 1}, 1).algebroid == A
        True
        """
        return self._algebroid

    @property
    def degree(self) -> int:
        """The form degree k: every index tuple ``I`` of the form has length k.

        Examples
        --------
        >>> A = bk_tangent_bundle(2, 2)
        >>> A.form({(0, 1): 1}, 2).degree
        2
        """
        return self._degree

    def value(self, I: Sequence[int]) -> sp.Expr:
        """The coefficient of ``alpha^I`` for any (not necessarily sorted) index tuple."""
        I = tuple(I)
        if len(set(I)) != len(I):
            return sp.S.Zero
        perm = sorted(range(len(I)), key=lambda a: I[a])
        return _perm_sign(perm) * self._coeffs.get(tuple(I[a] for a in perm), sp.S.Zero)

    @property
    def coeffs(self) -> dict[tuple[int, ...], sp.Expr]:
        """A copy of the coefficient dictionary."""
        return dict(self._coeffs)

    def is_zero(self) -> bool:
        """True if all coefficients vanish."""
        return not self._coeffs

    def __add__(self, other: AlgebroidForm) -> AlgebroidForm:
        if other.algebroid != self.algebroid or other.degree != self.degree:
            raise ShapeError("can only add forms of the same algebroid and degree")
        d = dict(self._coeffs)
        for k, v in other._coeffs.items():
            d[k] = d.get(k, 0) + v
        return AlgebroidForm(self.algebroid, d, self.degree)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AlgebroidForm):
            return NotImplemented
        if other.algebroid != self.algebroid or other.degree != self.degree:
            return False
        keys = set(self._coeffs) | set(other._coeffs)
        return all(_canon(self._coeffs.get(k, 0) - other._coeffs.get(k, 0)) == 0 for k in keys)

    def __hash__(self) -> int:
        return hash((self.degree, tuple(sorted(self._coeffs))))

    def __repr__(self) -> str:
        return f"AlgebroidForm(degree={self.degree}, {dict(sorted(self._coeffs.items()))})"

    def wedge(self, other: AlgebroidForm) -> AlgebroidForm:
        """The wedge product."""
        if other.algebroid != self.algebroid:
            raise ShapeError("can only wedge forms of the same algebroid")
        d: dict[tuple[int, ...], sp.Expr] = {}
        for I, a in self._coeffs.items():
            for J, b in other._coeffs.items():
                if set(I) & set(J):
                    continue
                d[I + J] = d.get(I + J, 0) + a * b
        merged: dict[tuple[int, ...], sp.Expr] = {}
        for K, v in d.items():
            f = AlgebroidForm(self.algebroid, {K: v}, self.degree + other.degree)
            for k2, v2 in f._coeffs.items():
                merged[k2] = merged.get(k2, 0) + v2
        return AlgebroidForm(self.algebroid, merged, self.degree + other.degree)


def _perm_sign(perm: Sequence[int]) -> int:
    sign = 1
    p = list(perm)
    for i in range(len(p)):
        while p[i] != i:
            j = p[i]
            p[i], p[j] = p[j], p[i]
            sign = -sign
    return sign


def bk_tangent_bundle(dim: int, k: int, coords: object | None = None) -> LieAlgebroid:
    """Scott's b^k-tangent bundle of ``(R^dim, Z = {x = 0})``: frame ``x^k d/dx, d/dy_i``.

    Parameters
    ----------
    dim : int
        The dimension n >= 1.
    k : int
        The order k >= 1 (k = 1: Melrose's b-tangent bundle).
    coords : optional
        n symbols, the first being the normal coordinate x (default ``x, y1, ..., y_{n-1}``).

    Returns
    -------
    LieAlgebroid
        Rank n, all structure functions zero, ``det(anchor) = x^k``.

    Raises
    ------
    InvalidParameterError
        If dim < 1 or k < 1.

    Examples
    --------
    >>> A = bk_tangent_bundle(3, 2)
    >>> A.names
    ('x^2 d/dx', 'd/dy1', 'd/dy2')
    >>> A.anchor_determinant()
    x**2
    >>> A.check_jacobi() and A.check_leibniz()
    True
    """
    dim = check_int("dim", dim, minimum=1)
    k = check_int("k", k, minimum=1)
    if coords is None:
        names = "x" if dim == 1 else "x " + " ".join(f"y{i}" if dim > 2 else "y" for i in range(1, dim))
        cs = as_coords(names)
    else:
        cs = as_coords(coords)
        if len(cs) != dim:
            raise ShapeError(f"coords must have dim = {dim} symbols, got {cs}")
    x = cs[0]
    fields = [VectorField([x**k if a == 0 else 0 for a in range(dim)], cs)]
    fields += [VectorField.coordinate_field(i, cs) for i in range(1, dim)]
    # the frame elements are vector fields: x^k d/dx, d/dy_i (the dual frame is dx/x^k, dy_i)
    names_ = [f"{x}{'' if k == 1 else f'^{k}'} d/d{x}"] + [f"d/d{c}" for c in cs[1:]]
    return LieAlgebroid(cs, fields, {}, names_)
