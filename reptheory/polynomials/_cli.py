"""The ``reptheory polynomials`` subcommand.

Usage::

    reptheory polynomials count --degree 3 --output edge [--symmetric] [--upto] [--n 4]
    reptheory polynomials list --degree 2 --output node [--symmetric] [--formula]
    reptheory polynomials expressivity --model PPGN++ --degree 5 --output edge [--symmetric]
"""

from __future__ import annotations

import argparse

from ..cli._args import nonnegative_int, positive_int

__all__ = ["add_polynomials_command", "cmd_polynomials"]


def add_polynomials_command(subparsers) -> argparse.ArgumentParser:
    """Add the ``polynomials`` subcommand to an ``argparse`` subparsers object.

    Examples
    --------
    >>> ap = argparse.ArgumentParser(prog="reptheory")
    >>> _ = add_polynomials_command(ap.add_subparsers(dest="command"))
    >>> args = ap.parse_args(["polynomials", "count", "--degree", "2", "--output", "edge"])
    >>> args.handler(args)
    117
    0
    """
    p = subparsers.add_parser("polynomials", help="equivariant graph polynomials (multigraph basis)")
    p.add_argument("action", choices=["count", "list", "expressivity"],
                   help="count the basis, list its polynomials, or list what a model cannot "
                        "compute")
    p.add_argument("--degree", type=nonnegative_int, required=True,
                   help="polynomial degree d >= 0 (number of edges of the multigraphs)")
    p.add_argument("--output", default="invariant", choices=["invariant", "node", "edge"],
                   help="output type: invariant (scalar), node (R^n) or edge (R^{n x n}); "
                        "default invariant")
    p.add_argument("--symmetric", action="store_true", help="symmetric X (undirected multigraphs)")
    p.add_argument("--upto", action="store_true", help="all degrees <= --degree")
    p.add_argument("--n", type=positive_int, default=None,
                   help="number of nodes n >= 1: keep the subset independent for graphs of n nodes")
    p.add_argument("--formula", action="store_true", help="list: print formulas, not einsum strings")
    p.add_argument("--model", default="PPGN++", help="expressivity: MPNN, PPGN or PPGN++")
    p.add_argument("--max-degree", type=nonnegative_int, default=None, metavar="D",
                   help="count and list: enumerate up to degree D (default 6; the basis grows "
                        "about 8x per degree)")
    p.set_defaults(handler=cmd_polynomials)
    return p


def cmd_polynomials(args) -> int:
    """Handler of ``reptheory polynomials ...``; returns the exit status."""
    from . import basis_count, basis_dimension, iter_polynomial_basis, missing_features

    if args.action == "count":
        if args.n is None:
            print(basis_count(args.degree, args.output, args.symmetric, not args.upto,
                              max_degree=args.max_degree))
        else:
            print(basis_dimension(args.degree, args.output, args.symmetric, not args.upto, args.n))
    elif args.action == "list":
        for p in iter_polynomial_basis(args.degree, args.output, args.symmetric, not args.upto,
                                       args.n, max_degree=args.max_degree):
            print(p.formula() if args.formula else p.einsum)
    else:
        miss = missing_features(args.model, args.degree, args.output, args.symmetric)
        print(f"{args.model}: {len(miss)} connected basis polynomial(s) of degree {args.degree} "
              f"({args.output}) not computable")
        for p in miss:
            print(f"  {p.einsum}    {p.formula()}")
    return 0
