"""Code generation: standalone PyTorch, JAX and NumPy layers, and a portable JSON pattern.

:func:`generate` turns a :class:`~reptheory.layers.LayerBasis` or
:class:`~reptheory.layers.LayerSpec` into the source of a module that does not import
reptheory; :func:`export_json` / :func:`load_json` write and validate the versioned JSON form
of a LayerSpec (schema in :data:`JSON_SCHEMA`).
"""

from ._emit import check_identifier
from ._generate import CODEGEN_VERSION, TARGETS, generate
from ._json import JSON_FORMAT, JSON_SCHEMA, export_json, load_json, validate_json_dict

__all__ = [
    "CODEGEN_VERSION",
    "JSON_FORMAT",
    "JSON_SCHEMA",
    "TARGETS",
    "check_identifier",
    "export_json",
    "generate",
    "load_json",
    "validate_json_dict",
]

# SO(3) tensor products (CG with per-path weights, Gaunt on the sphere grid)
from ._tp_generate import TP_CODEGEN_VERSION, TP_KINDS, generate_tensor_product

__all__ += ["TP_CODEGEN_VERSION", "TP_KINDS", "generate_tensor_product"]
