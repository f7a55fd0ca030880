"""Source generation for SO(3) tensor products: the CG product (per-path weights) and the Gaunt
product (sphere grid), as standalone torch / JAX / NumPy modules that do not import reptheory.

* **CG**: the non-zero real Clebsch-Gordan entries of all paths are written as exact integers
  ``(k, path, i, j, s*num, den)`` meaning ``s * sqrt(num / den)``; the module rounds each once
  (``math.sqrt`` of a correctly rounded quotient) when it loads.  The product gathers
  ``x1[..., i] * x2[..., j]``, multiplies by ``coefficient * weight[path]`` and scatter-adds
  into output index k.
* **Gaunt**: the module builds, when it loads, the Gauss-Legendre x equispaced sphere grid that
  makes the projection exact (``n_theta = (L1+L2+L_out)//2 + 1`` nodes by Newton iteration,
  ``n_phi = L1+L2+L_out+1`` angles) and the real harmonics on it (normalised associated-Legendre
  recurrences), in pure Python with ``math``; nothing grows with L in the file itself.  The
  product is ``((x1 @ Y1) * (x2 @ Y2)) @ W``, W the harmonics times the quadrature weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._validate import check_int
from .._version import __version__
from ..errors import InvalidParameterError, SizeLimitError
from ._emit import check_identifier, doc_text
from ._tp_data import cg_entries

__all__ = ["TP_CODEGEN_VERSION", "TP_KINDS", "generate_tensor_product"]

#: Kinds of :func:`generate_tensor_product`.
TP_KINDS = ("cg", "gaunt")

#: Version of the generated tensor-product layout.
TP_CODEGEN_VERSION = 1

#: Default cap on emitted CG entries (one source line each, about 30 bytes).
DEFAULT_MAX_CG_ENTRIES = 40_000

#: Default cap on grid points x harmonics built in pure Python when a Gaunt module loads.
DEFAULT_MAX_GRID_ENTRIES = 2_000_000

_DEFAULT_NAMES = {
    ("cg", "torch"): "CGTensorProduct",
    ("gaunt", "torch"): "GauntTensorProduct",
    ("cg", "jax"): "cg_tensor_product",
    ("gaunt", "jax"): "gaunt_tensor_product",
    ("cg", "numpy"): "cg_tensor_product",
    ("gaunt", "numpy"): "gaunt_tensor_product",
}

# module-level names of the generated module (besides those of _emit and anything with "_")
_TP_RESERVED = frozenset(
    {
        "L1", "L2", "L_OUT", "D1", "D2", "D_OUT", "NUM_PATHS", "NUM_ENTRIES", "PATHS",
        "N_THETA", "N_PHI", "LMAX",
    }
)


def _cg_estimate_lower_bound(L1: int, L2: int, L_out: int) -> int:
    """A lower bound, in closed form, of sum over all paths (a, b, c) of 2 (2a+1) (2b+1).

    The paths (a, a, 0), (a, 0, a) and (0, a, a) exist for a up to the smaller of the two
    degrees involved, and sum_{a<m} (2a+1)^2 = m (2m-1) (2m+1) / 3, sum_{a<m} (2a+1) = m^2.
    Degrees above the sum of the other two take part in no path, so they are clamped first.

    Examples
    --------
    >>> _cg_estimate_lower_bound(1, 1, 0), _cg_estimate_lower_bound(10**9, 0, 0)
    (20, 2)
    """
    L1, L2, L_out = min(L1, L2 + L_out), min(L2, L1 + L_out), min(L_out, L1 + L2)
    m = min(L1, L2) + 1
    return max(2 * m * (2 * m - 1) * (2 * m + 1) // 3,
               2 * (min(L1, L_out) + 1) ** 2, 2 * (min(L2, L_out) + 1) ** 2)


def _check_paths(paths: Any, L1: int, L2: int, L_out: int) -> tuple[tuple[int, int, int], ...]:
    from ..so3 import tp_paths

    if paths is None:
        # degrees above the sum of the other two take part in no path
        return tp_paths(min(L1, L2 + L_out), min(L2, L1 + L_out), min(L_out, L1 + L2))
    if isinstance(paths, (str, bytes)) or not isinstance(paths, Sequence):
        raise InvalidParameterError(f"paths must be a sequence of (l1, l2, l3), got {paths!r}")
    out = []
    for p in paths:
        if not isinstance(p, Sequence) or len(p) != 3:
            raise InvalidParameterError(f"paths must hold triples (l1, l2, l3), got {p!r}")
        l1, l2, l3 = (check_int("path degree", v, minimum=0) for v in p)
        if not (l1 <= L1 and l2 <= L2 and l3 <= L_out):
            raise InvalidParameterError(
                f"path {tuple(p)!r} out of range: need l1 <= L1={L1}, l2 <= L2={L2}, "
                f"l3 <= L_out={L_out}"
            )
        if not abs(l1 - l2) <= l3 <= l1 + l2:
            raise InvalidParameterError(
                f"path {tuple(p)!r} violates the triangle rule |l1-l2| <= l3 <= l1+l2"
            )
        out.append((l1, l2, l3))
    if not out:
        raise InvalidParameterError("paths must contain at least one path")
    if len(set(out)) != len(out):
        raise InvalidParameterError("paths contains a repeated path")
    return tuple(out)


def generate_tensor_product(
    kind: str,
    L1: int,
    L2: int,
    L_out: int,
    target: str = "torch",
    name: str | None = None,
    method: str | None = None,
    paths: Sequence[Sequence[int]] | None = None,
    max_entries: int | None = None,
) -> str:
    """Source of a standalone module computing an SO(3) tensor product.

    Parameters
    ----------
    kind : {"cg", "gaunt"}
        Clebsch-Gordan product with one weight per path (or per path and channel), or the
        Gaunt product (pointwise product of the two spherical functions, projected onto
        degrees <= L_out) with per-degree weights.
    L1, L2, L_out : int
        Input degrees 0..L1 and 0..L2, output degrees 0..L_out (any size; the
        entry-count guards below bound the work).
    target : {"torch", "jax", "numpy"}
    name : str, optional
        Class (torch) or function name; default ``CGTensorProduct`` / ``GauntTensorProduct``
        (torch), ``cg_tensor_product`` / ``gaunt_tensor_product`` (JAX, NumPy).
    method : str, optional
        ``"sparse"`` (CG, the default and only one) or ``"grid"`` (Gaunt, the default and only
        one).
    paths : sequence of (l1, l2, l3), optional
        CG only: the coupling paths (default all, in the order of
        :func:`reptheory.so3.tp_paths`), which is the order of the weights.
    max_entries : int, optional
        Size guard: CG entries emitted (default 40,000, about 1.2 MB of source) or Gaunt grid
        table entries built at import (default 2,000,000).

    Returns
    -------
    str
        Python source; deterministic, ``ruff format`` clean.

    Raises
    ------
    InvalidParameterError
        Unknown kind, target or method, bad degrees or paths, bad name.
    SizeLimitError
        More entries than ``max_entries``.

    Examples
    --------
    >>> src = generate_tensor_product("cg", 1, 1, 2, target="numpy")
    >>> ns = {}
    >>> exec(compile(src, "tp.py", "exec"), ns)
    >>> import numpy as np
    >>> ns["cg_tensor_product"](np.ones((2, 4)), np.ones((2, 4))).shape
    (2, 9)
    """
    if kind not in TP_KINDS:
        raise InvalidParameterError(f"kind must be one of {TP_KINDS}, got {kind!r}")
    if target not in ("torch", "jax", "numpy"):
        raise InvalidParameterError(f"target must be 'torch', 'jax' or 'numpy', got {target!r}")
    L1 = check_int("L1", L1, minimum=0)
    L2 = check_int("L2", L2, minimum=0)
    L_out = check_int("L_out", L_out, minimum=0)
    allowed = "sparse" if kind == "cg" else "grid"
    if method is None:
        method = allowed
    if method != allowed:
        raise InvalidParameterError(
            f"method for kind={kind!r} must be {allowed!r} (or None), got {method!r}"
        )
    if name is None:
        name = _DEFAULT_NAMES[(kind, target)]
    check_identifier("name", name)
    if name in _TP_RESERVED or name.startswith("_"):
        raise InvalidParameterError(
            f"name must not start with '_' or be one of {', '.join(sorted(_TP_RESERVED))}, "
            f"got {name!r}"
        )
    if max_entries is not None:
        max_entries = check_int("max_entries", max_entries, minimum=1)
    from . import _tp_targets as T

    if kind == "cg":
        cap = DEFAULT_MAX_CG_ENTRIES if max_entries is None else max_entries
        if paths is None and _cg_estimate_lower_bound(L1, L2, L_out) > 4 * cap:
            raise SizeLimitError(
                f"the CG product L1={L1}, L2={L2}, L_out={L_out} would emit more than "
                f"{_cg_estimate_lower_bound(L1, L2, L_out) // 2} entries, over max_entries={cap}; "
                "lower the degrees, select paths, or use kind='gaunt' (grid built at import, "
                "file size independent of L)"
            )
        ps = _check_paths(paths, L1, L2, L_out)
        if not ps:
            raise InvalidParameterError(f"no path couples L1={L1}, L2={L2} to L_out={L_out}")
        # count first (cheap) so that absurd requests fail before the exact tabulation
        estimate = sum((2 * a + 1) * (2 * b + 1) * 2 for a, b, _ in ps)
        if estimate > 4 * cap:
            raise SizeLimitError(
                f"the CG product L1={L1}, L2={L2}, L_out={L_out} would emit about {estimate // 2} "
                f"entries, over max_entries={cap}; lower the degrees, select paths, or use "
                "kind='gaunt' (grid built at import, file size independent of L)"
            )
        entries = cg_entries(ps)
        if len(entries) > cap:
            raise SizeLimitError(
                f"the CG product L1={L1}, L2={L2}, L_out={L_out} has {len(entries)} non-zero "
                f"entries, over max_entries={cap}; lower the degrees, select paths, or pass a "
                "larger max_entries"
            )
        head = _header("cg", L1, L2, L_out, target, name, ps, len(entries))
        return T.emit_cg(head, target, name, L1, L2, L_out, ps, entries)
    total = L1 + L2 + L_out
    n_t, n_p = total // 2 + 1, total + 1
    lmax = max(L1, L2, L_out)
    size = n_t * n_p * (lmax + 1) ** 2
    cap = DEFAULT_MAX_GRID_ENTRIES if max_entries is None else max_entries
    if size > cap:
        raise SizeLimitError(
            f"the Gaunt grid for L1={L1}, L2={L2}, L_out={L_out} ({n_t} x {n_p} points, "
            f"{(lmax + 1) ** 2} harmonics) has {size} table entries, over max_entries={cap}; "
            "lower the degrees or pass a larger max_entries"
        )
    head = _header("gaunt", L1, L2, L_out, target, name, None, n_t * n_p)
    return T.emit_gaunt(head, target, name, L1, L2, L_out, n_t, n_p)


def _header(
    kind: str,
    L1: int,
    L2: int,
    L_out: int,
    target: str,
    name: str,
    paths: tuple | None,
    count: int,
) -> str:
    fw = {"torch": "PyTorch module", "jax": "JAX function", "numpy": "NumPy function"}[target]
    if kind == "cg":
        what = f"Clebsch-Gordan tensor product, degrees 0..{L1} x 0..{L2} -> 0..{L_out}."
        body = [
            f"Defines the {fw} {name}.",
            "",
            "z[l3] += w[l1, l2, l3] * sum_{m1, m2} C[l1 m1, l2 m2, l3 m3] x1[l1 m1] x2[l2 m2]",
            "with the real CG tensor C of reptheory.so3.cg_tensor (the complex Clebsch-Gordan",
            "coefficients, Condon-Shortley phase, changed to the real basis; times -i for odd",
            "l1 + l2 + l3, so that it is real).  Each path is SO(3)-equivariant; odd-sum paths",
            "give pseudo-tensors.",
            f"Paths ({len(paths)}, the order of the weights):",
        ]
        line = "   "
        for p in paths:
            item = f" ({p[0]},{p[1]},{p[2]})"
            if len(line) + len(item) > 90:
                body.append(line)
                line = "   "
            line += item
        body.append(line)
        body += [
            f"{count} non-zero entries, stored exactly as (k, path, i, j, s*num, den) meaning",
            "C = s * sqrt(num / den), rounded once when this module loads.",
        ]
    else:
        what = f"Gaunt tensor product, degrees 0..{L1} x 0..{L2} -> 0..{L_out}."
        body = [
            f"Defines the {fw} {name}.",
            "",
            "z[l3 m3] = wo[l3] * integral over the sphere of F1 * F2 * Y_{l3 m3}, with",
            "F1 = sum w1[l1] x1[l1 m1] Y_{l1 m1} and F2 likewise (per-degree weights, Luo et al.),",
            "i.e. the CG product with path weights",
            "sqrt((2l1+1)(2l2+1) / (4 pi (2l3+1))) <l1 0 l2 0|l3 0> (zero for odd l1 + l2 + l3).",
            f"Computed on an exact quadrature grid of {count} points: Gauss-Legendre in cos(theta)",
            "((L1+L2+L_out)//2 + 1 nodes) times L1+L2+L_out+1 equispaced angles phi.  Nodes,",
            "weights and harmonics are computed in pure Python when this module loads.",
        ]
    lines = [
        what,
        "",
        *body,
        "",
        "Conventions (those of reptheory.so3): real spherical harmonics, orthonormal on the unit",
        "sphere, m = -l..l, no Condon-Shortley phase in the real basis, polar axis z (degree 1 is",
        "sqrt(3/(4 pi)) (y, z, x)).  A feature of degree L has shape (..., (L+1)**2) holding",
        "degrees 0..L at index l*l + l + m.  Rotating the inputs by R multiplies each degree",
        "block by wigner_D(l, R); the output then transforms the same way.",
        "",
        (
            f"Generated by reptheory {doc_text(__version__, 20)} (reptheory.codegen, "
            f"tensor-product layout {TP_CODEGEN_VERSION}) for {target}."
        ),
        "This file does not import reptheory. Do not edit by hand; regenerate instead.",
    ]
    return '"""' + "\n".join(lines) + '\n"""\n'
