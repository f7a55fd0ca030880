"""SO(3) / O(3) irreps: the one representation type (:class:`Irrep`, :class:`Irreps`) and the one
parser of representation strings (:func:`parse_irreps`), shared by the representation theory
(restriction, induction, Hom bases) and the tensor products.
"""

from __future__ import annotations

import re

import numpy as np

from .._validate import check_int
from ..errors import InvalidParameterError, ReptheoryTypeError, ShapeError
from ._wigner import wigner_D

__all__ = ["Irrep", "Irreps", "parse_irreps"]


class Irrep(tuple):
    """One irreducible representation of O(3) (and, forgetting parity, of SO(3)): degree ``l``
    and parity ``p`` (+1 even, -1 odd), a value object (a tuple ``(l, p)``).

    The representation is the real Wigner matrix ``D_l`` of :func:`wigner_D` on rotations,
    and ``p`` on the inversion ``-I``: ``rho(g) = p D_l(-g)`` when ``det g = -1``.  As an
    SO(3) representation the parity is ignored; the *natural* parity ``(-1)^l`` is that of
    the spherical harmonics.

    Parameters
    ----------
    l : int or str
        Degree (>= 0), or a string ``"1o"``, ``"2e"``, ``"3y"`` / ``"3"`` (natural parity).
    p : {1, -1}, optional
        Parity; default the natural parity ``(-1)**l``.

    Examples
    --------
    >>> Irrep(1), Irrep("2e"), Irrep(2, -1).dim
    (Irrep(l=1, p=-1), Irrep(l=2, p=1), 5)
    >>> str(Irrep("3")), Irrep(1) == (1, -1)
    ('3o', True)
    """

    __slots__ = ()

    def __new__(cls, l, p=None):
        if isinstance(l, Irrep) and p is None:
            return l
        if isinstance(l, str):
            if p is not None:
                raise InvalidParameterError(
                    f"give the parity in the string or as p, not both: {l!r}"
                )
            terms = parse_irreps(l)
            if len(terms) != 1 or terms[0][0] != 1:
                raise InvalidParameterError(f"l must name one irrep like '1o', got {l!r}")
            return terms[0][1]
        l = check_int("l", l, minimum=0)
        if p is None:
            p = (-1) ** l
        if isinstance(p, bool) or p not in (1, -1):
            raise InvalidParameterError(f"p (parity) must be 1 (even) or -1 (odd), got {p!r}")
        return tuple.__new__(cls, (l, int(p)))

    def __getnewargs__(self):
        return (self[0], self[1])

    @property
    def l(self) -> int:
        """The degree."""
        return self[0]

    @property
    def p(self) -> int:
        """The parity (+1 even, -1 odd)."""
        return self[1]

    @property
    def dim(self) -> int:
        """Dimension ``2l + 1``."""
        return 2 * self[0] + 1

    def matrix(self, R) -> np.ndarray:
        """The representing matrix of an orthogonal matrix R (3, 3) or a batch (N, 3, 3):
        ``D_l(R)`` for rotations, ``p D_l(-R)`` for improper ones."""
        R = np.asarray(R, dtype=float)
        if R.shape[-2:] != (3, 3) or R.ndim not in (2, 3):
            raise ShapeError(f"R must have shape (3, 3) or (N, 3, 3), got {R.shape}")
        if not np.all(np.isfinite(R)):
            raise InvalidParameterError("R contains NaN or infinite entries")
        sign = np.sign(np.linalg.det(R))
        D = wigner_D(self[0], R * sign[..., None, None])
        if self[1] == -1:
            D = D * sign[..., None, None]
        return D

    def __str__(self) -> str:
        return f"{self[0]}{'e' if self[1] == 1 else 'o'}"

    def __repr__(self) -> str:
        return f"Irrep(l={self[0]}, p={self[1]})"


_TOKEN = re.compile(r"^\s*(?:(\d+)\s*x\s*)?(\d+)\s*([eoy]?)\s*$")


def parse_irreps(irreps) -> tuple[tuple[int, Irrep], ...]:
    """Parse an irreps string such as ``"2x0e + 1x1o + 2e"`` into ``((mul, Irrep), ...)``.

    The one parser of SO(3) / O(3) representation strings.  Parity letters: ``e`` (even),
    ``o`` (odd), ``y`` or none (the natural parity ``(-1)**l`` of the spherical harmonics), so
    ``"2x0+1x1"`` and ``"2x0e+1x1o"`` are the same.  An int L is read as ``"0y+1y+...+Ly"``
    (the degrees of a spherical-harmonic feature); an :class:`Irreps` gives its terms.

    Raises
    ------
    InvalidParameterError
        A token does not parse; the message points at it.
    ReptheoryTypeError
        Neither a string, an int nor an Irreps.

    Examples
    --------
    >>> [(mul, str(ir)) for mul, ir in parse_irreps("2x0e+1x1o+2")]
    [(2, '0e'), (1, '1o'), (1, '2e')]
    >>> parse_irreps("1x1q")
    Traceback (most recent call last):
    ...
    reptheory.errors.InvalidParameterError: irreps: cannot parse token '1x1q' at position 0 of '1x1q' (expected [MULx]L[e|o|y], e.g. '2x1o')
    """
    if isinstance(irreps, Irreps):
        return irreps.terms
    if isinstance(irreps, (int, np.integer)) and not isinstance(irreps, bool):
        L = check_int("irreps", irreps, minimum=0)
        return tuple((1, Irrep(l)) for l in range(L + 1))
    if not isinstance(irreps, str):
        raise ReptheoryTypeError(
            f"irreps must be a string like '2x0e+1x1o' or an int L, got {irreps!r}"
        )
    out = []
    pos = 0
    for tok in irreps.split("+"):
        mt = _TOKEN.match(tok)
        if mt is None or (not tok.strip()):
            where = pos + (len(tok) - len(tok.lstrip()))
            raise InvalidParameterError(
                f"irreps: cannot parse token {tok.strip()!r} at position {where} of {irreps!r} "
                f"(expected [MULx]L[e|o|y], e.g. '2x1o')"
            )
        mul = int(mt.group(1)) if mt.group(1) else 1
        l = int(mt.group(2))
        letter = mt.group(3)
        p = 1 if letter == "e" else -1 if letter == "o" else (-1) ** l
        if mul > 0:
            out.append((mul, Irrep(l, p)))
        pos += len(tok) + 1
    return tuple(out)


class Irreps:
    """A direct sum of O(3) irreps with multiplicities, e.g. ``Irreps("2x0e+1x1o+3")``: the one
    representation type of SO(3) / O(3) in reptheory (immutable, hashable, equal by value).

    Parameters
    ----------
    spec : str, int, Irrep, Irreps or iterable
        A string parsed by :func:`parse_irreps` (``"2x0e+1x1o"`` or, with natural parities,
        ``"2x0+1x1"``; ``""`` is the zero representation); an int ``l`` (the single irrep of
        degree l with natural parity); an :class:`Irrep`; or an iterable of irreps or of
        ``(multiplicity, irrep)`` pairs, an irrep being an Irrep, an int degree or a string.

    Examples
    --------
    >>> r = Irreps("2x0+1x1+3")
    >>> r, r.dim, r.labels()
    (Irreps('2x0e+1x1o+1x3o'), 12, [0, 0, 1, 3])
    >>> Irreps("1x1") + Irreps("2") == Irreps([(1, "1o"), (1, 2)])
    True
    >>> Irreps("1x1e") == Irreps("1x1")
    False
    """

    __slots__ = ("_terms",)

    def __init__(self, spec=()) -> None:
        if isinstance(spec, Irreps):
            terms = spec._terms
        elif isinstance(spec, str):
            terms = parse_irreps(spec) if spec.strip() else ()
        elif isinstance(spec, Irrep):
            terms = ((1, spec),)
        elif isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
            terms = ((1, Irrep(int(spec))),)
        else:
            try:
                items = list(spec)
            except TypeError:
                raise ReptheoryTypeError(
                    f"spec must be a string like '2x0e+1x1o', an int, an Irrep or an iterable, "
                    f"got {spec!r}"
                ) from None
            terms = []
            for item in items:
                if isinstance(item, tuple) and not isinstance(item, Irrep):
                    if len(item) != 2:
                        raise InvalidParameterError(
                            f"terms must be irreps or (multiplicity, irrep) pairs, got {item!r}"
                        )
                    mult, ir = item
                else:
                    mult, ir = 1, item
                terms.append((check_int("multiplicity", mult, minimum=0), Irrep(ir)))
        clean = tuple((int(m), ir) for m, ir in terms if m)
        object.__setattr__(self, "_terms", clean)

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self):
        return (Irreps, (self._terms,))

    @classmethod
    def spherical_harmonics(cls, L: int) -> Irreps:
        """``0e + 1o + 2e + ... + L``: the degrees of spherical-harmonic features up to L."""
        return cls(parse_irreps(check_int("L", L, minimum=0)))

    @property
    def terms(self) -> tuple[tuple[int, Irrep], ...]:
        """(multiplicity, Irrep) pairs in order."""
        return self._terms

    def __iter__(self):
        return iter(self._terms)

    def __len__(self) -> int:
        return len(self._terms)

    def irreps(self) -> list[Irrep]:
        """The irreps with multiplicity, in order."""
        return [ir for mult, ir in self._terms for _ in range(mult)]

    def labels(self) -> list[int]:
        """The degrees l with multiplicity, in order."""
        return [ir.l for ir in self.irreps()]

    def multiplicities(self) -> dict[Irrep, int]:
        """Total multiplicity of each irrep."""
        out: dict[Irrep, int] = {}
        for mult, ir in self._terms:
            out[ir] = out.get(ir, 0) + mult
        return out

    @property
    def dim(self) -> int:
        """Dimension ``sum mult (2l + 1)``."""
        return sum(m * ir.dim for m, ir in self._terms)

    @property
    def lmax(self) -> int:
        """The largest degree (-1 for the zero representation)."""
        return max((ir.l for _, ir in self._terms), default=-1)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Irreps) and other._terms == self._terms

    def __hash__(self) -> int:
        return hash(("Irreps", self._terms))

    def __add__(self, other):
        if isinstance(other, (str, Irrep)):
            other = Irreps(other)
        if not isinstance(other, Irreps):
            return NotImplemented
        return Irreps(self._terms + other._terms)

    def __radd__(self, other):
        if isinstance(other, (str, Irrep)):
            return Irreps(other) + self
        return NotImplemented

    def __str__(self) -> str:
        return "+".join(f"{m}x{ir}" for m, ir in self._terms)

    def __repr__(self) -> str:
        return f"Irreps({str(self)!r})"

    def matrix(self, R) -> np.ndarray:
        """Block-diagonal representing matrix of one orthogonal 3 x 3 matrix (dim, dim)."""
        out = np.zeros((self.dim, self.dim))
        i = 0
        for ir in self.irreps():
            d = ir.dim
            out[i : i + d, i : i + d] = ir.matrix(R)
            i += d
        return out
