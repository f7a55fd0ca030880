"""The core subcommands: ``basis``, ``dim`` and ``info``."""

from __future__ import annotations

import argparse
import importlib.util
import platform
import sys

from ._args import add_budget_argument, add_group_arguments, check_output_path

__all__ = [
    "add_basis_command",
    "add_dim_command",
    "add_info_command",
    "cmd_basis",
    "cmd_dim",
    "cmd_info",
    "zero_space_note",
]


def _group(args: argparse.Namespace):
    from ..groups import group_from_name

    return group_from_name(args.group, args.n)


def zero_space_note(G, k: int, l: int) -> str:
    """The plain sentence the command line prints when a space of equivariant maps is zero."""
    return (f"the space of {G!r}-equivariant linear maps (R^{G.n})^⊗{k} -> (R^{G.n})^⊗{l} "
            "is zero: the only equivariant layer is the zero map")


def add_basis_command(subparsers: argparse._SubParsersAction) -> None:
    """Add ``reptheory basis``."""
    p = subparsers.add_parser("basis", help="print the basis of equivariant maps (diagrams)",
                              epilog="Example: reptheory basis O 3 --k 2 --l 2 --draw o3.svg")
    add_group_arguments(p)
    p.add_argument("--kind", default=None,
                   help="basis kind (S and A: diagram [default] or orbit; others: diagram)")
    p.add_argument("--spanning", action="store_true",
                   help="all diagrams (a spanning set; dependent when n is small)")
    p.add_argument("--json", action="store_true", help="print the LayerSpec as JSON")
    p.add_argument("--draw", metavar="FILE",
                   help="draw the diagrams to FILE (.png, .svg or .pdf; needs the plot extra: "
                        "pip install 'reptheory[plot]')")
    add_budget_argument(p)
    p.set_defaults(handler=cmd_basis)


def cmd_basis(args: argparse.Namespace) -> int:
    """Handler of ``reptheory basis``."""
    from ..errors import InvalidParameterError
    from ..layers import layer_basis, spanning_set

    if args.draw:
        if not args.draw.lower().endswith((".png", ".svg", ".pdf")):
            raise InvalidParameterError(f"--draw FILE must end in .png, .svg or .pdf, got {args.draw!r}")
        check_output_path(args.draw, "--draw")
    G = _group(args)
    B = spanning_set(G, args.k, args.l) if args.spanning else layer_basis(G, args.k, args.l, kind=args.kind)
    if args.draw:
        fig = B.draw()
        try:
            fig.savefig(args.draw, dpi=120)
        except OSError as exc:
            raise InvalidParameterError(f"--draw {args.draw}: {exc.strerror or exc}") from None
        print(f"drew {len(B)} diagrams to {args.draw}", file=sys.stderr)
    if args.json:
        print(B.to_json())
        return 0
    what = "basis" if B.is_basis else "spanning set (linearly dependent)"
    print(f"{G!r}, k={args.k}, l={args.l}, kind={B.kind}: dimension {B.dimension}, "
          f"{len(B)} elements ({what})")
    if B.dimension == 0:
        print(zero_space_note(G, args.k, args.l))
    # S() has no fixed size: its maps read the same at every n >= k + l
    spec = B.spec_at(max(args.k + args.l, 1)) if G.n is None else B.spec
    width = len(str(len(B)))
    names = list(spec.element_names or [str(e) for e in B])
    name_width = max([len(s) for s in names] + [8])
    for i, (name, row) in enumerate(zip(names, spec.coefficients)):
        if len(row) == 1 and row[0][1] == 1:
            formula = spec.operations[row[0][0]].einsum_string()
        else:
            formula = f"combination of {len(row)} operations"
        print(f"{i:>{width}}  {name:<{name_width}}  {formula}")
    return 0


def add_dim_command(subparsers: argparse._SubParsersAction) -> None:
    """Add ``reptheory dim``."""
    p = subparsers.add_parser("dim", help="print the dimension of the space of equivariant maps",
                              epilog="Example: reptheory dim SO 1000000000 --k 2 --l 2")
    add_group_arguments(p)
    p.add_argument("--all-methods", action="store_true",
                   help="show every independent way of computing it (e.g. S: Stirling sum, McKay quiver)")
    add_budget_argument(p)
    p.set_defaults(handler=cmd_dim)


def _partition_count(n: int) -> int:
    """p(n), or a number above any budget once n > 400 (p(400) is about 7e18)."""
    if n > 400:
        return 2**64
    from sympy import partition

    return int(partition(n))


def cmd_dim(args: argparse.Namespace) -> int:
    """Handler of ``reptheory dim``."""
    from ..layers import hom_dimension

    G = _group(args)
    d = hom_dimension(G, args.k, args.l)
    if args.all_methods and G.symbol == "S":
        from .._validate import check_dense_size
        from ..layers import symmetric_hom_dimension, symmetric_hom_dimension_mckay

        # the quiver has a vertex per partition of n and about n arrows at each
        vertices = _partition_count(G.n)
        check_dense_size(f"the McKay quiver of S_{G.n} ({vertices} vertices)",
                         vertices * (G.n + args.k + args.l), hint="leave out --all-methods")
        print(f"Stirling sum : {symmetric_hom_dimension(G.n, args.k, args.l)}")
        print(f"McKay quiver : {symmetric_hom_dimension_mckay(G.n, args.k, args.l)}")
    elif args.all_methods:
        from .._validate import check_dense_size
        from ..layers import hom_dimension_by_method
        from ..layers._registry import _check_build

        # the methods enumerate every diagram (Gram ranks) or every cycle type of S_n (Burnside)
        _check_build(G, args.k, args.l, "diagram", True, None)
        if G.symbol == "A":
            vertices = _partition_count(G.n)
            check_dense_size(f"Burnside's count over the {vertices} cycle types of S_{G.n}",
                             vertices * (G.n + 1), hint="leave out --all-methods")
        methods = hom_dimension_by_method(G, args.k, args.l)
        width = max(len(m) for m in methods)
        for method, value in methods.items():
            print(f"{method:<{width}} : {value}")
    print(d)
    return 0


#: modules reported by ``reptheory info``, with the extra that installs each
EXTRAS = (("numpy", ""), ("scipy", ""), ("sympy", ""), ("networkx", ""), ("numba", "fast"),
          ("torch", "torch"), ("cupy", "cupy"), ("jax", "jax"), ("matplotlib", "plot"),
          ("tqdm", "progress"))


def add_info_command(subparsers: argparse._SubParsersAction) -> None:
    """Add ``reptheory info``."""
    p = subparsers.add_parser("info", help="version, groups, and optional backends found")
    p.set_defaults(handler=cmd_info)


def cmd_info(args: argparse.Namespace) -> int:
    """Handler of ``reptheory info``."""
    from .. import __version__
    from ..groups import group_names
    from ..kernels import backend_names

    print(f"reptheory {__version__} (Python {platform.python_version()})")
    print(f"groups: {', '.join(group_names())}")
    print(f"backends registered: {', '.join(backend_names())}")
    for mod, extra in EXTRAS:
        found = importlib.util.find_spec(mod) is not None
        note = "found" if found else (f"not installed (pip install 'reptheory[{extra}]')" if extra
                                      else "not installed")
        print(f"  {mod:<11} {note}")
    return 0
