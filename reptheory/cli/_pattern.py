"""``reptheory pattern G n --k K --l L``: print the weight-sharing pattern of a layer basis."""

from __future__ import annotations

import argparse

from ._args import add_budget_argument, add_group_arguments, nonnegative_int

__all__ = ["add_pattern_command", "cmd_pattern"]


def cmd_pattern(args: argparse.Namespace) -> int:
    """Handler of ``reptheory pattern``."""
    from ..groups import group_from_name
    from ..layers import layer_basis
    from ._commands import zero_space_note

    G = group_from_name(args.group, args.n)
    B = layer_basis(G, args.k, args.l, kind=args.kind)
    if B.dimension == 0:
        print(f"{G!r}, k={args.k}, l={args.l}, kind={B.kind}: 0 parameters")
        print(zero_space_note(G, args.k, args.l))
        return 0
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
    """Add ``reptheory pattern``."""
    p = subparsers.add_parser(
        "pattern", help="print the weight-sharing pattern: row, column, parameter, coefficient",
        epilog="Example: reptheory pattern S 3 --k 1 --l 1 --kind orbit --grid")
    add_group_arguments(p)
    p.add_argument("--kind", default=None, help="basis kind (S and A: diagram [default] or orbit)")
    p.add_argument("--grid", action="store_true",
                   help="print the matrix of parameter indices (orbit-type patterns)")
    p.add_argument("--max-lines", type=nonnegative_int, default=None, metavar="N",
                   help="print at most N entries (an integer >= 0; default all)")
    add_budget_argument(p)
    p.set_defaults(handler=cmd_pattern)
