"""Export and load the portable JSON form of a :class:`~reptheory.layers.LayerSpec`.

The format (schema :data:`JSON_SCHEMA`, validator :func:`validate_json_dict`) lives with the IR
in ``reptheory.layers``; this module re-exports it for code generators and other languages.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import ReptheoryTypeError
from ..layers import LayerSpec
from ..layers._spec_json import JSON_FORMAT, JSON_SCHEMA, parse_spec_json, validate_json_dict

__all__ = ["JSON_FORMAT", "JSON_SCHEMA", "export_json", "load_json", "validate_json_dict"]


def export_json(spec: Any, indent: int | None = 1) -> str:
    """The LayerSpec (or a LayerBasis's spec) as versioned JSON text (deterministic).

    Examples
    --------
    >>> import reptheory as rt
    >>> spec = rt.layer_basis(rt.S(3), 1, 1).spec
    >>> text = export_json(spec)
    >>> load_json(text) == spec
    True
    """
    from ..layers import LayerBasis

    if isinstance(spec, LayerBasis):
        spec = spec.spec
    if not isinstance(spec, LayerSpec):
        raise ReptheoryTypeError(f"spec must be a LayerSpec or LayerBasis, got {type(spec).__name__}")
    d = spec.to_dict()
    validate_json_dict(d)  # a spec that cannot be read back is refused at export time
    return json.dumps(d, indent=indent, ensure_ascii=True, allow_nan=False)


def load_json(text: str | bytes) -> LayerSpec:
    """Parse and validate LayerSpec JSON (the same as :meth:`LayerSpec.from_json`).

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
    return parse_spec_json(text)
