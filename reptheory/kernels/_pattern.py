"""Weight-sharing patterns: which parameter feeds which entry of the layer matrix.

The layer matrix of ``sum_b w_b B_b`` is a gather: entry ``(row, col)`` is
``sum over pattern entries e at (row, col) of coefficient_e * w[param_e]``. For the S_n orbit
basis every nonzero entry belongs to exactly one parameter with coefficient 1; for bases built
with constants (J, the Levi-Civita symbol) or Möbius combinations coefficients carry signs.
All coefficients are exact (integer numerators over one common denominator).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from typing import Any

import numpy as np

from .._validate import check_dense_size

__all__ = ["SharingPattern", "pattern_layer_matrix", "sharing_pattern"]


@dataclass(frozen=True, eq=False)
class SharingPattern:
    """Sparse weight-sharing pattern of a layer basis (arrays are read-only).

    Attributes
    ----------
    shape : (int, int)
        ``(n**l, n**k)``: rows index outputs, columns inputs (row-major tensor indices).
    num_params : int
        Number of basis elements (parameters).
    rows, cols, params : int64 arrays
        One entry per nonzero (row, column, parameter), sorted by (row, col, param).
    numerators : int64 array
    denominator : int
        Coefficient of each entry = numerator / denominator (exact).
    """

    shape: tuple[int, int]
    num_params: int
    rows: np.ndarray
    cols: np.ndarray
    params: np.ndarray
    numerators: np.ndarray
    denominator: int = 1

    def __len__(self) -> int:
        return int(self.rows.shape[0])

    @property
    def coefficients(self) -> np.ndarray:
        """Coefficients as float64."""
        c = self.numerators.astype(np.float64) / self.denominator
        c.setflags(write=False)
        return c

    def exact_coefficient(self, e: int) -> int | Fraction:
        f = Fraction(int(self.numerators[e]), self.denominator)
        return f.numerator if f.denominator == 1 else f

    def is_partition(self) -> bool:
        """True if every nonzero entry belongs to exactly one parameter with coefficient 1."""
        if len(self) == 0:
            return True
        if not np.all(self.numerators == self.denominator):
            return False
        flat = self.rows * self.shape[1] + self.cols
        return bool(np.all(np.diff(flat) > 0))

    def to_text(self, max_lines: int | None = None) -> str:
        """One line per entry: ``row col param coefficient``."""
        lines = [f"# shape {self.shape[0]} x {self.shape[1]}, {self.num_params} parameters, "
                 f"{len(self)} entries" + (" (each entry one parameter, coefficient 1)"
                                            if self.is_partition() else "")]
        lines.append("row\tcol\tparam\tcoefficient")
        m = len(self) if max_lines is None else min(len(self), max_lines)
        for e in range(m):
            lines.append(f"{self.rows[e]}\t{self.cols[e]}\t{self.params[e]}\t"
                         f"{self.exact_coefficient(e)}")
        if m < len(self):
            lines.append(f"... {len(self) - m} more entries")
        return "\n".join(lines)


def _op_entries(op, n: int, spec, max_entries: int | None):
    """(rows, cols, exact values as int64 or object) of one operation."""
    from ._numpy import label_assignment_entries

    integer = all(isinstance(v, int) for nm, _ in op.factors for _, v in spec.constant(nm).entries)
    dtype = np.int64 if integer else object
    arrays = {}
    for name, _ in op.factors:
        c = spec.constant(name)
        dense = np.zeros(c.shape, dtype=dtype)
        for idx, v in c.entries:
            dense[idx] = v
        arrays[name] = dense
    return label_assignment_entries(
        op, n, arrays, max_entries, value_dtype=dtype,
        hint="sharing patterns need n**(number of labels) work; use apply()")


def sharing_pattern(spec, max_entries: int | None = None) -> SharingPattern:
    """The exact weight-sharing pattern of a LayerSpec (cached on the spec).

    Examples
    --------
    >>> import reptheory as rt
    >>> p = sharing_pattern(rt.layer_basis(rt.S(2), 1, 1, kind="orbit").spec)
    >>> p.rows.tolist(), p.cols.tolist(), p.params.tolist(), p.is_partition()
    ([0, 0, 1, 1], [0, 1, 0, 1], [0, 1, 1, 0], True)
    """
    cache = spec.__dict__.get("_pattern_cache")
    if cache is not None and max_entries is None:
        return cache
    n = spec.n
    check_dense_size(f"the index space n**(k+l) = {n}**{spec.k + spec.l} of a sharing pattern",
                     n ** (spec.k + spec.l), max_entries,
                     hint="use apply(), which never forms the matrix")
    den = 1
    for row in spec.coefficients:
        for _, c in row:
            if isinstance(c, Fraction):
                den = lcm(den, c.denominator)
    op_entries = [_op_entries(op, n, spec, max_entries) for op in spec.operations]
    shape = (n**spec.l, n**spec.k)
    R, Cc, P, V = [], [], [], []
    for b, row in enumerate(spec.coefficients):
        acc: dict[int, Any] = {}
        parts_f, parts_v = [], []
        for j, c in row:
            r, col, v = op_entries[j]
            num = int(Fraction(c) * den)
            parts_f.append(r * shape[1] + col)
            parts_v.append(v * num)
        if not parts_f:
            continue
        flat = np.concatenate(parts_f)
        vals = np.concatenate(parts_v)
        if vals.dtype == object:
            for f, v in zip(flat.tolist(), vals.tolist()):
                acc[f] = acc.get(f, 0) + v
            keys = np.array([f for f, v in acc.items() if v != 0], dtype=np.int64)
            vv = [acc[f] for f in keys.tolist()]
            if any(isinstance(v, Fraction) and v.denominator != 1 for v in vv):
                raise NotImplementedError("constants with non-integer entries")  # pragma: no cover
            vals_b = np.array([int(v) for v in vv], dtype=np.int64)
        else:
            keys, inv = np.unique(flat, return_inverse=True)
            vals_b = np.zeros(len(keys), dtype=np.int64)
            np.add.at(vals_b, inv, vals.astype(np.int64))
            nz = vals_b != 0
            keys, vals_b = keys[nz], vals_b[nz]
        R.append(keys // shape[1])
        Cc.append(keys % shape[1])
        P.append(np.full(len(keys), b, dtype=np.int64))
        V.append(vals_b)
    if R:
        rows, cols, params, nums = (np.concatenate(a) for a in (R, Cc, P, V))
    else:
        rows = cols = params = nums = np.zeros(0, dtype=np.int64)
    order = np.lexsort((params, cols, rows))
    arrays = [np.ascontiguousarray(a[order], dtype=np.int64) for a in (rows, cols, params, nums)]
    for a in arrays:
        a.setflags(write=False)
    pat = SharingPattern(shape, len(spec), *arrays, denominator=den)
    if max_entries is None:
        object.__setattr__(spec, "_pattern_cache", pat)
    return pat


def pattern_layer_matrix(pattern: SharingPattern, weights: np.ndarray, sparse: bool = True):
    """Layer matrix from a weight vector (nb,) or weights (c_out, c_in, nb), numpy / scipy.

    Shape (n**l, n**k) for a vector, (c_out * n**l, c_in * n**k) for channel weights.
    """
    import scipy.sparse as sp

    nr, nc = pattern.shape
    coef = pattern.coefficients
    if weights.ndim == 1:
        vals = coef * weights[pattern.params]
        if sparse:
            m = sp.coo_matrix((vals, (pattern.rows, pattern.cols)), shape=(nr, nc)).tocsr()
            m.sum_duplicates()
            m.eliminate_zeros()
            return m
        flat = pattern.rows * nc + pattern.cols
        return np.bincount(flat, weights=vals, minlength=nr * nc).reshape(nr, nc).astype(
            weights.dtype, copy=False)
    c_out, c_in, nb = weights.shape
    # sparse (nr*nc, nb) pattern matrix times dense weights: the gather as one product
    P = sp.csr_matrix((coef, (pattern.rows * nc + pattern.cols, pattern.params)),
                      shape=(nr * nc, nb))
    W = weights.reshape(c_out * c_in, nb)
    if sparse:
        blocks = []
        for o in range(c_out):
            row_blocks = []
            for i in range(c_in):
                v = P @ W[o * c_in + i]
                row_blocks.append(sp.csr_matrix(v.reshape(nr, nc)))
            blocks.append(row_blocks)
        m = sp.bmat(blocks, format="csr")
        m.eliminate_zeros()
        return m
    M = np.asarray(P @ W.T)                     # (nr*nc, c_out*c_in)
    M = M.reshape(nr, nc, c_out, c_in).transpose(2, 0, 3, 1).reshape(c_out * nr, c_in * nc)
    return np.ascontiguousarray(M, dtype=weights.dtype)
