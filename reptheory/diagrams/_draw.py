"""Pictures of diagrams: matplotlib (imported lazily), SVG for notebooks, and TikZ.

Layout: top vertices on the line y = 1, bottom vertices on y = 0, both centred. Within a row,
consecutive vertices of a block are joined by an arc bulging into the diagram; a block with
vertices in both rows is joined by a straight line between its leftmost top and leftmost
bottom vertex. Blocks are coloured so that crossings stay readable.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from ..errors import BackendUnavailableError

if TYPE_CHECKING:  # pragma: no cover
    from ._partition import Diagram

__all__ = ["diagram_to_svg", "diagram_to_tikz", "draw_diagram", "draw_diagrams", "vertex_positions"]

_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]


def _pyplot():
    try:
        import matplotlib

        if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
            try:
                import matplotlib.pyplot as plt
            except Exception:  # pragma: no cover - headless without a GUI
                matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise BackendUnavailableError(
            "drawing needs matplotlib: pip install 'reptheory[plot]'"
        ) from exc
    return plt


def vertex_positions(d: Diagram) -> dict[int, tuple[float, float]]:
    """(x, y) of every vertex: top row y = 1, bottom row y = 0, rows centred."""
    width = max(d.k, d.l, 1)
    pos = {}
    off_top = (width - d.l) / 2
    off_bottom = (width - d.k) / 2
    for a in range(d.l):
        pos[a] = (off_top + a, 1.0)
    for b in range(d.k):
        pos[d.l + b] = (off_bottom + b, 0.0)
    return pos


def _segments(d: Diagram):
    """Yield (kind, block index, p, q): kind is 'top-arc', 'bottom-arc' or 'line'."""
    for i, block in enumerate(d.blocks):
        tops = [v for v in block if v < d.l]
        bottoms = [v for v in block if v >= d.l]
        for a, b in zip(tops, tops[1:]):
            yield "top-arc", i, a, b
        for a, b in zip(bottoms, bottoms[1:]):
            yield "bottom-arc", i, a, b
        if tops and bottoms:
            yield "line", i, tops[0], bottoms[0]


def draw_diagram(d: Diagram, ax: Any = None, labels: bool = True, title: str | None = None,
                 vertex_size: float = 60.0):
    """Draw one diagram on a matplotlib Axes (created if not given) and return the Axes.

    Examples
    --------
    >>> from reptheory.diagrams import PartitionDiagram
    >>> ax = PartitionDiagram([[0, 3], [1, 2]], k=2, l=2).draw()  # doctest: +SKIP
    """
    plt = _pyplot()
    from matplotlib.patches import Arc

    if ax is None:
        width = max(d.k, d.l, 1)
        _, ax = plt.subplots(figsize=(0.8 * width + 0.6, 1.6))
    pos = vertex_positions(d)
    for kind, i, a, b in _segments(d):
        colour = _COLOURS[i % len(_COLOURS)]
        (xa, ya), (xb, yb) = pos[a], pos[b]
        if kind == "line":
            ax.plot([xa, xb], [ya, yb], color=colour, lw=1.8, zorder=1)
        else:
            centre = ((xa + xb) / 2, ya)
            w = abs(xb - xa)
            h = min(0.7, 0.25 + 0.12 * w)
            theta = (180, 360) if kind == "top-arc" else (0, 180)
            ax.add_patch(Arc(centre, w, h, theta1=theta[0], theta2=theta[1], color=colour,
                             lw=1.8, zorder=1))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.scatter(xs, ys, s=vertex_size, color="black", zorder=2)
    if labels:
        for v, (x, y) in pos.items():
            ax.annotate(d.vertex_name(v), (x, y), textcoords="offset points",
                        xytext=(0, 7 if y > 0.5 else -13), ha="center", fontsize=8)
    width = max(d.k, d.l, 1)
    ax.set_xlim(-0.6, width - 0.4)
    ax.set_ylim(-0.45, 1.45)
    ax.set_aspect("equal")
    ax.axis("off")
    if title is not None:
        ax.set_title(title, fontsize=9)
    return ax


#: Memory of one drawn diagram in 8-byte entries (a matplotlib axes and its pixels at 120 dpi:
#: measured about 0.9 MB, and about 60 ms each).
WORDS_PER_DRAWN_DIAGRAM = 2**17


def draw_diagrams(diagrams, ncols: int = 6, titles=None, *, max_entries: int | None = None):
    """Draw several diagrams in a grid; returns the matplotlib Figure.

    Raises :class:`~reptheory.errors.SizeLimitError` before drawing when the figure would take
    more than the size budget (``max_entries``, else ``REPTHEORY_MAX_DENSE_ENTRIES``, else
    2**27 entries of 8 bytes), counting ``WORDS_PER_DRAWN_DIAGRAM`` per diagram (about 1000
    diagrams by default).
    """
    from .._validate import check_dense_size

    diagrams = list(diagrams)
    check_dense_size(f"drawing {len(diagrams)} diagrams", len(diagrams) * WORDS_PER_DRAWN_DIAGRAM,
                     max_entries, hint="draw fewer diagrams")
    plt = _pyplot()
    count = max(len(diagrams), 1)
    ncols = max(1, min(ncols, count))
    nrows = (count + ncols - 1) // ncols
    width = max([max(d.k, d.l, 1) for d in diagrams] or [1])
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * (0.8 * width + 0.6), nrows * 1.7),
                             squeeze=False)
    for idx, ax in enumerate(axes.flat):
        if idx < len(diagrams):
            title = titles[idx] if titles is not None else None
            diagrams[idx].draw(ax=ax, title=title)  # subclasses draw extras (the ε head)
        else:
            ax.axis("off")
    fig.tight_layout()
    return fig


def diagram_to_svg(d: Diagram) -> str:
    """SVG text of the diagram's picture (used by ``_repr_svg_`` in notebooks)."""
    plt = _pyplot()
    ax = draw_diagram(d)
    fig = ax.figure
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def diagram_to_tikz(d: Diagram, scale: float = 1.0) -> str:
    """TikZ source for the diagram (same layout as :func:`draw_diagram`).

    Examples
    --------
    >>> from reptheory.diagrams import PartitionDiagram
    >>> print(PartitionDiagram([[0, 1]], k=1, l=1).to_tikz())
    \\begin{tikzpicture}[scale=1.0]
      \\draw[thick] (0.0,1.0) -- (0.0,0.0);
      \\fill (0.0,1.0) circle (2pt) node[above] {\\small 1};
      \\fill (0.0,0.0) circle (2pt) node[below] {\\small 1'};
    \\end{tikzpicture}
    """
    pos = vertex_positions(d)
    lines = [f"\\begin{{tikzpicture}}[scale={scale}]"]
    for kind, _, a, b in _segments(d):
        (xa, ya), (xb, yb) = pos[a], pos[b]
        if kind == "line":
            lines.append(f"  \\draw[thick] ({xa},{ya}) -- ({xb},{yb});")
        else:
            bend = "right" if kind == "top-arc" else "left"
            lines.append(f"  \\draw[thick] ({xa},{ya}) to[bend {bend}=45] ({xb},{yb});")
    for v, (x, y) in sorted(pos.items()):
        side = "above" if y > 0.5 else "below"
        lines.append(f"  \\fill ({x},{y}) circle (2pt) node[{side}] {{\\small {d.vertex_name(v)}}};")
    lines.append("\\end{tikzpicture}")
    return "\n".join(lines)
