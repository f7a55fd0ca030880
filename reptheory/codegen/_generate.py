"""Source generation: a :class:`~reptheory.layers.LayerSpec` -> a standalone torch / JAX / NumPy
module.

The generated module never imports reptheory and never builds an n^(k+l) matrix. Each distinct
operation becomes one small function doing

1. *reduce*: one ``einsum`` taking the diagonals of x named by repeated input labels,
   multiplying constant tensors in and summing contracted labels (skipped when it is the
   identity);
2. *mix*: contracting the channel axis with the operation's effective weights
   ``w_eff = weight @ C`` (C the exact coefficient matrix);
3. *place*: adding the result into y by broadcasting (output-only labels) or, when an output
   label repeats, by a scatter-add at precomputed flat positions of the generalised diagonal.

Each operation costs O(n^k + n^l) per (batch, channel) pair.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

from .._version import __version__
from ..errors import InvalidParameterError, ReptheoryTypeError
from ..layers import LayerBasis, LayerSpec, SizeFreeLayerBasis
from ..layers._spec import SPEC_FORMAT_VERSION
from ._emit import (
    OpPlan,
    call,
    check_identifier,
    check_spec_for_codegen,
    coefficient_entries,
    doc_text,
    is_identity_coefficients,
    plan_operation,
    seq,
)

__all__ = ["CODEGEN_VERSION", "TARGETS", "generate"]

#: Targets of :func:`generate`.
TARGETS = ("torch", "jax", "numpy")

#: Version of the generated-code layout (bumped when the emitted API changes).
CODEGEN_VERSION = 1

_DEFAULT_NAMES = {"torch": "EquivariantLayer", "jax": "equivariant_layer", "numpy": "equivariant_layer"}
_MAX_DOC_ELEMENTS = 60


# -- resolving the input -------------------------------------------------------------------
def _size_free_spec(basis: Any, n0: int) -> LayerSpec:
    """The spec of a size-free basis at n = n0 (>= 2), checked to hold for every n.

    Generated code for ``S()`` takes n from its input, so the operations and coefficients must
    not depend on n and there must be no constant tensor (its shape would fix n).
    """
    spec, other = basis.spec_at(n0), basis.spec_at(n0 + 1)
    if spec.constants or spec.operations != other.operations or \
            coefficient_entries(spec) != coefficient_entries(other):
        raise InvalidParameterError(
            f"{basis.group!r} (k={basis.k}, l={basis.l}): the layer's operations depend on n, so "
            "code that takes n from its input cannot be generated; use a group with a fixed n")
    return replace(spec, group=repr(basis.group))


def _resolve(spec_or_basis: Any, bias: Any) -> tuple[LayerSpec, LayerSpec | None]:
    if isinstance(spec_or_basis, SizeFreeLayerBasis):
        if isinstance(bias, LayerSpec):
            raise InvalidParameterError(
                "bias: an S() layer takes bias=None, True or False (a LayerSpec has a fixed n)")
        n0 = max(spec_or_basis.k + spec_or_basis.l, 2)
        spec = _size_free_spec(spec_or_basis, n0)
        bias_spec = None
        if bias is not False:
            from ..layers import layer_basis

            bias_spec = _size_free_spec(layer_basis(spec_or_basis.group, 0, spec_or_basis.l), n0)
            check_spec_for_codegen(bias_spec)
        check_spec_for_codegen(spec)
        return spec, (bias_spec if bias_spec is not None and len(bias_spec) else None)
    if isinstance(spec_or_basis, LayerBasis):
        spec = spec_or_basis.spec
        if bias is None or bias is True:
            from ..layers import layer_basis

            try:
                bias_spec = layer_basis(spec_or_basis.group, 0, spec_or_basis.l).spec
            except (ValueError, NotImplementedError):
                if bias is True:
                    raise
                bias_spec = None
        else:
            bias_spec = None if bias is False else bias
    elif isinstance(spec_or_basis, LayerSpec):
        spec = spec_or_basis
        if bias is True:
            raise InvalidParameterError(
                "bias=True needs a LayerBasis (to build the invariant bias basis); with a "
                "LayerSpec pass the k=0 bias LayerSpec itself as bias=..."
            )
        bias_spec = None if bias in (None, False) else bias
    else:
        raise ReptheoryTypeError(
            f"spec_or_basis must be a LayerBasis or LayerSpec, got {type(spec_or_basis).__name__}"
        )
    check_spec_for_codegen(spec)
    if bias_spec is not None:
        if not isinstance(bias_spec, LayerSpec):
            raise ReptheoryTypeError(
                f"bias must be None, True, False or a LayerSpec, got {type(bias_spec).__name__}"
            )
        check_spec_for_codegen(bias_spec)
        if bias_spec.k != 0 or bias_spec.l != spec.l or bias_spec.n != spec.n:
            raise InvalidParameterError(
                f"the bias LayerSpec must have k=0, l={spec.l}, n={spec.n}; got "
                f"k={bias_spec.k}, l={bias_spec.l}, n={bias_spec.n}"
            )
        if len(bias_spec) == 0:
            bias_spec = None
    return spec, bias_spec


# -- pieces shared by all targets ----------------------------------------------------------
def _header(spec: LayerSpec, bias_spec: LayerSpec | None, target: str, what: str,
            size_free: bool = False) -> str:
    n, k, l = ("n" if size_free else spec.n), spec.k, spec.l
    lines = [
        (f"Equivariant linear layer (R^{n})^(x{k}) -> (R^{n})^(x{l}) for "
         f"{doc_text(spec.group, 40)}: {what}."),
        "",
        f"Group: {doc_text(spec.group, 60)}",
        (f"n = any (taken from the input), k = {k}, l = {l}; the elements are a basis for "
         f"n >= {k + l}" if size_free else f"n = {n}, k = {k}, l = {l}"),
        (f"Basis kind: {doc_text(spec.basis_kind, 60)} ({len(spec)} elements, "
         f"{spec.num_operations} distinct operations)"),
    ]
    if bias_spec is not None:
        lines.append(
            f"Bias: {len(bias_spec)} invariant elements (the k = 0 basis, kind "
            f"{doc_text(bias_spec.basis_kind, 40)})"
        )
    else:
        lines.append("Bias: none")
    lines += [
        (f"Generated by reptheory {doc_text(__version__, 20)} (reptheory.codegen, layout "
         f"{CODEGEN_VERSION}, LayerSpec format {SPEC_FORMAT_VERSION}) for {target}."),
        "This file does not import reptheory. Do not edit by hand; regenerate instead.",
        "",
        f"Input x: (batch, in_channels{', ' + ', '.join([str(n)] * k) if k else ''}).",
        f"Output y: (batch, out_channels{', ' + ', '.join([str(n)] * l) if l else ''}).",
        *(["Optional mask: (batch, n) bool marking real nodes; padded inputs and outputs",
            "are zeroed, so a padded graph gives the output of the graph alone."]
          if size_free else []),
        "",
        "    y = sum_b weight[:, :, b] B_b(x)   (+ sum_c bias[:, c] E_c)",
        "",
        "Every basis element B_b = sum_j C[b, j] Op_j is an exact combination (C in",
        "_COEFFS; left out when it is the identity) of the operations below, each",
        "evaluated without a matrix in O(n^k + n^l) per channel pair (labels a, b, ...",
        "run over range(n); a label repeated in y writes a diagonal, a label only in y",
        "broadcasts).",
        "",
        "Operations:",
    ]
    for j, op in enumerate(spec.operations):
        lines.append(f"    {j}: {plan_operation(op, j, spec.n).formula}")
    if spec.constants:
        lines += ["", "Constant tensors:"]
        for c in spec.constants:
            desc = doc_text(c.description, 60)
            shape = "x".join(str(s) for s in c.shape) or "scalar"
            lines.append(f"    {c.name} ({shape}, {len(c.entries)} nonzero){': ' + desc if desc else ''}")
    if spec.element_names:
        lines += ["", "Basis elements:"]
        for b, name in enumerate(spec.element_names[:_MAX_DOC_ELEMENTS]):
            lines.append(f"    {b}: {doc_text(name, 70)}")
        if len(spec) > _MAX_DOC_ELEMENTS:
            lines.append(f"    ... ({len(spec) - _MAX_DOC_ELEMENTS} more)")
    body = "\n".join(line.rstrip() for line in lines)
    return f'"""{body}\n"""\n'


def tables(spec: LayerSpec, bias_spec: LayerSpec | None) -> list[tuple[str, str, tuple, list]]:
    """The exact tables of a module: (variable, comment, shape, [(index, value)]).

    The coefficient matrix C is left out when it is the identity; constants of the bias spec
    get a ``BIAS_`` prefix.
    """
    out = []
    for prefix, sp in (("", spec), ("BIAS_", bias_spec)):
        if sp is None:
            continue
        what = "bias " if prefix else ""
        if prefix or not is_identity_coefficients(sp):
            ents = [((b, j), v) for b, j, v in coefficient_entries(sp)]
            comment = f"Exact {what}coefficient matrix C: {what}element b = sum_j C[b, j] * op j."
            out.append((f"_{prefix}COEFFS", comment, (len(sp), sp.num_operations), ents))
        for c in sp.constants:
            desc = doc_text(c.description, 50)
            out.append((f"_{prefix}CONST_{c.name}",
                        f"Constant tensor {c.name}{': ' + desc if desc else ''}.",
                        c.shape, list(c.entries)))
    return out


def _ratio(v: Any) -> tuple[int, int]:
    f = Fraction(v)
    p, q = int(f.numerator), int(f.denominator)
    if max(abs(p), q) >= 2**62:
        raise InvalidParameterError(f"exact value {f} is too large for generated code (> 2**62)")
    return p, q


def _tuple_literal(items: list[int] | tuple[int, ...]) -> str:
    items = [str(int(i)) for i in items]
    if not items:
        return "()"
    return f"({items[0]},)" if len(items) == 1 else "(" + ", ".join(items) + ")"


def _data(spec: LayerSpec, bias_spec: LayerSpec | None, size_free: bool = False) -> str:
    """Module-level literals: sizes, C, constants (all target neutral, exact integers)."""
    out = [
        "N = None  # any n: taken from the input" if size_free else f"N = {spec.n}",
        f"K = {spec.k}",
        f"L = {spec.l}",
        f"NUM_BASIS = {len(spec)}",
        f"NUM_OPS = {spec.num_operations}",
        f"NUM_BIAS = {len(bias_spec) if bias_spec is not None else 0}",
        "",
        "# Exact tables as nonzero entries (index, numerator, denominator).",
    ]
    for var, comment, shape, ents in tables(spec, bias_spec):
        items = []
        for idx, v in ents:
            p, q = _ratio(v)
            items.append(f"({_tuple_literal(idx)}, {p}, {q})")
        out += [
            "",
            f"# {comment}",
            f"{var}_SHAPE = {_tuple_literal(shape)}",
            f"{var}_ENTRIES = {seq(items, '')}",
        ]
    return "\n".join(out) + "\n"


def _op_params(plan: OpPlan) -> list[str]:
    return ["x", "w"] + [f"c_{nm}" for nm in dict.fromkeys(plan.constants)]


def _op_function(dialect: Any, plan: OpPlan, fname: str) -> str:
    """One operation: reduce, mix; returns its contribution with broadcast axes inserted."""
    lines = [f"def {fname}({', '.join(_op_params(plan))}):", f'    """{plan.formula}."""']
    src = "x"
    if plan.reduce is not None:
        lines.append(dialect.einsum("r = ", plan.reduce, ["x"] + [f"c_{nm}" for nm in plan.constants]))
        src = "r"
    lines.append(dialect.mix(src))
    lines.append(f"    return r{plan.insert or ''}")
    return "\n".join(lines) + "\n"


def _placement_groups(spec: LayerSpec) -> list[tuple[bool, str | None, tuple[int, ...], list[int]]]:
    """Operations whose results land on y the same way: (diagonal, insert, strides, ops)."""
    groups: dict[tuple, list[int]] = {}
    for j, op in enumerate(spec.operations):
        plan = plan_operation(op, j, spec.n)
        # diagonal contributions with the same flat positions are summed by broadcasting
        key = (True, "", plan.strides) if plan.diagonal else (False, plan.insert or "", ())
        groups.setdefault(key, []).append(j)
    return [(d, ins or None, st, js) for (d, ins, st), js in groups.items()]


def _op_calls(
    dialect: Any, spec: LayerSpec, prefix: str, weights: str, consts: dict[str, str], index: str,
    indent: str,
) -> list[str]:
    """Forward code: sum the contributions of each placement group, then place them once."""
    lines = []
    tables = _diagonal_indices(spec)[1]
    for diagonal, insert, _, js in _placement_groups(spec):
        ops = ", ".join(map(str, js))
        what = "operation" + ("s" if len(js) > 1 else "")
        if diagonal:
            where = "added on a diagonal of y"
        elif insert:
            axes = [str(a) for a, t in enumerate(insert[1:-1].split(", ")[2:]) if t == "None"]
            where = f"constant along axis {axes[0]} of y" if len(axes) == 1 else \
                f"constant along axes {', '.join(axes)} of y"
        else:
            where = "added to y"
        lines.append(f"{indent}# {what} {ops}: {where}")
        for t, j in enumerate(js):
            plan = plan_operation(spec.operations[j], j, spec.n)
            args = ["x", f"{weights}[:, :, {j}]"] + [consts[nm] for nm in dict.fromkeys(plan.constants)]
            if t == 0:
                lines.append(call("r = ", f"_{prefix}op_{j}", args, indent))
            else:
                lines.append(call("r = r + ", f"_{prefix}op_{j}", args, indent))
        if diagonal:
            lines.append(f"{indent}y = _scatter_add(y, r, {index.format(t=tables[js[0]])})")
        else:
            lines.append(indent + dialect.accumulate)
    return lines


def _op_functions(dialect: Any, spec: LayerSpec, prefix: str) -> str:
    blocks = []
    for j, op in enumerate(spec.operations):
        blocks.append(_op_function(dialect, plan_operation(op, j, spec.n), f"_{prefix}op_{j}"))
    return "\n\n".join(blocks)


def _diagonal_indices(spec: LayerSpec) -> tuple[list[tuple[int, tuple[int, ...], str]], dict[int, int]]:
    """Distinct flat-index tables (t, strides, example lhs) and operation -> table number."""
    tables: dict[tuple[int, ...], int] = {}
    examples: list[str] = []
    which = {}
    for j, op in enumerate(spec.operations):
        plan = plan_operation(op, j, spec.n)
        if plan.diagonal:
            if plan.strides not in tables:
                tables[plan.strides] = len(tables)
                examples.append(plan.formula.split(" += ")[0])
            which[j] = tables[plan.strides]
    return [(t, st, examples[t]) for st, t in tables.items()], which


def strides_literal(strides: tuple[int, ...]) -> str:
    return f"({strides[0]},)" if len(strides) == 1 else "(" + ", ".join(map(str, strides)) + ")"


def generate(spec_or_basis: Any, target: str = "torch", name: str | None = None,
             bias: Any = None) -> str:
    """Source of a standalone layer module for ``target`` (it does not import reptheory).

    Parameters
    ----------
    spec_or_basis : LayerBasis or LayerSpec
        The layer to generate. A basis on ``S()`` (any size) gives code that takes n from its
        input (``N = None``) and accepts ``mask``, a (batch, n) bool array of real nodes
        (padded inputs and outputs are zeroed); with k = 0, n comes from the mask or ``n=``.
    target : {"torch", "jax", "numpy"}
        ``"torch"``: an ``nn.Module`` class ``name`` with ``weight`` of shape
        (out, in, len(basis)) and an optional equivariant ``bias``; ``"jax"``: a pure function
        ``name(params, x)``, ``name_init(key, in_channels, out_channels)`` and, when flax is
        installed where the code runs, a ``FlaxLayer`` module; ``"numpy"``: a function
        ``name(weight, x, bias=None)``.
    name : str, optional
        Name of the class / function (a plain identifier; default ``EquivariantLayer`` for
        torch, ``equivariant_layer`` otherwise).
    bias : None, bool or LayerSpec
        The equivariant bias basis (maps from k = 0). Default: built from the group when a
        LayerBasis is given (``layer_basis(G, 0, l)``), none for a bare LayerSpec.

    Returns
    -------
    str
        Python source, ruff-format clean and byte-identical for equal inputs.

    Raises
    ------
    InvalidParameterError
        Unknown target, unsafe name or constant name, malformed bias spec.

    Examples
    --------
    >>> import reptheory as rt
    >>> src = generate(rt.layer_basis(rt.S(3), 1, 1), target="numpy")
    >>> ns = {}
    >>> exec(compile(src, "layer.py", "exec"), ns)
    >>> import numpy as np
    >>> w = np.array([[[1.0, 0.0]]])
    >>> ns["equivariant_layer"](w, np.array([[[1.0, 2.0, 3.0]]]))
    array([[[1., 2., 3.]]])

    On ``S()`` one module serves every n, with a mask for padded batches:

    >>> ns = {}
    >>> exec(compile(generate(rt.layer_basis(rt.S(), 1, 1), "numpy"), "layer.py", "exec"), ns)
    >>> w = np.array([[[1.0, 1.0]]])                                    # x + sum(x)
    >>> ns["equivariant_layer"](w, np.array([[[1.0, 2.0]]]))
    array([[[4., 5.]]])
    >>> ns["equivariant_layer"](w, np.array([[[1.0, 2.0, 9.0]]]),
    ...                         mask=np.array([[True, True, False]]))
    array([[[4., 5., 0.]]])
    """
    if target not in TARGETS:
        raise InvalidParameterError(f"target must be one of {', '.join(TARGETS)}, got {target!r}")
    name = _DEFAULT_NAMES[target] if name is None else check_identifier("name", name)
    spec, bias_spec = _resolve(spec_or_basis, bias)
    if isinstance(spec_or_basis, SizeFreeLayerBasis):
        from ._size_free_targets import emit_size_free

        return emit_size_free(target, spec, bias_spec, name)
    from . import _targets

    return _targets.emit(target, spec, bias_spec, name)
