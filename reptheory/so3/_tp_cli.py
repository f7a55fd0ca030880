"""``reptheory so3 tp-expressivity IRREPS1 IRREPS2 IRREPS_OUT [--no-numerical]``: the table of
:func:`reptheory.so3.tensor_product_expressivity`.
"""

from __future__ import annotations

import argparse

__all__ = ["add_tp_expressivity_command", "cmd_so3_tp_expressivity"]


def add_tp_expressivity_command(subparsers) -> argparse.ArgumentParser:
    """Add ``tp-expressivity`` to the ``so3`` sub-subparsers."""
    p = subparsers.add_parser(
        "tp-expressivity",
        help="which paths / bilinear maps the CG, Gaunt and eSCN tensor products reach",
    )
    for name in ("irreps1", "irreps2", "irreps_out"):
        p.add_argument(name, help="irreps string like '2x0e+1x1o', or an int L (0e+1o+...+L)")
    p.add_argument("--no-numerical", action="store_true", help="combinatorial counts only")
    p.set_defaults(handler=cmd_so3_tp_expressivity)
    return p


def _irreps_arg(s: str):
    return int(s) if s.isdigit() else s


def cmd_so3_tp_expressivity(args) -> int:
    """Handler of ``reptheory so3 tp-expressivity``; returns the exit status.

    Examples
    --------
    >>> import argparse
    >>> cmd_so3_tp_expressivity(argparse.Namespace(irreps1="1o", irreps2="1o", irreps_out="1e", no_numerical=False))
    tensor products 1o x 1o -> 1e
    all O(3)-equivariant bilinear maps: dimension 1
    method   paths  span params  x(x)x parity
    cg           1     1      1      0    yes
    gaunt        0     0      0      0    yes
    escn         1     1      1      0     no
    gaunt loses: 1ox1o->1e
    0
    """
    from ._tp_expressivity import tensor_product_expressivity

    rep = tensor_product_expressivity(
        _irreps_arg(args.irreps1),
        _irreps_arg(args.irreps2),
        _irreps_arg(args.irreps_out),
        numerical=not args.no_numerical,
    )
    print(rep)
    return 0
