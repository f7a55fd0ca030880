"""``reptheory pattern G n --k K --l L``: print the weight-sharing pattern of a layer basis."""

from __future__ import annotations

import argparse

__all__ = ["add_pattern_command", "cmd_pattern"]


def cmd_pattern(args: argparse.Namespace) -> int:
    from ..groups import group_from_name
    from ..layers import layer_basis

    G = group_from_name(args.group, args.n)
    B = layer_basis(G, args.k, args.l, kind=args.kind)
    pat = B.sharing_pattern()
    if args.grid:
        if pat.is_partition():
            grid = [["." for _ in range(pat.shape[1])] for _ in range(pat.shape[0])]
            for r, c, p in zip(pat.rows.tolist(), pat.cols.tolist(), pat.params.tolist()):
                grid[r][c] = str(p)
            width = max([len(str(len(B) - 1)), 1])
            print(f"{G!r}, k={args.k}, l={args.l}, kind={B.kind}: parameter of each matrix entry "
                  f"({pat.shape[0]} x {pat.shape[1]}, '.' = 0)")
            for row in grid:
                print(" ".join(f"{s:>{width}}" for s in row))
            return 0
        print("(entries combine several parameters: printing the list instead of a grid)")
    print(f"{G!r}, k={args.k}, l={args.l}, kind={B.kind}: {len(B)} parameters")
    print(pat.to_text(max_lines=args.max_lines))
    return 0


def add_pattern_command(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``pattern`` subcommand (registered by the lead with ``register_command``)."""
    p = subparsers.add_parser(
        "pattern", help="print the weight-sharing pattern: row, column, parameter, coefficient")
    p.add_argument("group", help="group name, e.g. S")
    p.add_argument("n", type=int, help="dimension n of R^n")
    p.add_argument("--k", type=int, default=1, help="input tensor order k (default 1)")
    p.add_argument("--l", type=int, default=1, help="output tensor order l (default 1)")
    p.add_argument("--kind", default=None, help="basis kind (S: diagram [default] or orbit)")
    p.add_argument("--grid", action="store_true",
                   help="print the matrix of parameter indices (orbit-type patterns)")
    p.add_argument("--max-lines", type=int, default=None, help="print at most this many entries")
    p.set_defaults(handler=cmd_pattern)
