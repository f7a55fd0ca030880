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

import functools
from collections.abc import Hashable, Iterable, Sequence

import numpy as np

from ..errors import InvalidParameterError, ReptheoryTypeError, ShapeError
from ._canonical import Cert, canonical_components
from ._contract import LETTERS, ContractionSpec, make_spec
from ._program import Program, compile_program, run_program, single_runner

__all__ = ["Polynomial", "as_batch", "as_tuple", "basis_program", "evaluate_basis"]

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
        "_hash": "Hash of the canonical form (computed once).",
        "_key": "Canonical form (see :attr:`key`).",
        "_programs": "Compiled evaluation programs per (batch, n, backend, optimize).",
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
        self._hash = hash(self._key)
        self._programs = {}
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
        return self is other or (isinstance(other, Polynomial) and self._hash == other._hash
                                 and self._key == other._key)

    def __hash__(self) -> int:
        return self._hash

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
        out = _evaluate_numpy(self, X3, bool(optimize))
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


def power(x, p: int):
    """``x**p`` for an integer ``p >= 1`` by repeated multiplication (exact for integer arrays,
    and faster than the general power for small ``p``); ``x`` itself when ``p = 1``."""
    out = x
    for _ in range(p - 1):
        out = out * x
    return out


def _np_operand(X3: np.ndarray, kind: str, p: int, q: int) -> np.ndarray:
    """A merged operand: ``diag(X)**p`` (``'loop'``) or ``X**p * (X.T)**q`` (``'edge'``);
    ``X`` itself (not a copy) when ``p = 1, q = 0``."""
    if kind == "loop":
        return power(X3.diagonal(axis1=1, axis2=2), p)
    val = power(X3, p) if p else None
    if q:
        t = power(X3.transpose(0, 2, 1), q)
        val = t if val is None else val * t
    return val


def _program(poly: Polynomial, batch: int, n: int, backend: str, optimize: bool) -> Program:
    """The compiled program of one polynomial, kept on the polynomial per shape and backend."""
    key = (batch, n, backend, optimize)
    prog = poly._programs.get(key)
    if prog is None:
        prog = compile_program((poly.spec,), batch, n, backend, optimize)
        if len(poly._programs) >= 64:  # many shapes: keep memory bounded
            poly._programs.clear()
        poly._programs[key] = prog
    return prog


def _evaluate_numpy(poly: Polynomial, X3: np.ndarray, optimize: bool = True) -> np.ndarray:
    """``poly`` on a batch ``(batch, n, n)``: shape ``(batch,) + out``."""
    b, n, _ = X3.shape
    prog = _program(poly, b, n, "numpy", optimize)
    val = (prog.single or single_runner(prog, "numpy"))(X3)
    perm, idx, diagonal = prog.layouts[0]
    if val is None:
        val = np.ones((b,), dtype=X3.dtype)
        if idx is None:
            return val
    if perm is not None:
        val = val.transpose(perm)
    if diagonal:
        out = np.zeros((b, n, n), dtype=val.dtype)
        out.reshape(b, n * n)[:, :: n + 1] = val if idx is None else val[idx]
        return out
    if idx is None and prog.fresh[0]:
        return val
    out = np.empty((b,) + (n,) * len(poly.spec.out_all), dtype=val.dtype)
    out[...] = val if idx is None else val[idx]
    return out


def as_tuple(polynomials) -> tuple:
    """The polynomials as a tuple (a :class:`PolynomialBasis`'s own tuple, without copying)."""
    if isinstance(polynomials, tuple):
        return polynomials
    own = getattr(polynomials, "_polys", None)
    return own if isinstance(own, tuple) else tuple(polynomials)


def basis_program(polys: tuple, batch: int, n: int, backend: str, optimize: bool = True
                  ) -> Program:
    """The compiled program of a tuple of polynomials of one output type (cached: the
    polynomials are checked once per tuple and shape, not on every call)."""
    try:
        return _basis_program(polys, batch, n, backend, bool(optimize))
    except TypeError:  # an unhashable entry
        bad = next(p for p in polys if not isinstance(p, Polynomial))
        raise ReptheoryTypeError(
            f"polynomials must be Polynomial objects, got {type(bad).__name__}") from None


@functools.lru_cache(maxsize=32)
def _basis_program(polys: tuple, batch: int, n: int, backend: str, optimize: bool) -> Program:
    for p in polys:
        if not isinstance(p, Polynomial):
            raise ReptheoryTypeError(
                f"polynomials must be Polynomial objects, got {type(p).__name__}")
    kinds = {p.output for p in polys}
    if len(kinds) != 1:
        raise InvalidParameterError(
            f"polynomials must be non-empty and share one output type, got {sorted(kinds)}")
    return compile_program(tuple(p.spec for p in polys), batch, n, backend, optimize)


def evaluate_basis(polynomials: Sequence[Polynomial], X, optimize: bool = True,
                   out: np.ndarray | None = None) -> np.ndarray:
    """Evaluate several polynomials of one output type, sharing the entrywise powers of X and
    every common sub-contraction of at most two free vertices.

    The contraction plans are compiled once per tuple of polynomials and shape (see
    :func:`basis_program`); results are written straight into the output array.

    Parameters
    ----------
    polynomials : sequence of Polynomial
        One output type.  Passing the same tuple (or :class:`PolynomialBasis`) again reuses
        its compiled program without re-checking it.
    X : array_like
        ``(n, n)`` or ``(batch, n, n)``.
    optimize : bool
        Pairwise contractions in an optimised order (default) or one einsum per polynomial.
    out : numpy.ndarray, optional
        Where to write the result (C-contiguous, shape and dtype as returned; its previous
        content is overwritten): reusing one buffer across calls saves allocating and first
        touching a large array every time.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(polynomials),) + out`` for one graph, ``(batch, len(polynomials)) + out``
        for a batch, where ``out`` is ``()``, ``(n,)`` or ``(n, n)``; dtype that of X promoted
        with int64 (integer X is evaluated exactly).

    Raises
    ------
    InvalidParameterError
        If the polynomials are not all of the same output type (or there are none).
    ReptheoryTypeError
        If an entry is not a :class:`Polynomial`.
    ShapeError
        If X is not ``(n, n)`` / ``(batch, n, n)``, or ``out`` has the wrong shape or dtype.

    Examples
    --------
    >>> from reptheory.polynomials import polynomial_basis
    >>> basis = polynomial_basis(2, output="node", symmetric=True)
    >>> evaluate_basis(basis, np.eye(4)).shape
    (17, 4)
    >>> X = np.random.default_rng(0).normal(size=(3, 5, 5))
    >>> buf = np.empty((3, len(basis), 5))
    >>> evaluate_basis(basis, X, out=buf) is buf
    True
    """
    polys = as_tuple(polynomials)
    X3, single = as_batch(X)
    b, n, _ = X3.shape
    prog = basis_program(polys, b, n, "numpy", optimize)
    k = len(polys)
    shape = {"invariant": (), "node": (n,), "edge": (n, n)}[polys[0].output]
    dtype = np.result_type(X3.dtype, np.int64)
    want = ((k,) if single else (b, k)) + shape
    if out is None:
        res = np.zeros((b, k) + shape, dtype=dtype)
    else:
        if (not isinstance(out, np.ndarray) or out.shape != want or out.dtype != dtype
                or not out.flags.c_contiguous):
            raise ShapeError(f"out must be a C-contiguous numpy array of shape {want} and dtype "
                             f"{dtype}, got {getattr(out, 'shape', type(out).__name__)} "
                             f"{getattr(out, 'dtype', '')}")
        res = out.reshape((b, k) + shape)  # a view: out is contiguous
    flat = res.reshape(b, k, n ** len(shape)) if shape else None
    layouts = prog.layouts
    step = n + 1

    def write(i, v):
        perm, idx, diagonal = layouts[i]
        if v is None:
            v = 1
        else:
            if perm is not None:
                v = v.transpose(perm)
            if idx is not None:
                v = v[idx]
        if diagonal:
            if out is not None:
                res[:, i] = 0
            flat[:, i, ::step] = v
        else:
            res[:, i] = v

    run_program(prog, functools.partial(_np_operand, X3), write,
                (lambda i: res[:, i]) if dtype == X3.dtype else None)
    if out is not None:
        return out
    return res[0] if single else res
