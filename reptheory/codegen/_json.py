"""The portable JSON form of a :class:`~reptheory.layers.LayerSpec`, for code generators and
other languages: re-exported from ``reptheory.layers._spec_json``, where the format lives with
the IR (writer :func:`export_json`, strict reader :func:`load_json`, schema :data:`JSON_SCHEMA`,
validator :func:`validate_json_dict`).
"""

from __future__ import annotations

from ..layers._spec_json import (
    JSON_FORMAT,
    JSON_SCHEMA,
    export_json,
    load_json,
    validate_json_dict,
)

__all__ = ["JSON_FORMAT", "JSON_SCHEMA", "export_json", "load_json", "validate_json_dict"]
