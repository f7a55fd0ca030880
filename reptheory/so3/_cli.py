"""Command-line subcommands for reptheory.so3 (wired up by the lead in ``reptheory.cli``).

``reptheory so3 cg L1 L2 L3 [--float]``: all non-zero <l1 m1 l2 m2 | l3 m1+m2>, exact.
``reptheory so3 restrict L``: the SO(2) irreps of Res rho_l and the permutation Q.
``reptheory so3 wigner-check L [--n N]``: orthogonality / homomorphism errors of D_l.
"""

from __future__ import annotations

import argparse

__all__ = ["add_cli", "run"]


def add_cli(subparsers) -> argparse.ArgumentParser:
    """Add the ``so3`` subcommand to an argparse ``subparsers`` object."""
    p = subparsers.add_parser(
        "so3", help="SO(3): exact Clebsch-Gordan, restriction, Wigner D checks"
    )
    sub = p.add_subparsers(dest="so3_cmd", required=True)
    cg = sub.add_parser("cg", help="exact Clebsch-Gordan coefficients of one (l1, l2, l3) block")
    for name in ("l1", "l2", "l3"):
        cg.add_argument(name, type=int)
    cg.add_argument("--float", action="store_true", help="print floats instead of sqrt(p/q)")
    r = sub.add_parser("restrict", help="restriction of rho_l to SO(2) about z")
    r.add_argument("l", type=int)
    w = sub.add_parser("wigner-check", help="accuracy of Wigner D at degree l")
    w.add_argument("l", type=int)
    w.add_argument("--n", type=int, default=4, help="number of random rotations")
    from ._tp_cli import add_tp_cli

    add_tp_cli(sub)
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    """Handler for the ``so3`` subcommand; returns the exit status.

    Examples
    --------
    >>> import argparse
    >>> run(argparse.Namespace(so3_cmd="cg", l1=1, l2=1, l3=0, float=False))
    <1 -1; 1 1 | 0 0> = sqrt(1/3)
    <1 0; 1 0 | 0 0> = -sqrt(1/3)
    <1 1; 1 -1 | 0 0> = sqrt(1/3)
    0
    """
    import numpy as np

    from ..groups._rotation import SO3
    from . import clebsch_gordan_table, restrict, wigner_D

    if args.so3_cmd == "tp-expressivity":
        from ._tp_cli import run_tp

        return run_tp(args)
    if args.so3_cmd == "cg":
        table = clebsch_gordan_table(args.l1, args.l2, args.l3)
        for (m1, m2), v in sorted(table.items()):
            val = f"{float(v):.17g}" if args.float else str(v)
            print(f"<{args.l1} {m1}; {args.l2} {m2} | {args.l3} {m1 + m2}> = {val}")
        return 0
    if args.so3_cmd == "restrict":
        res = restrict(args.l)
        print(" + ".join(str(ir) for ir in res.irreps))
        print(res.change_of_basis.astype(int))
        return 0
    G = SO3()
    rng = np.random.default_rng(0)
    R = np.array([G.random_element(rng) for _ in range(args.n + 1)])
    D = wigner_D(args.l, R)
    orth = np.abs(D @ np.swapaxes(D, 1, 2) - np.eye(2 * args.l + 1)).max()
    hom = np.abs(wigner_D(args.l, R[0] @ R[1]) - D[0] @ D[1]).max()
    print(f"l = {args.l}: max |D D^T - I| = {orth:.2e}, max |D(R1 R2) - D(R1) D(R2)| = {hom:.2e}")
    return 0
