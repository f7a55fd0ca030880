"""Basis polynomials P_(H, marks) as immutable value objects.

Convention (Puny et al. 2023): for a multigraph H with marked vertices,

    P_H(X)[i, j] = sum over maps phi: V(H) -> [n] with phi(a) = i, phi(b) = j of
                   prod over edges (r, s) of X[phi(r), phi(s)],

summing over *all* maps (homomorphism basis, not injective maps).  ``output='invariant'`` has no
marked vertex, ``'node'`` one (``a``), ``'edge'`` an ordered pair ``(a, b)`` with ``a = b``
allowed (then the node-valued result sits on the diagonal of an n x n output).  S_n acts by
``X -> P X P^T``.  ``symmetric=True`` means X is assumed symmetric and H is undirected.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import numpy as np

from ..errors import InvalidParameterError, ShapeError
from ._canonical import Cert, canonical_components
from ._contract import LETTERS, ContractionSpec, make_spec, plan_with_keys, run_plan_numpy

__all__ = ["Polynomial", "as_batch", "evaluate_basis"]

_MARK_NAMES = {0: None, 1: "a", 2: "b", 3: "ab"}


class Polynomial:
    """One basis element: a multigraph with marked output vertices, up to isomorphism.

    Build it with :meth:`from_edges` or get it from :func:`polynomial_basis`.  Two polynomials
    are equal (and hash equal) exactly when their marked multigraphs are isomorphic.

    Attributes
    ----------
    output : str
        ``'invariant'``, ``'node'`` or ``'edge'``.
    symmetric : bool
        Undirected H (for symmetric X) if true.
    num_vertices : int
        Number of vertices of H (marked vertices first: ``a = 0``, ``b = 1``).
    edges : tuple of (int, int)
        Edges of the canonical labelled H.
    outputs : tuple of int
        Marked vertices: ``()``, ``(0,)``, ``(0, 0)`` (``a = b``) or ``(0, 1)``.

    Examples
    --------
    >>> p = Polynomial.from_edges([("a", "c"), ("c", "b")], marked=("a", "b"), symmetric=True)
    >>> p.einsum
    'ac,bc->ab'
    >>> import numpy as np
    >>> X = np.arange(9.0).reshape(3, 3); X = X + X.T
    >>> bool(np.allclose(p.evaluate(X), X @ X))
    True
    """

    __slots__ = {
        "_key": "Canonical form (see :attr:`key`).",
        "_spec": "Contraction description (see :attr:`spec`).",
        "edges": "Edges ``(r, s)`` of the canonical labelled H, sorted (tuple of int pairs; "
        "loops ``(r, r)`` and repeated pairs for parallel edges; ``r <= s`` when symmetric).",
        "num_vertices": "Number of vertices of H (marked vertices first: ``a = 0``, ``b = 1``).",
        "output": "``'invariant'``, ``'node'`` or ``'edge'``.",
        "outputs": "Marked vertices: ``()``, ``(0,)``, ``(0, 0)`` (``a = b``) or ``(0, 1)``.",
        "symmetric": "Undirected H (for symmetric X) if true.",
    }

    def __init__(self, output: str, symmetric: bool, components: Iterable[Cert]):
        comps = tuple(sorted(components))
        self._key = (output, bool(symmetric), comps)
        self.output = output
        self.symmetric = bool(symmetric)
        colors = [c for comp in comps for c in comp[1]]
        if output == "invariant":
            nmarked, outputs = 0, ()
        elif output == "node":
            nmarked, outputs = 1, (0,)
        elif 3 in colors:
            nmarked, outputs = 1, (0, 0)
        else:
            nmarked, outputs = 2, (0, 1)
        nxt = nmarked
        edges: list[tuple[int, int]] = []
        for m, cols, es in comps:
            lab = []
            for c in cols:
                if c in (1, 3):
                    lab.append(0)
                elif c == 2:
                    lab.append(1)
                else:
                    lab.append(nxt)
                    nxt += 1
            for r, s in es:
                r2, s2 = lab[r], lab[s]
                if self.symmetric and r2 > s2:
                    r2, s2 = s2, r2
                edges.append((r2, s2))
        self.num_vertices = nxt
        self.edges = tuple(sorted(edges))
        self.outputs = outputs
        self._spec = make_spec(nxt, self.edges, outputs)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_edges(
        cls,
        edges: Iterable[tuple[Hashable, Hashable]],
        marked: Sequence[Hashable] = (),
        symmetric: bool = False,
    ) -> Polynomial:
        """The basis polynomial of a multigraph given by its edge list.

        Parameters
        ----------
        edges : iterable of pairs
            Edges ``(r, s)`` between arbitrary hashable vertex names; loops and repeated edges
            allowed.  The vertices are the endpoints plus the marked vertices.
        marked : sequence
            ``()`` for an invariant, ``(a,)`` for a node-valued and ``(a, b)`` for an
            edge-valued polynomial (``a == b`` allowed).
        symmetric : bool
            Undirected edges (X symmetric).

        Returns
        -------
        Polynomial

        Raises
        ------
        InvalidParameterError
            If ``marked`` has more than two entries.

        Examples
        --------
        >>> t1 = Polynomial.from_edges([(0, 1), (1, 2), (2, 0)], marked=(0, 1), symmetric=True)
        >>> t2 = Polynomial.from_edges([("x", "y"), ("z", "y"), ("x", "z")], marked=("y", "z"),
        ...                            symmetric=True)
        >>> t1 == t2
        True
        """
        marked = tuple(marked)
        if len(marked) > 2:
            raise InvalidParameterError(
                f"marked must have 0, 1 or 2 vertices (invariant, node, edge), got {len(marked)}"
            )
        output = ("invariant", "node", "edge")[len(marked)]
        edges = [tuple(e) for e in edges]
        for e in edges:
            if len(e) != 2:
                raise InvalidParameterError(f"each edge must be a pair (r, s), got {e!r}")
        names: dict[Hashable, int] = {}
        for v in list(marked) + [v for e in edges for v in e]:
            names.setdefault(v, len(names))
        colors = [0] * len(names)
        if len(marked) == 1:
            colors[names[marked[0]]] = 1
        elif len(marked) == 2:
            if marked[0] == marked[1]:
                colors[names[marked[0]]] = 3
            else:
                colors[names[marked[0]]] = 1
                colors[names[marked[1]]] = 2
        lab = [(names[r], names[s]) for r, s in edges]
        comps = canonical_components(len(names), colors, lab, bool(symmetric))
        return cls(output, bool(symmetric), comps)

    # ------------------------------------------------------------------ value object
    @property
    def key(self) -> tuple:
        """Canonical form: equal keys if and only if the marked multigraphs are isomorphic."""
        return self._key

    @property
    def degree(self) -> int:
        """Number of edges of H (the polynomial degree)."""
        return len(self.edges)

    @property
    def diagonal(self) -> bool:
        """Edge-valued with ``a = b`` (output supported on the diagonal)."""
        return self.outputs == (0, 0)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Polynomial) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __setattr__(self, name: str, value: object) -> None:
        if hasattr(self, "_spec"):
            raise AttributeError("Polynomial is immutable")
        object.__setattr__(self, name, value)

    def __reduce__(self):
        return (Polynomial, (self.output, self.symmetric, self._key[2]))

    @property
    def letters(self) -> str:
        """Letter of each vertex in :attr:`einsum` and :meth:`formula`."""
        return LETTERS[: self.num_vertices]

    @property
    def einsum(self) -> str:
        """Einsum string with one operand ``X`` per edge, e.g. ``'ac,cb->ab'``."""
        L = self.letters
        ins = ",".join(L[r] + L[s] for r, s in self.edges)
        outs = self.outputs[:1] if self.diagonal else self.outputs
        return f"{ins}->{''.join(L[v] for v in outs)}"

    @property
    def spec(self) -> ContractionSpec:
        """The merged-operand contraction description used for evaluation."""
        return self._spec

    def formula(self) -> str:
        """A readable formula, e.g. ``'P[a,b] = sum_{c} X[a,c] X[c,b]'``.

        Examples
        --------
        >>> Polynomial.from_edges([(0, 0), (0, 1)], marked=(0,)).formula()
        'P[a] = sum_{b} X[a,a] X[a,b]'
        >>> Polynomial.from_edges([], marked=(0, 0)).formula()
        'P[a,a] = 1 (zero off the diagonal)'
        """
        L = self.letters
        lhs = "P" + ("[" + ",".join(L[v] for v in self.outputs) + "]" if self.outputs else "")
        summed = [L[v] for v in range(self.num_vertices) if v not in self.outputs]
        factors = " ".join(f"X[{L[r]},{L[s]}]" for r, s in self.edges) or "1"
        body = (f"sum_{{{','.join(summed)}}} " if summed else "") + factors
        tail = " (zero off the diagonal)" if self.diagonal else ""
        return f"{lhs} = {body}{tail}"

    def __repr__(self) -> str:
        return (
            f"Polynomial(output={self.output!r}, symmetric={self.symmetric}, "
            f"degree={self.degree}, einsum={self.einsum!r})"
        )

    __str__ = formula

    # ------------------------------------------------------------------ graph and drawing
    @property
    def graph(self):
        """A fresh networkx ``MultiGraph`` (symmetric) or ``MultiDiGraph`` of H.

        Node attribute ``'mark'`` is ``'a'``, ``'b'``, ``'ab'`` (``a = b``) or ``None``; node
        attribute ``'letter'`` is the vertex's letter in :attr:`einsum`.
        """
        import networkx as nx

        g = nx.MultiGraph() if self.symmetric else nx.MultiDiGraph()
        g.graph["output"] = self.output
        L = self.letters
        for v in range(self.num_vertices):
            mark = None
            if self.outputs:
                if self.diagonal and v == 0:
                    mark = "ab"
                elif v == self.outputs[0]:
                    mark = "a"
                elif len(self.outputs) == 2 and v == self.outputs[1]:
                    mark = "b"
            g.add_node(v, mark=mark, letter=L[v])
        g.add_edges_from(self.edges)
        return g

    def draw(self, ax=None, title: str | None = None, marked_color: str = "tab:orange",
             vertex_color: str = "tab:blue"):
        """Draw H with matplotlib, every edge visible.  Returns the axes.

        Parallel edges are drawn as distinct arcs, loops as small circles beside their vertex,
        directed edges (``symmetric=False``) with arrow heads.  Marked vertices are coloured
        ``marked_color`` and labelled ``a``, ``b`` or ``ab`` (``a = b``); summed vertices are
        coloured ``vertex_color`` and labelled with their letter in :attr:`einsum`.  Each edge
        is one patch with gid ``'edge'``; vertices have gid ``'marked vertex'`` or ``'vertex'``.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new 3 x 3 inch figure if omitted.
        title : str, optional
            Axes title; default :attr:`einsum`.
        marked_color, vertex_color : str
            Matplotlib colours of the marked (output) and the summed vertices.

        Returns
        -------
        matplotlib.axes.Axes

        Raises
        ------
        BackendUnavailableError
            If matplotlib is not installed (``pip install 'reptheory[plot]'``).

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> p = Polynomial.from_edges([(0, 1), (0, 1), (1, 1)], marked=(0,), symmetric=True)
        >>> ax = p.draw()
        >>> sum(patch.get_gid() == "edge" for patch in ax.patches)
        3
        """
        from ._draw import draw_polynomial

        return draw_polynomial(self, ax, title, marked_color, vertex_color)

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, X, optimize: bool = True) -> np.ndarray:
        """Evaluate on one graph ``(n, n)`` or a batch ``(batch, n, n)``.

        Parameters
        ----------
        X : array_like
            Edge data (node features may sit on the diagonal, see :func:`with_node_features`).
            Integer arrays are evaluated exactly in integer arithmetic.
        optimize : bool
            Use the optimised pairwise contraction order (default) or numpy's single
            unoptimised einsum over all vertex letters (cost n**num_vertices).

        Returns
        -------
        numpy.ndarray
            Shape ``()`` / ``(batch,)`` (invariant), ``(n,)`` / ``(batch, n)`` (node) or
            ``(n, n)`` / ``(batch, n, n)`` (edge).

        Raises
        ------
        ShapeError
            If X is not of shape ``(n, n)`` or ``(batch, n, n)``.

        Examples
        --------
        >>> p = Polynomial.from_edges([(0, 1), (1, 2), (2, 0)], symmetric=True)  # triangle
        >>> A = np.ones((3, 3)) - np.eye(3)   # K3: 6 homomorphisms from the triangle
        >>> float(p.evaluate(A))
        6.0
        """
        X3, single = as_batch(X)
        out = _evaluate_numpy(self, X3, {}, optimize)
        return out[0] if single else out


def as_batch(X) -> tuple[np.ndarray, bool]:
    """Validate X and return it as ``(batch, n, n)`` plus whether it was a single graph."""
    if hasattr(X, "detach") and hasattr(X, "numpy"):  # a torch tensor on the numpy path
        X = X.detach().cpu().numpy()
    X = np.asarray(X)
    if X.dtype.kind not in "biufcO":
        raise ShapeError(f"X must be a numeric array of shape (n, n) or (batch, n, n), got dtype {X.dtype}")
    if X.ndim not in (2, 3) or X.shape[-1] != X.shape[-2] or X.shape[-1] == 0:
        raise ShapeError(
            f"X must have shape (n, n) or (batch, n, n) with n >= 1, got shape {X.shape}"
        )
    if X.dtype.kind == "b":
        X = X.astype(np.int64)
    return (X[None], True) if X.ndim == 2 else (X, False)


def _operand(X3: np.ndarray, kind: str, p: int, q: int, cache: dict) -> np.ndarray:
    key = ("op", kind, p, q)
    val = cache.get(key)
    if val is None:
        if kind == "loop":
            val = np.diagonal(X3, axis1=1, axis2=2) ** p
        else:
            val = X3**p if p else None
            if q:
                t = np.swapaxes(X3, 1, 2) ** q
                val = t if val is None else val * t
            val = np.ascontiguousarray(val)
        cache[key] = val
    return val


def _finish(val, spec: ContractionSpec, batch: int, n: int, xp_ones, xp_eye_embed):
    """Broadcast output letters that occur in no operand, and embed diagonals."""
    letters = spec.out
    for c in spec.out_all:
        if c not in letters:
            val = val[..., None] * xp_ones(n)
            letters += c
    if letters != spec.out_all:
        val = val.transpose([0] + [1 + letters.index(c) for c in spec.out_all])
    if spec.diagonal:
        val = xp_eye_embed(val)
    return val


def _np_diag_embed(v: np.ndarray) -> np.ndarray:
    b, n = v.shape
    out = np.zeros((b, n, n), dtype=v.dtype)
    idx = np.arange(n)
    out[:, idx, idx] = v
    return out


def _core_numpy(poly: Polynomial, X3: np.ndarray, cache: dict, optimize: bool) -> np.ndarray:
    """The contraction itself: axes batch + ``spec.out`` (no broadcast, no diagonal)."""
    spec = poly.spec
    b, n, _ = X3.shape
    if not spec.operands:
        return np.ones((b,), dtype=X3.dtype)
    ops = [_operand(X3, o.kind, o.p, o.q, cache) for o in spec.operands]
    return run_plan_numpy(plan_with_keys(spec, b, n, optimize), ops, cache)


def _evaluate_numpy(poly: Polynomial, X3: np.ndarray, cache: dict, optimize: bool) -> np.ndarray:
    b, n, _ = X3.shape
    val = _core_numpy(poly, X3, cache, optimize)
    return _finish(val, poly.spec, b, n, lambda k: np.ones(k, dtype=X3.dtype), _np_diag_embed)


def _assign(dst: np.ndarray, val: np.ndarray, spec: ContractionSpec) -> None:
    """Write the core result ``val`` into ``dst`` (zeros, shape batch + out) by broadcasting."""
    letters = spec.out
    missing = "".join(c for c in spec.out_all if c not in letters)
    val = val.reshape(val.shape + (1,) * len(missing))
    letters += missing
    if letters != spec.out_all:
        val = val.transpose([0] + [1 + letters.index(c) for c in spec.out_all])
    if spec.diagonal:
        idx = np.arange(dst.shape[-1])
        dst[:, idx, idx] = val
    else:
        dst[...] = val


def evaluate_basis(polynomials: Sequence[Polynomial], X, optimize: bool = True) -> np.ndarray:
    """Evaluate several polynomials of one output type, sharing the entrywise powers of X.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(polynomials),) + out`` for one graph, ``(batch, len(polynomials)) + out``
        for a batch, where ``out`` is ``()``, ``(n,)`` or ``(n, n)``.

    Raises
    ------
    InvalidParameterError
        If the polynomials do not all have the same output type.

    Examples
    --------
    >>> from reptheory.polynomials import polynomial_basis
    >>> basis = polynomial_basis(2, output="node", symmetric=True)
    >>> evaluate_basis(basis, np.eye(4)).shape
    (17, 4)
    """
    polys = list(polynomials)
    kinds = {p.output for p in polys}
    if len(kinds) > 1:
        raise InvalidParameterError(f"polynomials must share one output type, got {sorted(kinds)}")
    X3, single = as_batch(X)
    cache: dict = {}
    b, n, _ = X3.shape
    shape = {"invariant": (), "node": (n,), "edge": (n, n)}[kinds.pop() if kinds else "invariant"]
    out = np.zeros((b, len(polys)) + shape, dtype=np.result_type(X3.dtype, np.int64))
    for i, p in enumerate(polys):
        _assign(out[:, i], _core_numpy(p, X3, cache, optimize), p.spec)
    return out[0] if single else out
