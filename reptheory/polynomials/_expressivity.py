"""Expressivity by tensor contraction sequences (the hierarchy of Puny et al. 2023).

A model is described by the primitive operations it may apply to node features (vectors
indexed by one vertex) and edge features (matrices indexed by two vertices).  A basis
polynomial P_H is computable when the tensor network H can be contracted, one primitive at a
time, down to its marked vertices.  Vertex weights (node features) multiply freely (entrywise
products of node features are always available).  The primitives:

``aggregate``
    sum out an unmarked vertex with exactly one incident edge (message passing ``X h``, row or
    column sums of an edge feature);
``matmul``
    sum out an unmarked vertex with exactly two incident edges (matrix product, PPGN); without
    ``transpose`` on directed X, one edge must enter and one leave the vertex;
``hadamard``
    merge parallel edges (entrywise product of edge features; antiparallel ones need
    ``transpose``);
``transpose``
    reverse an edge (use ``X.T``);
``diag``
    a loop becomes a node feature (diagonal extraction);
``sum``
    sum out an isolated unmarked vertex (global sum pooling, broadcast);
``outer``
    an edge-valued output ``h_a h_b`` with no edge left between ``a`` and ``b``;
``edge_output``
    an edge-valued output may keep one edge feature between ``a`` and ``b`` (edge-based models).

Presets: ``MPNN`` (node-based: aggregate, diag, sum, outer), ``PPGN`` (edge-based: adds matmul,
hadamard, edge_output) and ``PPGN++`` (PPGN plus transpose, as in the released PPGN++ code).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import InvalidParameterError
from ._basis import iter_polynomial_basis
from ._enumerate import check_output
from ._polynomial import Polynomial

__all__ = [
    "MODELS",
    "PRIMITIVES",
    "ContractionModel",
    "contraction_sequence",
    "expressive_degree",
    "expressivity_table",
    "is_computable",
    "missing_features",
]

PRIMITIVES = (
    "aggregate",
    "matmul",
    "hadamard",
    "transpose",
    "diag",
    "sum",
    "outer",
    "edge_output",
)


@dataclass(frozen=True)
class ContractionModel:
    """A set of primitive operations (see module docstring) with a name.

    Examples
    --------
    >>> m = ContractionModel("MPNN+hadamard", {"aggregate", "diag", "sum", "outer", "hadamard"})
    >>> "hadamard" in m.primitives
    True
    """

    name: str
    primitives: frozenset = field(default_factory=frozenset)

    def __init__(self, name: str, primitives: Iterable[str]):
        prims = frozenset(primitives)
        bad = sorted(prims - set(PRIMITIVES))
        if bad:
            raise InvalidParameterError(
                f"unknown primitives {bad}; allowed: {', '.join(PRIMITIVES)}"
            )
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "primitives", prims)

    def with_primitives(self, *extra: str, name: str | None = None) -> ContractionModel:
        """A model with more primitives."""
        return ContractionModel(name or f"{self.name}+{'+'.join(extra)}", self.primitives | set(extra))


MODELS = {
    "MPNN": ContractionModel("MPNN", {"aggregate", "diag", "sum", "outer"}),
    "PPGN": ContractionModel(
        "PPGN", {"aggregate", "matmul", "hadamard", "diag", "sum", "outer", "edge_output"}
    ),
    "PPGN++": ContractionModel(
        "PPGN++",
        {"aggregate", "matmul", "hadamard", "transpose", "diag", "sum", "outer", "edge_output"},
    ),
}


def _model(model) -> ContractionModel:
    if isinstance(model, ContractionModel):
        return model
    if model in MODELS:
        return MODELS[model]
    raise InvalidParameterError(
        f"model must be a ContractionModel or one of {sorted(MODELS)}, got {model!r}"
    )


def _moves(state, marked, prims, symmetric):
    """Yield (steps, new_state) for every applicable move; ``steps`` lists each primitive used
    (a ``transpose`` step precedes the move that needs it on directed X)."""
    verts, edges = state
    can_t = symmetric or "transpose" in prims
    inc: dict[int, list[int]] = {v: [] for v in verts}
    for i, (r, s) in enumerate(edges):
        inc[r].append(i)
        if s != r:
            inc[s].append(i)

    def rebuild(vs, es):
        if symmetric:
            es = [(min(r, s), max(r, s)) for r, s in es]
        return (frozenset(vs), tuple(sorted(es)))

    # loops -> node features
    if "diag" in prims:
        for i, (r, s) in enumerate(edges):
            if r == s:
                yield [f"diag: loop at {r} becomes a node feature"], rebuild(verts, edges[:i] + edges[i + 1 :])
    # parallel edges -> entrywise product
    if "hadamard" in prims:
        for i in range(len(edges)):
            for j in range(i + 1, len(edges)):
                (r1, s1), (r2, s2) = edges[i], edges[j]
                if r1 == s1 or r2 == s2:
                    continue
                same = (r1, s1) == (r2, s2)
                anti = (r1, s1) == (s2, r2)
                if same or (anti and can_t):
                    es = [e for k, e in enumerate(edges) if k != j]
                    steps = [] if same or symmetric else [f"transpose: reverse edge {r2}-{s2}"]
                    yield steps + [f"hadamard: merge edges {r1}-{s1}"], rebuild(verts, es)
    for v in verts:
        if v in marked:
            continue
        ids = inc[v]
        if any(edges[i][0] == edges[i][1] for i in ids):
            continue
        if not ids and "sum" in prims:
            yield [f"sum: pool out vertex {v}"], rebuild(verts - {v}, edges)
        elif len(ids) == 1 and "aggregate" in prims:
            es = [e for k, e in enumerate(edges) if k != ids[0]]
            yield [f"aggregate: sum out vertex {v}"], rebuild(verts - {v}, es)
        elif len(ids) == 2 and "matmul" in prims:
            (r1, s1), (r2, s2) = edges[ids[0]], edges[ids[1]]
            u = r1 if s1 == v else s1
            w = r2 if s2 == v else s2
            into = [s1 == v, s2 == v]
            if symmetric or can_t or into[0] != into[1]:
                steps = []
                if into[0] and not into[1]:
                    new = (u, w)
                elif into[1] and not into[0]:
                    new = (w, u)
                else:
                    new = (u, w)
                    if not symmetric:
                        # both edges enter v (X X^T) or both leave it (X^T X): flip one of them
                        r, s = edges[ids[1]] if into[0] else edges[ids[0]]
                        steps.append(f"transpose: reverse edge {r}-{s}")
                es = [e for k, e in enumerate(edges) if k not in ids] + [new]
                steps.append(f"matmul: contract vertex {v} ({u}-{v}-{w})")
                yield steps, rebuild(verts - {v}, es)


def _accept(state, poly: Polynomial, prims) -> list[str] | None:
    """The final steps turning ``state`` into the output, or ``None`` if it is not final."""
    verts, edges = state
    if any(v not in poly.outputs for v in verts):
        return None
    if poly.output != "edge" or poly.diagonal:
        return None if edges else []
    if not edges:
        return ["outer: output h_a h_b (outer product of node features)"] if "outer" in prims else None
    if len(edges) > 1 or "edge_output" not in prims:
        return None
    r, s = edges[0]
    if (r, s) == (0, 1):
        return []
    if (r, s) == (1, 0) and (poly.symmetric or "transpose" in prims):
        return [] if poly.symmetric else ["transpose: reverse edge 1-0 (output X^T)"]
    return None


def contraction_sequence(poly: Polynomial, model) -> list[str] | None:
    """A sequence of primitives that computes ``poly``, or ``None`` if there is none.

    Parameters
    ----------
    poly : Polynomial
    model : ContractionModel or {'MPNN', 'PPGN', 'PPGN++'}

    Returns
    -------
    list of str or None
        One step per primitive applied, each ``'<primitive>: <what it does>'``, in order;
        keeping the single edge feature ``X[a, b]`` as an edge-valued output needs no step
        (``[]`` for X itself), but transposes (``X^T``, ``X X^T``, antiparallel ``hadamard``)
        and the ``outer`` product of node features are listed.  On directed X a sequence
        without ``transpose`` is returned whenever one exists.

    Examples
    --------
    >>> xt = Polynomial.from_edges([(1, 0)], marked=(0, 1))   # X^T on directed X
    >>> contraction_sequence(xt, "PPGN++")
    ['transpose: reverse edge 1-0 (output X^T)']
    >>> contraction_sequence(xt, "PPGN") is None
    True
    >>> tri = Polynomial.from_edges([(0, 1), (1, 2), (2, 0)], marked=(0, 1), symmetric=True)
    >>> contraction_sequence(tri, "PPGN")
    ['matmul: contract vertex 2 (0-2-1)', 'hadamard: merge edges 0-1']
    >>> contraction_sequence(tri, "MPNN") is None
    True
    """
    m = _model(model)
    marked = set(poly.outputs)
    start = (frozenset(range(poly.num_vertices)), tuple(sorted(poly.edges)))

    def search(prims) -> list[str] | None:
        failed: set = set()

        def dfs(state) -> list[str] | None:
            final = _accept(state, poly, prims)
            if final is not None:
                return final
            if state in failed:
                return None
            for steps, new in _moves(state, marked, prims, poly.symmetric):
                rest = dfs(new)
                if rest is not None:
                    return steps + rest
            failed.add(state)
            return None

        return dfs(start)

    if not poly.symmetric and "transpose" in m.primitives:
        # prefer a sequence without transposes, so one appears only where it is needed
        seq = search(m.primitives - {"transpose"})
        if seq is not None:
            return seq
    return search(m.primitives)


def is_computable(poly: Polynomial, model) -> bool:
    """Whether ``model`` can compute the basis polynomial ``poly`` (see module docstring).

    Examples
    --------
    >>> from reptheory.polynomials import polynomial_basis
    >>> sum(is_computable(p, "MPNN") for p in polynomial_basis(2, "invariant", symmetric=True))
    6
    """
    return contraction_sequence(poly, model) is not None


def expressivity_table(model, max_degree: int, output: str, symmetric: bool = True) -> list[tuple[int, int, int]]:
    """``(degree, computable, total)`` for degrees ``0..max_degree``.

    Examples
    --------
    >>> expressivity_table("PPGN", 3, "edge")
    [(0, 2, 2), (1, 11, 11), (2, 56, 56), (3, 266, 266)]
    """
    output = check_output(output)
    rows = []
    for d in range(max_degree + 1):
        polys = list(iter_polynomial_basis(d, output, symmetric))
        rows.append((d, sum(is_computable(p, model) for p in polys), len(polys)))
    return rows


def expressive_degree(model, output: str, symmetric: bool = True, max_degree: int = 6) -> int | None:
    """Largest ``d <= max_degree`` such that the model computes every basis polynomial of degree
    ``<= d``; ``None`` if it misses one of degree 0; ``max_degree`` if it misses none up there.

    Examples
    --------
    >>> expressive_degree("MPNN", "invariant", max_degree=4)
    1
    """
    output = check_output(output)
    for d in range(max_degree + 1):
        if not all(is_computable(p, model) for p in iter_polynomial_basis(d, output, symmetric)):
            return d - 1 if d else None
    return max_degree


def _connected(poly: Polynomial) -> bool:
    import networkx as nx

    g = nx.Graph(poly.graph)
    return g.number_of_nodes() > 0 and nx.is_connected(g)


def missing_features(model, degree: int, output: str, symmetric: bool = True, connected: bool = True) -> list[Polynomial]:
    """Basis polynomials of ``degree`` the model cannot compute.

    With ``connected=True`` only connected multigraphs are listed: a disconnected one is a
    product (or outer product / broadcast) of lower-degree pieces, so for a model that is
    expressive up to ``degree - 1`` adding the connected ones as input features suffices to
    reach every polynomial of this degree.

    Examples
    --------
    >>> [p.einsum for p in missing_features("PPGN++", 6, "invariant")]
    ['ab,ac,ad,bc,bd,cd->']
    """
    return [
        p
        for p in iter_polynomial_basis(degree, output, symmetric, max_degree=max(degree, 6))
        if (not connected or _connected(p)) and not is_computable(p, model)
    ]
