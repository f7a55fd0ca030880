"""SO(2) and SO(3) representations as value objects; restriction, induction, Hom bases.

* SO(2): complex irreps ``chi_m(t) = exp(i m t)`` (m in Z, dim 1) and real irreps
  ``psi_0 = 1``, ``psi_k(t) = [[cos kt, -sin kt], [sin kt, cos kt]]`` (k >= 1, dim 2).
* SO(3) / O(3): :class:`Irrep` ``(l, p)``, real irreps ``rho_l = D_l`` (dim 2l+1) in the
  real-harmonic basis of :mod:`reptheory.so3`, with parity p on the inversion; direct sums
  :class:`Irreps` parsed by the one parser :func:`parse_irreps` from ``"2x0e+1x1o"`` or, with
  natural parities ``(-1)^l``, ``"2x0+1x1"``.  (``SO3Irrep`` and ``SO3Rep`` are deprecated
  names of :class:`Irrep` and :class:`Irreps`.)
* SO(2) direct sums :class:`SO2Rep` parsed from strings like ``"2x0+1x1+3"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .._validate import check_int
from ..errors import InvalidParameterError, ReptheoryTypeError
from ._irreps import Irrep, Irreps
from ._sh import complex_to_real_matrix
from ._wigner import check_rotation, rot_z, wigner_D, wigner_D_complex

__all__ = [
    "InducedRep",
    "Restriction",
    "SO2Irrep",
    "SO2Rep",
    "frobenius_reciprocity",
    "hom_basis",
    "induce",
    "restrict",
]


def _finite_angle(t) -> float:
    """A finite real angle t, or an InvalidParameterError naming ``t``."""
    try:
        t = float(t)
    except (TypeError, ValueError):
        raise ReptheoryTypeError(f"t must be a real angle, got {t!r}") from None
    if not np.isfinite(t):
        raise InvalidParameterError(f"t must be a finite angle, got {t!r}")
    return t


@dataclass(frozen=True)
class SO2Irrep:
    """An irreducible representation of SO(2).

    Parameters
    ----------
    m : int
        Frequency; for ``real=True`` it must be >= 0.
    real : bool
        ``False``: the complex character chi_m (dim 1). ``True``: the real irrep psi_m
        (dim 1 for m = 0, else 2).

    Examples
    --------
    >>> SO2Irrep(2, real=True).matrix(0.0) + 0.0
    array([[1., 0.],
           [0., 1.]])
    >>> SO2Irrep(-1).dim
    1
    """

    m: int
    real: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "m", check_int("m", self.m, minimum=0 if self.real else None))

    @property
    def dim(self) -> int:
        return 2 if (self.real and self.m) else 1

    def matrix(self, t: float) -> np.ndarray:
        """The representing matrix at angle t (complex 1 x 1 for chi_m)."""
        t = _finite_angle(t)
        if not self.real:
            return np.array([[np.exp(1j * self.m * t)]])
        if self.m == 0:
            return np.ones((1, 1))
        c, s = np.cos(self.m * t), np.sin(self.m * t)
        return np.array([[c, -s], [s, c]])

    def __str__(self) -> str:
        return f"psi_{self.m}" if self.real else f"chi_{self.m}"


#: Deprecated names (one release): ``SO3Irrep`` is :class:`Irrep`, ``SO3Rep`` is :class:`Irreps`.
SO3Irrep = Irrep
SO3Rep = Irreps


_TERM = re.compile(r"^\s*(?:(\d+)\s*x\s*)?(-?\d+)\s*$")


def _parse(spec: str) -> tuple[tuple[int, int], ...]:
    terms = []
    if not spec.strip():
        return ()
    for part in spec.split("+"):
        mt = _TERM.match(part)
        if not mt:
            raise InvalidParameterError(
                f"cannot parse representation term {part!r} in {spec!r}; use e.g. '1x0+2x1'"
            )
        mult = int(mt.group(1)) if mt.group(1) is not None else 1
        terms.append((mult, int(mt.group(2))))
    return tuple(terms)


class _DirectSum:
    """Direct sum machinery of SO2Rep (immutable, hashable, equal by value)."""

    __slots__ = ("_terms",)

    def __init__(self, terms) -> None:
        if isinstance(terms, str):
            terms = _parse(terms)
        elif isinstance(terms, (int, np.integer)):
            terms = ((1, int(terms)),)
        clean = []
        for item in terms:
            if isinstance(item, (int, np.integer)):
                item = (1, int(item))
            mult, lab = item
            mult = check_int("multiplicity", mult, minimum=0)
            lab = self._label(lab)
            if mult:
                clean.append((mult, lab))
        object.__setattr__(self, "_terms", tuple(clean))

    def _label(self, lab) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self):
        return (type(self), (self._terms,))

    @property
    def terms(self) -> tuple[tuple[int, int], ...]:
        """(multiplicity, label) pairs in order."""
        return self._terms

    def labels(self) -> list[int]:
        """Irrep labels with multiplicity, in order."""
        return [lab for mult, lab in self._terms for _ in range(mult)]

    def multiplicities(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for mult, lab in self._terms:
            out[lab] = out.get(lab, 0) + mult
        return out

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._key() == self._key()

    def _key(self):
        return self._terms

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def __str__(self) -> str:
        return "+".join(f"{m}x{lab}" for m, lab in self._terms) or "0-dim"


class SO2Rep(_DirectSum):
    """A direct sum of SO(2) irreps: real psi_k (``real=True``, default) or complex chi_m.

    Examples
    --------
    >>> SO2Rep("1x0+2x1").dim
    5
    >>> SO2Rep("1x-1+1x2", real=False).dim
    2
    """

    __slots__ = ("_real",)

    def __init__(self, terms, real: bool = True) -> None:
        object.__setattr__(self, "_real", bool(real))
        super().__init__(terms)

    def _label(self, lab) -> int:
        return check_int("k" if self._real else "m", lab, minimum=0 if self._real else None)

    def __reduce__(self):
        return (SO2Rep, (self._terms, self._real))

    def _key(self):
        return (self._terms, self._real)

    @property
    def real(self) -> bool:
        return self._real

    def __add__(self, other):
        if not isinstance(other, SO2Rep) or other.real != self.real:
            return NotImplemented
        return SO2Rep(self._terms + other._terms, self._real)

    def irreps(self) -> list[SO2Irrep]:
        return [SO2Irrep(k, self._real) for k in self.labels()]

    @property
    def dim(self) -> int:
        return sum(ir.dim for ir in self.irreps())

    def matrix(self, t: float) -> np.ndarray:
        """Block-diagonal representing matrix at angle t."""
        t = _finite_angle(t)
        blocks = [ir.matrix(t) for ir in self.irreps()]
        out = np.zeros((self.dim, self.dim), dtype=complex if not self._real else float)
        i = 0
        for b in blocks:
            out[i : i + b.shape[0], i : i + b.shape[0]] = b
            i += b.shape[0]
        return out

    def __repr__(self) -> str:
        return f"SO2Rep({str(self)!r}, real={self._real})"


# ---------------------------------------------------------------------------------------------
# restriction
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Restriction:
    """Result of :func:`restrict`: ``Q rho(R_axis(t)) Q^H`` is block diagonal in ``irreps``.

    Attributes
    ----------
    change_of_basis : numpy.ndarray
        Q (orthogonal for ``basis="real"``, unitary for ``"complex"``), read-only.
    irreps : tuple of SO2Irrep
        The SO(2) irreps of the blocks, in order.
    rep : SO2Rep
        The same as a direct sum.
    axis : numpy.ndarray
        The rotation axis (unit vector).
    """

    change_of_basis: np.ndarray
    irreps: tuple
    rep: SO2Rep
    axis: np.ndarray
    source: Irreps


def _axis_frame(axis) -> tuple[np.ndarray, np.ndarray | None]:
    """Unit axis and a rotation P with P e_z = axis (None for z)."""
    if isinstance(axis, str):
        table = {"x": [1.0, 0, 0], "y": [0, 1.0, 0], "z": [0, 0, 1.0]}
        if axis not in table:
            raise InvalidParameterError(f"axis must be 'x', 'y', 'z' or a 3-vector, got {axis!r}")
        a = np.array(table[axis])
    else:
        a = np.asarray(axis, dtype=float)
        if a.shape != (3,) or not np.all(np.isfinite(a)) or np.linalg.norm(a) == 0:
            raise InvalidParameterError(f"axis must be a non-zero 3-vector, got {axis!r}")
        a = a / np.linalg.norm(a)
    if np.allclose(a, [0, 0, 1], atol=0, rtol=0):
        return a, None
    from ._wigner import axis_angle_to_matrix

    v = np.cross([0.0, 0.0, 1.0], a)
    s = np.linalg.norm(v)
    if s < 1e-15:
        P = np.diag([1.0, -1.0, -1.0])  # axis = -z: rotate by pi about x
    else:
        P = axis_angle_to_matrix(v / s, np.arctan2(s, a[2]))
    return a, P


def _z_permutation(l: int) -> np.ndarray:
    """Permutation Q with Q D_l(Rz(t)) Q^T = psi_0 + psi_1 + ... + psi_l."""
    d = 2 * l + 1
    Q = np.zeros((d, d))
    Q[0, l] = 1
    for k in range(1, l + 1):
        Q[2 * k - 1, l + k] = 1
        Q[2 * k, l - k] = 1
    return Q


def restrict(rep: int | Irrep | Irreps | str, axis="z", basis: str = "real") -> Restriction:
    """Restrict an SO(3) representation to the SO(2) of rotations about ``axis``.

    Res rho_l = psi_0 + psi_1 + ... + psi_l (real) = ``chi_-l + ... + chi_l`` (complex).

    Parameters
    ----------
    rep : int, Irrep, Irreps or str
        The representation (an int l means rho_l).
    axis : {"x", "y", "z"} or array_like of shape (3,)
        Rotation axis of the subgroup.
    basis : {"real", "complex"}
        Real SO(2) irreps psi_k (Q orthogonal; for axis z a signed permutation) or complex
        characters chi_m (Q unitary).

    Returns
    -------
    Restriction

    Raises
    ------
    InvalidParameterError
        Bad degree, axis or basis.

    Examples
    --------
    >>> import numpy as np
    >>> res = restrict(1)
    >>> [str(r) for r in res.irreps]
    ['psi_0', 'psi_1']
    >>> res.change_of_basis.astype(int)
    array([[0, 1, 0],
           [0, 0, 1],
           [1, 0, 0]])
    """
    if isinstance(rep, (int, np.integer, str, Irrep)):
        rep = Irreps(rep)
    elif not isinstance(rep, Irreps):
        raise ReptheoryTypeError(
            f"rep must be an int, Irrep, Irreps or str, got {type(rep).__name__}"
        )
    if basis not in ("real", "complex"):
        raise InvalidParameterError(f"basis must be 'real' or 'complex', got {basis!r}")
    a, P = _axis_frame(axis)
    blocks, irreps = [], []
    for l in rep.labels():
        if basis == "real":
            Q = _z_permutation(l)
            irreps += [SO2Irrep(k, True) for k in range(l + 1)]
        else:
            Q = complex_to_real_matrix(l).conj().T
            irreps += [SO2Irrep(m) for m in range(-l, l + 1)]
        if P is not None:
            Q = Q @ wigner_D(l, P).T
        blocks.append(Q)
    n = rep.dim
    dtype = complex if basis == "complex" else float
    Qall = np.zeros((n, n), dtype=dtype)
    i = 0
    for B in blocks:
        Qall[i : i + B.shape[0], i : i + B.shape[0]] = B
        i += B.shape[0]
    Qall.setflags(write=False)
    so2 = SO2Rep([ir.m for ir in irreps], real=(basis == "real"))
    return Restriction(Qall, tuple(irreps), so2, a, rep)


# ---------------------------------------------------------------------------------------------
# induction
# ---------------------------------------------------------------------------------------------
class InducedRep:
    """Band-limited induced representation Ind_{SO(2)}^{SO(3)} chi_m = ``sum_{abs(m) <= l <= L} rho_l``.

    Realisation: functions on SO(3) with ``f(g Rz(t)) = exp(-i m t) f(g)`` (the induced-space
    condition ``f(g h) = chi_m(h)^{-1} f(g)``), spanned by ``phi_{l,n}(g) = conj(D^c_l(g)[n, m])``
    for ``|m| <= l <= L``, ``-l <= n <= l``.  SO(3) acts by ``(g0 . f)(g) = f(g0^{-1} g)``,
    which on the coefficient vector c (of ``f = sum c_{l,n} phi_{l,n}``) is the block-diagonal
    complex Wigner matrix ``D^c_l(g0)`` (see :meth:`matrix`).  For m = 0 these are the
    spherical harmonics, i.e. functions on S^2 = SO(3)/SO(2).

    Examples
    --------
    >>> ind = induce(1, 3)
    >>> ind.decomposition
    Irreps('1x1o+1x2e+1x3o')
    >>> ind.dim
    15
    """

    __slots__ = ("_L", "_m")

    def __init__(self, m: int, L: int) -> None:
        object.__setattr__(self, "_m", check_int("m", m))
        object.__setattr__(self, "_L", check_int("L", L, minimum=0))

    def __setattr__(self, name, value):
        raise AttributeError("InducedRep is immutable")

    def __reduce__(self):
        return (InducedRep, (self._m, self._L))

    def __eq__(self, other):
        return isinstance(other, InducedRep) and (other._m, other._L) == (self._m, self._L)

    def __hash__(self):
        return hash(("InducedRep", self._m, self._L))

    def __repr__(self):
        return f"InducedRep(m={self._m}, L={self._L})"

    @property
    def m(self) -> int:
        return self._m

    @property
    def L(self) -> int:
        return self._L

    @property
    def degrees(self) -> list[int]:
        return list(range(abs(self._m), self._L + 1))

    @property
    def decomposition(self) -> Irreps:
        """The SO(3) irreps rho_l, abs(m) <= l <= L, each once (Frobenius reciprocity)."""
        return Irreps([(1, l) for l in self.degrees])

    @property
    def dim(self) -> int:
        return sum(2 * l + 1 for l in self.degrees)

    def matrix(self, R) -> np.ndarray:
        """Action on coefficient vectors: block-diagonal ``D^c_l(R)`` (complex)."""
        out = np.zeros((self.dim, self.dim), dtype=complex)
        i = 0
        for l in self.degrees:
            d = 2 * l + 1
            out[i : i + d, i : i + d] = wigner_D_complex(l, R)
            i += d
        return out

    def basis_functions(self, R) -> np.ndarray:
        """Values ``phi_{l,n}(g)`` at rotations R (N, 3, 3): shape (N, dim), complex."""
        R = check_rotation(R).reshape(-1, 3, 3)
        cols = [np.conj(wigner_D_complex(l, R)[:, :, l + self._m]) for l in self.degrees]
        return np.concatenate(cols, axis=1) if cols else np.zeros((R.shape[0], 0), complex)

    def evaluate(self, coeffs, R) -> np.ndarray:
        """The function ``f(g) = sum c_{l,n} phi_{l,n}(g)`` at rotations R: shape (N,)."""
        return self.basis_functions(R) @ np.asarray(coeffs)

    def canonical_map(self) -> np.ndarray:
        """The SO(2)-map ``Ind -> chi_m``, ``f -> f(identity)`` as a (1, dim) 0/1 row.

        Every SO(2)-map chi_m -> Res rho is this composed with an SO(3)-map (Frobenius).
        """
        row = np.zeros((1, self.dim))
        i = 0
        for l in self.degrees:
            row[0, i + l + self._m] = 1
            i += 2 * l + 1
        return row


def induce(m: int | SO2Irrep, L: int) -> InducedRep:
    """The band-limited induced representation Ind chi_m truncated at degree L.

    Parameters
    ----------
    m : int or SO2Irrep
        Frequency of the complex character chi_m.
    L : int
        Band limit (largest degree kept).

    Returns
    -------
    InducedRep

    Raises
    ------
    InvalidParameterError
        Non-integer m or negative L; a real SO2Irrep (induce its complex parts instead).

    Examples
    --------
    >>> induce(0, 2).decomposition
    Irreps('1x0e+1x1o+1x2e')
    >>> induce(3, 2).dim
    0
    """
    if isinstance(m, SO2Irrep):
        if m.real and m.m:
            raise InvalidParameterError(
                "induce takes a complex character chi_m; psi_k = chi_k + chi_-k, induce each"
            )
        m = m.m
    return InducedRep(m, L)


# ---------------------------------------------------------------------------------------------
# Hom bases
# ---------------------------------------------------------------------------------------------
_J = np.array([[0, -1], [1, 0]])


def _blocks(rep) -> tuple[str, list]:
    """(kind, list of (key, dim, offset)) where equal keys mean isomorphic irreps."""
    if isinstance(rep, Irrep):
        rep = Irreps(rep)
    if isinstance(rep, SO2Irrep):
        rep = SO2Rep([rep.m], real=rep.real)
    if isinstance(rep, Restriction):
        rep = rep.rep
    out, off = [], 0
    if isinstance(rep, Irreps):
        for ir in rep.irreps():
            out.append((("r", ir.l, ir.p), ir.dim, off))
            off += ir.dim
        return "SO3", out
    if isinstance(rep, InducedRep):
        for l in rep.degrees:
            out.append((("c", l, (-1) ** l), 2 * l + 1, off))
            off += 2 * l + 1
        return "SO3", out
    if isinstance(rep, SO2Rep):
        for ir in rep.irreps():
            out.append((("r" if ir.real else "c", ir.m), ir.dim, off))
            off += ir.dim
        return "SO2", out
    raise ReptheoryTypeError(
        "rep must be an SO2Irrep, SO2Rep, Restriction, Irrep, Irreps or InducedRep, "
        f"got {type(rep).__name__}"
    )


def _dim(blocks) -> int:
    return sum(d for _, d, _ in blocks)


def _so2_maps(kin, kout) -> list[np.ndarray]:
    """Intertwiners from SO(2) irrep kin to kout (matrices out x in), exact Gaussian integers."""
    (tin, mi), (tout, mo) = kin, kout
    if tin == "r" and tout == "r":
        if mi != mo:
            return []
        return [np.ones((1, 1), dtype=int)] if mi == 0 else [np.eye(2, dtype=int), _J.copy()]
    if tin == "c" and tout == "c":
        return [np.ones((1, 1), dtype=complex)] if mi == mo else []
    if tin == "c" and tout == "r":  # chi_m -> psi_k: eigenvector of rotation with e^{imt}
        if mo == 0:
            return [np.ones((1, 1), dtype=complex)] if mi == 0 else []
        if abs(mi) != mo:
            return []
        return [np.array([[1], [-1j if mi > 0 else 1j]])]
    # psi_k -> chi_m: the conjugate transpose of chi_m -> psi_k
    return [M.conj().T for M in _so2_maps(kout, kin)]


def _so3_maps(kin, kout) -> list[np.ndarray]:
    (tin, li, pi), (tout, lo, po) = kin, kout
    if li != lo or pi != po:
        return []
    if tin == tout:
        return [np.eye(2 * li + 1, dtype=int)]
    U = complex_to_real_matrix(li)
    return [U.copy()] if tin == "c" else [U.conj().T.copy()]  # D_r U = U D_c


def hom_basis(rep_in, rep_out) -> list[np.ndarray]:
    """A basis of the equivariant linear maps rep_in -> rep_out (Schur's lemma, block form).

    For SO(3) reps (real irreps are absolutely irreducible) every pair of equal irreps (equal
    degree and parity, so the maps are O(3)-equivariant; with the default natural parities
    this is every pair of equal degrees) gives an identity block; for real SO(2) irreps psi_k (k >= 1) the pair gives I and
    J = [[0, -1], [1, 0]] (End psi_k = C); complex characters match by frequency.  Mixed
    real/complex pairs (e.g. chi_m -> Res rho_l, or Ind chi_m -> rho_l) use the exact
    complex change of basis.  Matrices have shape (dim_out, dim_in); integer arrays when the
    maps are integral.

    Parameters
    ----------
    rep_in, rep_out : SO2Irrep, SO2Rep, Restriction, Irrep, Irreps or InducedRep
        Both SO(2) or both SO(3). A Restriction stands for its SO(2) direct sum (in the basis
        after ``change_of_basis``).

    Returns
    -------
    list of numpy.ndarray

    Raises
    ------
    ReptheoryTypeError
        Unsupported types, or one SO(2) and one SO(3) representation.

    Examples
    --------
    >>> len(hom_basis(Irreps("2x1o"), Irreps("1x1o+1x0e")))
    2
    >>> len(hom_basis(SO2Rep("1x2"), restrict(3).rep))
    2
    """
    gin, bin_ = _blocks(rep_in)
    gout, bout = _blocks(rep_out)
    if gin != gout:
        raise ReptheoryTypeError(f"rep_in is an {gin} representation but rep_out an {gout} one")
    din, dout = _dim(bin_), _dim(bout)
    fn = _so2_maps if gin == "SO2" else _so3_maps
    out = []
    for ko, do, oo in bout:
        for ki, di, oi in bin_:
            for M in fn(ki, ko):
                full = np.zeros((dout, din), dtype=M.dtype)
                full[oo : oo + do, oi : oi + di] = M
                out.append(full)
    return out


def frobenius_reciprocity(m: int, l: int) -> tuple[int, int]:
    """Both sides of Frobenius reciprocity for SO(2) in SO(3), computed independently.

    Returns ``(dim Hom_SO(2)(chi_m, Res rho_l), dim Hom_SO(3)(Ind chi_m, rho_l))``.  The left
    side is the nullity of the stacked constraints ``D_l(Rz(t)) v = exp(i m t) v`` for a few
    angles t (numerical, from :func:`wigner_D`); the right side counts :func:`hom_basis` maps
    from :func:`induce` (m, L = max(l, abs(m))) to rho_l.

    Examples
    --------
    >>> frobenius_reciprocity(2, 3)
    (1, 1)
    >>> frobenius_reciprocity(4, 3)
    (0, 0)
    """
    m = check_int("m", m)
    l = check_int("l", l, minimum=0)
    ts = np.array([0.37, 1.21, 2.9])
    A = np.concatenate([wigner_D(l, rot_z(t)) - np.exp(1j * m * t) * np.eye(2 * l + 1) for t in ts])
    sv = np.linalg.svd(A, compute_uv=False)
    left = int(np.sum(sv < 1e-9))
    right = len(hom_basis(induce(m, max(l, abs(m))), Irreps(l)))
    return left, right
