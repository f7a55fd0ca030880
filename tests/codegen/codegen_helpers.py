"""Helpers of the codegen tests: importing generated sources, a basis of every group; the
hand-built specs and references come from the shared ``spec_helpers``."""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/

from spec_helpers import (  # noqa: F401 - re-exported for the codegen tests
    dense_reference,
    eps_specs,
    j_spec,
    levi_civita,
    random_inputs,
    symplectic_J,
)

from reptheory.errors import ReptheoryError
from reptheory.groups import group_from_name, group_names
from reptheory.layers import layer_basis


def load_source(source: str, directory: Path, stem: str = "layer"):
    """Write ``source`` to ``directory`` and import it as a fresh module (own namespace)."""
    name = f"{stem}_{uuid.uuid4().hex}"
    path = Path(directory) / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.modules.pop(name, None)
    return mod


def group_bases(pairs=((1, 1), (2, 1), (1, 2), (2, 2), (0, 2), (2, 0), (3, 1))):
    """A LayerBasis for every registered group, a couple of n and the given (k, l)."""
    out = []
    for gname in group_names():
        for n in (3, 4):
            try:
                G = group_from_name(gname, n)
            except ReptheoryError:
                continue
            for k, l in pairs:
                try:
                    B = layer_basis(G, k, l)
                except (ReptheoryError, NotImplementedError):
                    continue
                if len(B):
                    out.append(pytest_id(gname, n, k, l, B))
    return out


def pytest_id(gname, n, k, l, B):
    return (f"{gname}{n}-k{k}l{l}", B)
