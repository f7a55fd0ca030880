"""Factorisation of one :class:`~reptheory.layers.Operation` read off its labels.

The operation equals (output axis permutation) ∘ (planar Kronecker product of one-block maps,
with the constants contracted in) ∘ (input axis permutation), exactly as for diagrams
(:func:`reptheory.diagrams.factor_diagram`): a label on inputs only is a bottom-only block
(``contract``), a label on inputs and outputs a cross block (``transfer``), a label on outputs
only a top-only block (``copy``/broadcast). A label carried by a constant behaves as if the
constant were part of x (it is an input label for this classification).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OperationFactorization", "factor_operation"]


@dataclass(frozen=True)
class OperationFactorization:
    """Planar normal form of an operation.

    Attributes
    ----------
    input_perm : tuple of int
        ``input_perm[q]`` is the original input axis placed at planar position q (transferred
        blocks first, in the order of the top row, then contracted blocks).
    output_perm : tuple of int
        ``output_perm[p]`` is the original output axis at planar position p (copy blocks first,
        then transferred blocks).
    blocks : tuple of (kind, t, s)
        The one-block factors left to right: ``("copy", t, 0)``, ``("transfer", t, s)``,
        ``("contract", 0, s)``; t top and s bottom (input) axes.
    block_labels : tuple of int
        The operation label of each block.
    constants : tuple of (name, labels)
        Constants contracted in (labels as in the operation).
    """

    input_perm: tuple[int, ...]
    output_perm: tuple[int, ...]
    blocks: tuple[tuple[str, int, int], ...]
    block_labels: tuple[int, ...]
    constants: tuple[tuple[str, tuple[int, ...]], ...]


def factor_operation(op) -> OperationFactorization:
    """See :meth:`reptheory.layers.Operation.factor`."""
    const_labels = {a for _, lab in op.factors for a in lab}
    in_set = set(op.inputs) | const_labels
    out_order = list(dict.fromkeys(op.outputs))
    in_order = list(dict.fromkeys(op.inputs))
    copy = [a for a in out_order if a not in in_set]
    cross = [a for a in out_order if a in in_set]
    contract = [a for a in in_order if a not in set(op.outputs)]
    input_perm = [q for a in cross for q, b in enumerate(op.inputs) if b == a]
    input_perm += [q for a in contract for q, b in enumerate(op.inputs) if b == a]
    output_perm = [p for a in copy + cross for p, b in enumerate(op.outputs) if b == a]
    blocks = [("copy", op.outputs.count(a), 0) for a in copy]
    blocks += [("transfer", op.outputs.count(a), op.inputs.count(a)) for a in cross]
    blocks += [("contract", 0, op.inputs.count(a)) for a in contract]
    return OperationFactorization(tuple(input_perm), tuple(output_perm), tuple(blocks),
                                  tuple(copy + cross + contract), op.factors)
