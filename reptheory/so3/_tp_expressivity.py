"""Which bilinear maps each tensor product can express ("The Price of Freedom" question).

For input irreps V1, V2 and output irreps V3 (O(3) irreps ``l`` with parity e/o), every
O(3)-equivariant bilinear map V1 x V2 -> V3 is a sum over instance triples (a in V1, b in V2,
c in V3) with ``|la-lb| <= lc <= la+lb`` and ``pa pb = pc`` of a multiple of the real CG
tensor (Schur), so ``dim Hom = #such triples``.

* **CG** (per-path weights, fully connected over multiplicities) reaches all of them.
* **Gaunt** (2-D Fourier or grid) multiplies *spherical functions*: an input copy can only be
  a function on the sphere if its parity is natural, ``p = (-1)**l``, and the product of
  functions only produces natural-parity outputs, so it reaches exactly the triples with all
  three parities natural, i.e. ``la + lb + lc`` even.  Lost: every triple with an odd sum
  (cross product 1o x 1o -> 1e, 1o x 2e -> 2o, ...), every input or output of unnatural parity
  (0o, 1e, 2o, ...).  Gaunt is symmetric: for ``x (x) x`` (self-interaction) it loses nothing
  more, but CG's odd-sum paths with la = lb vanish there too.  With only per-degree weights (Luo
  et al.) a single-channel Gaunt product is the set ``w1[l1] w2[l2] wo[l3] G``: its dimension
  (``param_dim``, the rank of the Jacobian at random weights) is at most
  ``n1 + n2 + n3 - 2``, far below the span for large L.
* **eSCN** (SO(2) weights, both the "real" and "imaginary" parts per order m) spans the CG
  convolution with the edge harmonics with *all* filter degrees, even and odd
  ``li + lf + lo``: it is SO(3)-equivariant, but its odd-sum part has the wrong parity for the
  declared output, so it is O(3)-equivariant only with the imaginary weights ``w[m][1] = 0``
  (then it spans the parity-respecting paths).

:func:`tensor_product_expressivity` returns the reachable paths and dimensions, computed
combinatorially and (``numerical=True``) confirmed by the rank of the stacked coupling tensors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_dense_size
from ._tables import cg_tensor, gaunt_tensor
from ._tp_util import Irrep, parse_irreps

__all__ = ["MethodExpressivity", "TPExpressivity", "tensor_product_expressivity"]


@dataclass(frozen=True)
class MethodExpressivity:
    """Paths (distinct irrep-type triples) one tensor product reaches and the dimensions of
    its maps: ``span_dim`` (linear span of the maps it can produce), ``param_dim`` (dimension
    of the family its own weights parameterise), ``symmetric_dim`` (span on the diagonal
    ``x1 = x2``, only when V1 == V2, else None), ``parity`` (whether it respects inversion)."""

    name: str
    paths: tuple[tuple[Irrep, Irrep, Irrep], ...]
    span_dim: int
    param_dim: int
    symmetric_dim: int | None
    parity: bool


@dataclass(frozen=True)
class TPExpressivity:
    """Report of :func:`tensor_product_expressivity`; ``str()`` gives a table."""

    irreps_in1: str
    irreps_in2: str
    irreps_out: str
    equivariant_dim: int
    methods: tuple[MethodExpressivity, ...]

    def method(self, name: str) -> MethodExpressivity:
        for m in self.methods:
            if m.name == name:
                return m
        raise KeyError(name)

    def lost(self, name: str, reference: str = "cg") -> tuple[tuple[Irrep, Irrep, Irrep], ...]:
        """Paths that ``reference`` reaches and ``name`` does not."""
        have = set(self.method(name).paths)
        return tuple(p for p in self.method(reference).paths if p not in have)

    def __str__(self) -> str:
        lines = [
            f"tensor products {self.irreps_in1} x {self.irreps_in2} -> {self.irreps_out}",
            f"all O(3)-equivariant bilinear maps: dimension {self.equivariant_dim}",
            f"{'method':<8} {'paths':>5} {'span':>5} {'params':>6} {'x(x)x':>6} {'parity':>6}",
        ]
        for m in self.methods:
            sym = "-" if m.symmetric_dim is None else str(m.symmetric_dim)
            lines.append(
                f"{m.name:<8} {len(m.paths):>5} {m.span_dim:>5} {m.param_dim:>6} {sym:>6} "
                f"{'yes' if m.parity else 'no':>6}"
            )
        lost = self.lost("gaunt")
        if lost:
            shown = ", ".join(f"{a}x{b}->{c}" for a, b, c in lost[:8])
            more = f" (+{len(lost) - 8} more)" if len(lost) > 8 else ""
            lines.append(f"gaunt loses: {shown}{more}")
        return "\n".join(lines)


def _instances(irreps) -> list[Irrep]:
    out = []
    for mul, ir in parse_irreps(irreps):
        out.extend([ir] * mul)
    return out


def _offsets(inst: list[Irrep]) -> list[int]:
    off, o = [], 0
    for ir in inst:
        off.append(o)
        o += 2 * ir.l + 1
    return off + [o]


def _natural(ir: Irrep) -> bool:
    return ir.p == (-1) ** ir.l


def _tensor(l1, l2, l3, kind, o1, o2, o3, dims) -> np.ndarray:
    T = np.zeros(dims)
    tab = cg_tensor(l1, l2, l3) if kind == "cg" else gaunt_tensor(l1, l2, l3)
    T[o1 : o1 + 2 * l1 + 1, o2 : o2 + 2 * l2 + 1, o3 : o3 + 2 * l3 + 1] = tab
    return T


def _rank(rows: list[np.ndarray]) -> int:
    if not rows:
        return 0
    M = np.stack([r.ravel() for r in rows])
    s = np.linalg.svd(M, compute_uv=False)
    return int(np.sum(s > 1e-9 * max(1.0, s[0])))


def tensor_product_expressivity(
    irreps_in1, irreps_in2, irreps_out, numerical: bool = True
) -> TPExpressivity:
    """Paths and dimensions of the bilinear maps each tensor product reaches.

    Parameters
    ----------
    irreps_in1, irreps_in2, irreps_out : str or int
        Irreps strings like ``"2x0e+1x1o"`` (an int L means ``0e+1o+...+L``, the degrees of a
        spherical-harmonic feature).
    numerical : bool
        Confirm every dimension by the rank of the stacked coupling tensors (and compute
        ``param_dim`` of the per-degree Gaunt family from a Jacobian); otherwise combinatorial.

    Returns
    -------
    TPExpressivity
        Methods "cg", "gaunt" (Fourier and grid are the same map), "escn" (the eSCN convolution
        with ``x2 = Y(edge)``, SO(2) weights in both parts).

    Raises
    ------
    InvalidParameterError
        Irreps strings that do not parse (the message points at the token).

    Examples
    --------
    >>> r = tensor_product_expressivity("1o", "1o", "0e+1e+2e")
    >>> r.method("cg").span_dim, r.method("gaunt").span_dim
    (3, 2)
    >>> [f"{a}x{b}->{c}" for a, b, c in r.lost("gaunt")]       # the cross product
    ['1ox1o->1e']
    >>> print(tensor_product_expressivity(2, 2, 2))
    tensor products 2 x 2 -> 2
    all O(3)-equivariant bilinear maps: dimension 11
    method   paths  span params  x(x)x parity
    cg          11    11     11      8    yes
    gaunt       11    11      7      8    yes
    escn        15    15     15      9     no
    """
    i1, i2, io = _instances(irreps_in1), _instances(irreps_in2), _instances(irreps_out)
    o1, o2, o3 = _offsets(i1), _offsets(i2), _offsets(io)
    dims = (o1[-1], o2[-1], o3[-1])
    same = [(ir.l, ir.p) for ir in i1] == [(ir.l, ir.p) for ir in i2]
    if numerical:
        check_dense_size(
            "stack of coupling tensors",
            dims[0] * dims[1] * dims[2] * max(1, len(i1) * len(i2) * len(io)),
            hint="use numerical=False for large irreps",
        )

    def tri(a, b, c):
        return abs(a.l - b.l) <= c.l <= a.l + b.l

    triples = {
        "cg": [
            (a, b, c)
            for a in range(len(i1))
            for b in range(len(i2))
            for c in range(len(io))
            if tri(i1[a], i2[b], io[c]) and i1[a].p * i2[b].p == io[c].p
        ],
        "gaunt": [
            (a, b, c)
            for a in range(len(i1))
            for b in range(len(i2))
            for c in range(len(io))
            if tri(i1[a], i2[b], io[c])
            and _natural(i1[a])
            and _natural(i2[b])
            and _natural(io[c])
            and (i1[a].l + i2[b].l + io[c].l) % 2 == 0
        ],
        "escn": [
            (a, b, c)
            for a in range(len(i1))
            for b in range(len(i2))
            for c in range(len(io))
            if tri(i1[a], i2[b], io[c])
        ],
    }
    equivariant_dim = len(triples["cg"])
    methods = []
    for name, tr in triples.items():
        kind = "gaunt" if name == "gaunt" else "cg"
        paths = tuple(sorted({(i1[a], i2[b], io[c]) for a, b, c in tr}))
        span = param = len(tr)
        sym = None
        if numerical or same:
            tensors = [
                _tensor(i1[a].l, i2[b].l, io[c].l, kind, o1[a], o2[b], o3[c], dims)
                for a, b, c in tr
            ]
            if numerical:
                span = _rank(tensors)
                param = span
            if same:
                sym = _rank([T + T.transpose(1, 0, 2) for T in tensors])
        if name == "gaunt":
            param = (
                _gaunt_param_dim(tr, i1, i2, io, o1, o2, o3, dims)
                if numerical
                else min(span, len(i1) + len(i2) + len(io) - 2)
            )
        methods.append(MethodExpressivity(name, paths, span, param, sym, name != "escn"))
    return TPExpressivity(
        str(irreps_in1), str(irreps_in2), str(irreps_out), equivariant_dim, tuple(methods)
    )


def _gaunt_param_dim(tr, i1, i2, io, o1, o2, o3, dims) -> int:
    """Rank of the Jacobian of (w1, w2, wo) -> sum w1[a] w2[b] wo[c] G_abc at random weights."""
    if not tr:
        return 0
    rng = np.random.default_rng(0)
    w1, w2, wo = rng.normal(size=len(i1)), rng.normal(size=len(i2)), rng.normal(size=len(io))
    J1 = [np.zeros(dims) for _ in i1]
    J2 = [np.zeros(dims) for _ in i2]
    J3 = [np.zeros(dims) for _ in io]
    for a, b, c in tr:
        G = _tensor(i1[a].l, i2[b].l, io[c].l, "gaunt", o1[a], o2[b], o3[c], dims)
        J1[a] += w2[b] * wo[c] * G
        J2[b] += w1[a] * wo[c] * G
        J3[c] += w1[a] * w2[b] * G
    return _rank(J1 + J2 + J3)
