"""Polynomial (and rational) vector fields on R^n, Lie brackets and modules of vector fields.

Conventions
-----------
A vector field is a tuple of sympy expressions, its components in the coordinate frame
``d/d coords[0], ..., d/d coords[n-1]``.  Free symbols that are not coordinates are treated as
*parameters* (constants); module membership then works over the field ``QQ(parameters)``.
Components are stored in a canonical form (``sympy.cancel``), so equal fields compare equal.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from functools import lru_cache

import sympy as sp

from ..errors import InvalidParameterError, ReptheoryError, ReptheoryTypeError, ShapeError

__all__ = [
    "NotInvolutiveError",
    "VectorField",
    "VectorFieldModule",
    "as_coords",
    "lie_bracket",
]


class NotInvolutiveError(ReptheoryError):
    """A module (or distribution) that must be closed under the bracket is not.

    The message names the offending pair of generators and the bracket that escapes.
    """


def as_coords(coords: object) -> tuple[sp.Symbol, ...]:
    """Normalise ``coords`` to a tuple of distinct sympy symbols.

    Examples
    --------
    >>> as_coords("x y")
    (x, y)
    """
    if isinstance(coords, str):
        coords = sp.symbols(coords)
    if isinstance(coords, sp.Symbol):
        coords = (coords,)
    try:
        out = tuple(coords)  # type: ignore[arg-type]
    except TypeError as exc:
        raise ReptheoryTypeError(
            f"coords must be a sequence of sympy Symbols or a string like 'x y', got {coords!r}"
        ) from exc
    if not out:
        raise InvalidParameterError("coords must contain at least one coordinate symbol")
    for c in out:
        if not isinstance(c, sp.Symbol):
            raise ReptheoryTypeError(f"coords must contain sympy Symbols, got {c!r} ({type(c).__name__})")
    if len(set(out)) != len(out):
        raise InvalidParameterError(f"coords must be distinct, got {out}")
    return out


def _canon(expr: object) -> sp.Expr:
    e = sp.sympify(expr)
    if e.is_Number:
        return e
    if any(p.exp.is_negative or not p.exp.is_Integer for p in e.atoms(sp.Pow)):
        return sp.cancel(e)
    return sp.expand(e)


def _is_poly(expr: sp.Expr, coords: Sequence[sp.Symbol]) -> bool:
    return bool(sp.sympify(expr).is_polynomial(*coords))


class VectorField:
    """An immutable vector field ``sum_i components[i] d/d coords[i]``.

    Parameters
    ----------
    components : sequence of sympy expressions (or things sympify accepts)
        One component per coordinate.
    coords : sequence of sympy Symbols or a string such as ``"x y"``
        The coordinates of R^n.

    Raises
    ------
    ShapeError
        If the number of components differs from the number of coordinates.

    Examples
    --------
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> v = VectorField([x**2, 0], (x, y)); w = VectorField([0, 1], (x, y))
    >>> v.bracket(w)
    VectorField((0, 0), coords=(x, y))
    >>> v(x**3 + y)
    3*x**4
    """

    __slots__ = ("_components", "_coords", "_hash")

    def __init__(self, components: Iterable[object], coords: object) -> None:
        cs = as_coords(coords)
        if isinstance(components, (str, bytes)):
            raise ReptheoryTypeError(f"components must be a sequence of expressions, got {components!r}")
        try:
            comps = tuple(_canon(c) for c in components)
        except (sp.SympifyError, TypeError) as exc:
            raise ReptheoryTypeError(f"components must be sympy expressions, got {components!r}") from exc
        if len(comps) != len(cs):
            raise ShapeError(
                f"a vector field on coordinates {cs} needs {len(cs)} components, got {len(comps)}: {comps}"
            )
        self._coords = cs
        self._components = comps
        self._hash = hash((cs, comps))

    # --- value object -------------------------------------------------------------------
    @property
    def coords(self) -> tuple[sp.Symbol, ...]:
        """The coordinate symbols."""
        return self._coords

    @property
    def components(self) -> tuple[sp.Expr, ...]:
        """The components in the coordinate frame (canonical form)."""
        return self._components

    @property
    def dim(self) -> int:
        """The number of coordinates."""
        return len(self._coords)

    def __repr__(self) -> str:
        return f"VectorField({self._components}, coords={self._coords})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VectorField):
            return NotImplemented
        return self._coords == other._coords and all(
            _canon(a - b) == 0 for a, b in zip(self._components, other._components)
        )

    def __hash__(self) -> int:
        return self._hash

    def is_zero(self) -> bool:
        """True if every component is identically zero."""
        return all(c == 0 for c in self._components)

    def is_polynomial(self) -> bool:
        """True if every component is a polynomial in the coordinates."""
        return all(_is_poly(c, self._coords) for c in self._components)

    # --- algebra ------------------------------------------------------------------------
    def _check_same(self, other: VectorField, what: str) -> None:
        if not isinstance(other, VectorField):
            raise ReptheoryTypeError(f"{what} needs a VectorField, got {type(other).__name__}")
        if other._coords != self._coords:
            raise ShapeError(
                f"{what}: vector fields live on different coordinates {self._coords} and {other._coords}"
            )

    def __add__(self, other: VectorField) -> VectorField:
        self._check_same(other, "addition")
        return VectorField([a + b for a, b in zip(self._components, other._components)], self._coords)

    def __sub__(self, other: VectorField) -> VectorField:
        self._check_same(other, "subtraction")
        return VectorField([a - b for a, b in zip(self._components, other._components)], self._coords)

    def __neg__(self) -> VectorField:
        return VectorField([-a for a in self._components], self._coords)

    def __rmul__(self, f: object) -> VectorField:
        if isinstance(f, VectorField):
            return NotImplemented
        f = sp.sympify(f)
        return VectorField([f * a for a in self._components], self._coords)

    __mul__ = __rmul__

    def __call__(self, f: object) -> sp.Expr:
        """Apply the field as a derivation to the function ``f``."""
        f = sp.sympify(f)
        return _canon(sum((a * sp.diff(f, c) for a, c in zip(self._components, self._coords)), sp.S.Zero))

    def bracket(self, other: VectorField) -> VectorField:
        """The Lie bracket ``[self, other]`` (``[u, v](f) = u(v(f)) - v(u(f))``)."""
        self._check_same(other, "bracket")
        comps = [self(b) - other(a) for a, b in zip(self._components, other._components)]
        return VectorField(comps, self._coords)

    def subs(self, *args: object, **kwargs: object) -> VectorField:
        """Substitute into the components (coordinates stay the same)."""
        return VectorField([c.subs(*args, **kwargs) for c in self._components], self._coords)

    def at(self, point: Sequence[object] | dict) -> tuple[sp.Expr, ...]:
        """The value of the field at ``point`` (a sequence of coordinates or a dict)."""
        sub = _point_dict(point, self._coords)
        return tuple(sp.simplify(c.subs(sub)) for c in self._components)

    @staticmethod
    def coordinate_field(i: int, coords: object) -> VectorField:
        """The coordinate field ``d/d coords[i]``.

        Examples
        --------
        >>> VectorField.coordinate_field(1, "x y")
        VectorField((0, 1), coords=(x, y))
        """
        cs = as_coords(coords)
        return VectorField([1 if j == i else 0 for j in range(len(cs))], cs)


def _point_dict(point: Sequence[object] | dict, coords: Sequence[sp.Symbol]) -> dict:
    if isinstance(point, dict):
        missing = [c for c in coords if c not in point]
        if missing:
            raise InvalidParameterError(f"point is missing values for coordinates {missing}")
        return {c: sp.sympify(point[c]) for c in coords}
    pt = tuple(point)
    if len(pt) != len(coords):
        raise ShapeError(f"point must have {len(coords)} coordinates {tuple(coords)}, got {len(pt)}")
    return {c: sp.sympify(p) for c, p in zip(coords, pt)}


def lie_bracket(u: VectorField, v: VectorField) -> VectorField:
    """The Lie bracket of two vector fields on the same coordinates.

    Examples
    --------
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> lie_bracket(VectorField([1, 0], (x, y)), VectorField([0, x], (x, y)))
    VectorField((0, 1), coords=(x, y))
    """
    if not isinstance(u, VectorField):
        raise ReptheoryTypeError(f"lie_bracket needs VectorFields, got {type(u).__name__}")
    return u.bracket(v)


# --- modules of vector fields ---------------------------------------------------------------


def _parameters(exprs: Iterable[sp.Expr], coords: Sequence[sp.Symbol]) -> tuple[sp.Symbol, ...]:
    free: set[sp.Symbol] = set()
    for e in exprs:
        free |= sp.sympify(e).free_symbols
    return tuple(sorted(free - set(coords), key=lambda s: s.name))


@lru_cache(maxsize=256)
def _module_groebner(vectors: tuple[tuple[sp.Expr, ...], ...], coords: tuple[sp.Symbol, ...],
                     params: tuple[sp.Symbol, ...]):
    """Groebner basis encoding the submodule of R^n spanned by ``vectors``.

    A vector v is encoded as sum_i v_i e_i; the ideal <gens . e> + <e_i e_j> has as its part of
    e-degree one exactly the module, so membership is ideal membership.
    """
    n = len(coords)
    e = sp.symbols(f"_e0:{n}", cls=sp.Dummy)
    polys = [sum((vi * ei for vi, ei in zip(v, e)), sp.S.Zero) for v in vectors]
    polys = [p for p in polys if p != 0]
    polys += [e[i] * e[j] for i in range(n) for j in range(i, n)]
    kw = {}
    if params:
        kw["domain"] = sp.QQ.frac_field(*params)
    G = sp.groebner(polys, *e, *coords, order="grevlex", **kw)
    return G, e


def module_contains(vectors: Sequence[Sequence[sp.Expr]], v: Sequence[sp.Expr],
                    coords: Sequence[sp.Symbol]) -> bool:
    """Whether the vector ``v`` lies in the Q[coords]-module spanned by ``vectors``."""
    coords = tuple(coords)
    v = tuple(sp.expand(c) for c in v)
    if all(c == 0 for c in v):
        return True
    vecs = tuple(tuple(sp.expand(c) for c in w) for w in vectors)
    vecs = tuple(w for w in vecs if any(c != 0 for c in w))
    if not vecs:
        return False
    params = _parameters([c for w in vecs for c in w] + list(v), coords)
    G, e = _module_groebner(vecs, coords, params)
    p = sum((vi * ei for vi, ei in zip(v, e)), sp.S.Zero)
    return bool(G.contains(p))


class VectorFieldModule:
    """The module over the polynomial ring Q[coords] generated by polynomial vector fields.

    Parameters
    ----------
    generators : sequence of VectorField
        Polynomial vector fields, all on the same coordinates.
    coords : optional
        The coordinates (needed only when ``generators`` is empty).

    Raises
    ------
    ShapeError
        If a generator lives on other coordinates (the message names it).
    InvalidParameterError
        If a generator is not polynomial (the message names it).

    Examples
    --------
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y")
    >>> M = VectorFieldModule([VectorField([x**2, 0], (x, y)), VectorField([0, 1], (x, y))])
    >>> M.contains(VectorField([x**3 * y, y**2], (x, y)))
    True
    >>> M.contains(VectorField([x, 0], (x, y)))
    False
    >>> M.is_involutive()
    True
    >>> M.rank_at((0, 0)), M.rank_at((1, 0))
    (1, 2)
    """

    __slots__ = ("_coords", "_generators", "_hash")

    def __init__(self, generators: Iterable[VectorField], coords: object | None = None) -> None:
        gens = tuple(generators)
        for i, g in enumerate(gens):
            if not isinstance(g, VectorField):
                raise ReptheoryTypeError(
                    f"generator {i} must be a VectorField, got {type(g).__name__}: {g!r}"
                )
        if coords is None:
            if not gens:
                raise InvalidParameterError("an empty module needs its coords")
            cs = gens[0].coords
        else:
            cs = as_coords(coords)
        for i, g in enumerate(gens):
            if g.coords != cs:
                raise ShapeError(
                    f"generator {i} ({g}) is on coordinates {g.coords}, expected {cs}"
                )
            if not g.is_polynomial():
                raise InvalidParameterError(
                    f"generator {i} ({g}) is not polynomial in {cs}; modules are over Q{list(cs)}"
                )
        self._generators = gens
        self._coords = cs
        self._hash = hash((cs, gens))

    @property
    def generators(self) -> tuple[VectorField, ...]:
        """The generators, as given."""
        return self._generators

    @property
    def coords(self) -> tuple[sp.Symbol, ...]:
        """The coordinate symbols."""
        return self._coords

    @property
    def dim(self) -> int:
        """The dimension n of the ambient R^n."""
        return len(self._coords)

    def __repr__(self) -> str:
        return f"VectorFieldModule({list(self._generators)}, coords={self._coords})"

    def __eq__(self, other: object) -> bool:
        """Equal as modules (mutual containment), not merely as generator lists."""
        if not isinstance(other, VectorFieldModule):
            return NotImplemented
        if self._coords != other._coords:
            return False
        return self.contains_module(other) and other.contains_module(self)

    def __hash__(self) -> int:
        return hash(self._coords)

    def __add__(self, other: VectorFieldModule) -> VectorFieldModule:
        if not isinstance(other, VectorFieldModule) or other.coords != self.coords:
            raise ShapeError("can only add modules on the same coordinates")
        return VectorFieldModule(self._generators + other._generators, self._coords)

    def contains(self, v: VectorField) -> bool:
        """Whether the polynomial field ``v`` lies in the module (Groebner-basis test)."""
        if not isinstance(v, VectorField):
            raise ReptheoryTypeError(f"contains needs a VectorField, got {type(v).__name__}")
        if v.coords != self._coords:
            raise ShapeError(f"vector field {v} is on coordinates {v.coords}, expected {self._coords}")
        if not v.is_polynomial():
            raise InvalidParameterError(f"vector field {v} is not polynomial in {self._coords}")
        return module_contains([g.components for g in self._generators], v.components, self._coords)

    def contains_module(self, other: VectorFieldModule) -> bool:
        """Whether every generator of ``other`` lies in this module."""
        return all(self.contains(g) for g in other.generators)

    def non_involutive_pairs(self) -> list[tuple[int, int, VectorField]]:
        """The pairs (i, j, [g_i, g_j]) of generators whose bracket escapes the module."""
        bad = []
        for i, j in itertools.combinations(range(len(self._generators)), 2):
            b = self._generators[i].bracket(self._generators[j])
            if not self.contains(b):
                bad.append((i, j, b))
        return bad

    def is_involutive(self) -> bool:
        """Whether the module is closed under the Lie bracket (checked on generators)."""
        for i, j in itertools.combinations(range(len(self._generators)), 2):
            if not self.contains(self._generators[i].bracket(self._generators[j])):
                return False
        return True

    def check_involutive(self) -> None:
        """Raise :class:`NotInvolutiveError` naming the first bracket that leaves the module."""
        for i, j in itertools.combinations(range(len(self._generators)), 2):
            b = self._generators[i].bracket(self._generators[j])
            if not self.contains(b):
                raise NotInvolutiveError(
                    f"not involutive: the bracket [generator {i}, generator {j}] = "
                    f"[{self._generators[i]}, {self._generators[j]}] = {b} is not in the module"
                )

    def matrix(self) -> sp.Matrix:
        """The n x m matrix whose columns are the generators."""
        if not self._generators:
            return sp.zeros(self.dim, 0)
        return sp.Matrix([list(g.components) for g in self._generators]).T

    def rank_at(self, point: Sequence[object] | dict) -> int:
        """The dimension of the span of the generators at ``point`` (the leaf dimension there)."""
        sub = _point_dict(point, self._coords)
        return int(self.matrix().subs(sub).rank(simplify=True))

    def generic_rank(self) -> int:
        """The rank of the generator matrix over the field of rational functions."""
        return int(self.matrix().rank(simplify=True))
