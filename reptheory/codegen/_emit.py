"""Target-independent analysis of a :class:`~reptheory.layers.LayerSpec` for code generation.

Everything that ends up in generated source passes through this module:

* identifiers are checked against a strict pattern (:func:`check_identifier`),
* free text (group name, basis kind, element names) only reaches docstrings and comments after
  :func:`doc_text` has reduced it to a small set of safe ASCII characters,
* numbers are printed from typed values (``int`` / :class:`fractions.Fraction`), never from
  strings.

The emitted layout is chosen so that ``ruff format`` leaves it unchanged at any line length
from 79 up: multi-element literals are always exploded with a magic trailing comma, and calls
that could approach the line limit are exploded the same way.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .._validate import check_dense_size
from ..errors import InvalidParameterError, ReptheoryTypeError
from ..layers import LayerSpec, Operation

__all__ = [
    "OpPlan",
    "call",
    "check_identifier",
    "check_spec_for_codegen",
    "coefficient_entries",
    "doc_text",
    "is_identity_coefficients",
    "number",
    "plan_operation",
    "seq",
]

_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_CONST_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
_DOC_SAFE = re.compile(r"[^A-Za-z0-9 ,.;:(){}\[\]<>|+\-*/=^_'!?#@~&%$]")
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

#: Longest line the emitter writes on one line before exploding a call (ruff's default is 88).
_MAX_INLINE = 78

# names a generated module uses itself; user-given names must not shadow them
_RESERVED = frozenset(
    {
        "torch", "nn", "np", "jax", "jnp", "math", "x", "y", "w", "r", "weight", "bias",
        "params", "index", "self", "super", "N", "K", "L", "NUM_BASIS", "NUM_OPS",
        "NUM_BIAS", "FlaxLayer", "init", "apply", "tuple", "ValueError", "ImportError",
        "float", "int", "key", "std", "shape", "msg", "dtype", "channels", "flat", "strides",
    }
)


def check_identifier(what: str, value: Any, *, constant: bool = False) -> str:
    """Return ``value`` if it is a safe Python identifier, else raise a clear error.

    Safe means: ASCII letter first, then letters, digits or underscores (at most 64 characters,
    32 for constant names), not a Python keyword, not a name the generated module uses itself.

    Examples
    --------
    >>> check_identifier("name", "MyLayer")
    'MyLayer'
    >>> check_identifier("name", "x; import os")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    reptheory.errors.InvalidParameterError: name must be a plain identifier ...
    """
    if not isinstance(value, str):
        raise ReptheoryTypeError(f"{what} must be a string, got {type(value).__name__}")
    pattern = _CONST_IDENT if constant else _IDENT
    limit = 32 if constant else 64
    if not pattern.fullmatch(value) or keyword.iskeyword(value) or value in _RESERVED:
        raise InvalidParameterError(
            f"{what} must be a plain identifier (an ASCII letter, then letters, digits or "
            f"underscores, at most {limit} characters, not a Python keyword or one of "
            f"{', '.join(sorted(_RESERVED))}), got {value!r}"
        )
    return value


def doc_text(value: Any, limit: int = 120) -> str:
    """Reduce free text to safe ASCII for a docstring or comment (no quotes, no backslashes).

    Examples
    --------
    >>> doc_text("S(5)" + '"' * 3 + "; import os")
    'S(5)???; import os'
    >>> doc_text("{1,1'} {2}")
    "{1,1'} {2}"
    """
    s = " ".join(str(value).split())
    s = _DOC_SAFE.sub("?", s)
    if len(s) > limit:
        s = s[: limit - 3] + "..."
    return s.strip()


def number(value: Any) -> str:
    """Source text of an exact number: ``3``, ``-1``, ``(2 / 3)`` (a float division).

    Examples
    --------
    >>> from fractions import Fraction
    >>> number(-2), number(Fraction(-1, 3))
    ('-2', '-1 / 3')
    """
    if isinstance(value, bool):
        raise ReptheoryTypeError(f"expected an exact number, got {value!r}")
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(int(value.numerator))
        return f"{int(value.numerator)} / {int(value.denominator)}"
    raise ReptheoryTypeError(f"expected an int or Fraction, got {type(value).__name__}")


def seq(items: Sequence[str], indent: str) -> str:
    """A tuple literal; two or more items are exploded with a magic trailing comma."""
    if not items:
        return "()"
    if len(items) == 1:
        return f"({items[0]},)"
    inner = indent + "    "
    return "(\n" + "".join(f"{inner}{it},\n" for it in items) + indent + ")"


def call(prefix: str, func: str, args: Sequence[str], indent: str) -> str:
    """``{indent}{prefix}{func}(args)``, exploded (magic trailing comma) if it could be long."""
    one = f"{indent}{prefix}{func}({', '.join(args)})"
    if len(one) <= _MAX_INLINE or not args:
        return one
    inner = indent + "    "
    return f"{indent}{prefix}{func}(\n" + "".join(f"{inner}{a},\n" for a in args) + f"{indent})"


def check_spec_for_codegen(spec: LayerSpec) -> None:
    """Check the parts of a spec that reach generated code (constant names, label count)."""
    if not isinstance(spec, LayerSpec):
        raise ReptheoryTypeError(f"expected a LayerSpec or LayerBasis, got {type(spec).__name__}")
    seen = set()
    for c in spec.constants:
        check_identifier("constant name", c.name, constant=True)
        size = 1
        for d in c.shape:
            size *= int(d)
        check_dense_size(f"constant {c.name!r} (built densely when the generated module loads)",
                         size, hint="use a smaller n")
        if c.name in seen:
            raise InvalidParameterError(f"constant name {c.name!r} is used twice")
        seen.add(c.name)
    for j, op in enumerate(spec.operations):
        if len(op.labels()) > len(_LETTERS):
            raise InvalidParameterError(
                f"operation {j} has {len(op.labels())} labels; code generation supports at most "
                f"{len(_LETTERS)} (einsum letters)"
            )
        for nm, lab in op.factors:
            if len(lab) != len(spec.constant(nm).shape):
                raise InvalidParameterError(
                    f"operation {j}: constant {nm!r} has {len(spec.constant(nm).shape)} axes but "
                    f"{len(lab)} labels"
                )
            for a, size in zip(lab, spec.constant(nm).shape):
                if size != spec.n:
                    raise InvalidParameterError(
                        f"operation {j}: constant {nm!r} has an axis of size {size}; labelled "
                        f"axes must have size n={spec.n}"
                    )


@dataclass(frozen=True)
class OpPlan:
    """How one operation is emitted: reduce (einsum), mix channels, place in y.

    Attributes
    ----------
    index : int
        Operation number in the spec.
    formula : str
        Readable formula, e.g. ``"y[a,a] += sum_b x[a,b]"`` (only letters, digits, brackets).
    reduce : str or None
        einsum subscripts of the reduce step, or None if the reduce step is the identity.
    constants : tuple of str
        Constant names, one per einsum operand after x (a constant may repeat).
    kept : int
        Number of axes of the reduced tensor (besides batch and channel).
    insert : str or None
        Indexing that inserts broadcast axes, e.g. ``"[:, :, None, :]"``; None if none.
    diagonal : bool
        Whether the result is written on a generalised diagonal (flat-index scatter).
    strides : tuple of int
        For a diagonal placement: flat stride of each distinct output label.
    unique : int
        Number of distinct output labels.
    axes : tuple of tuple of int
        For each distinct output label, the output axes it names (the strides at any n).
    """

    index: int
    formula: str
    reduce: str | None
    constants: tuple[str, ...]
    kept: int
    insert: str | None
    diagonal: bool
    strides: tuple[int, ...]
    unique: int
    axes: tuple[tuple[int, ...], ...] = ()


def plan_operation(op: Operation, j: int, n: int) -> OpPlan:
    """Plan the code of operation ``j`` of a spec with dimension ``n``."""
    letter = {a: _LETTERS[i] for i, a in enumerate(op.labels())}
    kept = op.kept_labels()
    uniq = op.unique_output_labels()
    xs = "".join(letter[a] for a in op.inputs)
    outs = "".join(letter[a] for a in kept)
    identity = (not op.factors) and len(set(op.inputs)) == len(op.inputs) and kept == op.inputs
    if identity:
        reduce = None
    else:
        subs = ["..." + xs] + ["".join(letter[a] for a in lab) for _, lab in op.factors]
        reduce = ",".join(subs) + "->..." + outs
    kept_set = set(kept)
    if all(u in kept_set for u in uniq):
        insert = None
    else:
        insert = "[:, :, " + ", ".join(":" if u in kept_set else "None" for u in uniq) + "]"
    l = len(op.outputs)
    strides = tuple(sum(n ** (l - 1 - p) for p, a in enumerate(op.outputs) if a == u) for u in uniq)
    # readable formula
    rhs = "x[" + ",".join(letter[a] for a in op.inputs) + "]" if op.inputs else "x"
    for nm, lab in op.factors:
        rhs += f" * {nm}[" + ",".join(letter[a] for a in lab) + "]"
    summed = op.summed_labels()
    if summed:
        rhs = "sum_" + "".join(letter[a] for a in summed) + " " + rhs
    lhs = "y[" + ",".join(letter[a] for a in op.outputs) + "]" if op.outputs else "y"
    return OpPlan(
        index=j,
        formula=f"{lhs} += {rhs}",
        reduce=reduce,
        constants=tuple(nm for nm, _ in op.factors),
        kept=len(kept),
        insert=insert,
        diagonal=op.diagonal_output(),
        strides=strides,
        unique=len(uniq),
        axes=tuple(tuple(p for p, a in enumerate(op.outputs) if a == u) for u in uniq),
    )


def coefficient_entries(spec: LayerSpec) -> list[tuple[int, int, Any]]:
    """The nonzero entries (basis element, operation, exact value) of C, sorted."""
    out = []
    for b, row in enumerate(spec.coefficients):
        acc: dict[int, Fraction] = {}
        for j, c in row:
            acc[j] = acc.get(j, Fraction(0)) + Fraction(c)
        for j in sorted(acc):
            v = acc[j]
            if v != 0:
                out.append((b, j, int(v) if v.denominator == 1 else v))
    return out


def is_identity_coefficients(spec: LayerSpec) -> bool:
    """Whether C is the identity matrix (then the effective weights are the weights)."""
    if len(spec) != spec.num_operations:
        return False
    return coefficient_entries(spec) == [(b, b, 1) for b in range(len(spec))]
