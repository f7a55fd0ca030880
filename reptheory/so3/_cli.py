"""The ``reptheory so3`` subcommands.

``reptheory so3 cg J1 J2 J3 [--float]``: all non-zero <j1 m1; j2 m2 | j3 m1+m2>, exact
(integers or half-integers, written 3/2 or 1.5).
``reptheory so3 restrict L``: the SO(2) irreps of Res rho_l and the permutation Q.
``reptheory so3 wigner-check L [--n N]``: orthogonality / homomorphism errors of D_l.
``reptheory so3 tp-expressivity ...``: see :mod:`reptheory.so3._tp_cli`.
"""

from __future__ import annotations

import argparse
from fractions import Fraction

from ..cli._args import half_integer, nonnegative_int, positive_int

__all__ = ["add_so3_command", "cmd_so3_cg", "cmd_so3_restrict", "cmd_so3_wigner_check"]


def add_so3_command(subparsers) -> argparse.ArgumentParser:
    """Add ``reptheory so3`` and its subcommands."""
    p = subparsers.add_parser(
        "so3", help="SO(3): exact Clebsch-Gordan, restriction, Wigner D checks"
    )
    sub = p.add_subparsers(dest="so3_cmd", required=True, metavar="SO3_COMMAND")
    cg = sub.add_parser("cg", help="exact Clebsch-Gordan coefficients of one (j1, j2, j3) block",
                        epilog="Example: reptheory so3 cg 1/2 1/2 1")
    for name, what in (("j1", "first"), ("j2", "second"), ("j3", "coupled")):
        cg.add_argument(name, type=half_integer,
                        help=f"{what} angular momentum: an integer or half-integer >= 0 "
                             "(2, 3/2 or 1.5)")
    cg.add_argument("--float", action="store_true", help="print floats instead of sqrt(p/q)")
    cg.set_defaults(handler=cmd_so3_cg)
    r = sub.add_parser("restrict", help="restriction of rho_l to SO(2) about z")
    r.add_argument("l", type=nonnegative_int, help="degree l >= 0 of the SO(3) irrep")
    r.set_defaults(handler=cmd_so3_restrict)
    w = sub.add_parser("wigner-check", help="accuracy of Wigner D at degree l")
    w.add_argument("l", type=nonnegative_int, help="degree l >= 0")
    w.add_argument("--n", type=positive_int, default=4,
                   help="number of random rotations (an integer >= 1, default 4)")
    w.set_defaults(handler=cmd_so3_wigner_check)
    from ._tp_cli import add_tp_expressivity_command

    add_tp_expressivity_command(sub)
    return p


def _text(j: Fraction) -> str:
    return str(j.numerator) if j.denominator == 1 else f"{j.numerator}/{j.denominator}"


def cmd_so3_cg(args) -> int:
    """Handler of ``reptheory so3 cg``; prints every non-zero coefficient of the block.

    Examples
    --------
    >>> import argparse
    >>> cmd_so3_cg(argparse.Namespace(j1=Fraction(1), j2=Fraction(1), j3=Fraction(0), float=False))
    <1 -1; 1 1 | 0 0> = sqrt(1/3)
    <1 0; 1 0 | 0 0> = -sqrt(1/3)
    <1 1; 1 -1 | 0 0> = sqrt(1/3)
    0
    >>> cmd_so3_cg(argparse.Namespace(j1=Fraction(1), j2=Fraction(1), j3=Fraction(3), float=False))
    every <1 m1; 1 m2 | 3 M> is zero: j3 = 3 is outside |j1 - j2| .. j1 + j2 = 0 .. 2
    0
    """
    from . import clebsch_gordan_exact, clebsch_gordan_table

    j1, j2, j3 = (Fraction(v) for v in (args.j1, args.j2, args.j3))
    t1, t2, t3 = (_text(j) for j in (j1, j2, j3))
    if (j1 + j2 + j3).denominator != 1:
        print(f"every <{t1} m1; {t2} m2 | {t3} M> is zero: j1 + j2 + j3 = {_text(j1 + j2 + j3)} "
              "is not an integer")
        return 0
    if not abs(j1 - j2) <= j3 <= j1 + j2:
        print(f"every <{t1} m1; {t2} m2 | {t3} M> is zero: j3 = {t3} is outside "
              f"|j1 - j2| .. j1 + j2 = {_text(abs(j1 - j2))} .. {_text(j1 + j2)}")
        return 0
    from math import lgamma, log

    from .._validate import check_dense_size

    count = (int(2 * j1) + 1) * (int(2 * j2) + 1)  # at most this many (m1, m2) pairs
    words = 1 + int(lgamma(float(j1 + j2 + j3) + 2) / log(2) / 32)  # exact sqrt(p/q) sizes
    check_dense_size(f"the block of up to {count} exact coefficients", count * words,
                     hint="lower the degrees")
    if all(j.denominator == 1 for j in (j1, j2, j3)):
        items = sorted((Fraction(m1), Fraction(m2), v) for (m1, m2), v in
                       clebsch_gordan_table(int(j1), int(j2), int(j3)).items())
    else:
        items = []
        for a in range(int(2 * j1) + 1):
            m1 = a - j1
            for b in range(int(2 * j2) + 1):
                m2 = b - j2
                if abs(m1 + m2) <= j3:
                    v = clebsch_gordan_exact(j1, m1, j2, m2, j3, m1 + m2)
                    if v != 0:
                        items.append((m1, m2, v))
    for m1, m2, v in items:
        val = f"{float(v):.17g}" if args.float else str(v)
        print(f"<{t1} {_text(m1)}; {t2} {_text(m2)} | {t3} {_text(m1 + m2)}> = {val}")
    return 0


def cmd_so3_restrict(args) -> int:
    """Handler of ``reptheory so3 restrict``."""
    from .._validate import check_dense_size
    from . import restrict

    check_dense_size(f"the change of basis of Res rho_{args.l}", (2 * args.l + 1) ** 2,
                     hint="lower l")
    res = restrict(args.l)
    print(" + ".join(str(ir) for ir in res.irreps))
    print(res.change_of_basis.astype(int))
    return 0


def cmd_so3_wigner_check(args) -> int:
    """Handler of ``reptheory so3 wigner-check``."""
    import numpy as np

    from ..errors import InvalidParameterError
    from ..groups._rotation import SO3
    from . import wigner_D

    if args.n < 1:
        raise InvalidParameterError(f"--n must be an integer >= 1, got {args.n}")
    G = SO3()
    rng = np.random.default_rng(0)
    R = np.array([G.random_element(rng) for _ in range(args.n + 1)])
    D = wigner_D(args.l, R)
    orth = np.abs(D @ np.swapaxes(D, 1, 2) - np.eye(2 * args.l + 1)).max()
    hom = np.abs(wigner_D(args.l, R[0] @ R[1]) - D[0] @ D[1]).max()
    print(f"l = {args.l}: max |D D^T - I| = {orth:.2e}, max |D(R1 R2) - D(R1) D(R2)| = {hom:.2e}")
    return 0
