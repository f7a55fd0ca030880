"""The portable JSON form of a :class:`~reptheory.layers.LayerSpec` (schema version 1).

Written by :func:`export_json` (:meth:`LayerSpec.to_json`) and read, strictly validated, by
:func:`load_json` (:meth:`LayerSpec.from_json`); ``reptheory.codegen`` re-exports the schema,
the validator and these two functions.

The document is what :meth:`LayerSpec.to_dict` writes; this module documents it as a JSON
Schema (:data:`JSON_SCHEMA`, draft 2020-12) and validates it strictly before anything is built
from it, so that another language can implement the same format:

``format``: ``"reptheory.LayerSpec"``; ``format_version``: ``1``;
``reptheory_version`` (optional, informative); ``group``, ``basis_kind``: strings;
``n`` >= 1, ``k`` >= 0, ``l`` >= 0: integers;
``constants``: ``[{"name", "shape", "entries": [[index, value], ...], "description"}]`` with
every axis of size n, in-range distinct indices;
``operations``: ``[{"inputs": k labels, "outputs": l labels, "factors": [{"name", "labels"}]}]``
(labels are integers >= 0; see :class:`~reptheory.layers.Operation` for their meaning);
``basis``: ``[{"name"?, "terms": [[operation index, value], ...]}]``, every element named or
none; ``metadata``: string -> string.

Exact values are JSON integers or canonical ``"p/q"`` strings (q >= 2, gcd(p, q) = 1). The
weight-sharing pattern of basis element b is then
M_b[I, J] = sum_j C[b, j] sum over label assignments consistent with (I, J) of prod_f T_f,
with C[b, j] the terms of b.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ..errors import InvalidParameterError, ReptheoryTypeError
from ._spec import SPEC_FORMAT_VERSION

__all__ = ["JSON_FORMAT", "JSON_SCHEMA", "export_json", "load_json", "validate_json_dict"]

#: Value of the ``format`` field.
JSON_FORMAT = "reptheory.LayerSpec"

_MAX_ORDER = 64          # k, l, constant rank
_MAX_INT = 2**31 - 1     # n, labels, shape entries, operation indices
_RATIONAL = re.compile(r"-?(0|[1-9][0-9]*)/[1-9][0-9]*")
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
_MAX_DIGITS = 4000

_exact_schema = {
    "oneOf": [
        {"type": "integer"},
        {"type": "string", "pattern": r"^-?(0|[1-9][0-9]*)/[1-9][0-9]*$"},
    ],
    "description": "An exact rational: an integer, or 'p/q' in lowest terms with q >= 2.",
}
_label = {"type": "integer", "minimum": 0, "maximum": _MAX_INT}

#: JSON Schema (draft 2020-12) of the LayerSpec document. Semantic rules that JSON Schema
#: cannot state (lengths equal to k / l / n, index ranges, lowest terms) are in ``description``.
JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://reptheory.invalid/schema/layerspec-1.json",
    "title": "reptheory LayerSpec, format version 1",
    "description": (
        "An equivariant linear layer x -> sum_b w_b B_b(x) on tensors of order k -> l over "
        "R^n. B_b = sum_j C[b, j] Op_j where Op_j is a labelled contraction: "
        "y[outputs] = sum over labels not in outputs of x[inputs] * prod_f T_f[labels_f]. "
        "Every label ranges over 0..n-1; operations have exactly k inputs and l outputs; "
        "factor names refer to constants with one label per axis; constant axes have size n; "
        "term indices refer to operations and are distinct within an element; either every "
        "basis element has a name or none."
    ),
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "format_version", "group", "n", "k", "l", "basis_kind",
                 "constants", "operations", "basis", "metadata"],
    "properties": {
        "format": {"const": JSON_FORMAT},
        "format_version": {"const": SPEC_FORMAT_VERSION},
        "reptheory_version": {"type": "string"},
        "group": {"type": "string"},
        "n": {"type": "integer", "minimum": 1, "maximum": _MAX_INT},
        "k": {"type": "integer", "minimum": 0, "maximum": _MAX_ORDER},
        "l": {"type": "integer", "minimum": 0, "maximum": _MAX_ORDER},
        "basis_kind": {"type": "string"},
        "constants": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "shape", "entries"],
                "properties": {
                    "name": {"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9_]{0,31}$"},
                    "shape": {"type": "array", "maxItems": _MAX_ORDER,
                              "items": {"type": "integer", "minimum": 1, "maximum": _MAX_INT}},
                    "entries": {
                        "type": "array",
                        "items": {"type": "array", "minItems": 2, "maxItems": 2,
                                  "prefixItems": [{"type": "array", "items": _label}, _exact_schema]},
                    },
                    "description": {"type": "string"},
                },
            },
        },
        "operations": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["inputs", "outputs"],
                "properties": {
                    "inputs": {"type": "array", "items": _label},
                    "outputs": {"type": "array", "items": _label},
                    "factors": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["name", "labels"],
                            "properties": {"name": {"type": "string"},
                                           "labels": {"type": "array", "items": _label}},
                        },
                    },
                },
            },
        },
        "basis": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["terms"],
                "properties": {
                    "name": {"type": "string"},
                    "terms": {
                        "type": "array",
                        "items": {"type": "array", "minItems": 2, "maxItems": 2,
                                  "prefixItems": [{"type": "integer", "minimum": 0}, _exact_schema]},
                    },
                },
            },
        },
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


class _Checker:
    """Walks a parsed document, raising InvalidParameterError with a JSON path on the first problem."""

    def fail(self, path: str, msg: str) -> None:
        raise InvalidParameterError(f"invalid LayerSpec JSON at {path}: {msg}")

    def obj(self, v: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
        if not isinstance(v, dict):
            self.fail(path, f"expected an object, got {_kind(v)}")
        missing = [key for key in required if key not in v]
        if missing:
            self.fail(path, f"missing key(s) {', '.join(map(repr, missing))}")
        extra = sorted(str(key) for key in v if key not in required and key not in optional)
        if extra:
            self.fail(path, f"unknown key(s) {', '.join(repr(e[:40]) for e in extra[:5])} "
                            f"(allowed: {', '.join(required + optional)})")
        return v

    def arr(self, v: Any, path: str, length: int | None = None, max_len: int | None = None) -> list:
        if not isinstance(v, list):
            self.fail(path, f"expected an array, got {_kind(v)}")
        if length is not None and len(v) != length:
            self.fail(path, f"expected an array of length {length}, got length {len(v)}")
        if max_len is not None and len(v) > max_len:
            self.fail(path, f"expected at most {max_len} items, got {len(v)}")
        return v

    def int_(self, v: Any, path: str, lo: int = 0, hi: int = _MAX_INT) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            self.fail(path, f"expected an integer in [{lo}, {hi}], got {_kind(v)}")
        if not lo <= v <= hi:
            self.fail(path, f"expected an integer in [{lo}, {hi}], got {v}")
        return v

    def str_(self, v: Any, path: str) -> str:
        if not isinstance(v, str):
            self.fail(path, f"expected a string, got {_kind(v)}")
        return v

    def exact(self, v: Any, path: str) -> int | str:
        if isinstance(v, bool) or not isinstance(v, (int, str)):
            self.fail(path, f"expected an integer or a 'p/q' string, got {_kind(v)}")
        if isinstance(v, int):
            if abs(v).bit_length() > 3 * _MAX_DIGITS:
                self.fail(path, "integer too large")
            return v
        if len(v) > 2 * _MAX_DIGITS or not _RATIONAL.fullmatch(v):
            self.fail(path, f"expected 'p/q' (integers, q >= 2, lowest terms), got {v[:40]!r}")
        p, q = (int(s) for s in v.split("/"))
        if q < 2 or math.gcd(p, q) != 1:
            self.fail(path, f"'p/q' must be in lowest terms with q >= 2, got {v[:40]!r}")
        return v


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return f"boolean {str(v).lower()}"
    if isinstance(v, (int, float)):
        return f"number {str(v)[:40]}"
    if isinstance(v, str):
        return f"string {v[:40]!r}"
    return {list: "an array", dict: "an object"}.get(type(v), type(v).__name__)


def validate_json_dict(d: Any) -> None:
    """Check a parsed LayerSpec document against the schema and its semantic rules.

    Raises
    ------
    InvalidParameterError
        On the first problem, naming its JSON path (e.g. ``$.operations[2].inputs``).
    """
    c = _Checker()
    c.obj(d, "$", ("format", "format_version", "group", "n", "k", "l", "basis_kind",
                   "constants", "operations", "basis", "metadata"), ("reptheory_version",))
    if d["format"] != JSON_FORMAT:
        c.fail("$.format", f"expected {JSON_FORMAT!r}, got {_kind(d['format'])}")
    if isinstance(d["format_version"], bool) or d["format_version"] != SPEC_FORMAT_VERSION:
        c.fail("$.format_version", f"this reader supports version {SPEC_FORMAT_VERSION}, got "
                                   f"{_kind(d['format_version'])}")
    if "reptheory_version" in d:
        c.str_(d["reptheory_version"], "$.reptheory_version")
    c.str_(d["group"], "$.group")
    c.str_(d["basis_kind"], "$.basis_kind")
    n = c.int_(d["n"], "$.n", 1)
    k = c.int_(d["k"], "$.k", 0, _MAX_ORDER)
    l = c.int_(d["l"], "$.l", 0, _MAX_ORDER)
    ranks: dict[str, int] = {}
    for i, const in enumerate(c.arr(d["constants"], "$.constants")):
        p = f"$.constants[{i}]"
        c.obj(const, p, ("name", "shape", "entries"), ("description",))
        name = c.str_(const["name"], p + ".name")
        if not _IDENT.fullmatch(name):
            c.fail(p + ".name", f"expected an identifier (letter, then letters, digits, _; at most "
                                f"32), got {name[:40]!r}")
        if name in ranks:
            c.fail(p + ".name", f"constant {name!r} is defined twice")
        if "description" in const:
            c.str_(const["description"], p + ".description")
        shape = c.arr(const["shape"], p + ".shape", max_len=_MAX_ORDER)
        for a, s in enumerate(shape):
            c.int_(s, f"{p}.shape[{a}]", 1)
            if s != n:
                c.fail(f"{p}.shape[{a}]", f"every axis of a constant must have size n={n}, got {s}")
        ranks[name] = len(shape)
        seen = set()
        for e, ent in enumerate(c.arr(const["entries"], p + ".entries")):
            pe = f"{p}.entries[{e}]"
            c.arr(ent, pe, length=2)
            idx = c.arr(ent[0], pe + "[0]", length=len(shape))
            for a, v in enumerate(idx):
                c.int_(v, f"{pe}[0][{a}]", 0, n - 1)
            if tuple(idx) in seen:
                c.fail(pe, f"index {idx} appears twice")
            seen.add(tuple(idx))
            c.exact(ent[1], pe + "[1]")
    ops = c.arr(d["operations"], "$.operations")
    for j, op in enumerate(ops):
        p = f"$.operations[{j}]"
        c.obj(op, p, ("inputs", "outputs"), ("factors",))
        for key, length in (("inputs", k), ("outputs", l)):
            for a, v in enumerate(c.arr(op[key], f"{p}.{key}", length=length)):
                c.int_(v, f"{p}.{key}[{a}]")
        for f, fac in enumerate(c.arr(op.get("factors", []), p + ".factors")):
            pf = f"{p}.factors[{f}]"
            c.obj(fac, pf, ("name", "labels"))
            name = c.str_(fac["name"], pf + ".name")
            if name not in ranks:
                c.fail(pf + ".name", f"unknown constant {name[:40]!r} (defined: "
                                     f"{', '.join(sorted(ranks)) or 'none'})")
            for a, v in enumerate(c.arr(fac["labels"], pf + ".labels", length=ranks[name])):
                c.int_(v, f"{pf}.labels[{a}]")
    basis = c.arr(d["basis"], "$.basis")
    named = None
    for b, el in enumerate(basis):
        p = f"$.basis[{b}]"
        c.obj(el, p, ("terms",), ("name",))
        has = "name" in el
        if named is None:
            named = has
        elif has != named:
            c.fail(p, "either every basis element has a 'name' or none does")
        if has:
            c.str_(el["name"], p + ".name")
        used = set()
        for t, term in enumerate(c.arr(el["terms"], p + ".terms")):
            pt = f"{p}.terms[{t}]"
            c.arr(term, pt, length=2)
            if not ops:
                c.fail(pt, "there are no operations to refer to")
            j = c.int_(term[0], pt + "[0]", 0, len(ops) - 1)
            if j in used:
                c.fail(pt + "[0]", f"operation {j} appears twice in this element")
            used.add(j)
            c.exact(term[1], pt + "[1]")
    meta = d["metadata"]
    if not isinstance(meta, dict):
        c.fail("$.metadata", f"expected an object, got {_kind(meta)}")
    for key, v in meta.items():
        c.str_(v, f"$.metadata[{key[:40]!r}]")


def export_json(spec: Any, indent: int | None = 1) -> str:
    """The LayerSpec (or a LayerBasis's spec) as versioned JSON text (deterministic).

    The document is validated before it is returned: a spec that :func:`load_json` could not
    read back is refused here.

    Raises
    ------
    ReptheoryTypeError
        ``spec`` is not a LayerSpec or LayerBasis.

    Examples
    --------
    >>> import reptheory as rt
    >>> spec = rt.layer_basis(rt.S(3), 1, 1).spec
    >>> text = export_json(spec)
    >>> load_json(text) == spec
    True
    """
    from ._basis import LayerBasis
    from ._spec import LayerSpec

    if isinstance(spec, LayerBasis):
        spec = spec.spec
    if not isinstance(spec, LayerSpec):
        raise ReptheoryTypeError(f"spec must be a LayerSpec or LayerBasis, got {type(spec).__name__}")
    d = spec.to_dict()
    validate_json_dict(d)
    return json.dumps(d, indent=indent, ensure_ascii=True, allow_nan=False)


def load_json(text: str | bytes):
    """Parse and validate LayerSpec JSON; every malformed input raises InvalidParameterError.

    Raises
    ------
    ReptheoryTypeError
        ``text`` is not str or bytes.
    InvalidParameterError
        Not JSON, or not a valid LayerSpec document (the message names the JSON path).

    Examples
    --------
    >>> load_json('{"format": "something else"}')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    reptheory.errors.InvalidParameterError: invalid LayerSpec JSON at $: missing key(s) ...
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidParameterError(f"LayerSpec JSON must be UTF-8: {exc}") from None
    if not isinstance(text, str):
        raise ReptheoryTypeError(f"text must be str or bytes, got {type(text).__name__}")

    def _no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not allowed")

    try:
        d = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise InvalidParameterError("LayerSpec JSON is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, NaN/Infinity, over-long integers
        raise InvalidParameterError(f"not valid JSON: {str(exc)[:200]}") from None
    try:
        validate_json_dict(d)
    except RecursionError:  # pragma: no cover - defensive
        raise InvalidParameterError("LayerSpec JSON is nested too deeply") from None
    from ._spec import LayerSpec

    return LayerSpec.from_dict(d)
