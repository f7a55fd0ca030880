"""Handlers of the core subcommands."""

from __future__ import annotations

import argparse
import importlib.util
import platform
import sys


def _group(args: argparse.Namespace):
    from ..groups import group_from_name

    return group_from_name(args.group, args.n)


def cmd_basis(args: argparse.Namespace) -> int:
    from ..layers import layer_basis, spanning_set

    G = _group(args)
    B = spanning_set(G, args.k, args.l) if args.spanning else layer_basis(G, args.k, args.l, kind=args.kind)
    if args.draw:
        from ..errors import InvalidParameterError

        if not args.draw.lower().endswith((".png", ".svg", ".pdf")):
            raise InvalidParameterError(f"--draw FILE must end in .png, .svg or .pdf, got {args.draw!r}")
        fig = B.draw()
        fig.savefig(args.draw, dpi=120)
        print(f"drew {len(B)} diagrams to {args.draw}", file=sys.stderr)
    if args.json:
        print(B.to_json())
        return 0
    what = "basis" if B.is_basis else "spanning set (linearly dependent)"
    print(f"{G!r}, k={args.k}, l={args.l}, kind={B.kind}: dimension {B.dimension}, "
          f"{len(B)} elements ({what})")
    spec = B.spec
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


def cmd_dim(args: argparse.Namespace) -> int:
    from ..layers import hom_dimension

    G = _group(args)
    d = hom_dimension(G, args.k, args.l)
    if args.all_methods and G.symbol == "S":
        from ..layers import sn_hom_dimension_mckay, sn_hom_dimension_stirling

        print(f"Stirling sum : {sn_hom_dimension_stirling(G.n, args.k, args.l)}")
        print(f"McKay quiver : {sn_hom_dimension_mckay(G.n, args.k, args.l)}")
    elif args.all_methods:
        from ..layers import hom_dimension_methods

        methods = hom_dimension_methods(G, args.k, args.l)
        width = max(len(m) for m in methods)
        for method, value in methods.items():
            print(f"{method:<{width}} : {value}")
    print(d)
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from .. import __version__
    from ..groups import group_names
    from ..kernels import backend_names

    print(f"reptheory {__version__} (Python {platform.python_version()})")
    print(f"groups: {', '.join(group_names())}")
    print(f"backends registered: {', '.join(backend_names())}")
    for mod, extra in [("numpy", ""), ("scipy", ""), ("sympy", ""), ("networkx", ""),
                       ("numba", "fast"), ("torch", "torch"), ("cupy", "cupy"),
                       ("jax", ""), ("matplotlib", "plot"), ("tqdm", "progress")]:
        found = importlib.util.find_spec(mod) is not None
        note = "found" if found else (f"not installed (pip install 'reptheory[{extra}]')" if extra
                                      else "not installed")
        print(f"  {mod:<11} {note}")
    return 0
