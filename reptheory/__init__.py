"""reptheory: exact representation theory for equivariant neural networks.

Importing reptheory is light: it never imports torch, numba, matplotlib, cupy or jax. The
subpackages are imported on first attribute access: ``rt.so3``, ``rt.numpy`` (plain-numpy
layers), ``rt.torch`` (torch layers; imports torch at that moment), ...

Examples
--------
>>> import reptheory as rt
>>> rt.hom_dimension(rt.S(5), 2, 2)
15
"""

from ._version import __version__
from .errors import (
    BackendUnavailableError,
    InvalidParameterError,
    ReptheoryError,
    ReptheoryTypeError,
    ShapeError,
    SizeLimitError,
)
from .groups import (
    SO,
    SO2,
    SO3,
    A,
    AlternatingGroup,
    Group,
    O,
    OrthogonalGroup,
    S,
    Sp,
    SpecialOrthogonalGroup,
    SymmetricGroup,
    SymplecticGroup,
    group_from_name,
)
from .layers import (
    LayerBasis,
    LayerSpec,
    TensorRep,
    hom_dimension,
    layer_basis,
    spanning_set,
)
from .testing import assert_equivariant

__all__ = [
    "SO",
    "SO2",
    "SO3",
    "A",
    "AlternatingGroup",
    "BackendUnavailableError",
    "Group",
    "InvalidParameterError",
    "LayerBasis",
    "LayerSpec",
    "O",
    "OrthogonalGroup",
    "ReptheoryError",
    "ReptheoryTypeError",
    "S",
    "ShapeError",
    "SizeLimitError",
    "Sp",
    "SpecialOrthogonalGroup",
    "SymmetricGroup",
    "SymplecticGroup",
    "TensorRep",
    "__version__",
    "assert_equivariant",
    "group_from_name",
    "hom_dimension",
    "layer_basis",
    "spanning_set",
]

#: Subpackages imported on first attribute access (``rt.so3``, ``rt.numpy``, ``rt.torch``, ...).
#: ``rt.torch`` imports torch only at that moment; ``rt.nn`` is the deprecated name of ``rt.numpy``.
_LAZY_SUBPACKAGES = ("algebroids", "cli", "codegen", "diagrams", "groups", "kernels", "layers",
                     "models", "nn", "numpy", "polynomials", "so3", "testing", "torch")


def __getattr__(name: str):
    """Import optional subpackages on first attribute access (``reptheory.so3`` etc.)."""
    if name in _LAZY_SUBPACKAGES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
