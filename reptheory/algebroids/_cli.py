"""The ``reptheory algebroids`` subcommands: ``cohomology`` and ``check``."""

from __future__ import annotations

import argparse

from ..cli._args import positive_int

__all__ = ["add_algebroids_command", "cmd_algebroids_check", "cmd_algebroids_cohomology"]


def _ints(text: str) -> list[int]:
    try:
        return [int(t) for t in text.split(",") if t.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from exc


def add_algebroids_command(subparsers: argparse._SubParsersAction) -> None:
    """Register the ``algebroids`` subcommand.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser(prog="reptheory"); sub = p.add_subparsers()
    >>> add_algebroids_command(sub)
    >>> args = p.parse_args(["algebroids", "cohomology", "--betti-M", "1,1", "--betti-Z", "1,1", "-k", "2"])
    >>> args.handler(args)
    [1, 3, 2]
    0
    """
    p = subparsers.add_parser("algebroids", help="b^k-algebroids: cohomology, identity checks")
    sub = p.add_subparsers(dest="algebroids_cmd", required=True, metavar="ALGEBROIDS_COMMAND")
    c = sub.add_parser("cohomology", help="Scott's b^k cohomology dimensions from Betti numbers")
    c.add_argument("--betti-M", type=_ints, required=True, help="e.g. 1,0,1 for S^2")
    c.add_argument("--betti-Z", type=_ints, required=True, help="e.g. 1,1 for a circle")
    c.add_argument("-k", type=positive_int, required=True, help="the order k >= 1 of the b^k-structure")
    c.set_defaults(handler=cmd_algebroids_cohomology)
    j = sub.add_parser("check", help="verify Jacobi/Leibniz for the b^k-tangent bundle of R^n")
    j.add_argument("--dim", type=positive_int, required=True, help="dimension of R^n (n >= 1)")
    j.add_argument("-k", type=positive_int, required=True, help="the order k >= 1 of the b^k-structure")
    j.set_defaults(handler=cmd_algebroids_check)


def cmd_algebroids_cohomology(args: argparse.Namespace) -> int:
    """Handler of ``reptheory algebroids cohomology``."""
    from ._cohomology import bk_cohomology

    print(bk_cohomology(args.betti_M, args.betti_Z, args.k))
    return 0


def cmd_algebroids_check(args: argparse.Namespace) -> int:
    """Handler of ``reptheory algebroids check``."""
    from ._algebroid import bk_tangent_bundle

    A = bk_tangent_bundle(args.dim, args.k)
    ok = A.check_jacobi() and A.check_leibniz() and A.check_d_squared()
    print(f"b^{args.k}-tangent bundle of R^{args.dim}: Jacobi, Leibniz, d^2 = 0: {'ok' if ok else 'FAILED'}")
    return 0
