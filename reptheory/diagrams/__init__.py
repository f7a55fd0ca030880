"""Diagrams: set-partition (k, l)-diagrams, their composition, tensor product and pictures.

Vertex convention: top vertices 0..l-1 are output tensor factors, bottom vertices l..l+k-1
are input factors.
"""

from ._draw import diagram_to_svg, diagram_to_tikz, draw_diagram, draw_diagrams
from ._enumerate import (
    bell,
    count_partition_diagrams,
    partition_diagrams,
    set_partitions,
    stirling2,
)
from ._partition import Diagram, PartitionDiagram, compose, tensor_product

__all__ = [
    "Diagram",
    "PartitionDiagram",
    "compose",
    "tensor_product",
    "partition_diagrams",
    "set_partitions",
    "count_partition_diagrams",
    "bell",
    "stirling2",
    "draw_diagram",
    "draw_diagrams",
    "diagram_to_svg",
    "diagram_to_tikz",
]

from ._factor import DiagramFactorization, factor_diagram, is_planar, permutation_diagram

__all__ += ["DiagramFactorization", "factor_diagram", "is_planar", "permutation_diagram"]
