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

# Brauer, (l+k)\n and jellyfish diagrams (area "brauer")
from ._brauer import (
    BrauerDiagram,
    brauer_diagrams,
    compose_brauer,
    count_brauer_diagrams,
    double_factorial,
    nonnesting_brauer_diagrams,
    perfect_matchings,
)
from ._levi_civita import LeviCivitaDiagram, count_levi_civita_diagrams, levi_civita_diagrams
from ._jellyfish import JellyfishDiagram, count_jellyfish_diagrams, jellyfish_diagrams

__all__ += [
    "BrauerDiagram",
    "JellyfishDiagram",
    "LeviCivitaDiagram",
    "brauer_diagrams",
    "compose_brauer",
    "count_brauer_diagrams",
    "count_jellyfish_diagrams",
    "count_levi_civita_diagrams",
    "double_factorial",
    "jellyfish_diagrams",
    "levi_civita_diagrams",
    "nonnesting_brauer_diagrams",
    "perfect_matchings",
]

# permutation ∘ planar ∘ permutation factorisation (area "kernels")
from ._factor import DiagramFactorization, factor_diagram, is_planar, permutation_diagram

__all__ += ["DiagramFactorization", "factor_diagram", "is_planar", "permutation_diagram"]
