"""Command-line subcommand ``reptheory polynomials`` (listed in :mod:`reptheory.cli`).

Usage::

    reptheory polynomials count --degree 3 --output edge [--symmetric] [--upto] [--n 4]
    reptheory polynomials list --degree 2 --output node [--symmetric] [--formula]
    reptheory polynomials expressivity --model PPGN++ --degree 5 --output edge [--symmetric]
"""

from __future__ import annotations

import argparse

__all__ = ["add_cli", "run_cli"]


def add_cli(subparsers) -> argparse.ArgumentParser:
    """Add the ``polynomials`` subcommand to an ``argparse`` subparsers object.

    Examples
    --------
    >>> ap = argparse.ArgumentParser(prog="reptheory")
    >>> _ = add_cli(ap.add_subparsers(dest="command"))
    >>> args = ap.parse_args(["polynomials", "count", "--degree", "2", "--output", "edge"])
    >>> args.handler(args)
    117
    0
    """
    p = subparsers.add_parser("polynomials", help="equivariant graph polynomials (multigraph basis)")
    p.add_argument("action", choices=["count", "list", "expressivity"])
    p.add_argument("--degree", type=int, required=True)
    p.add_argument("--output", default="invariant", choices=["invariant", "node", "edge"])
    p.add_argument("--symmetric", action="store_true", help="symmetric X (undirected multigraphs)")
    p.add_argument("--upto", action="store_true", help="all degrees <= --degree")
    p.add_argument("--n", type=int, default=None, help="number of nodes (independent subset)")
    p.add_argument("--formula", action="store_true", help="list: print formulas, not einsum strings")
    p.add_argument("--model", default="PPGN++", help="expressivity: MPNN, PPGN or PPGN++")
    p.set_defaults(handler=run_cli)
    return p


def run_cli(args) -> int:
    """Handle ``reptheory polynomials ...``; returns the exit status."""
    from . import basis_count, basis_dimension, iter_polynomial_basis, missing_features

    if args.action == "count":
        if args.n is None:
            print(basis_count(args.degree, args.output, args.symmetric, not args.upto))
        else:
            print(basis_dimension(args.degree, args.output, args.symmetric, not args.upto, args.n))
    elif args.action == "list":
        for p in iter_polynomial_basis(args.degree, args.output, args.symmetric, not args.upto, args.n):
            print(p.formula() if args.formula else p.einsum)
    else:
        miss = missing_features(args.model, args.degree, args.output, args.symmetric)
        print(f"{args.model}: {len(miss)} connected basis polynomial(s) of degree {args.degree} "
              f"({args.output}) not computable")
        for p in miss:
            print(f"  {p.einsum}    {p.formula()}")
    return 0
