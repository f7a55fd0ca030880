"""Command-line hooks for the lead to wire into ``reptheory.cli`` (not imported by ``__init__``).

``add_cli(subparsers)`` adds ``reptheory algebroids cohomology`` and ``reptheory algebroids
check``.
"""

from __future__ import annotations

import argparse

from ..errors import InvalidParameterError

__all__ = ["add_cli"]


def _ints(text: str) -> list[int]:
    try:
        return [int(t) for t in text.split(",") if t.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from exc


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """Register the ``algebroids`` subcommand.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser(prog="reptheory"); sub = p.add_subparsers()
    >>> add_cli(sub)
    >>> args = p.parse_args(["algebroids", "cohomology", "--betti-M", "1,1", "--betti-Z", "1,1", "-k", "2"])
    >>> args.func(args)
    [1, 3, 2]
    0
    """
    p = subparsers.add_parser("algebroids", help="b^k-algebroids: cohomology, identity checks")
    sub = p.add_subparsers(dest="algebroids_cmd", required=True)
    c = sub.add_parser("cohomology", help="Scott's b^k cohomology dimensions from Betti numbers")
    c.add_argument("--betti-M", type=_ints, required=True, help="e.g. 1,0,1 for S^2")
    c.add_argument("--betti-Z", type=_ints, required=True, help="e.g. 1,1 for a circle")
    c.add_argument("-k", type=int, required=True)
    c.set_defaults(func=_cohomology)
    j = sub.add_parser("check", help="verify Jacobi/Leibniz for the b^k-tangent bundle of R^n")
    j.add_argument("--dim", type=int, required=True)
    j.add_argument("-k", type=int, required=True)
    j.set_defaults(func=_check)


def _cohomology(args: argparse.Namespace) -> int:
    from ._cohomology import bk_cohomology

    print(bk_cohomology(args.betti_M, args.betti_Z, args.k))
    return 0


def _check(args: argparse.Namespace) -> int:
    from ._algebroid import bk_tangent_bundle

    try:
        A = bk_tangent_bundle(args.dim, args.k)
        ok = A.check_jacobi() and A.check_leibniz() and A.check_d_squared()
    except InvalidParameterError as exc:
        print(f"error: {exc}")
        return 2
    print(f"b^{args.k}-tangent bundle of R^{args.dim}: Jacobi, Leibniz, d^2 = 0: {'ok' if ok else 'FAILED'}")
    return 0
